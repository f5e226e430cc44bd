"""Triage writes the routed workflow into its own outcome: the same records as the workflow."""

from __future__ import annotations

from paysupport.models import RefundRequest
from paysupport.workflows import CaseContext, handle_decline, request_refund, triage
from paysupport.workflows.effects import AssignCase

from ._support import at, captured, case, failure, operator


def test_a_routed_refund_holds_exactly_what_request_refund_returns() -> None:
    pay = captured("2400.00")  # above a junior's limit: a review, an approval request
    op = operator()
    out = triage(case(), CaseContext(payments=[pay], operator=op), now=at(1))
    request = RefundRequest(
        id="case_1.refund",
        payment_id="pay_1",
        requested_by="customer",
        requester_id="cus_1",
        requested_at=at(),
    )
    alone = request_refund(pay, request, operator=op, now=at(1))
    assert [t.event.event for t in alone.transitions] == ["require_approval"]
    assert out.decisions[2:] == alone.decisions
    events = [(t.kind, t.event.event) for t in out.transitions]
    assert events[0] == ("case", "triage") and events[-1] == ("case", "start")
    assert out.transitions[1:-1] == alone.transitions
    assert isinstance(out.effects[0], AssignCase) and out.effects[1:] == alone.effects
    assert out.notes == alone.notes
    assert [c for c in out.changes if c.key[0] != "case"] == list(alone.changes)


def test_a_routed_decline_holds_exactly_what_handle_decline_returns() -> None:
    f = failure()
    out = triage(case(claim="failed_payment", payment_ids=()), CaseContext(failure=f), now=at(1))
    alone = handle_decline(f, now=at(1))
    assert [t.event.event for t in alone.transitions] == ["schedule_retry"]
    assert out.decisions[2:] == alone.decisions
    assert out.transitions[1:-1] == alone.transitions
    assert out.effects[1:] == alone.effects and out.notes == alone.notes
    assert [c for c in out.changes if c.key[0] != "case"] == list(alone.changes)
