"""``Lifecycle.fire(..., also=...)``: the caller's field changes in the event's new model."""

from __future__ import annotations

from datetime import timedelta

import pytest

from paysupport.errors import InvalidTransition, ValidationFailed
from paysupport.lifecycles import case
from paysupport.workflows._build import Builder
from tests.lifecycles._support import at, make_case


def test_also_changes_a_field_in_the_same_model_as_the_event() -> None:
    c = make_case()
    due = c.opened_at + timedelta(hours=4)
    b = Builder()
    new = b.fire(case, c, "triage", now=at(1), tier="junior", also={"sla_due_at": due})
    by_evolve = case.fire(c.evolve(sla_due_at=due), "triage", now=at(1), tier="junior")
    assert new == by_evolve
    assert new.version == c.version + 1
    assert "sla_due_at" not in new.history[-1].data
    assert b.transitions[-1].event is new.history[-1]


def test_also_is_validated_and_rule_checked_as_the_event_changes_are() -> None:
    c = make_case()
    # refused as a bad value an event's effect writes is: the event is not allowed
    with pytest.raises(InvalidTransition, match="datetime"):
        case.fire(c, "triage", now=at(1), tier="junior", also={"sla_due_at": "soon"})
    before_opening = c.opened_at - timedelta(hours=1)
    with pytest.raises(ValidationFailed):
        c.evolve(sla_due_at=before_opening)  # the rule the fire must run too
    with pytest.raises(InvalidTransition, match="would break"):
        case.fire(c, "triage", now=at(1), tier="junior", also={"sla_due_at": before_opening})


@pytest.mark.parametrize("field", ["status", "history", "version", "tier"])
def test_also_may_not_set_what_the_event_sets(field: str) -> None:
    with pytest.raises(ValidationFailed, match="cannot be given") as err:
        case.fire(make_case(), "triage", now=at(1), tier="junior", also={field: None})
    assert err.value.field == "also"


def test_an_event_data_item_named_also_is_refused_by_name() -> None:
    # `also` is fire's keyword (as now, actor and reason are), not an event data name
    with pytest.raises(ValidationFailed, match="keyword of fire") as err:
        Builder().fire(case, make_case(), "triage", now=at(1), tier="junior", data={"also": "x"})
    assert (err.value.field, err.value.rule) == ("also", "field_changes")
