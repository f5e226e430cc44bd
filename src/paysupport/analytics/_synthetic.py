"""A seeded, realistic synthetic portfolio history, for demos, docs, tests and benchmarks.

Every rate is a field of `SyntheticParams` with its source, or ``assumption`` where
no source gives a number. The same seed and parameters always give the same history: only
numpy's seeded ``Generator`` draws, and nothing reads the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

import numpy as np
import polars as pl

from paysupport.analytics.history import (
    CASE_COLUMNS,
    EVENT_COLUMNS,
    EVENT_KINDS,
    FRAUD_TYPES,
    NETWORKS,
    History,
)
from paysupport.errors import ValidationFailed
from paysupport.money import currency
from paysupport.networks import decline_code

__all__ = ["ASSUMED_USD_RATES", "MARKET_CURRENCY", "SyntheticParams", "synthetic"]

_RNG = np.random.Generator
_I64 = np.int64

MARKET_CURRENCY: Mapping[str, str] = MappingProxyType(
    {
        "HK": "HKD",
        "TW": "TWD",
        "JP": "JPY",
        "KR": "KRW",
        "SG": "SGD",
        "US": "USD",
        "GB": "GBP",
        "DE": "EUR",
        "AU": "AUD",
        "AE": "AED",
    }
)
"""The currency each synthetic market trades in."""

ASSUMED_USD_RATES: Mapping[str, Decimal] = MappingProxyType(
    {
        "HKD": Decimal("0.128"),
        "TWD": Decimal("0.031"),
        "JPY": Decimal("0.0066"),
        "KRW": Decimal("0.00072"),
        "SGD": Decimal("0.74"),
        "USD": Decimal(1),
        "GBP": Decimal("1.27"),
        "EUR": Decimal("1.08"),
        "AUD": Decimal("0.65"),
        "AED": Decimal("0.2723"),
    }
)
"""USD per major unit used to size synthetic amounts (assumption: round 2025 figures)."""


def _ro(d: dict[str, float]) -> Mapping[str, float]:
    return MappingProxyType(d)


@dataclass(frozen=True, slots=True)
class SyntheticParams:
    """Every knob of [`synthetic`][paysupport.analytics.synthetic], with the source of its default.

    Attributes:
        n_merchants: merchants in the portfolio.
        n_payments: payments over the whole span (each gives 1 to ~6 events).
        start: first day of the history (UTC).
        months: months of history.
        segment_mix: share of merchants per segment (assumption).
        segment_volume: relative payment volume of one merchant per segment (assumption).
        market_mix: share of merchants per market (assumption).
        network_mix: share of payments per card network (assumption).
        card_present: share of card-present payments (assumption).
        mean_amount_usd: mean ticket in USD per segment; log-normal, sigma 0.8 (assumption).
        approval_rate: first attempts the issuer approves (assumption).
        decline_mix: decline codes of the catalogue with their weights (assumption).
        retry_rate: soft declines retried once (assumption); retries approve at ``retry_approval``.
        retry_approval: approval rate of a retry (assumption).
        capture_rate: approved payments that are captured (assumption).
        refund_rate: captured payments refunded; ``partial_refund`` of them partly (assumption).
        partial_refund: share of refunds that return half the amount (assumption).
        fraud_rate: captured payments that are fraud (assumption).
        fraud_reported: fraud payments reported as TC40 / SAFE / EFW (assumption).
        fraud_disputed: fraud that becomes a fraud dispute: 0.8, "80% of EFWs escalate to
            fraudulent disputes" (docs.stripe.com/disputes/how-disputes-work).
        dispute_rate: non-fraud captured payments disputed (assumption; Adyen calls > 0.5 %
            of volume "unacceptable", docs.adyen.com terms 2017).
        dispute_reasons: non-fraud reason codes per network with weights (assumption).
        fraud_reason: the fraud reason code per network (card-absent fraud).
        accept_rate: disputes the merchant accepts (assumption).
        win_rate: contested disputes won (assumption).
        at_risk: merchants (the largest) whose dispute and fraud rates climb over the span.
        at_risk_peak: their multiplier on dispute and fraud rates in the last month.
        cases_per_payment: support cases per payment (assumption).
        operators: operators per tier (assumption).
        first_action_hours: median hours to first action per tier (assumption).
        sla_hours: the SLA the synthetic team works to (assumption).
        escalation_rate: cases escalated per tier (assumption).
        approval_rate_requested: cases where an approval was asked (assumption).
        approval_granted: approvals granted (assumption).
        reopen_rate: resolved cases reopened (assumption).
    """

    n_merchants: int = 24
    n_payments: int = 20_000
    start: dt.date = dt.date(2025, 1, 1)
    months: int = 18
    segment_mix: Mapping[str, float] = field(
        default_factory=lambda: _ro({"small": 0.5, "medium": 0.3, "enterprise": 0.15, "vip": 0.05})
    )
    segment_volume: Mapping[str, float] = field(
        default_factory=lambda: _ro({"small": 1.0, "medium": 4.0, "enterprise": 15.0, "vip": 30.0})
    )
    market_mix: Mapping[str, float] = field(
        default_factory=lambda: _ro(
            {
                "HK": 0.2,
                "TW": 0.15,
                "JP": 0.2,
                "KR": 0.15,
                "SG": 0.1,
                "US": 0.1,
                "AU": 0.05,
                "AE": 0.05,
            }
        )
    )
    network_mix: Mapping[str, float] = field(
        default_factory=lambda: _ro(
            {"visa": 0.55, "mastercard": 0.33, "amex": 0.08, "discover": 0.04}
        )
    )
    card_present: float = 0.15
    mean_amount_usd: Mapping[str, float] = field(
        default_factory=lambda: _ro(
            {"small": 35.0, "medium": 60.0, "enterprise": 90.0, "vip": 150.0}
        )
    )
    approval_rate: float = 0.86
    decline_mix: Mapping[str, float] = field(
        default_factory=lambda: _ro(
            {
                "05": 0.28,
                "51": 0.22,
                "54": 0.07,
                "14": 0.03,
                "41": 0.02,
                "43": 0.02,
                "59": 0.04,
                "61": 0.05,
                "1A": 0.08,
                "N7": 0.05,
                "91": 0.05,
                "57": 0.03,
                "62": 0.02,
                "R0": 0.04,
            }
        )
    )
    retry_rate: float = 0.3
    retry_approval: float = 0.45
    capture_rate: float = 0.97
    refund_rate: float = 0.05
    partial_refund: float = 0.3
    fraud_rate: float = 0.002
    fraud_reported: float = 0.9
    fraud_disputed: float = 0.8
    dispute_rate: float = 0.003
    dispute_reasons: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: MappingProxyType(
            {
                "visa": _ro(
                    {
                        "13.1": 0.35,
                        "13.3": 0.2,
                        "13.2": 0.15,
                        "12.6.1": 0.1,
                        "13.7": 0.1,
                        "11.3": 0.1,
                    }
                ),
                "mastercard": _ro({"4853": 0.6, "4834": 0.2, "4808": 0.1, "4841": 0.1}),
                "amex": _ro({"C08": 0.4, "C28": 0.3, "C02": 0.3}),
                "discover": _ro({"NF": 0.5, "RG": 0.5}),
            }
        )
    )
    fraud_reason: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType(
            {"visa": "10.4", "mastercard": "4837", "amex": "F29", "discover": "UA02"}
        )
    )
    accept_rate: float = 0.35
    win_rate: float = 0.42
    at_risk: int = 2
    at_risk_peak: float = 8.0
    cases_per_payment: float = 0.02
    operators: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType({"junior": 6, "middle": 4, "senior": 2})
    )
    first_action_hours: Mapping[str, float] = field(
        default_factory=lambda: _ro({"junior": 6.0, "middle": 4.0, "senior": 3.0})
    )
    sla_hours: float = 24.0
    escalation_rate: Mapping[str, float] = field(
        default_factory=lambda: _ro({"junior": 0.2, "middle": 0.1, "senior": 0.02})
    )
    approval_rate_requested: float = 0.12
    approval_granted: float = 0.85
    reopen_rate: float = 0.04


def synthetic(seed: int = 0, params: SyntheticParams | None = None, **overrides: object) -> History:
    """A deterministic synthetic portfolio history.

    Args:
        seed: the seed of numpy's ``Generator``; the same seed gives the same history.
        params: the parameters (defaults: `SyntheticParams`).
        **overrides: fields of ``params`` to replace (``n_payments=5_000``).

    Raises:
        ValidationFailed: an unknown parameter name or an impossible value.

    Examples:
        >>> from paysupport.analytics import synthetic
        >>> h = synthetic(seed=1, n_payments=500, n_merchants=5, months=3)
        >>> h.merchants.height, h.events.filter(kind="authorization")["payment_id"].n_unique()
        (5, 500)
    """
    p = _params(params or SyntheticParams(), overrides)
    rng = np.random.default_rng(seed)
    merchants, weights = _merchants(rng, p)
    events = _events(rng, p, merchants, weights)
    cases = _cases(rng, p, events)
    rates = {c: ASSUMED_USD_RATES[c] for c in set(merchants["currency"].to_list())}
    return History(events, merchants.drop("currency"), cases, MappingProxyType(rates))


def _params(base: SyntheticParams, overrides: Mapping[str, object]) -> SyntheticParams:
    from dataclasses import fields, replace

    known = {f.name for f in fields(SyntheticParams)}
    for name in overrides:
        if name not in known:
            raise ValidationFailed(name, "known_parameter", f"synthetic() has no {name!r}")
    p = replace(base, **overrides)  # type: ignore[arg-type]
    for name in ("n_merchants", "n_payments", "months"):
        if int(getattr(p, name)) < 1:
            raise ValidationFailed(name, "positive", f"{name} must be at least 1")
    return p


def _draw(rng: _RNG, mix: Mapping[str, float], n: int) -> np.ndarray:
    """Indices into ``list(mix)``, drawn with the mix's weights."""
    w = np.array(list(mix.values()), dtype=float)
    out: np.ndarray = rng.choice(len(w), size=n, p=w / w.sum())
    return out


def _choice(rng: _RNG, mix: Mapping[str, float], n: int) -> np.ndarray:
    out: np.ndarray = np.array(list(mix))[_draw(rng, mix, n)]
    return out


def _strings(name: str, codes: np.ndarray, vocab: list[str]) -> pl.Series:
    """``vocab[code]`` per row (``-1`` is null), built in Rust, not Python, per row."""
    idx = pl.Series(codes.astype(np.int64))
    idx = pl.select(pl.when(idx >= 0).then(idx)).to_series()
    return pl.Series(name, vocab, dtype=pl.String).gather(idx)


def _merchants(rng: _RNG, p: SyntheticParams) -> tuple[pl.DataFrame, np.ndarray]:
    n = p.n_merchants
    segment = _choice(rng, p.segment_mix, n)
    market = _choice(rng, p.market_mix, n)
    weights = np.array([p.segment_volume[s] for s in segment]) * rng.lognormal(0, 0.4, n)
    mcc = np.array(["5411", "5732", "5812", "5999", "4722", "5691", "7372", "5945"])
    df = pl.DataFrame(
        {
            "merchant_id": [f"m_{i:03d}" for i in range(n)],
            "name": [f"Merchant {i:03d}" for i in range(n)],
            "segment": segment,
            "market": market,
            "mcc": mcc[rng.integers(0, len(mcc), n)],
            "currency": [MARKET_CURRENCY[m] for m in market],
        }
    )
    return df, weights / weights.sum()


def _month_starts(p: SyntheticParams) -> np.ndarray:
    first = np.datetime64(p.start.replace(day=1), "M")
    out: np.ndarray = (first + np.arange(p.months + 1)).astype("datetime64[us]").astype(_I64)
    return out


_KIND_CODE = {k: i for i, k in enumerate(EVENT_KINDS)}
_NETS = list(NETWORKS)


@dataclass(frozen=True, slots=True)
class _Payments:
    """One value per payment (index = payment number)."""

    merchant: np.ndarray
    network: np.ndarray
    card_present: np.ndarray
    amount: np.ndarray
    score: np.ndarray
    fraud: np.ndarray


def _events(
    rng: _RNG, p: SyntheticParams, merchants: pl.DataFrame, weights: np.ndarray
) -> pl.DataFrame:
    n = p.n_payments
    bounds = _month_starts(p)
    merchant = rng.choice(len(weights), size=n, p=weights)
    month = rng.integers(0, p.months, n)
    t0 = bounds[month] + (rng.random(n) * (bounds[month + 1] - bounds[month])).astype(_I64)
    network = _draw(rng, {k: p.network_mix.get(k, 0.0) for k in _NETS}, n)
    amount = _amounts(
        rng, p, merchants["segment"].to_numpy(), merchants["currency"].to_numpy(), merchant
    )
    risk = _risk(p, weights, merchant, month)
    declines = list(p.decline_mix)
    hard = _hard(declines)

    approved1 = rng.random(n) < p.approval_rate
    code1 = _draw(rng, p.decline_mix, n)
    retried = ~approved1 & (rng.random(n) < p.retry_rate) & ~hard[code1]
    approved2 = retried & (rng.random(n) < p.retry_approval)
    code2 = _draw(rng, p.decline_mix, n)
    t_ok = np.where(approved1, t0, t0 + _hours(rng, 6.0, n))
    captured = (approved1 | approved2) & (rng.random(n) < p.capture_rate)
    t_cap = t_ok + _hours(rng, 24.0, n)
    fraud = captured & (rng.random(n) < np.minimum(p.fraud_rate * risk, 0.5))
    score = np.where(fraud, rng.beta(5, 2, n), rng.beta(2, 6, n))
    reported = fraud & (rng.random(n) < p.fraud_reported)
    fdispute = fraud & (rng.random(n) < p.fraud_disputed)
    odispute = captured & ~fraud & (rng.random(n) < np.minimum(p.dispute_rate * risk, 0.5))
    disputed = fdispute | odispute
    refunded = captured & ~disputed & (rng.random(n) < p.refund_rate)
    partial = rng.random(n) < p.partial_refund
    pid = np.arange(n)
    parts = [
        _part("authorization", pid[~approved1], t0, amount, code1, approved=False),
        _part("authorization", pid[approved1], t0, amount, None, approved=True),
        _part("authorization", pid[retried], t_ok, amount, code2, approved=approved2, tag=1),
        _part("capture", pid[captured], t_cap, amount),
        _part(
            "refund",
            pid[refunded],
            t_cap + _hours(rng, 8 * 24.0, n),
            np.where(partial, amount // 2, amount),
        ),
        _part("fraud_report", pid[reported], t_cap + _hours(rng, 20 * 24.0, n), amount),
        _part("dispute", pid[disputed], t_cap + _hours(rng, 25 * 24.0, n), amount),
    ]
    df = pl.concat(parts, how="vertical").filter(pl.col("at") < bounds[-1]).sort("at")
    pay = _Payments(merchant, network, rng.random(n) < p.card_present, amount, score, fraud)
    return _columns(rng, p, df, merchants, pay, declines)


def _hard(declines: list[str]) -> np.ndarray:
    """Which decline codes are hard, by the catalogue (never retried)."""
    return np.array([decline_code(c).is_hard for c in declines], dtype=bool)


def _hours(rng: _RNG, mean: float, n: int) -> np.ndarray:
    out: np.ndarray = (rng.exponential(mean * 3_600e6, n)).astype(_I64)
    return out


def _amounts(
    rng: _RNG, p: SyntheticParams, segment: np.ndarray, cur: np.ndarray, merchant: np.ndarray
) -> np.ndarray:
    """Log-normal tickets per segment, in each merchant's currency (no loop per payment)."""
    mean = np.array([p.mean_amount_usd[s] for s in segment])[merchant]
    usd = rng.lognormal(np.log(mean) - 0.32, 0.8)
    per_usd = np.array([10 ** currency(c).exponent / float(ASSUMED_USD_RATES[c]) for c in cur])
    out: np.ndarray = np.maximum(np.round(usd * per_usd[merchant]), 1).astype(_I64)
    return out


def _risk(
    p: SyntheticParams, weights: np.ndarray, merchant: np.ndarray, month: np.ndarray
) -> np.ndarray:
    ramp = np.ones((len(weights), p.months))
    if p.at_risk:
        worst = np.argsort(-weights)[: p.at_risk]
        ramp[worst] = 1 + (p.at_risk_peak - 1) * (np.arange(p.months) / max(p.months - 1, 1)) ** 2
    out: np.ndarray = ramp[merchant, month]
    return out


def _part(
    kind: str,
    idx: np.ndarray,
    at: np.ndarray,
    amount: np.ndarray,
    code: np.ndarray | None = None,
    *,
    approved: np.ndarray | bool | None = None,
    tag: int = 0,
) -> pl.DataFrame:
    """One kind of event for the payments ``idx``: integer columns only (strings come last)."""
    ok = approved[idx] if isinstance(approved, np.ndarray) else np.full(len(idx), approved)
    declined = np.zeros(len(idx), dtype=bool) if approved is None else ~ok.astype(bool)
    decline = np.where(declined, code[idx], -1) if code is not None else np.full(len(idx), -1)
    return pl.DataFrame(
        {
            "pid": idx,
            "k": np.full(len(idx), _KIND_CODE[kind] * 2 + tag, dtype=np.int8),
            "at": at[idx],
            "amount_minor": amount[idx],
            "approved": pl.Series(ok, dtype=pl.Boolean)
            if approved is not None
            else pl.Series([None] * len(idx), dtype=pl.Boolean),
            "decline": decline.astype(np.int16),
        }
    )


def _columns(
    rng: _RNG,
    p: SyntheticParams,
    df: pl.DataFrame,
    merchants: pl.DataFrame,
    pay: _Payments,
    declines: list[str],
) -> pl.DataFrame:
    idx = df["pid"].to_numpy()
    n = len(idx)
    net = pay.network[idx]
    kind = df["k"].to_numpy() // 2
    is_disp = kind == _KIND_CODE["dispute"]
    reasons = sorted(
        {c for mix in p.dispute_reasons.values() for c in mix} | set(p.fraud_reason.values())
    )
    reason = np.full(n, -1)
    for name, mix in p.dispute_reasons.items():
        sel = is_disp & (net == _NETS.index(name))
        drawn = np.array([reasons.index(c) for c in mix])[_draw(rng, mix, int(sel.sum()))]
        fraud_code = reasons.index(p.fraud_reason[name])
        reason[sel] = np.where(pay.fraud[idx[sel]], fraud_code, drawn)
    decline = df["decline"].to_numpy()
    mac = _advice(rng, decline, declines, net)
    is_frd, is_ref = kind == _KIND_CODE["fraud_report"], kind == _KIND_CODE["refund"]
    ftype = np.where(net == 0, 0, np.where(net == 1, 1, 2))
    refund_mix = {
        "requested_by_customer": 0.6,
        "goods_returned": 0.25,
        "duplicate": 0.05,
        "overcharge": 0.1,
    }
    is_auth = kind == _KIND_CODE["authorization"]
    out = df.select(
        pl.format("e{}_{}", pl.col("k"), pl.col("pid")).alias("event_id"),
        pl.format("p_{}", pl.col("pid")).alias("payment_id"),
        pl.Series("merchant_id", merchants["merchant_id"]).gather(pay.merchant[idx]),
        _strings("kind", kind, list(EVENT_KINDS)).cast(EVENT_COLUMNS["kind"][0]),
        pl.col("at").cast(pl.Datetime("us", "UTC")),
        pl.col("amount_minor").cast(pl.Int64),
        pl.Series("currency", merchants["currency"]).gather(pay.merchant[idx]),
        _strings("network", net, _NETS).cast(EVENT_COLUMNS["network"][0]),
        pl.Series("card_present", pay.card_present[idx]),
        "approved",
        _strings("decline_code", decline, declines),
        _strings("merchant_advice_code", mac, ["01", "02", "03"]),
        _strings("reason_code", reason, reasons),
        _strings("outcome", _outcomes(rng, p, df, is_disp), list(_OUTCOMES)),
        _strings("fraud_type", np.where(is_frd, ftype, -1), list(FRAUD_TYPES)),
        _strings(
            "refund_reason", np.where(is_ref, _draw(rng, refund_mix, n), -1), list(refund_mix)
        ),
        pl.Series("risk_score", np.where(is_auth, pay.score[idx], np.nan)).fill_nan(None),
    )
    return out.select(pl.col(c).cast(dtype) for c, (dtype, _, _) in EVENT_COLUMNS.items())


_OUTCOMES = ("accepted", "won", "lost", "under_review")


def _outcomes(rng: _RNG, p: SyntheticParams, df: pl.DataFrame, is_disp: np.ndarray) -> np.ndarray:
    n = len(is_disp)
    accepted = rng.random(n) < p.accept_rate
    won = rng.random(n) < p.win_rate
    age = df.select((pl.col("at").max() - pl.col("at")) / 86_400e6).to_series().to_numpy()
    status = np.where(accepted, 0, np.where(won, 1, 2))
    status = np.where((age < 45) & ~accepted, 3, status)
    out: np.ndarray = np.where(is_disp, status, -1)
    return out


def _advice(rng: _RNG, decline: np.ndarray, declines: list[str], net: np.ndarray) -> np.ndarray:
    """Mastercard advice codes on half the Mastercard declines: 03 hard, 01 for 54, else 02."""
    hard = np.append(_hard(declines), False)[decline]
    expired = np.append(np.array(declines) == "54", False)[decline]
    has = (net == _NETS.index("mastercard")) & (decline >= 0) & (rng.random(len(net)) < 0.5)
    mac = np.where(hard, 2, np.where(expired, 0, 1))
    out: np.ndarray = np.where(has, mac, -1)
    return out


def _cases(rng: _RNG, p: SyntheticParams, events: pl.DataFrame) -> pl.DataFrame:
    caps = events.filter(pl.col("kind") == "capture")
    n = min(round(caps.height * p.cases_per_payment), caps.height)
    schema = {k: v[0] for k, v in CASE_COLUMNS.items()}
    if n == 0:
        return pl.DataFrame(schema=schema)
    pick = caps.sample(n, seed=int(rng.integers(0, 2**31)))
    ops = [(f"op_{t}_{i}", t) for t, k in p.operators.items() for i in range(k)]
    who = rng.integers(0, len(ops), n)
    tier = np.array([t for _, t in ops])[who]
    opened = pick["at"].to_numpy().astype("datetime64[us]").astype(_I64) + _hours(rng, 48, n)
    median = np.array([p.first_action_hours[t] for _, t in ops])[who]
    first = opened + (rng.lognormal(np.log(median), 0.7) * 3_600e6).astype(_I64)
    resolved = first + _hours(rng, 8.0, n)
    escalated = rng.random(n) < np.array([p.escalation_rate[t] for _, t in ops])[who]
    resolved = resolved + np.where(escalated, _hours(rng, 24.0, n), 0)
    asked = rng.random(n) < p.approval_rate_requested
    grant = pl.Series(rng.random(n) < p.approval_granted)
    granted = pl.select(pl.when(pl.Series(asked)).then(grant)).to_series()
    claims = _choice(
        rng,
        {
            "refund_request": 0.45,
            "unrecognized_charge": 0.15,
            "duplicate_charge": 0.1,
            "overcharge": 0.1,
            "failed_payment": 0.15,
            "dispute_received": 0.05,
        },
        n,
    )
    utc = pl.Datetime("us", "UTC")
    return pl.DataFrame(
        {
            "case_id": [f"case_{i:06d}" for i in range(n)],
            "merchant_id": pick["merchant_id"],
            "payment_id": pick["payment_id"],
            "claim": claims,
            "operator_id": pl.Series([o for o, _ in ops]).gather(who),
            "tier": tier,
            "opened_at": pl.Series(opened).cast(utc),
            "first_action_at": pl.Series(first).cast(utc),
            "resolved_at": pl.Series(resolved).cast(utc),
            "sla_due_at": pl.Series(opened + int(p.sla_hours * 3_600e6)).cast(utc),
            "escalated": escalated,
            "approval_requested": asked,
            "approval_granted": pl.Series(granted, dtype=pl.Boolean),
            "reopened": rng.random(n) < p.reopen_rate,
        },
        schema=schema,
    ).sort("opened_at")
