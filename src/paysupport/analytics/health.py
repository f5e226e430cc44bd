"""Portfolio health: KPIs by merchant, segment, market and period, and the monitoring programs.

One pass of polars group-bys over the events builds a cube per merchant, network and
period; every KPI and every program ratio is then arithmetic on that small cube, never a
Python loop per row. The programs are those in force on each month's first day
(`programs_in_force`), each ratio computed the way its program
defines it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import polars as pl

from paysupport.analytics._outlook import outlook
from paysupport.analytics._result import Result, new_axes
from paysupport.analytics.history import EVENT_COLUMNS, History
from paysupport.analytics.programs import STREAK_MONTHS, ProgramRule, programs_in_force
from paysupport.errors import ValidationFailed

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["GROUPS", "HealthReport", "KPI_COLUMNS", "portfolio_health"]

GROUPS = ("merchant_id", "segment", "market", "network")
"""Columns a health table can be grouped by (any combination, or none for the portfolio)."""

_ALIASES = {"merchant": "merchant_id", "merchants": "merchant_id"}
_PERIODS = {"month": "1mo", "quarter": "1q"}

KPI_COLUMNS = {
    "acceptance_rate": "approved / authorisation attempts",
    "success_rate": "payments captured / payments attempted (distinct payments)",
    "refund_rate": "refunds / captures, by count",
    "refund_amount_rate": "refunded / captured amount (USD at the history's rates)",
    "dispute_ratio": "disputes opened / captures in the period, by count",
    "fraud_ratio": "fraud reports (TC40, SAFE, EFW) / captures, by count",
    "fraud_amount_ratio": "fraud reported / captured amount (USD)",
    "win_rate": "won / (won + lost) of the period's disputes",
}
"""Each KPI of `HealthReport.kpis` and how it is computed."""

_SUMS = (
    "attempts",
    "approved",
    "payments",
    "captured_payments",
    "sales",
    "cnp_sales",
    "sales_usd",
    "refunds",
    "refunds_usd",
    "disputes",
    "disputes_won",
    "disputes_lost",
    "fraud_disputes",
    "fraud_disputes_usd",
    "fraud_reports",
    "tc40",
    "fraud_usd",
)


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class HealthReport(Result):
    """Portfolio health: KPIs, the monitoring programs month by month, and the outlook.

    Attributes:
        kpis: one row per group and period with counts and the rates of `KPI_COLUMNS`.
        monitoring: one row per merchant, network, program and month: ``ratio`` as the
            program defines it (``numerator`` / ``denominator``), ``count``, ``status``
            (ok, early warning, breach, not enforced), ``tier`` met, ``threshold`` (the
            breach line in force), ``headroom`` (threshold - ratio), ``count_floor``,
            ``count_headroom``, ``warning_basis``, ``confidence`` and ``note``.
        outlook: per merchant, network and program, the latest month with its trend
            (``slope`` per month over the last months) and projection
            (``months_to_breach``, ``message``).
        by: the grouping of ``kpis``.
        period: ``"month"`` or ``"quarter"``.
    """

    kpis: pl.DataFrame
    monitoring: pl.DataFrame
    outlook: pl.DataFrame
    by: tuple[str, ...]
    period: str
    _tables: ClassVar[tuple[str, ...]] = ("kpis", "monitoring", "outlook")
    _title: ClassVar[str] = "Portfolio health"

    def at_risk(self, n: int = 5) -> pl.DataFrame:
        """The ``n`` merchant programs closest to (or in) breach, worst first."""
        order = {"breach": 0, "early warning": 1, "ok": 2, "not enforced": 3}
        return (
            self.outlook.with_columns(
                pl.col("status").replace_strict(order, default=4).alias("_rank")
            )
            .sort(["_rank", "confidence", "months_to_breach", "headroom"], nulls_last=True)
            .drop("_rank")
            .head(n)
        )

    def plot(self, merchant_id: str | None = None, ax: Axes | None = None) -> Axes:
        """One merchant's program ratios with their threshold lines, or the KPIs over time.

        Args:
            merchant_id: draw this merchant's monitoring ratios month by month, each with
                the breach threshold in force (a step where the threshold changes); None
                draws the acceptance, dispute and fraud KPIs of the whole table.
            ax: matplotlib axes to draw on (new ones by default).
        """
        if merchant_id is None:
            return self._plot_kpis(ax)
        ax = new_axes(ax, f"{merchant_id}: monitoring ratios")
        rows = self.monitoring.filter(pl.col("merchant_id") == merchant_id).sort("month")
        for (network, program), part in rows.group_by(["network", "program"], maintain_order=True):
            label = f"{network} {program}"
            line = ax.plot(part["month"], part["ratio"] * 100, marker="o", label=label)
            ax.step(
                part["month"],
                part["threshold"] * 100,
                where="post",
                linestyle="--",
                color=line[0].get_color(),
                alpha=0.7,
                label=f"{label} threshold",
            )
        ax.set_ylabel("ratio (%)")
        ax.legend(fontsize="small")
        return ax

    def _plot_kpis(self, ax: Axes | None) -> Axes:
        ax = new_axes(ax, "Portfolio KPIs")
        totals = (
            self.kpis.group_by("period_start")
            .agg(pl.col(c).sum() for c in _SUMS)
            .sort("period_start")
            .with_columns(_rates())
        )
        for column in ("acceptance_rate", "dispute_ratio", "fraud_ratio"):
            ax.plot(totals["period_start"], totals[column] * 100, marker="o", label=column)
        ax.set_ylabel("%")
        ax.set_yscale("log")
        ax.legend(fontsize="small")
        return ax


def portfolio_health(
    history: History,
    *,
    by: str | Sequence[str] = "merchant_id",
    period: str = "month",
    warn_at: float = 0.8,
    trend_months: int = 3,
    horizon: int = 12,
) -> HealthReport:
    """Health KPIs and monitoring-program status of a portfolio.

    Args:
        history: the portfolio's history.
        by: KPI grouping: any of `GROUPS` (``"merchant"`` is ``"merchant_id"``), or
            ``()`` for the whole portfolio. Monitoring is always per merchant and month,
            the way the networks measure it.
        period: ``"month"`` or ``"quarter"`` for the KPIs.
        warn_at: where a program has no early-warning tier of its own, a ratio at or above
            ``warn_at`` x the breach threshold (and a count at or above ``warn_at`` x its
            floor) is an early warning; marked ``assumption`` in ``warning_basis``.
        trend_months: months the trend (least-squares slope) is fitted over.
        horizon: months ahead the projection looks.

    Raises:
        ValidationFailed: an unknown grouping or period, or parameters out of range.
        MissingExchangeRate: a currency of the events has no USD rate in the history.
    """
    keys = _keys(by)
    if period not in _PERIODS:
        raise ValidationFailed("period", "known_period", f"{period!r} is not month or quarter")
    if not 0 < warn_at <= 1 or trend_months < 2 or horizon < 1:
        raise ValidationFailed("warn_at", "range", "0 < warn_at <= 1, trend_months >= 2")
    rates = history.usd_per_minor(history.events["currency"].unique().sort().to_list())
    monthly = _cube(history, rates, "month")
    cube = monthly if period == "month" else _cube(history, rates, period)
    merchants = history.merchants.select("merchant_id", "segment", "market")
    kpis = _kpis(cube.join(merchants, on="merchant_id", how="left"), keys)
    monitoring = _monitoring(monthly.join(merchants, on="merchant_id", how="left"), warn_at)
    return HealthReport(kpis, monitoring, outlook(monitoring, trend_months, horizon), keys, period)


def _keys(by: str | Sequence[str]) -> tuple[str, ...]:
    raw = (by,) if isinstance(by, str) else tuple(by)
    keys = tuple(_ALIASES.get(k, k) for k in raw)
    for k in keys:
        if k not in GROUPS:
            raise ValidationFailed("by", "known_group", f"{k!r} is not one of {GROUPS}")
    return keys


def _cube(history: History, rates: dict[str, float], period: str) -> pl.DataFrame:
    """Counts and amounts per merchant, network and period: the one pass over the events.

    Each figure is an indicator column summed by a lazy group-by on polars' streaming engine;
    distinct payments are counted by flagging each payment's first row of a kind. Amounts
    are summed exactly, in minor units per currency, and only the small cube is converted to
    USD at the history's rates (so the sums do not depend on the order of the rows).
    """
    kind, outcome = pl.col("kind"), pl.col("outcome")
    auth, cap, dsp = kind == "authorization", kind == "capture", kind == "dispute"
    ref, frd = kind == "refund", kind == "fraud_report"
    fraud_cb = dsp & pl.col("reason_code").is_in(["4837", "4863"])
    naive = pl.col("at").dt.replace_time_zone(None)
    start = naive.dt.month_start() if period == "month" else naive.dt.truncate("1q")
    counts = {
        "attempts": auth,
        "approved": auth & pl.col("approved"),
        "payments": pl.when(auth).then(pl.col("payment_id")).is_first_distinct() & auth,
        "captured_payments": pl.when(cap).then(pl.col("payment_id")).is_first_distinct() & cap,
        "sales": cap,
        "cnp_sales": cap & ~pl.col("card_present"),
        "refunds": ref,
        "disputes": dsp,
        "disputes_won": dsp & (outcome == "won"),
        "disputes_lost": dsp & (outcome == "lost"),
        "fraud_disputes": fraud_cb,
        "fraud_reports": frd,
        "tc40": frd & (pl.col("fraud_type") == "tc40"),
    }
    amounts = {"sales": cap, "refunds": ref, "fraud_disputes": fraud_cb, "fraud": frd}
    keys = ["merchant_id", "network", "period_start"]
    per_currency = (
        history.events.lazy()
        .select(
            *keys[:2],
            start.dt.date().alias("period_start"),
            pl.col("currency").cast(pl.String),
            *(e.fill_null(False).cast(pl.UInt8).alias(n) for n, e in counts.items()),
            *(
                pl.when(e).then(pl.col("amount_minor")).otherwise(0).alias(f"{n}_minor")
                for n, e in amounts.items()
            ),
        )
        .group_by(*keys, "currency")
        .agg(pl.col(n).sum() for n in [*counts, *(f"{a}_minor" for a in amounts)])
        .collect(engine="streaming")
    )
    rate = pl.col("currency").replace_strict(rates, return_dtype=pl.Float64)
    return (
        per_currency.with_columns((pl.col(f"{a}_minor") * rate).alias(f"{a}_usd") for a in amounts)
        .sort([*keys, "currency"])
        .group_by(keys, maintain_order=True)
        .agg(pl.col(n).sum() for n in [*counts, *(f"{a}_usd" for a in amounts)])
        .with_columns(pl.col(n).cast(pl.Int64) for n in counts)
        .with_columns(pl.col("merchant_id").cast(pl.String))
    )


def _ratio(num: str, den: str) -> pl.Expr:
    return pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den))


def _rates() -> list[pl.Expr]:
    return [
        _ratio("approved", "attempts").alias("acceptance_rate"),
        _ratio("captured_payments", "payments").alias("success_rate"),
        _ratio("refunds", "sales").alias("refund_rate"),
        _ratio("refunds_usd", "sales_usd").alias("refund_amount_rate"),
        _ratio("disputes", "sales").alias("dispute_ratio"),
        _ratio("fraud_reports", "sales").alias("fraud_ratio"),
        _ratio("fraud_usd", "sales_usd").alias("fraud_amount_ratio"),
        (pl.col("disputes_won") / (pl.col("disputes_won") + pl.col("disputes_lost")))
        .fill_nan(None)
        .alias("win_rate"),
    ]


def _kpis(cube: pl.DataFrame, keys: tuple[str, ...]) -> pl.DataFrame:
    names = [*keys, "period_start"]
    out = cube.group_by(names).agg(pl.col(c).sum() for c in _SUMS).with_columns(_rates())
    if "merchant_id" in keys:
        extra = [c for c in ("segment", "market") if c not in keys]
        out = out.join(cube.select("merchant_id", *extra).unique(), on="merchant_id")
    return out.sort(names)


def _monitoring(cube: pl.DataFrame, warn_at: float) -> pl.DataFrame:
    prev = cube.select(
        "merchant_id",
        "network",
        pl.col("period_start").dt.offset_by("1mo"),
        pl.col("sales").alias("prev_sales"),
    )
    base = (
        cube.join(prev, on=["merchant_id", "network", "period_start"], how="left")
        .with_columns(pl.col("prev_sales").fill_null(0))
        .rename({"period_start": "month"})
    )
    rules = _rules_table(base.select("month", "market").unique())
    rows = base.join(rules, on=["month", "market", "network"], how="inner")
    return _assess(_measure(rows), warn_at)


_MEASURES: dict[str, tuple[str, str, str, str | None, str]] = {
    # program: numerator, denominator, count, amount (USD), sales counted for a floor
    "VAMP": ("vamp_count", "cnp_sales", "vamp_count", None, "cnp_sales"),
    "VDMP": ("disputes", "sales", "disputes", None, "sales"),
    "VFMP": ("fraud_usd", "sales_usd", "fraud_reports", "fraud_usd", "sales"),
    "ECM": ("disputes", "prev_sales", "disputes", None, "prev_sales"),
    "HECM": ("disputes", "prev_sales", "disputes", None, "prev_sales"),
    "EFM": ("fraud_disputes", "prev_sales", "fraud_disputes", "fraud_disputes_usd", "prev_sales"),
    "Amex": ("disputes", "sales", "disputes", None, "sales"),
}


def _pick(index: int) -> pl.Expr:
    expr: pl.Expr = pl.lit(None, dtype=pl.Float64)
    for program, spec in _MEASURES.items():
        column = spec[index]
        value = pl.lit(None, dtype=pl.Float64) if column is None else pl.col(column)
        expr = pl.when(pl.col("program") == program).then(value.cast(pl.Float64)).otherwise(expr)
    return expr


def _measure(rows: pl.DataFrame) -> pl.DataFrame:
    rows = rows.with_columns((pl.col("tc40") + pl.col("disputes")).alias("vamp_count"))
    rows = rows.with_columns(
        _pick(0).alias("numerator"),
        _pick(1).alias("denominator"),
        _pick(2).alias("count"),
        _pick(3).alias("amount_usd"),
        _pick(4).alias("sales_n"),
    )
    ratio = pl.when(pl.col("denominator") > 0).then(pl.col("numerator") / pl.col("denominator"))
    rows = rows.with_columns(ratio.fill_null(0.0).alias("ratio"))
    r, c = pl.col("ratio"), pl.col("count")
    above = (
        pl.when(pl.col("inclusive"))
        .then(r >= pl.col("ratio_min"))
        .otherwise(r > pl.col("ratio_min"))
    )
    met = (
        above
        & (pl.col("ratio_below").is_null() | (r < pl.col("ratio_below")))
        & (pl.col("min_count").is_null() | (c >= pl.col("min_count")))
        & (pl.col("max_count").is_null() | (c <= pl.col("max_count")))
        & (pl.col("min_amount").is_null() | (pl.col("amount_usd") >= pl.col("min_amount")))
        & (pl.col("min_sales").is_null() | (pl.col("sales_n") >= pl.col("min_sales")))
    )
    return _consecutive(rows.with_columns(met.fill_null(False).alias("met")))


def _consecutive(rows: pl.DataFrame) -> pl.DataFrame:
    """A streak tier is met only when met in each of its last ``n`` consecutive months."""
    keys = ["merchant_id", "network", "program", "tier"]
    rows = rows.sort("month").with_columns(
        (pl.col("month").dt.year() * 12 + pl.col("month").dt.month()).alias("_m")
    )
    for (program, tier), n in STREAK_MONTHS.items():
        run = pl.col("met")
        for k in range(1, n):
            run = run & (
                pl.col("met").shift(k).over(keys).fill_null(False)
                & (pl.col("_m").shift(k).over(keys) == pl.col("_m") - k).fill_null(False)
            )
        streak = (pl.col("program") == program) & (pl.col("tier") == tier)
        rows = rows.with_columns(pl.when(streak).then(run).otherwise(pl.col("met")).alias("met"))
    return rows.drop("_m")


_severity = pl.col("ratio_min").fill_null(0.0) + pl.when(pl.col("is_warning")).then(0.0).otherwise(
    10.0
)
"""Orders tiers: breach tiers above warnings, then by threshold."""


def _assess(rows: pl.DataFrame, warn_at: float) -> pl.DataFrame:
    breach_tier = pl.col("tier").is_not_null() & ~pl.col("is_warning")
    keys = ["merchant_id", "segment", "market", "network", "program", "month"]
    out = rows.group_by(keys).agg(
        pl.col("ratio_text").first().alias("ratio_definition"),
        *(
            pl.col(c).first()
            for c in ("numerator", "denominator", "ratio", "count", "amount_usd", "note")
        ),
        pl.col("tier").is_not_null().any().alias("_enforced"),
        (pl.col("met") & ~pl.col("is_warning")).any().alias("_breach"),
        (pl.col("met") & pl.col("is_warning")).any().alias("_warned"),
        pl.col("tier")
        .sort_by(_severity)
        .filter(pl.col("met").sort_by(_severity))
        .last()
        .alias("tier"),
        pl.col("ratio_min").filter(breach_tier).min().alias("threshold"),
        *(
            pl.col(c)
            .sort_by("ratio_min")
            .filter(breach_tier.sort_by("ratio_min"))
            .first()
            .alias(alias)
            for c, alias in (
                ("min_count", "count_floor"),
                ("min_amount", "amount_floor"),
                ("min_sales", "sales_floor"),
                ("sales_n", "_sales"),
            )
        ),
        (pl.col("confidence") == "unconfirmed").any().alias("_unconfirmed"),
    )
    near = (
        (pl.col("ratio") >= warn_at * pl.col("threshold"))
        & (pl.col("count_floor").is_null() | (pl.col("count") >= warn_at * pl.col("count_floor")))
        & (
            pl.col("amount_floor").is_null()
            | (pl.col("amount_usd") >= warn_at * pl.col("amount_floor"))
        )
        & (pl.col("sales_floor").is_null() | (pl.col("_sales") >= pl.col("sales_floor")))
    )
    status = (
        pl.when(~pl.col("_enforced"))
        .then(pl.lit("not enforced"))
        .when(pl.col("_breach"))
        .then(pl.lit("breach"))
        .when(pl.col("_warned") | near.fill_null(False))
        .then(pl.lit("early warning"))
        .otherwise(pl.lit("ok"))
    )
    basis = (
        pl.when(pl.col("_breach") | pl.col("_warned"))
        .then(pl.lit("network tier"))
        .when(near.fill_null(False))
        .then(pl.lit(f"assumption: {warn_at:.0%} of the threshold"))
    )
    return (
        out.with_columns(
            status.alias("status"),
            basis.alias("warning_basis"),
            (pl.col("threshold") - pl.col("ratio")).alias("headroom"),
            (pl.col("count_floor") - pl.col("count")).alias("count_headroom"),
            pl.when(pl.col("_unconfirmed"))
            .then(pl.lit("unconfirmed"))
            .otherwise(pl.lit("confirmed"))
            .alias("confidence"),
        )
        .drop("_enforced", "_breach", "_warned", "_unconfirmed", "_sales")
        .sort(["merchant_id", "network", "program", "month"])
    )


def _rules_table(month_markets: pl.DataFrame) -> pl.DataFrame:
    """One row per (month, market, network, program, tier) in force on the month's first day."""
    rows: list[dict[str, object]] = []
    for month, market in month_markets.iter_rows():
        for rule in programs_in_force(month, market=market):
            rows.extend(_rule_rows(month, market, rule))
    schema = {
        "month": pl.Date,
        "market": pl.String,
        "network": pl.String,
        "program": pl.String,
        "ratio_text": pl.String,
        "note": pl.String,
        "tier": pl.String,
        "is_warning": pl.Boolean,
        "ratio_min": pl.Float64,
        "inclusive": pl.Boolean,
        "ratio_below": pl.Float64,
        "min_count": pl.Int64,
        "max_count": pl.Int64,
        "min_amount": pl.Float64,
        "min_sales": pl.Int64,
        "confidence": pl.String,
    }
    table = pl.DataFrame(rows, schema=schema)
    return table.with_columns(pl.col("network").cast(EVENT_COLUMNS["network"][0]))


def _rule_rows(month: dt.date, market: str, rule: ProgramRule) -> list[dict[str, object]]:
    base: dict[str, object] = {
        "month": month,
        "market": market,
        "network": rule.network.value,
        "program": rule.program,
        "ratio_text": rule.ratio,
        "note": rule.note,
    }
    if not rule.tiers:
        return [
            {
                **base,
                "tier": None,
                "is_warning": False,
                "inclusive": True,
                "confidence": rule.confidence.value,
            }
        ]
    return [
        {
            **base,
            "tier": t.tier,
            "is_warning": ProgramRule.is_warning(t),
            "ratio_min": None if t.ratio_min is None else float(t.ratio_min),
            "inclusive": t.ratio_min_inclusive,
            "ratio_below": None if t.ratio_below is None else float(t.ratio_below),
            "min_count": t.min_count,
            "max_count": t.max_count,
            "min_amount": None if t.min_amount is None else float(t.min_amount),
            "min_sales": t.min_sales_count,
            "confidence": t.confidence.value,
        }
        for t in rule.tiers
    ]
