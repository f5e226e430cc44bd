"""Example tests: every support-case transition and refusal."""

from __future__ import annotations

from typing import Any

import pytest

from paysupport.errors import InvalidTransition
from paysupport.lifecycles import REOPEN_WINDOW, case
from paysupport.models import SupportCase
from tests.lifecycles._support import at, make_case


def fire(c: SupportCase, event: str, hours: float = 1, **data: Any) -> SupportCase:
    return case.fire(c, event, now=at(hours), **data)


def working() -> SupportCase:
    c = fire(make_case(), "triage", 1, tier="junior", assignee="op_alice")
    return fire(c, "start", 2)


def test_happy_path() -> None:
    c = working()
    assert c.status.value == "in_progress" and c.tier is not None and c.tier.value == "junior"
    assert c.assignee == "op_alice"
    c = fire(c, "wait_on_customer", 3)
    assert c.status.value == "waiting_on_customer" and c.first_response_at == at(3)
    c = fire(c, "resume", 4)
    c = fire(c, "wait_on_network", 5)
    assert c.status.value == "waiting_on_network"
    c = fire(c, "resume", 6)
    c = fire(c, "resolve", 7)
    assert c.status.value == "resolved" and c.resolved_at == at(7)
    c = fire(c, "close", 8)
    assert c.status.value == "closed" and c.closed_at == at(8)
    for event in case.events:
        with pytest.raises(InvalidTransition, match="a final state"):
            fire(c, event, 9)


@pytest.mark.parametrize("tier", [None, "wizard"])
def test_triage_needs_a_tier(tier: str | None) -> None:
    data = {"tier": tier} if tier else {}
    with pytest.raises(InvalidTransition, match="needs 'tier'"):
        fire(make_case(), "triage", **data)


@pytest.mark.parametrize(
    "start", ["triaged", "in_progress", "waiting_on_customer", "waiting_on_network"]
)
def test_escalate_to_a_higher_tier(start: str) -> None:
    c = fire(make_case(), "triage", 1, tier="junior")
    if start != "triaged":
        c = fire(c, "start", 2)
    if start.startswith("waiting"):
        c = fire(c, start.replace("waiting", "wait"), 3)
    c = fire(c, "escalate", 4)
    assert c.status.value == "escalated" and c.tier is not None and c.tier.value == "middle"
    c = fire(c, "escalate", 5, tier="senior")
    assert c.tier is not None and c.tier.value == "senior"
    with pytest.raises(InvalidTransition, match="not above"):
        fire(c, "escalate", 6)
    with pytest.raises(InvalidTransition, match="not above"):
        fire(c, "escalate", 6, tier="junior")
    assert fire(c, "start", 7, assignee="op_bob").status.value == "in_progress"


def test_reopen_within_the_window() -> None:
    c = fire(working(), "resolve", 3)
    again = fire(c, "reopen", 3 + 24 * REOPEN_WINDOW.days - 1)
    assert again.status.value == "in_progress" and again.resolved_at is None
    assert again.contacts == c.contacts + 1
    with pytest.raises(InvalidTransition, match="open a new case"):
        fire(c, "reopen", 3 + 24 * REOPEN_WINDOW.days + 1)


def test_new_case_cannot_start_untriaged() -> None:
    with pytest.raises(InvalidTransition, match="not possible from new"):
        fire(make_case(), "start")
