"""cases_from_history: every case sees only what happened strictly before it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from paysupport.analytics import History
from paysupport.analytics.backtest import (
    DisputeCase,
    RefundCase,
    TriageCase,
    backtest,
    cases_from_history,
)
from paysupport.errors import ValidationFailed
from paysupport.policies.policy_set import DEFAULTS
from paysupport.workflows import DisputeResult

T = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _event(eid, pid, kind, at, minor, **extra):
    row = {
        "event_id": eid,
        "payment_id": pid,
        "merchant_id": "m1",
        "kind": kind,
        "at": at,
        "amount_minor": minor,
        "currency": "EUR",
        "network": "visa",
        "card_present": False,
        "approved": None,
        "decline_code": None,
        "merchant_advice_code": None,
        "reason_code": None,
        "outcome": None,
        "fraud_type": None,
        "refund_reason": None,
        "risk_score": None,
    }
    row.update(extra)
    return row


EVENTS = [
    _event("a1", "p1", "authorization", T - 10 * DAY, 10_000, approved=True),
    _event("c1", "p1", "capture", T - 10 * DAY, 10_000),
    _event("r1", "p1", "refund", T - 2 * DAY, 3_000, refund_reason="goods_returned"),
    _event("d1", "p1", "dispute", T, 5_000, reason_code="13.1", outcome="won"),
    _event("r_same", "p1", "refund", T, 1_000, refund_reason="requested_by_customer"),
    _event("f1", "p1", "fraud_report", T + 5 * DAY / 24, 0, fraud_type="efw"),
    _event("r2", "p1", "refund", T + DAY, 1_000, refund_reason="requested_by_customer"),
    _event("a2", "p2", "authorization", T - 3 * DAY, 8_000, approved=False, decline_code="51"),
    _event("a3", "p2", "authorization", T - 2 * DAY, 8_000, approved=True),
    _event("c2", "p2", "capture", T - 2 * DAY, 8_000),
    _event("r3", "p2", "refund", T, 8_000, refund_reason="requested_by_customer"),
]
MERCHANTS = [{"merchant_id": "m1", "segment": "vip", "market": "HK", "name": "M", "mcc": None}]
CASES = [
    {
        "case_id": "k1",
        "merchant_id": "m1",
        "payment_id": "p2",
        "claim": "refund_request",
        "operator_id": "op1",
        "tier": "junior",
        "opened_at": T - DAY,
        "first_action_at": None,
        "resolved_at": T + DAY,
        "sla_due_at": None,
        "escalated": False,
        "approval_requested": False,
        "approval_granted": None,
        "reopened": False,
    }
]


@pytest.fixture(scope="module")
def cases():
    history = History.from_frames(
        pl.DataFrame(EVENTS), pl.DataFrame(MERCHANTS), pl.DataFrame(CASES)
    )
    return {c.id: c for c in cases_from_history(history)}


def _times(case):
    payments = [case.payment] if isinstance(case, RefundCase | DisputeCase) else []
    if isinstance(case, TriageCase):
        payments = list(case.context.payments)
    for p in payments:
        yield from (c.captured_at for c in p.captures)
        yield from (r.created_at for r in p.refunds)
        yield from (d.opened_at for d in p.disputes)
        if p.early_fraud_warning is not None:
            yield p.early_fraud_warning.created_at


def test_no_case_sees_its_own_time_or_later(cases):
    assert set(cases) == {"a2", "r1", "d1", "r_same", "r2", "k1"}
    for case in cases.values():
        assert all(t < case.at for t in _times(case)), case.id


def test_the_dispute_sees_the_earlier_refund_and_nothing_after(cases):
    dispute = cases["d1"]
    assert isinstance(dispute, DisputeCase)
    assert [r.id for r in dispute.payment.refunds] == ["r1"]  # not r_same (same instant), not r2
    assert dispute.payment.early_fraud_warning is None
    assert dispute.payment.disputes == ()
    assert dispute.realised_result is DisputeResult.WON


def test_a_later_case_sees_the_dispute_as_notified(cases):
    later = cases["r2"]
    assert isinstance(later, RefundCase)
    assert [d.id for d in later.payment.disputes] == ["d1"]
    assert later.payment.disputes[0].status.value == "needs_response"  # outcome not yet known
    assert later.payment.early_fraud_warning is not None
    row = backtest(DEFAULTS, [later]).row(0)
    assert "open_chargeback" in row["reason_codes"]


def test_a_refund_carried_by_a_support_case_is_counted_once(cases):
    assert "r3" not in cases
    support = cases["k1"]
    assert isinstance(support, TriageCase)
    assert support.context.operator is not None and support.context.operator.tier.value == "junior"
    assert [p.id for p in support.context.payments] == ["p2"]
    assert support.realised_resolved_at == T + DAY


def test_a_decline_knows_only_later_whether_it_recovered(cases):
    decline = cases["a2"]
    assert decline.failure.network_decline_code == "51"
    assert decline.realised_recovered is True


def test_history_cases_run_and_are_summarised_by_segment_and_market(cases):
    result = backtest(DEFAULTS, list(cases.values()))
    summary = result.summary("market").to_polars()
    assert summary["market"].to_list() == ["HK"]
    assert summary["cases"].to_list() == [len(cases)]


def test_without_support_cases_the_refund_is_its_own_case():
    history = History.from_frames(
        pl.DataFrame(EVENTS), pl.DataFrame(MERCHANTS), pl.DataFrame(CASES)
    )
    refunds = cases_from_history(history, kinds=["refund"])
    assert [c.id for c in refunds] == ["r1", "r3", "r_same", "r2"]  # by time, then id


def test_kinds_select_and_unknown_kinds_are_refused():
    history = History.from_frames(pl.DataFrame(EVENTS), pl.DataFrame(MERCHANTS))
    only = cases_from_history(history, kinds=["decline"])
    assert [c.id for c in only] == ["a2"]
    with pytest.raises(ValidationFailed) as err:
        cases_from_history(history, kinds=["chargebacks"])
    assert err.value.field == "kinds"


def test_synthetic_history_never_looks_ahead():
    from paysupport.analytics import synthetic

    history = synthetic(seed=4, n_payments=400, n_merchants=3, months=3)
    built = cases_from_history(history)
    assert len(built) > 50
    for case in built:
        assert all(t < case.at for t in _times(case)), case.id
    assert [c.at for c in built] == sorted(c.at for c in built)


def test_anything_but_a_history_is_refused():
    with pytest.raises(ValidationFailed) as err:
        cases_from_history({"events": []})
    assert err.value.field == "history"
