"""The synthetic portfolio: seeded, valid at the door, and true to its documented rates."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from paysupport.analytics import History, SyntheticParams, portfolio_health, synthetic
from paysupport.errors import ValidationFailed
from paysupport.networks import decline_code, reason_code
from paysupport.sample import HISTORY_SEED, history, load


@pytest.fixture(scope="module")
def big() -> History:
    return synthetic(seed=5, n_payments=60_000, n_merchants=10, at_risk=0)


def test_same_seed_same_history_and_a_new_seed_differs() -> None:
    a = synthetic(seed=1, n_payments=2_000, n_merchants=4, months=4)
    b = synthetic(seed=1, n_payments=2_000, n_merchants=4, months=4)
    c = synthetic(seed=2, n_payments=2_000, n_merchants=4, months=4)
    assert a.events.equals(b.events) and a.cases.equals(b.cases)
    assert not a.events.equals(c.events)


def test_it_passes_the_door(big: History) -> None:
    again = History.from_frames(big.events, big.merchants, big.cases, usd_rates=big.usd_rates)
    assert again.events.equals(big.events)
    assert again.cases.equals(big.cases)


def test_rates_follow_the_parameters(big: History) -> None:
    p = SyntheticParams()
    (k,) = (
        portfolio_health(big, by=(), period="quarter")
        .kpis.select(
            pl.col("approved").sum() / pl.col("attempts").sum(),
            pl.col("refunds").sum() / pl.col("sales").sum(),
            pl.col("disputes").sum() / pl.col("sales").sum(),
        )
        .rows()
    )
    hard = sum(w for code, w in p.decline_mix.items() if decline_code(code).is_hard)
    retried = (1 - p.approval_rate) * p.retry_rate * (1 - hard / sum(p.decline_mix.values()))
    approved = p.approval_rate + retried * p.retry_approval
    assert k[0] == pytest.approx(approved / (1 + retried), abs=0.01)
    assert k[1] == pytest.approx(p.refund_rate, abs=0.01)
    expected_disputes = p.dispute_rate + p.fraud_rate * p.fraud_disputed
    assert k[2] == pytest.approx(expected_disputes, abs=0.002)


def test_codes_come_from_the_catalogues(big: History) -> None:
    e = big.events
    for code in e["decline_code"].drop_nulls().unique():
        decline_code(code)
    for net, code in (
        e.filter(pl.col("kind") == "dispute")
        .select(pl.col("network").cast(pl.String), "reason_code")
        .unique()
        .iter_rows()
    ):
        reason_code(net, code)


def test_at_risk_merchants_climb(big: History) -> None:
    h = synthetic(seed=5, n_payments=60_000, n_merchants=10, at_risk=1, at_risk_peak=10.0)
    k = portfolio_health(h).kpis.sort("sales", descending=True)
    top = k.filter(pl.col("merchant_id") == k["merchant_id"][0]).sort("period_start")
    assert top["dispute_ratio"][-3:].mean() > 3 * top["dispute_ratio"][:3].mean()  # type: ignore[operator]


def test_parameters_are_checked() -> None:
    with pytest.raises(ValidationFailed) as err:
        synthetic(seed=0, n_paymnts=10)
    assert err.value.field == "n_paymnts"
    with pytest.raises(ValidationFailed):
        synthetic(seed=0, months=0)


def test_bundled_history_sample() -> None:
    h = history()
    assert h.events.equals(history().events)
    assert h.merchants.height == 12
    lo, hi = h.span or (None, None)
    assert lo is not None and hi is not None
    assert lo.date() >= dt.date(2025, 1, 1) and hi.date() < dt.date(2026, 7, 1)
    assert h.events.filter(pl.col("kind") == "authorization")["payment_id"].n_unique() == 5_000
    assert HISTORY_SEED == 2026
    portfolio, _ = load()  # the support-queue sample still loads
    assert portfolio.payments
