"""Team performance against hand-computed figures and the team's standards."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from _hand import merchants

from paysupport.analytics import Standards, team_performance
from paysupport.errors import ValidationFailed

T0 = dt.datetime(2026, 4, 6, 9, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)

CASES = pl.DataFrame(
    {
        "case_id": ["c1", "c2", "c3", "c4"],
        "merchant_id": ["m1", "m1", "m2", "m2"],
        "claim": ["refund_request"] * 4,
        "operator_id": ["ann", "ann", "ann", "bob"],
        "tier": ["junior", "junior", "junior", "senior"],
        "opened_at": [T0] * 4,
        "first_action_at": [T0 + 2 * H, T0 + 4 * H, T0 + 9 * H, T0 + 1 * H],
        "resolved_at": [T0 + 10 * H, T0 + 30 * H, None, T0 + 5 * H],
        "sla_due_at": [T0 + 24 * H] * 4,
        "escalated": [False, True, False, False],
        "approval_requested": [True, True, False, False],
        "approval_granted": [True, False, None, None],
        "reopened": [False, False, False, True],
    }
)


def test_per_operator_by_hand() -> None:
    result = team_performance(CASES, standards=Standards(first_action_hours=5.0))
    ann = result.performance.filter(pl.col("operator_id") == "ann").row(0, named=True)
    assert ann["period_start"] == dt.date(2026, 4, 1)
    assert (ann["cases"], ann["resolved"]) == (3, 2)
    assert ann["sla_adherence"] == pytest.approx(1 / 2)  # 10 h on time, 30 h late
    assert ann["first_action_hours"] == pytest.approx(4.0)  # median of 2, 4, 9
    assert ann["resolution_hours"] == pytest.approx(20.0)  # median of 10, 30
    assert (ann["escalations"], ann["approvals_requested"], ann["approvals_granted"]) == (1, 2, 1)
    assert ann["grant_rate"] == pytest.approx(0.5)
    assert ann["escalation_rate"] == pytest.approx(1 / 3)
    assert ann["meets_first_action"] is True
    assert ann["meets_sla"] is False
    assert ann["meets_escalation"] is False
    assert ann["meets_all"] is False
    bob = result.performance.filter(pl.col("operator_id") == "bob").row(0, named=True)
    assert bob["reopen_rate"] == pytest.approx(1.0)
    assert bob["meets_reopen"] is False


def test_by_segment_with_a_merchants_table() -> None:
    table = merchants(("m1", "vip", "JP"), ("m2", "small", "KR"))
    result = team_performance(CASES, by=("tier", "segment"), merchants=table, period="month")
    rows = {(r["tier"], r["segment"]): r["cases"] for r in result.performance.iter_rows(named=True)}
    assert rows == {("junior", "small"): 1, ("junior", "vip"): 2, ("senior", "small"): 1}


def test_bad_grouping_and_cases() -> None:
    with pytest.raises(ValidationFailed):
        team_performance(CASES, by="shoe_size")
    with pytest.raises(ValidationFailed) as err:
        team_performance(CASES.with_columns(pl.Series("tier", ["junior", "boss", "x", "y"])))
    assert err.value.field == "cases.tier[1]"
