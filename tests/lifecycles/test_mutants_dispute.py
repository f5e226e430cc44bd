"""Which event records a provider's dispute report, exactly (event name, data, refusals).

Written against the mutants that survived ``scripts/mutation.py lifecycles`` (docs/testing.md):
`dispute_event_for` was checked through the translators only, so its exact data and its
refusals (machine, state, event, code) were not pinned here.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from paysupport.errors import InvalidTransition
from paysupport.lifecycles import DisputeMachine, dispute, dispute_event_for, dispute_state
from paysupport.models import Dispute, DisputeStatus
from paysupport.networks import DisputeStage
from tests.lifecycles._support import at, eur, make_dispute

CB, PRE, ARB = DisputeStage.CHARGEBACK, DisputeStage.PRE_ARBITRATION, DisputeStage.ARBITRATION
NR, UR = DisputeStatus.NEEDS_RESPONSE, DisputeStatus.UNDER_REVIEW


def _at_pre_arbitration() -> Dispute:
    return make_dispute("visa", "13.1", stage=PRE)


@pytest.mark.parametrize(
    ("stage", "status", "expected"),
    [
        (CB, NR, None),
        (CB, UR, ("submit_evidence", {})),
        (CB, DisputeStatus.ACCEPTED, ("accept", {})),
        (CB, DisputeStatus.CLOSED, ("close", {})),
        (CB, DisputeStatus.WON, ("win", {})),
        (CB, DisputeStatus.LOST, ("lose", {})),
        (PRE, DisputeStatus.WON, ("win", {"stage": "pre_arbitration"})),
        (PRE, DisputeStatus.LOST, ("lose", {"stage": "pre_arbitration"})),
        (PRE, NR, ("open_pre_arbitration", {})),
        (PRE, UR, ("open_pre_arbitration", {"status": "under_review"})),
        (ARB, NR, ("open_arbitration", {})),
    ],
)
def test_the_event_and_data_for_each_report(
    stage: DisputeStage, status: DisputeStatus, expected: tuple[str, dict[str, str]] | None
) -> None:
    assert dispute_event_for(make_dispute(), stage, status) == expected


def test_an_expiry_names_who_reported_it() -> None:
    assert dispute_event_for(make_dispute(), CB, DisputeStatus.EXPIRED) == (
        "expire",
        {"reported_by": "provider"},
    )
    stripe = make_dispute(provider="stripe")
    assert dispute_event_for(stripe, CB, DisputeStatus.EXPIRED) == (
        "expire",
        {"reported_by": "stripe"},
    )
    expired = dispute.fire(stripe, "expire", now=at(1), reported_by="stripe")
    assert expired.status is DisputeStatus.EXPIRED


def test_an_earlier_stage_is_refused_with_every_field_of_the_refusal() -> None:
    d = _at_pre_arbitration()
    with pytest.raises(InvalidTransition) as exc:
        dispute_event_for(d, CB, DisputeStatus.WON)
    err = exc.value
    assert (err.machine, err.state, err.event, err.code) == (
        "dispute",
        "pre_arbitration:needs_response",
        "report",
        "not_reportable",
    )
    assert err.reason == "stages only move forward: pre_arbitration cannot go back to chargeback"


def test_back_to_needs_response_within_a_stage_is_refused() -> None:
    d = dispute.fire(make_dispute(), "submit_evidence", now=at(1))
    assert d.status is UR
    with pytest.raises(InvalidTransition) as exc:
        dispute_event_for(d, CB, NR)
    err = exc.value
    assert (err.machine, err.state, err.event, err.code) == (
        "dispute",
        "chargeback:under_review",
        "report",
        "not_reportable",
    )
    assert err.reason == "no event moves a dispute back to needs_response within its stage"


def test_the_events_returned_are_the_ones_the_machine_takes() -> None:
    d = make_dispute()
    for status in (UR, DisputeStatus.ACCEPTED, DisputeStatus.CLOSED, DisputeStatus.LOST):
        found = dispute_event_for(d, CB, status)
        assert found is not None
        event, data = found
        moved = dispute.fire(d, event, now=at(1), **data)
        assert (moved.stage, moved.status) == (CB, status)


def _under_review(**fields: object) -> Dispute:
    d = Dispute(
        id="dp_9",
        payment_id="pi_1",
        amount=eur("100"),
        opened_at=at(0),
        due_by=at(days=10),
        **fields,
    )
    return dispute.fire(d, "submit_evidence", now=at(days=1))


def test_an_uncatalogued_dispute_moves_to_the_stage_the_provider_reports() -> None:
    d = _under_review(network="jcb", reason_code="X1", catalogued=False)
    moved = dispute.fire(d, "open_arbitration", now=at(days=2), due_by=at(days=20).isoformat())
    assert (moved.stage, moved.status, moved.due_by) == (ARB, NR, at(days=20))
    visa = _under_review(network="visa", reason_code="13.1")
    with pytest.raises(InvalidTransition, match=r"13\.1 goes to pre_arbitration first"):
        dispute.fire(visa, "open_arbitration", now=at(days=2))


def test_accepting_keeps_the_known_deadline_or_records_the_providers() -> None:
    d = make_dispute()
    accepted = dispute.fire(d, "accept", now=at(days=1))
    assert d.due_by is not None
    assert accepted.due_by == d.due_by
    given = dispute.fire(d, "accept", now=at(days=1), due_by=at(days=3).isoformat())
    assert given.due_by == d.due_by
    unknown = make_dispute(due_by=None)
    assert unknown.due_by is None
    recorded = dispute.fire(unknown, "accept", now=at(days=1), due_by=at(days=5).isoformat())
    assert recorded.due_by == at(days=5)


def test_an_outcome_records_a_new_reason_code_only() -> None:
    d = make_dispute("visa", "13.1")
    assert dispute.fire(d, "lose", now=at(days=1), reason_code="13.2").reason_code == "13.2"
    assert dispute.fire(d, "win", now=at(days=1), reason_code="13.1").reason_code == "13.1"
    assert dispute.fire(d, "lose", now=at(days=1)).reason_code == "13.1"
    event = dispute.fire(d, "lose", now=at(days=1), reason_code="13.2").history[-1]
    assert event.data == {"reason_code": "13.2"}


def test_an_outcome_without_a_stage_is_at_the_disputes_stage() -> None:
    inquiry = make_dispute("visa", "30", stage=DisputeStage.INQUIRY)
    with pytest.raises(InvalidTransition) as exc:
        dispute.fire(inquiry, "win", now=at(days=1))
    assert exc.value.reason == "the outcome is at the inquiry stage"
    assert exc.value.code == "outcome_stage"


def test_an_unknown_outcome_stage_lists_the_known_ones() -> None:
    with pytest.raises(InvalidTransition) as exc:
        dispute.fire(make_dispute(), "win", now=at(days=1), stage="appeal")
    assert exc.value.reason == (
        "unknown stage 'appeal'; known: inquiry, chargeback, pre_arbitration, arbitration"
    )


def test_opening_refusals_carry_their_codes() -> None:
    d = dispute.fire(make_dispute(), "submit_evidence", now=at(days=1))
    with pytest.raises(InvalidTransition) as exc:
        dispute.fire(d, "open_arbitration", now=at(days=2))
    assert exc.value.code == "stage_not_next"
    with pytest.raises(InvalidTransition) as exc:
        dispute.fire(d, "open_pre_arbitration", now=at(days=2), due_by="next week")
    assert exc.value.reason == "due_by must be an ISO 8601 timezone-aware datetime"
    assert exc.value.code == "stage_not_next"
    with pytest.raises(InvalidTransition) as exc:
        dispute.fire(d, "open_pre_arbitration", now=at(days=2), status="won")
    assert exc.value.reason == "a stage opens as needs_response or under_review, not 'won'"
    assert exc.value.code == "opening_status"


def test_every_dispute_guard_says_what_it_checks() -> None:
    for tr in dispute.transitions():
        for g in tr.guards:
            assert g.__doc__, (tr.event, g.__name__)
    stage_guards = {g.__name__: g.__doc__ for tr in dispute.transitions() for g in tr.guards}
    assert stage_guards["next_stage_is_arbitration"] == (
        "The network and the reason code lead next to the arbitration stage."
    )
    assert stage_guards["opens_under_review"] == (
        "The new stage opens under_review (event data ``status``)."
    )


def test_the_machine_class_names_its_states_after_the_table() -> None:
    assert dispute.initial_state == "chargeback:needs_response"
    machine: Any = DisputeMachine  # states are class attributes built from the table
    assert machine.chargeback_needs_response.value == "chargeback:needs_response"
    state = machine.pre_arbitration_needs_response
    assert (state.value, state.name) == (
        "pre_arbitration:needs_response",
        "Pre-arbitration: needs response",
    )
    assert machine.inquiry_under_review.name == "Inquiry: under review"


def test_dispute_state_of_a_record_outside_the_table() -> None:
    record = SimpleNamespace(stage=DisputeStage.INQUIRY, status=DisputeStatus.WON)
    assert dispute_state(record) == "inquiry:won"
    assert dispute_state(make_dispute()) == "chargeback:needs_response"


def test_an_uncatalogued_dispute_gets_no_catalogue_deadline() -> None:
    d = _under_review(network="jcb", reason_code="X1", catalogued=False)
    moved = dispute.fire(d, "open_pre_arbitration", now=at(days=2))
    assert (moved.stage, moved.due_by) == (PRE, None)
