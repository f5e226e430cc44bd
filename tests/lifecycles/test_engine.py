"""The engine: refusals, data, clock, both routes, replay, persistence, diagrams."""

from __future__ import annotations

from datetime import datetime

import pytest

from paysupport.errors import DeadlinePassed, InvalidTransition, ValidationFailed
from paysupport.lifecycles import (
    LIFECYCLES,
    DisputeMachine,
    PaymentMachine,
    diagram,
    dispute,
    lifecycle_for,
    payment,
    replay,
)
from paysupport.models import Dispute, LifecycleEvent, Payment
from paysupport.money import Money
from tests.lifecycles._support import at, eur, make_dispute, make_payment


def test_unknown_event_names_machine_state_and_event() -> None:
    with pytest.raises(InvalidTransition) as exc:
        payment.fire(make_payment(), "teleport", now=at(1))
    assert (exc.value.machine, exc.value.state, exc.value.event) == (
        "payment",
        "authorized",
        "teleport",
    )
    assert "has no event 'teleport'" in str(exc.value)


def test_now_must_be_aware() -> None:
    with pytest.raises(ValidationFailed, match="timezone-aware"):
        payment.fire(make_payment(), "cancel", now=datetime(2026, 3, 1))


def test_event_data_is_recorded_as_text() -> None:
    p = payment.fire(make_payment(), "capture", now=at(1), amount=eur("10"), capture_id="cap_x")
    assert p.history[-1].data == {"amount": "10.00 EUR", "capture_id": "cap_x"}
    with pytest.raises(ValidationFailed, match="event data"):
        payment.fire(make_payment(), "capture", now=at(1), amount=1.5)
    with pytest.raises(ValidationFailed, match="timezone-aware"):
        payment.fire(make_payment(), "capture", now=at(1), when=datetime(2026, 1, 1))


def test_actor_and_reason_are_recorded() -> None:
    p = payment.fire(make_payment(), "cancel", now=at(1), actor="op_alice", reason="customer asked")
    ev = p.history[-1]
    assert (ev.actor, ev.reason) == ("op_alice", "customer asked")


def test_events_cannot_go_back_in_time() -> None:
    p = payment.fire(make_payment(), "capture", now=at(5))
    with pytest.raises(InvalidTransition, match="before the last recorded"):
        payment.fire(p, "refund", now=at(4), refund_id="re_1")
    with pytest.raises(InvalidTransition, match="before the last recorded"):
        payment.fire(make_payment(), "cancel", now=at(-1))


def test_can_and_allowed_events() -> None:
    d = make_dispute()
    assert dispute.allowed_events(d, now=at(days=1)) == ("submit_evidence", "accept", "reverse")
    assert dispute.allowed_events(d, now=at(days=31)) == ("expire", "reverse")
    assert dispute.can(d, "accept", now=at(days=1))
    assert not dispute.can(d, "accept", now=at(days=31))
    assert not dispute.can(d, "nope", now=at(days=1))


def test_decide_is_the_same_table() -> None:
    d = make_dispute()
    assert dispute.decide("chargeback:needs_response", "submit_evidence", d, at(days=1)) == (
        "chargeback:under_review"
    )
    with pytest.raises(DeadlinePassed):
        dispute.decide("chargeback:needs_response", "submit_evidence", d, at(days=31))
    with pytest.raises(InvalidTransition):
        dispute.decide("chargeback:won", "win", d, at(days=1))


def test_bound_machine_route() -> None:
    m = PaymentMachine(make_payment())
    assert m.configuration_values == {"authorized"}
    before = m.aggregate
    with pytest.raises(InvalidTransition, match="exceeds the capturable"):
        m.fire("capture", now=at(1), amount=eur("500"))
    assert m.aggregate is before
    p = m.fire("capture", now=at(1), amount=eur("60"))
    assert p is m.aggregate and p.status.value == "captured"
    assert m.configuration_values == {"captured"}
    assert p == payment.fire(before, "capture", now=at(1), amount=eur("60"))


def test_bound_dispute_raises_deadline_passed() -> None:
    m = DisputeMachine(make_dispute())
    with pytest.raises(DeadlinePassed):
        m.fire("submit_evidence", now=at(days=31))
    assert m.configuration_values == {"chargeback:needs_response"}


def test_bind_uses_the_models_state() -> None:
    assert payment.bind(make_payment(status="pending")).configuration_values == {"pending"}


def test_replay_rebuilds_and_detects_divergence() -> None:
    start = make_payment()
    p = payment.fire(start, "capture", now=at(1), amount=eur("60"))
    p = payment.fire(p, "refund", now=at(2), refund_id="re_1", amount=eur("10"))
    assert replay(start, p.history) == p
    forged = LifecycleEvent(
        event="refund",
        source="partially_refunded",
        target="refunded",
        at=at(3),
        data={"refund_id": "re_2", "amount": "10.00 EUR"},
    )
    with pytest.raises(InvalidTransition, match="replay reaches 'partially_refunded'"):
        replay(p, [forged])
    wrong_source = forged.model_copy(update={"source": "captured"})
    with pytest.raises(InvalidTransition, match="history says it left 'captured'"):
        replay(p, [wrong_source])


def test_state_and_history_persist_as_json() -> None:
    d = dispute.fire(make_dispute(), "submit_evidence", now=at(days=1), actor="op_alice")
    restored = Dispute.model_validate_json(d.model_dump_json())
    assert restored == d
    assert dispute.fire(restored, "win", now=at(days=9)).status.value == "won"


def test_lifecycle_for() -> None:
    assert lifecycle_for(make_payment()) is payment
    assert lifecycle_for(Payment) is payment
    with pytest.raises(TypeError):
        lifecycle_for(Money.of("1", "EUR"))


def test_every_declared_state_has_a_row_and_events_are_known() -> None:
    for lc in LIFECYCLES.values():
        assert set(lc.table) == set(lc.states)
        assert lc.terminal_states <= set(lc.states)
        for state in lc.terminal_states:
            assert lc.table[state] == {}
        assert {t.event for t in lc.transitions()} == set(lc.events)


@pytest.mark.parametrize("name", list(LIFECYCLES))
def test_diagrams_render(name: str) -> None:
    lc = LIFECYCLES[name]
    mermaid = diagram(lc)
    assert mermaid.startswith("stateDiagram-v2") and mermaid == lc.diagram("mermaid")
    assert diagram(lc.machine_class, "dot").startswith("digraph")
    with pytest.raises(ValueError, match="unsupported"):
        diagram(lc, "svg")
