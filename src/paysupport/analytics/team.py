"""Team performance: per operator and tier, by period (and segment), against the team's standards.

From the support cases of a [`History`][paysupport.analytics.History] (or a cases table of the
same schema): cases handled, SLA adherence, time to first action and to resolution,
escalations, approvals requested and granted, reopen rate; each against a standard the team
sets ([`Standards`][paysupport.analytics.Standards]).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import polars as pl

from paysupport.analytics._frames import to_polars
from paysupport.analytics._result import Result, new_axes
from paysupport.analytics.history import CASE_COLUMNS, History, _check_cases, _normalise
from paysupport.errors import ValidationFailed

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["Standards", "TeamPerformance", "team_performance"]

_GROUPS = ("operator_id", "tier", "segment", "market", "claim")
_PERIODS = {"month": "1mo", "quarter": "1q"}


@dataclass(frozen=True, slots=True)
class Standards:
    """The performance standards a team sets itself (parameters, not facts).

    Attributes:
        first_action_hours: median hours to the first action, at most.
        resolution_hours: median hours to resolution, at most.
        sla_adherence: share of resolved cases resolved by their SLA, at least.
        reopen_rate: share of cases reopened, at most.
        escalation_rate: share of cases escalated, at most.
    """

    first_action_hours: float = 8.0
    resolution_hours: float = 48.0
    sla_adherence: float = 0.9
    reopen_rate: float = 0.05
    escalation_rate: float = 0.15


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class TeamPerformance(Result):
    """Per group and period: volumes, times, rates, and whether each standard is met.

    Attributes:
        performance: one row per group and period; ``meets_*`` columns compare with the
            standards and ``meets_all`` says whether every one is met.
        standards: the standards used.
        by: the grouping.
    """

    performance: pl.DataFrame
    standards: Standards = field(default_factory=Standards)
    by: tuple[str, ...] = ("operator_id", "tier")
    _tables: ClassVar[tuple[str, ...]] = ("performance",)
    _title: ClassVar[str] = "Team performance"

    def plot(self, ax: Axes | None = None) -> Axes:
        """SLA adherence per group in the latest period, with the standard as a line."""
        ax = new_axes(ax, "SLA adherence, latest period")
        last = self.performance.filter(pl.col("period_start") == pl.col("period_start").max())
        labels = [" / ".join(str(v) for v in row) for row in last.select(self.by).iter_rows()]
        ax.bar(labels, last["sla_adherence"].fill_null(0) * 100)
        ax.axhline(
            self.standards.sla_adherence * 100, color="red", linestyle="--", label="standard"
        )
        ax.set_ylabel("% resolved within SLA")
        ax.tick_params(axis="x", labelrotation=60, labelsize="small")
        ax.legend(fontsize="small")
        return ax


def team_performance(
    data: History | Any,
    *,
    by: str | Sequence[str] = ("operator_id", "tier"),
    period: str = "quarter",
    standards: Standards | None = None,
    merchants: Any = None,
) -> TeamPerformance:
    """Team performance from case histories.

    Args:
        data: a `History` (its ``cases`` and ``merchants``) or a cases table
            (pandas, polars or pyarrow) with the columns of ``History.cases``.
        by: any of ``operator_id``, ``tier``, ``segment``, ``market``, ``claim``.
        period: ``"month"`` or ``"quarter"`` (of ``opened_at``, UTC).
        standards: the team's standards ([`Standards`][paysupport.analytics.Standards]).
        merchants: a merchants table for ``segment`` / ``market`` when ``data`` is a
            cases table.

    Raises:
        ValidationFailed: an unknown grouping or period, or a bad cases table.
    """
    standards = standards or Standards()
    keys = (by,) if isinstance(by, str) else tuple(by)
    for k in keys:
        if k not in _GROUPS:
            raise ValidationFailed("by", "known_group", f"{k!r} is not one of {_GROUPS}")
    if period not in _PERIODS:
        raise ValidationFailed("period", "known_period", f"{period!r} is not month or quarter")
    cases, merchant_df = _inputs(data, merchants)
    if {"segment", "market"} & set(keys):
        cases = cases.join(
            merchant_df.select("merchant_id", "segment", "market"), on="merchant_id", how="left"
        )
    return TeamPerformance(_table(cases, keys, period, standards), standards, keys)


def _inputs(data: Any, merchants: Any) -> tuple[pl.DataFrame, pl.DataFrame]:
    if isinstance(data, History):
        return data.cases, data.merchants
    cases = _check_cases(_normalise(to_polars(data, "cases"), "cases", CASE_COLUMNS))
    if merchants is None:
        empty = {"merchant_id": pl.String, "segment": pl.String, "market": pl.String}
        return cases, pl.DataFrame(schema=empty)
    return cases, to_polars(merchants, "merchants")


def _hours(end: str) -> pl.Expr:
    return (pl.col(end) - pl.col("opened_at")).dt.total_seconds() / 3600.0


def _table(cases: pl.DataFrame, keys: tuple[str, ...], period: str, s: Standards) -> pl.DataFrame:
    resolved = pl.col("resolved_at").is_not_null()
    with_sla = resolved & pl.col("sla_due_at").is_not_null()
    on_time = with_sla & (pl.col("resolved_at") <= pl.col("sla_due_at"))
    start = pl.col("opened_at").dt.replace_time_zone(None).dt.truncate(_PERIODS[period])
    names = [*keys, "period_start"]
    out = (
        cases.with_columns(start.dt.date().alias("period_start"))
        .group_by(names)
        .agg(
            pl.len().alias("cases"),
            resolved.sum().alias("resolved"),
            (on_time.sum() / with_sla.sum()).alias("sla_adherence"),
            _hours("first_action_at").median().alias("first_action_hours"),
            _hours("resolved_at").median().alias("resolution_hours"),
            pl.col("escalated").sum().alias("escalations"),
            pl.col("approval_requested").sum().alias("approvals_requested"),
            pl.col("approval_granted").fill_null(False).sum().alias("approvals_granted"),
            pl.col("escalated").mean().alias("escalation_rate"),
            pl.col("reopened").mean().alias("reopen_rate"),
        )
        .with_columns(
            (pl.col("approvals_granted") / pl.col("approvals_requested")).alias("grant_rate"),
            (pl.col("first_action_hours") <= s.first_action_hours).alias("meets_first_action"),
            (pl.col("resolution_hours") <= s.resolution_hours).alias("meets_resolution"),
            (pl.col("sla_adherence") >= s.sla_adherence).alias("meets_sla"),
            (pl.col("reopen_rate") <= s.reopen_rate).alias("meets_reopen"),
            (pl.col("escalation_rate") <= s.escalation_rate).alias("meets_escalation"),
        )
        .with_columns(pl.col("sla_adherence", "grant_rate").fill_nan(None))
    )
    meets = [c for c in out.columns if c.startswith("meets_")]
    return out.with_columns(
        pl.all_horizontal(pl.col(c).fill_null(True) for c in meets).alias("meets_all")
    ).sort(names)
