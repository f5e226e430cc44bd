"""The engine's two routes and replay carry the actor, the reason and the refusal's fields.

Written against the mutants that survived ``scripts/mutation.py lifecycles`` (docs/testing.md):
the bound (python-statemachine) route and replay were checked on events without an actor,
a reason or an effect that reads the actor, and their refusals only by message.
"""

from __future__ import annotations

import pytest

from paysupport.errors import InvalidTransition
from paysupport.lifecycles import RefundMachine, payment, refund, replay
from paysupport.models import LifecycleEvent, PaymentStatus, Refund, RefundStatus
from tests.lifecycles._support import at, eur, make_payment, make_refund


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
