"""The engine's two routes and replay carry the actor, the reason and the refusal's fields.

Written against the mutants that survived ``scripts/mutation.py lifecycles`` (docs/testing.md):
the bound (python-statemachine) route and replay were checked on events without an actor,
a reason or an effect that reads the actor, and their refusals only by message.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType, SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel
from statemachine import State

from paysupport.errors import DeadlinePassed, InvalidTransition, ValidationFailed
from paysupport.lifecycles import (
    Lifecycle,
    LifecycleMachine,
    RefundMachine,
    dispute,
    guard,
    payment,
    refund,
    replay,
)
from paysupport.models import (
    DisputeStatus,
    LifecycleEvent,
    PaymentStatus,
    Refund,
    RefundStatus,
    Tier,
)
from paysupport.networks import DisputeStage, VisaDeclineCategory
from tests._timezones import NoOffset
from tests.lifecycles._support import at, eur, make_dispute, make_payment, make_refund


def _awaiting() -> Refund:
    return refund.fire(make_refund(), "require_approval", now=at(1), actor="op_alice")


def test_the_bound_route_passes_the_actor_to_guards_and_effects_and_records_both() -> None:
    m = RefundMachine(_awaiting())
    approved = m.fire("approve", now=at(2), actor="op_bob", reason="checked the order")
    assert approved.status is RefundStatus.REQUESTED
    assert approved.approved_by == "op_bob"
    last = approved.history[-1]
    assert (last.event, last.actor, last.reason) == ("approve", "op_bob", "checked the order")
    assert approved == refund.fire(
        _awaiting(), "approve", now=at(2), actor="op_bob", reason="checked the order"
    )


def test_the_bound_route_takes_events_without_an_effect() -> None:
    m = payment.bind(make_payment())
    canceled = m.fire("cancel", now=at(1), actor="op_alice", reason="customer asked")
    assert canceled.status is PaymentStatus.CANCELED
    last = canceled.history[-1]
    assert (last.event, last.actor, last.reason) == ("cancel", "op_alice", "customer asked")


def test_the_bound_route_names_the_event_of_an_out_of_order_refusal() -> None:
    m = payment.bind(payment.fire(make_payment(), "capture", now=at(5)))
    with pytest.raises(InvalidTransition) as exc:
        m.fire("refund", now=at(4), refund_id="re_1")
    err = exc.value
    assert (err.machine, err.state, err.event, err.code) == (
        "payment",
        "captured",
        "refund",
        "out_of_order",
    )


def test_replay_passes_the_recorded_actor_and_reason() -> None:
    start = make_refund()
    r = refund.fire(start, "require_approval", now=at(1), actor="op_alice", reason="large")
    r = refund.fire(r, "approve", now=at(2), actor="op_bob", reason="checked")
    rebuilt = replay(start, r.history)
    assert rebuilt == r
    assert rebuilt.approved_by == "op_bob"
    assert [(e.actor, e.reason) for e in rebuilt.history] == [
        ("op_alice", "large"),
        ("op_bob", "checked"),
    ]


def test_replay_refusals_name_machine_state_and_event() -> None:
    start = make_payment()
    p = payment.fire(start, "capture", now=at(1), amount=eur("60"))
    forged = LifecycleEvent(
        event="refund",
        source="partially_refunded",
        target="refunded",
        at=at(3),
        data={"refund_id": "re_2", "amount": "10.00 EUR"},
    )
    with pytest.raises(InvalidTransition) as exc:
        replay(p, [forged])
    assert (exc.value.machine, exc.value.state, exc.value.event) == (
        "payment",
        "captured",
        "refund",
    )
    assert exc.value.reason == "the history says it left 'partially_refunded'"
    landing = forged.model_copy(update={"source": "captured"})
    with pytest.raises(InvalidTransition) as exc:
        replay(p, [landing])
    assert (exc.value.machine, exc.value.state, exc.value.event) == (
        "payment",
        "captured",
        "refund",
    )
    assert exc.value.reason == "replay reaches 'partially_refunded', the history says 'refunded'"


def test_event_data_of_each_type_is_recorded_as_text() -> None:
    p = payment.fire(
        make_payment(),
        "cancel",
        now=at(1),
        flag=True,
        off=False,
        count=3,
        category=VisaDeclineCategory.ISSUER_WILL_NEVER_APPROVE,
        tier=Tier.SENIOR,
    )
    assert p.history[-1].data == {
        "flag": "true",
        "off": "false",
        "count": "3",
        "category": "1",
        "tier": "senior",
    }
    assert all(type(v) is str for v in p.history[-1].data.values())


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (datetime(2026, 1, 1), "timezone_aware"),
        (datetime(2026, 1, 1, tzinfo=NoOffset()), "timezone_aware"),
        (1.5, "event_data_type"),
    ],
)
def test_event_data_refusals_name_the_key_and_the_rule(value: object, rule: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        payment.fire(make_payment(), "cancel", now=at(1), when=value)
    assert (exc.value.field, exc.value.rule) == ("when", rule)


def test_can_and_allowed_events_pass_the_actor_to_the_guards() -> None:
    awaiting = _awaiting()
    assert refund.can(awaiting, "approve", now=at(2), actor="op_bob")
    assert not refund.can(awaiting, "approve", now=at(2), actor="op_alice")  # the requester
    assert "approve" in refund.allowed_events(awaiting, now=at(2), actor="op_bob")
    assert "approve" not in refund.allowed_events(awaiting, now=at(2))


def test_allowed_events_of_a_record_in_an_undeclared_state_is_empty() -> None:
    record = SimpleNamespace(
        stage=DisputeStage.INQUIRY, status=DisputeStatus.WON, history=[], opened_at=at(0)
    )
    assert dispute.allowed_events(record, now=at(1)) == ()


def test_an_event_adds_the_state_fields_it_writes_to_the_fields_set() -> None:
    r = make_refund()
    assert "status" not in r.model_fields_set
    moved = refund.fire(r, "require_approval", now=at(1))
    assert moved.model_fields_set >= r.model_fields_set | {"status", "history", "version"}
    assert moved.model_dump(exclude_unset=True)["status"] == "awaiting_approval"


@guard()
def first_check(model: object, now: datetime, data: object, actor: str | None) -> str | None:
    """Refuses, naming itself."""
    return "the first check says no"


@guard(code="late", deadline=True)
def late_check(model: object, now: datetime, data: object, actor: str | None) -> str | None:
    """Refuses as a deadline."""
    return "it is too late"


class _TwoWays(LifecycleMachine):
    a = State(initial=True)
    b = State(final=True)
    c = State(final=True)
    go = a.to(b, cond=first_check) | a.to(c, cond=first_check)
    hurry = a.to(b, cond=first_check) | a.to(c, cond=late_check)
    lifecycle_name = "two_ways"


def test_refusals_of_every_candidate_are_joined_and_only_deadlines_raise_deadline_passed() -> None:
    lc: Lifecycle[Any] = Lifecycle(_TwoWays)
    record = SimpleNamespace(status="a", history=(), version=0)
    with pytest.raises(InvalidTransition) as exc:
        lc.fire(record, "go", now=at(1))
    assert type(exc.value) is InvalidTransition
    assert (exc.value.reason, exc.value.code) == ("the first check says no", "first_check")
    with pytest.raises(DeadlinePassed) as late:
        lc.fire(record, "hurry", now=at(1))
    assert late.value.reason == "the first check says no; it is too late"
    assert late.value.code == "first_check"


def test_a_model_rule_refusal_names_machine_state_and_event() -> None:
    d = dispute.fire(make_dispute(), "submit_evidence", now=at(days=1))
    with pytest.raises(InvalidTransition) as exc:
        dispute.fire(d, "open_pre_arbitration", now=at(days=2), due_by=at(days=-1).isoformat())
    err = exc.value
    assert (err.machine, err.state, err.event, err.code) == (
        "dispute",
        "chargeback:under_review",
        "open_pre_arbitration",
        "model_rule",
    )


class _Ticket(BaseModel):
    """A plain pydantic model (not a PaysupportModel) with a lifecycle."""

    status: str = "open"
    score: int = 0
    history: tuple[LifecycleEvent, ...] = ()
    version: int = 0


def _score(t: _Ticket, now: datetime, data: Mapping[str, str], actor: str | None) -> dict[str, str]:
    return {"score": data["score"]} if data.get("score") else {}


class _TicketMachine(LifecycleMachine):
    open = State("Open", value="open", initial=True)
    closed = State("Closed", value="closed", final=True)
    close = open.to(closed)
    lifecycle_name = "ticket"
    effects = MappingProxyType({"close": _score})


def test_a_plain_pydantic_model_moves_with_and_without_changed_fields() -> None:
    lc: Lifecycle[Any] = Lifecycle(_TicketMachine)
    start = _Ticket()
    closed = lc.fire(start, "close", now=at(1))
    assert (closed.status, closed.score, closed.version) == ("closed", 0, 1)
    assert [(e.event, e.source, e.target) for e in closed.history] == [("close", "open", "closed")]
    assert start.status == "open" and start.history == ()
    scored = lc.fire(start, "close", now=at(1), score=3)
    assert (scored.status, scored.score, scored.version) == ("closed", 3, 1)
    assert type(scored.score) is int  # validated on assignment: the text "3" became an int
    assert scored.history[-1].data == {"score": "3"}


def test_a_reason_alone_is_recorded() -> None:
    p = payment.fire(make_payment(), "cancel", now=at(1), reason="customer asked")
    last = p.history[-1]
    assert (last.actor, last.reason, last.data) == (None, "customer asked", {})


def test_now_must_be_aware_and_any_aware_zone_is_accepted() -> None:
    with pytest.raises(ValidationFailed) as exc:
        payment.fire(make_payment(), "cancel", now=datetime(2026, 3, 1, 12))
    err = exc.value
    assert (err.field, err.rule, err.message) == (
        "now",
        "timezone_aware",
        "now must be a timezone-aware datetime",
    )
    with pytest.raises(ValidationFailed):
        payment.fire(make_payment(), "cancel", now=datetime(2026, 3, 1, 12, tzinfo=NoOffset()))
    berlin = datetime(2026, 3, 1, 12, tzinfo=ZoneInfo("Europe/Berlin"))
    assert payment.fire(make_payment(), "cancel", now=berlin).status is PaymentStatus.CANCELED
    assert payment.can(make_payment(), "cancel", now=berlin)


def test_an_out_of_order_refusal_names_the_event() -> None:
    p = payment.fire(make_payment(), "capture", now=at(5))
    with pytest.raises(InvalidTransition) as exc:
        payment.fire(p, "refund", now=at(4), refund_id="re_1")
    assert (exc.value.event, exc.value.code) == ("refund", "out_of_order")


def test_allowed_events_pass_the_data_to_the_guards() -> None:
    p = payment.fire(make_payment(), "capture", now=at(1))
    assert "refund" not in payment.allowed_events(p, now=at(2))  # needs a refund_id
    assert "refund" in payment.allowed_events(p, now=at(2), refund_id="re_1")


def test_a_record_in_an_undeclared_state_is_refused_not_crashed() -> None:
    record: Any = SimpleNamespace(
        stage=DisputeStage.INQUIRY, status=DisputeStatus.WON, history=[], opened_at=at(0)
    )
    with pytest.raises(InvalidTransition) as exc:
        dispute.fire(record, "close", now=at(1))
    assert exc.value.state == "inquiry:won"
