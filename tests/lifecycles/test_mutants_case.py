"""Support-case escalation, first response and assignee; ``lifecycle_for``'s refusal.

Written against the mutants that survived ``scripts/mutation.py lifecycles`` (docs/testing.md):
escalation was checked from the junior tier only (where "the next tier" and "middle" agree),
the first response only on a case that had none, and the assignee on escalation not at all.
"""

from __future__ import annotations

import pytest

from paysupport.errors import InvalidTransition, NotFound
from paysupport.lifecycles import case, lifecycle_for
from paysupport.models import CaseStatus, SupportCase, Tier
from paysupport.money import Money
from tests.lifecycles._support import at, make_case


def _working(tier: str = "junior") -> SupportCase:
    c = case.fire(make_case(), "triage", now=at(1), tier=tier)
    return case.fire(c, "start", now=at(2))


def test_escalation_goes_to_the_named_tier() -> None:
    c = case.fire(_working("junior"), "escalate", now=at(3), tier="senior")
    assert (c.status, c.tier) == (CaseStatus.ESCALATED, Tier.SENIOR)


def test_escalation_without_a_tier_goes_one_tier_up() -> None:
    c = case.fire(_working("middle"), "escalate", now=at(3))
    assert c.tier is Tier.SENIOR
    c = case.fire(_working("junior"), "escalate", now=at(3))
    assert c.tier is Tier.MIDDLE


def test_an_untriaged_case_escalates_to_middle() -> None:
    c = case.fire(make_case(status="in_progress"), "escalate", now=at(3))
    assert c.tier is Tier.MIDDLE


def test_a_named_tier_that_is_not_one_is_refused() -> None:
    with pytest.raises(InvalidTransition, match="tier 'boss' is not one of junior, middle, senior"):
        case.fire(_working(), "escalate", now=at(3), tier="boss")
    with pytest.raises(InvalidTransition, match="event data needs 'tier', one of junior"):
        case.fire(make_case(), "triage", now=at(1), tier="")


def test_escalation_sets_or_clears_the_assignee() -> None:
    started = case.fire(
        case.fire(make_case(), "triage", now=at(1), tier="junior"),
        "start",
        now=at(2),
        assignee="op_alice",
    )
    assert started.assignee == "op_alice"
    to_carol = case.fire(started, "escalate", now=at(3), assignee="op_carol")
    assert to_carol.assignee == "op_carol"
    unassigned = case.fire(started, "escalate", now=at(3))
    assert unassigned.assignee is None


def test_the_first_response_is_kept_when_resolving_later() -> None:
    c = case.fire(_working(), "wait_on_customer", now=at(3))
    assert c.first_response_at == at(3)
    c = case.fire(c, "resume", now=at(4))
    c = case.fire(c, "resolve", now=at(5))
    assert (c.first_response_at, c.resolved_at) == (at(3), at(5))


def test_resolving_is_the_first_response_when_there_was_none() -> None:
    c = case.fire(_working(), "resolve", now=at(5))
    assert (c.first_response_at, c.resolved_at) == (at(5), at(5))


def test_lifecycle_for_names_what_it_looked_for() -> None:
    with pytest.raises(NotFound) as missing:
        lifecycle_for(Money.of("1", "EUR"))
    err = missing.value
    assert (err.kind, err.id, err.field) == ("lifecycle", "Money", "model")
