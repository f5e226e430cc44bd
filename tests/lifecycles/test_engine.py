"""The engine: refusals, data, clock, both routes, replay, persistence, diagrams."""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType

import pytest
from statemachine import State
from statemachine.exceptions import InvalidDefinition

from paysupport.errors import DeadlinePassed, InvalidTransition, NotFound, ValidationFailed
from paysupport.lifecycles import (
    LIFECYCLES,
    DisputeMachine,
    Lifecycle,
    LifecycleMachine,
    PaymentMachine,
    compiled,
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
    reported = ("reverse", "close", "win", "lose")  # what the provider may report any time
    assert dispute.allowed_events(d, now=at(days=1)) == ("submit_evidence", "accept", *reported)
    assert dispute.allowed_events(d, now=at(days=31)) == ("expire", *reported)
    assert dispute.can(d, "accept", now=at(days=1))
    assert not dispute.can(d, "accept", now=at(days=31))
    assert not dispute.can(d, "nope", now=at(days=1))
    assert not dispute.can(d, "accept", now=datetime(2026, 3, 2))  # naive: refused, no raise


@pytest.mark.parametrize(
    ("event", "now", "code"),
    [
        ("teleport", at(1), "unknown_event"),
        ("refund", at(1), "not_allowed"),
        ("capture", at(-1), "out_of_order"),
        ("capture", at(1), "within_capturable"),
    ],
)
def test_refusals_carry_a_machine_readable_code(event: str, now: datetime, code: str) -> None:
    with pytest.raises(InvalidTransition) as exc:
        payment.fire(make_payment(), event, now=now, amount=eur("500"))
    assert exc.value.code == code and exc.value.reason


def test_deadline_and_final_state_codes() -> None:
    with pytest.raises(DeadlinePassed) as exc:
        dispute.fire(make_dispute(), "submit_evidence", now=at(days=31))
    assert exc.value.code == "before_due_by"
    accepted = dispute.fire(make_dispute(), "accept", now=at(days=1))
    with pytest.raises(InvalidTransition) as final:
        dispute.fire(accepted, "win", now=at(days=2))
    assert final.value.code == "final_state"


def test_a_result_breaking_a_model_rule_is_refused_with_its_rule() -> None:
    d = dispute.fire(make_dispute(), "submit_evidence", now=at(days=1))
    before_opened = at(days=-1).isoformat()
    with pytest.raises(InvalidTransition) as exc:
        dispute.fire(d, "open_pre_arbitration", now=at(days=2), due_by=before_opened)
    assert exc.value.code == "model_rule" and "due_after_opened" in exc.value.reason


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
    with pytest.raises(NotFound) as missing:
        lifecycle_for(Money.of("1", "EUR"))
    assert missing.value.field == "model"


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
    mermaid = diagram(name)
    assert mermaid.startswith("stateDiagram-v2") and mermaid == lc.diagram("mermaid")
    assert mermaid == diagram(lc) == diagram(lc.machine_class)
    dot = diagram(lc, "dot")
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    with pytest.raises(ValidationFailed, match="unsupported"):
        diagram(lc, "svg")


def test_every_transition_is_drawn() -> None:
    for name, lc in LIFECYCLES.items():
        whole = diagram(name, stage="all") if name == "dispute" else diagram(name)
        for tr in lc.transitions():
            a, b = (v.replace(":", "_") for v in (tr.source, tr.target))
            line = next(x for x in whole.splitlines() if x.startswith(f"    {a} --> {b} : "))
            assert tr.event in line, (name, tr)


def test_dispute_diagrams_by_stage() -> None:
    overview = diagram("dispute")
    assert "    chargeback --> pre_arbitration : " in overview
    assert "open_pre_arbitration" in overview and "chargeback_needs_response" not in overview
    chargeback = diagram("dispute", stage="chargeback")
    assert "chargeback_needs_response --> chargeback_under_review : submit_evidence" in chargeback
    assert "    chargeback_under_review --> pre_arbitration : " in chargeback  # collapsed
    assert "inquiry_needs_response" not in chargeback
    assert diagram("dispute", "dot", stage="arbitration").startswith("digraph dispute_arbitration")
    with pytest.raises(ValidationFailed, match="unknown stage"):
        diagram("dispute", stage="representment")
    with pytest.raises(ValidationFailed, match="no stages"):
        diagram("payment", stage="chargeback")
    with pytest.raises(NotFound):
        diagram("subscription")


# ---------------------------------------------------------------------- one definition
def test_the_machine_class_declares_the_effects() -> None:
    assert set(PaymentMachine.effects) == {"capture", "refund", "settle_refund", "reverse_refund"}
    captured = payment.fire(make_payment(), "capture", now=at(1), amount=eur("60"))
    assert [c.amount for c in captured.captures] == [eur("60")]


def test_compiling_a_variant_leaves_the_original_alone() -> None:
    class NoCaptureRecords(PaymentMachine):
        lifecycle_name = "variant"
        effects = MappingProxyType({})

    variant = Lifecycle(NoCaptureRecords)
    assert variant.fire(make_payment(), "capture", now=at(1)).captures == ()
    assert len(PaymentMachine(make_payment()).fire("capture", now=at(1)).captures) == 1
    assert len(payment.fire(make_payment(), "capture", now=at(1)).captures) == 1
    assert compiled(PaymentMachine) is payment
    assert lifecycle_for(Payment) is payment


def _always(*args: object, **kwargs: object) -> bool:
    return True


@pytest.mark.parametrize("kind", ["validators", "on", "before", "after", "unless"])
def test_what_the_table_cannot_honour_is_refused_when_compiled(kind: str) -> None:
    class Declared(LifecycleMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b, **{kind: _always})

    with pytest.raises(InvalidDefinition, match=f"{kind}="):
        Lifecycle(Declared)


def test_plain_functions_as_guards_are_refused() -> None:
    class PlainGuard(LifecycleMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b, cond=_always)

    with pytest.raises(InvalidDefinition, match=r"guard\(\)"):
        Lifecycle(PlainGuard)


def test_callback_methods_and_state_actions_are_refused() -> None:
    class ByName(LifecycleMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

        def on_go(self) -> None:
            """Would run on the bound machine only."""

        def on_enter_b(self) -> None:
            """Would run on the bound machine only."""

    with pytest.raises(InvalidDefinition, match="on_enter_b, on_go"):
        Lifecycle(ByName)

    class Entering(LifecycleMachine):
        a = State(initial=True)
        b = State(final=True, enter=_always)
        go = a.to(b)

    with pytest.raises(InvalidDefinition, match="enter="):
        Lifecycle(Entering)


def test_effects_for_undeclared_events_are_refused() -> None:
    class Typo(LifecycleMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)
        effects = MappingProxyType({"goo": lambda *a: {}})

    with pytest.raises(InvalidDefinition, match="goo"):
        Lifecycle(Typo)


def test_mermaid_labels_never_end_a_statement_early() -> None:
    """Mermaid ends a statement at ';': a label holding one would draw stray states."""
    for name in LIFECYCLES:
        stages = [None, "all", "inquiry", "chargeback"] if name == "dispute" else [None]
        for stage in stages:
            assert ";" not in diagram(name, stage=stage), (name, stage)
