"""Example tests: every refund transition and refusal."""

from __future__ import annotations

from typing import Any

import pytest

from paysupport.errors import InvalidTransition
from paysupport.lifecycles import refund
from paysupport.models import Refund
from tests.lifecycles._support import at, make_refund


def fire(r: Refund, event: str, hours: float = 1, **data: Any) -> Refund:
    return refund.fire(r, event, now=at(hours), **data)


def walk(r: Refund, *events: str) -> Refund:
    for i, event in enumerate(events):
        r = fire(r, event, i + 1)
    return r


@pytest.mark.parametrize(
    ("events", "state"),
    [
        (["submit"], "pending"),
        (["submit", "succeed"], "succeeded"),
        (["submit", "fail"], "failed"),
        (["submit", "require_action"], "requires_action"),
        (["submit", "require_action", "succeed"], "succeeded"),
        (["submit", "require_action", "fail"], "failed"),
        (["submit", "require_action", "cancel"], "canceled"),
        (["submit_timed_out"], "unknown"),
        (["submit_timed_out", "confirm_pending"], "pending"),
        (["submit_timed_out", "succeed"], "succeeded"),
        (["submit_timed_out", "fail"], "failed"),
        (["submit_timed_out", "require_action"], "requires_action"),
        (["succeed"], "succeeded"),
        (["fail"], "failed"),  # the provider answered the call at once
        (["require_action"], "requires_action"),
        (["cancel"], "canceled"),
        (["require_approval"], "awaiting_approval"),
        (["require_approval", "deny"], "canceled"),
        (["submit", "succeed", "reverse"], "reversed"),
    ],
)
def test_paths(events: list[str], state: str) -> None:
    r = walk(make_refund(), *events)
    assert r.status.value == state
    assert [e.event for e in r.history] == events


def test_approval_by_a_second_person() -> None:
    r = fire(make_refund(), "require_approval")
    approved = refund.fire(r, "approve", now=at(2), actor="op_bob")
    assert approved.status.value == "requested" and approved.approved_by == "op_bob"
    assert approved.history[-1].actor == "op_bob"
    assert fire(approved, "submit", 3).status.value == "pending"


@pytest.mark.parametrize(
    ("actor", "data", "why"),
    [
        (None, {}, "needs the acting operator"),
        (None, {"approver": "op_bob"}, "needs the acting operator"),
        ("op_alice", {}, "four eyes"),
        # the acting operator is the approver, whatever the data says (issue 18)
        ("op_alice", {"approver": "op_bob"}, "the approver is the acting operator"),
        ("op_bob", {"approver": "op_alice"}, "the approver is the acting operator"),
        # ids are compared trimmed and case-folded
        ("OP_ALICE", {}, "four eyes"),
        (" Op_Alice", {}, "four eyes"),
    ],
)
def test_approval_refusals(actor: str | None, data: dict[str, str], why: str) -> None:
    r = fire(make_refund(), "require_approval")  # requested by op_alice
    with pytest.raises(InvalidTransition, match=why) as exc:
        refund.fire(r, "approve", now=at(2), actor=actor, **data)
    assert exc.value.code == "four_eyes"
    assert not refund.can(r, "approve", now=at(2), actor=actor, **data)
    with pytest.raises(InvalidTransition, match="not possible from awaiting_approval"):
        fire(r, "submit", 2)


def test_the_requester_cannot_approve_by_naming_someone_else() -> None:
    r = fire(make_refund(requested_by="op_j"), "require_approval")
    with pytest.raises(InvalidTransition, match=r"four eyes|acting operator"):
        refund.fire(r, "approve", now=at(2), actor="op_j", approver="op_x")
    with pytest.raises(InvalidTransition, match="four eyes"):
        refund.fire(r, "approve", now=at(2), actor="OP_J")
    bound = refund.bind(r)
    with pytest.raises(InvalidTransition, match="four eyes"):
        bound.fire("approve", now=at(2), actor="op_j ")
    assert refund.fire(r, "approve", now=at(2), actor="op_x", approver="OP_X").approved_by == "op_x"


def test_failed_straight_from_pending_or_unknown_never_via_success() -> None:
    for start in ("submit", "submit_timed_out"):
        r = fire(fire(make_refund(), start), "fail", 2, failure_reason="declined")
        assert r.status.value == "failed"
        assert [e.event for e in r.history] == [start, "fail"]
        assert not refund.can(r, "reverse", now=at(3))
    with pytest.raises(InvalidTransition, match="not possible from pending"):
        fire(fire(make_refund(), "submit"), "reverse", 2)


def test_failure_reason_is_recorded_and_checked() -> None:
    r = fire(make_refund(), "submit")
    failed = fire(r, "fail", 2, failure_reason="lost_or_stolen_card", provider_status="failed")
    assert (
        failed.failure_reason is not None and failed.failure_reason.value == "lost_or_stolen_card"
    )
    assert failed.provider_status == "failed"
    with pytest.raises(InvalidTransition, match="unknown failure_reason"):
        fire(r, "fail", 2, failure_reason="gremlins")


def test_late_reversal_of_a_succeeded_refund() -> None:
    r = walk(make_refund(), "submit", "succeed")
    out = fire(r, "reverse", 5, failure_reason="expired_or_canceled_card")
    assert out.status.value == "reversed" and out.failure_reason is not None


def test_unknown_is_never_shown_as_pending() -> None:
    r = fire(make_refund(), "submit_timed_out")
    assert r.status.value == "unknown"
    with pytest.raises(InvalidTransition):
        fire(r, "cancel", 2)  # the provider may have made it: settle from its answer


def test_pending_cannot_be_canceled_by_api() -> None:
    with pytest.raises(InvalidTransition, match="not possible from pending"):
        walk(make_refund(), "submit", "cancel")


@pytest.mark.parametrize(
    "events", [["submit", "fail"], ["cancel"], ["submit", "succeed", "reverse"]]
)
def test_final_states_refuse_everything(events: list[str]) -> None:
    r = walk(make_refund(), *events)
    for event in refund.events:
        with pytest.raises(InvalidTransition, match="a final state"):
            fire(r, event, 10)
