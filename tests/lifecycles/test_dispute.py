"""Example tests: every dispute transition and refusal, per network."""

from __future__ import annotations

from typing import Any

import pytest

from paysupport.errors import DeadlinePassed, InvalidTransition, ModelValidationError
from paysupport.lifecycles import dispute, dispute_event_for, dispute_state
from paysupport.models import Dispute
from paysupport.models.dispute import (
    DISPUTE_STATES,
    DisputeState,
    DisputeStatus,
    dispute_state_allowed,
)
from paysupport.networks import DisputeStage
from tests.lifecycles._support import at, make_dispute


def fire(d: Dispute, event: str, days: float = 1, **data: Any) -> Dispute:
    return dispute.fire(d, event, now=at(days=days), **data)


def walk(d: Dispute, *steps: tuple[str, float]) -> Dispute:
    for event, days in steps:
        d = fire(d, event, days)
    return d


def test_deadline_comes_from_the_catalogue() -> None:
    assert make_dispute("visa", "13.1").due_by == at(days=30)
    assert make_dispute("amex", "C08").due_by == at(days=20)


@pytest.mark.parametrize(
    ("steps", "state"),
    [
        ([("submit_evidence", 1)], "chargeback:under_review"),
        ([("submit_evidence", 1), ("win", 40)], "chargeback:won"),
        ([("submit_evidence", 1), ("lose", 40)], "chargeback:lost"),
        ([("accept", 1)], "chargeback:accepted"),
        ([("expire", 31)], "chargeback:expired"),
        ([("reverse", 2)], "chargeback:won"),
        ([("submit_evidence", 1), ("reverse", 2)], "chargeback:won"),
        (
            [("submit_evidence", 1), ("lose", 40), ("open_pre_arbitration", 41)],
            "pre_arbitration:needs_response",
        ),
        (
            [("submit_evidence", 1), ("win", 40), ("open_pre_arbitration", 41)],
            "pre_arbitration:needs_response",
        ),
        ([("submit_evidence", 1), ("open_pre_arbitration", 41)], "pre_arbitration:needs_response"),
    ],
)
def test_visa_chargeback_paths(steps: list[tuple[str, float]], state: str) -> None:
    d = walk(make_dispute("visa", "13.1"), *steps)
    assert dispute_state(d) == state
    assert d.version == len(steps)
    assert [e.event for e in d.history] == [s[0] for s in steps]


def test_evidence_submission_records_when() -> None:
    d = fire(make_dispute(), "submit_evidence", 2)
    assert d.evidence_submitted_at == at(days=2) and d.status.value == "under_review"


def test_response_after_due_by_is_refused_and_changes_nothing() -> None:
    d = make_dispute()
    snapshot = d.model_dump()
    for event in ("submit_evidence", "accept"):
        with pytest.raises(DeadlinePassed) as exc:
            fire(d, event, 31)
        assert (exc.value.machine, exc.value.state, exc.value.event) == (
            "dispute",
            "chargeback:needs_response",
            event,
        )
    assert d.model_dump() == snapshot
    assert fire(d, "expire", 31).status.value == "expired"


def test_expire_before_due_by_is_refused() -> None:
    with pytest.raises(InvalidTransition, match="runs until"):
        fire(make_dispute(), "expire", 5)


def test_no_response_possible_without_due_by() -> None:
    d = make_dispute(due_by=None)
    with pytest.raises(InvalidTransition, match="no response deadline is known"):
        fire(d, "submit_evidence")
    assert fire(d, "expire").status.value == "expired"


def test_pre_arbitration_and_arbitration_visa() -> None:
    d = walk(
        make_dispute("visa", "13.1"),
        ("submit_evidence", 1),
        ("lose", 20),
        ("open_pre_arbitration", 21),
    )
    assert d.due_by == at(days=51)  # Visa: 30 days to answer pre-arbitration
    assert d.evidence_submitted_at is None
    d = walk(d, ("submit_evidence", 22), ("lose", 30), ("open_arbitration", 31))
    assert dispute_state(d) == "arbitration:needs_response"
    assert d.due_by is None  # Visa's arbitration window is not in the catalogue
    with pytest.raises(InvalidTransition, match="pass the provider's due_by"):
        fire(d, "submit_evidence", 32)
    assert dispute_state(fire(d, "reverse", 33)) == "arbitration:won"


def test_visa_arbitration_can_be_answered_with_the_providers_deadline() -> None:
    d = walk(
        make_dispute("visa", "13.1"),
        ("submit_evidence", 1),
        ("lose", 20),
        ("open_pre_arbitration", 21),
        ("submit_evidence", 22),
        ("lose", 30),
        ("open_arbitration", 31),
    )
    answered = fire(d, "submit_evidence", 32, due_by=at(days=40))
    assert dispute_state(answered) == "arbitration:under_review"
    assert answered.due_by == at(days=40) and answered.evidence_submitted_at == at(days=32)
    with pytest.raises(DeadlinePassed):
        fire(d, "submit_evidence", 41, due_by=at(days=40))
    assert fire(d, "accept", 33, due_by=at(days=40)).status.value == "accepted"


def test_arbitration_due_by_can_come_from_the_provider() -> None:
    d = walk(
        make_dispute("visa", "13.1"),
        ("submit_evidence", 1),
        ("lose", 20),
        ("open_pre_arbitration", 21),
    )
    d = walk(d, ("submit_evidence", 22), ("win", 30))
    d = fire(d, "open_arbitration", 31, due_by=at(days=45))
    assert d.due_by == at(days=45)
    d = walk(d, ("submit_evidence", 32), ("win", 40))
    assert dispute_state(d) == "arbitration:won"
    assert dispute.is_terminal(d)


def test_visa_cannot_skip_pre_arbitration() -> None:
    d = walk(make_dispute("visa", "13.1"), ("submit_evidence", 1), ("lose", 20))
    with pytest.raises(InvalidTransition, match="goes to pre_arbitration first"):
        fire(d, "open_arbitration", 21)


def test_mastercard_4808_goes_straight_to_arbitration() -> None:
    d = walk(make_dispute("mastercard", "4808"), ("submit_evidence", 1), ("lose", 20))
    with pytest.raises(InvalidTransition, match="has no pre_arbitration stage"):
        fire(d, "open_pre_arbitration", 21)
    d = fire(d, "open_arbitration", 21)
    assert dispute_state(d) == "arbitration:needs_response"
    assert d.due_by == at(days=31)  # Mastercard: 10 days


def test_mastercard_4853_has_pre_arbitration() -> None:
    d = walk(
        make_dispute("mastercard", "4853"),
        ("submit_evidence", 1),
        ("lose", 20),
        ("open_pre_arbitration", 21),
    )
    assert d.stage.value == "pre_arbitration"
    assert walk(d, ("accept", 22)).status.value == "accepted"


@pytest.mark.parametrize("network_code", [("amex", "C08"), ("discover", "4755")])
def test_networks_without_later_stages(network_code: tuple[str, str]) -> None:
    d = walk(make_dispute(*network_code), ("submit_evidence", 1), ("lose", 10))
    for event in ("open_pre_arbitration", "open_arbitration"):
        with pytest.raises(InvalidTransition, match="disputes have no"):
            fire(d, event, 11)


def test_inquiry_then_chargeback() -> None:
    d = make_dispute("amex", "004", stage="inquiry")
    assert d.due_by == at(days=20)
    d = fire(d, "submit_evidence", 1)
    assert dispute_state(d) == "inquiry:under_review"
    with pytest.raises(InvalidTransition, match="has no chargeback stage"):
        fire(d, "open_chargeback", 5)  # an inquiry code: the chargeback brings its own code
    d = fire(d, "open_chargeback", 5, reason_code="C08")
    assert dispute_state(d) == "chargeback:needs_response"
    assert d.reason_code == "C08" and d.due_by == at(days=25)


def test_inquiry_closes() -> None:
    d = make_dispute("amex", "004", stage="inquiry")
    assert dispute_state(fire(d, "close", 3)) == "inquiry:closed"
    assert dispute_state(walk(d, ("submit_evidence", 1), ("close", 3))) == "inquiry:closed"


def test_unknown_reason_code_is_refused() -> None:
    d = make_dispute("visa", "30", stage="inquiry")
    with pytest.raises(InvalidTransition, match="unknown"):
        fire(d, "open_chargeback", 1, reason_code="99.9")


def test_bad_due_by_is_refused() -> None:
    d = make_dispute("visa", "30", stage="inquiry")
    with pytest.raises(InvalidTransition, match="ISO 8601"):
        fire(d, "open_chargeback", 1, reason_code="13.1", due_by="soon")


@pytest.mark.parametrize("event", ["open_chargeback", "open_pre_arbitration", "open_arbitration"])
def test_events_not_possible_while_needing_response(event: str) -> None:
    with pytest.raises(InvalidTransition, match="not possible from chargeback:needs_response"):
        fire(make_dispute(), event)


@pytest.mark.parametrize("final", ["accept", "expire"])
def test_final_states_refuse_everything(final: str) -> None:
    d = fire(make_dispute(), final, 1 if final == "accept" else 31)
    for event in dispute.events:
        with pytest.raises(InvalidTransition, match="a final state"):
            fire(d, event, 32)


# ---------------------------------------------------------------------- what providers report
def test_not_defended_in_time_expires_at_its_stage() -> None:
    d = make_dispute()  # due in 30 days by the catalogue
    with pytest.raises(InvalidTransition, match="runs until"):
        fire(d, "expire", 10)
    reported = fire(d, "expire", 10, reported_by="adyen")  # DISPUTE_DEFENSE_PERIOD_ENDED
    assert dispute_state(reported) == "chargeback:expired" and dispute.is_terminal(reported)
    assert [e.event for e in reported.history] == ["expire"]
    assert reported.status.funds_lost


@pytest.mark.parametrize("before", [[], [("submit_evidence", 1)], [("reverse", 2)]])
def test_mastercard_second_chargeback_is_lost_at_pre_arbitration_directly(
    before: list[tuple[str, float]],
) -> None:
    d = walk(make_dispute("mastercard", "4853"), *before)
    lost = fire(d, "lose", 30, stage="pre_arbitration")
    assert dispute_state(lost) == "pre_arbitration:lost"
    assert [e.event for e in lost.history] == [*(e for e, _ in before), "lose"]
    assert lost.history[-1].data == {"stage": "pre_arbitration"}


def test_outcomes_reported_at_a_later_stage() -> None:
    d = fire(make_dispute("visa", "13.1"), "submit_evidence")
    assert dispute_state(fire(d, "win", 40, stage="pre_arbitration")) == "pre_arbitration:won"
    assert dispute_state(fire(d, "lose", 40, stage="arbitration")) == "arbitration:lost"
    assert dispute_state(fire(make_dispute(), "lose", 40)) == "chargeback:lost"


@pytest.mark.parametrize(
    ("network", "code", "stage", "why"),
    [
        ("amex", "C08", "pre_arbitration", "amex disputes have no pre_arbitration stage"),
        ("mastercard", "4808", "pre_arbitration", "4808 has no pre_arbitration stage"),
        ("visa", "13.1", "representment", "unknown stage 'representment'"),
    ],
)
def test_reported_outcomes_respect_the_network(
    network: str, code: str, stage: str, why: str
) -> None:
    d = fire(make_dispute(network, code), "submit_evidence")
    with pytest.raises(InvalidTransition, match=why) as exc:
        fire(d, "lose", 10, stage=stage)
    assert exc.value.code == "outcome_stage"


def test_an_outcome_never_moves_back_a_stage() -> None:
    d = walk(make_dispute(), ("submit_evidence", 1), ("lose", 20), ("open_pre_arbitration", 21))
    with pytest.raises(InvalidTransition, match="outcome is at the chargeback"):
        fire(d, "win", 22, stage="chargeback")


def test_arbitration_opened_under_review_by_the_network() -> None:
    d = walk(make_dispute(), ("submit_evidence", 1), ("lose", 20), ("open_pre_arbitration", 21))
    d = fire(d, "submit_evidence", 22)
    scheme = fire(d, "open_arbitration", 30, status="under_review")  # Adyen SCHEME_ARBITRATION
    assert dispute_state(scheme) == "arbitration:under_review"
    assert [e.event for e in scheme.history][-1] == "open_arbitration"
    with pytest.raises(InvalidTransition, match="opens as needs_response or under_review"):
        fire(d, "open_arbitration", 30, status="won")


def test_prevented_chargeback_closes_without_a_ruling() -> None:
    closed = fire(make_dispute(), "close", 2)  # Stripe `prevented`
    assert dispute_state(closed) == "chargeback:closed" and dispute.is_terminal(closed)
    assert not closed.status.funds_lost


def test_an_unanswered_inquiry_can_still_become_a_chargeback() -> None:
    d = make_dispute("amex", "004", stage="inquiry")
    expired = fire(d, "expire", 21)
    assert dispute_state(expired) == "inquiry:expired" and not dispute.is_terminal(expired)
    assert dispute_state(fire(expired, "open_chargeback", 22, reason_code="C08")) == (
        "chargeback:needs_response"
    )


# ---------------------------------------------------------------------- one state table
def test_the_machine_declares_exactly_the_models_states() -> None:
    assert set(dispute.states) == {s.value for s in DISPUTE_STATES}
    assert dispute.terminal_states == {s.value for s in DISPUTE_STATES if s.final}
    for row in DISPUTE_STATES:
        assert dispute_state_allowed(row.stage, row.status)


def test_the_model_refuses_a_pair_outside_the_table() -> None:
    with pytest.raises(ModelValidationError) as exc:
        make_dispute(stage="inquiry", status="won", code="30")
    assert exc.value.rule == "dispute_state_declared"


def test_every_declared_state_can_be_reached_or_opened() -> None:
    """Each state is a start (inquiry or chargeback opened) or the target of a transition."""
    targets = {t.target for t in dispute.transitions()}
    starts = {"inquiry:needs_response", "chargeback:needs_response"}
    assert set(dispute.states) <= targets | starts


#: From an answered Visa 13.1 chargeback, the reports no event may record.
_NOT_FROM_UNDER_REVIEW = {
    "inquiry:needs_response",  # stages only move forward
    "inquiry:under_review",
    "inquiry:expired",
    "inquiry:closed",
    "chargeback:needs_response",  # back to needing a response within the stage
    "chargeback:accepted",  # accepting or expiring needs a pending response
    "chargeback:expired",
    "pre_arbitration:accepted",  # a stage opens needing a response or under review
    "pre_arbitration:expired",
    "arbitration:needs_response",  # Visa goes to pre-arbitration first
    "arbitration:under_review",
    "arbitration:accepted",
    "arbitration:expired",
}


@pytest.mark.parametrize("row", DISPUTE_STATES, ids=lambda r: r.value)
def test_a_report_of_any_state_is_one_event(row: DisputeState) -> None:
    """Every state a provider may report is recorded by one event, or refused; none invented."""
    start = fire(make_dispute("visa", "13.1"), "submit_evidence")
    if row.value == dispute_state(start):
        assert dispute_event_for(start, row.stage, row.status) is None
        return
    try:
        found = dispute_event_for(start, row.stage, row.status)
        assert found is not None
        reached = fire(start, found[0], 40, **found[1])
    except InvalidTransition:
        assert row.value in _NOT_FROM_UNDER_REVIEW
        return
    assert row.value not in _NOT_FROM_UNDER_REVIEW
    assert dispute_state(reached) == row.value
    assert len(reached.history) == len(start.history) + 1


def test_every_state_the_translators_map_to_is_declared() -> None:
    """Stripe's statuses and Adyen's event codes land on states the lifecycle declares."""
    from paysupport.providers.adyen import ADYEN_EVENT_CODES, AdyenOutcome
    from paysupport.providers.stripe import STRIPE_DISPUTE_STATUS

    mapped = set(STRIPE_DISPUTE_STATUS.values())
    for entry in ADYEN_EVENT_CODES.values():
        targets = (entry.if_true, entry.if_false) if isinstance(entry, AdyenOutcome) else (entry,)
        for t in targets:
            if t.stage is not None:
                mapped.add((t.stage, t.status or DisputeStatus.NEEDS_RESPONSE))
    assert (DisputeStage.CHARGEBACK, DisputeStatus.CLOSED) in mapped  # Stripe `prevented`
    for stage, status in mapped:
        assert f"{stage.value}:{status.value}" in dispute.states, (stage, status)
