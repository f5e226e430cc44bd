"""Trend and projection of each merchant's monitoring ratios ("breaches VAMP in 2 months")."""

from __future__ import annotations

import datetime as dt
from functools import cache

import polars as pl

from paysupport.analytics.programs import STREAK_MONTHS, ProgramRule, programs_in_force

__all__ = ["outlook"]

_KEYS = ["merchant_id", "network", "program"]


def outlook(monitoring: pl.DataFrame, trend_months: int, horizon: int) -> pl.DataFrame:
    """The latest month per merchant program, with its slope and projected breach.

    The slope is the least-squares change of the ratio per month over the last
    ``trend_months`` months. The projection holds the latest month's volume and moves the
    ratio (and with it the count and amount) along the slope, month by month, against the
    thresholds in force in each future month.
    """
    if monitoring.is_empty():
        return monitoring.with_columns(
            pl.lit(None, pl.Float64).alias("slope"),
            pl.lit(None, pl.Int64).alias("months_to_breach"),
            pl.lit(None, pl.String).alias("message"),
        )
    index = pl.col("month").dt.year() * 12 + pl.col("month").dt.month()
    with_last = monitoring.with_columns(index.alias("_x"), index.max().over(_KEYS).alias("_last"))
    recent = with_last.filter(pl.col("_x") > pl.col("_last") - trend_months)
    x, y = pl.col("_x").cast(pl.Float64), pl.col("ratio")
    slopes = recent.group_by(_KEYS).agg(
        (((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum())
        .fill_nan(None)
        .alias("slope")
    )
    latest = (
        with_last.filter(pl.col("_x") == pl.col("_last"))
        .drop("_x", "_last")
        .join(slopes, on=_KEYS, how="left")
    )
    projected = [_project(row, horizon) for row in latest.iter_rows(named=True)]
    return latest.with_columns(
        pl.Series("months_to_breach", [p[0] for p in projected], dtype=pl.Int64),
        pl.Series("message", [p[1] for p in projected], dtype=pl.String),
    ).sort(_KEYS)


@cache
def _rule(on: dt.date, network: str, market: str, program: str) -> ProgramRule | None:
    for rule in programs_in_force(on, network, market):
        if rule.program == program:
            return rule
    return None


def _add_months(day: dt.date, n: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + n
    return dt.date(total // 12, total % 12 + 1, 1)


def _project(row: dict[str, object], horizon: int) -> tuple[int | None, str]:
    program, ratio = str(row["program"]), float(row["ratio"])  # type: ignore[arg-type]
    month = row["month"]
    assert isinstance(month, dt.date)
    if row["status"] == "breach":
        return 0, f"in breach of {program} {row['tier']} in {month:%Y-%m}"
    if row["status"] == "not enforced":
        return None, f"{program} measured, not enforced in {month:%Y-%m}"
    floor_note = _floor_note(row)
    slope = row["slope"]
    if not isinstance(slope, float) or slope <= 0:
        return None, f"stable or improving; {floor_note or _headroom(row)}"
    count = float(row["count"] or 0)  # type: ignore[arg-type]
    amount = row["amount_usd"]
    for h in range(1, horizon + 1):
        future = _add_months(month, h)
        rule = _rule(future, str(row["network"]), str(row["market"]), program)
        if rule is None:
            return None, f"{program} ends before a projected breach (replaced on {future})"
        r = ratio + slope * h
        scale = r / ratio if ratio > 0 else 1.0
        for tier in rule.tiers:
            if ProgramRule.is_warning(tier) or tier.ratio_min is None:
                continue
            streak = STREAK_MONTHS.get((program, tier.tier), 1)
            ok = (
                h >= streak - 1
                and r >= float(tier.ratio_min)
                and (tier.min_count is None or count * scale >= tier.min_count)
            )
            if tier.min_amount is not None:
                ok = ok and isinstance(amount, float) and amount * scale >= float(tier.min_amount)
            if tier.min_sales_count is not None:
                ok = ok and float(row["denominator"] or 0) >= tier.min_sales_count  # type: ignore[arg-type]
            if ok:
                return h, (
                    f"at this pace, breaches {program} {tier.tier} in {h} month"
                    f"{'s' if h > 1 else ''} ({future:%Y-%m}, threshold {tier.ratio_min:.2%})"
                )
    return None, f"no breach within {horizon} months at this pace; {floor_note or _headroom(row)}"


def _headroom(row: dict[str, object]) -> str:
    headroom = row["headroom"]
    if not isinstance(headroom, float):
        return "no breach threshold"
    return f"headroom {headroom:.2%} to {row['threshold']:.2%}"


def _floor_note(row: dict[str, object]) -> str:
    threshold, floor = row["threshold"], row["count_floor"]
    if (
        isinstance(threshold, float)
        and isinstance(floor, int)
        and float(row["ratio"]) >= threshold  # type: ignore[arg-type]
        and float(row["count"] or 0) < floor  # type: ignore[arg-type]
    ):
        return (
            f"ratio {float(row['ratio']):.2%} is over the {threshold:.2%} threshold but the "  # type: ignore[arg-type]
            f"count {int(row['count'])} is under the floor of {floor:,}"  # type: ignore[call-overload]
        )
    return ""
