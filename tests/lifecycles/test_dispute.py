"""Example tests: every dispute transition and refusal, per network."""

from __future__ import annotations

from typing import Any

import pytest

from paysupport.errors import DeadlinePassed, InvalidTransition
from paysupport.lifecycles import dispute, dispute_state
from paysupport.models import Dispute
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
    with pytest.raises(InvalidTransition, match="no response is possible"):
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
    with pytest.raises(InvalidTransition, match="no response is possible"):
        fire(d, "submit_evidence", 32)
    assert dispute_state(fire(d, "reverse", 33)) == "arbitration:won"


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


@pytest.mark.parametrize(
    "event", ["win", "lose", "close", "open_chargeback", "open_pre_arbitration", "open_arbitration"]
)
def test_events_not_possible_while_needing_response(event: str) -> None:
    with pytest.raises(InvalidTransition, match="not possible from chargeback:needs_response"):
        fire(make_dispute(), event)


@pytest.mark.parametrize("final", ["accept", "expire"])
def test_final_states_refuse_everything(final: str) -> None:
    d = fire(make_dispute(), final, 1 if final == "accept" else 31)
    for event in dispute.events:
        with pytest.raises(InvalidTransition, match="a final state"):
            fire(d, event, 32)
