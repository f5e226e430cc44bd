"""A lifecycle over a plain pydantic model (not a PaysupportModel): refusals are typed too.

The engine supports any pydantic model with the state fields, ``history`` and ``version``.
A result that breaks the model's own validator is an `InvalidTransition` with the code
``model_rule`` naming what broke, whether the event changes one field or several; the
model given in is untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import pytest
from pydantic import BaseModel, model_validator
from statemachine import State

from paysupport.errors import InvalidTransition
from paysupport.lifecycles import Lifecycle, LifecycleMachine
from paysupport.models import LifecycleEvent
from tests.lifecycles._support import at


class Ticket(BaseModel):
    """A host's own ticket: a closed ticket scores at most 5."""

    status: str = "open"
    score: int = 0
    note: str = ""
    history: tuple[LifecycleEvent, ...] = ()
    version: int = 0

    @model_validator(mode="after")
    def _closed_scores_low(self) -> Ticket:
        if self.status == "closed" and self.score > 5:
            raise ValueError("a closed ticket scores at most 5")
        return self


def _close(t: Ticket, now: datetime, data: Mapping[str, str], actor: str | None) -> dict[str, Any]:
    return {k: data[k] for k in ("score", "note") if k in data}


class TicketMachine(LifecycleMachine):
    open = State("Open", value="open", initial=True)
    closed = State("Closed", value="closed", final=True)
    close = open.to(closed)
    lifecycle_name = "ticket"
    effects = MappingProxyType({"close": _close})


TICKETS: Lifecycle[Ticket] = Lifecycle(TicketMachine)


@pytest.mark.parametrize(
    "data",
    [{"score": "9"}, {"score": "9", "note": "two fields change"}],
    ids=["one field", "several fields"],
)
def test_a_broken_model_rule_is_a_typed_refusal(data: dict[str, str]) -> None:
    start = Ticket()
    with pytest.raises(InvalidTransition) as exc:
        TICKETS.fire(start, "close", now=at(1), **data)
    err = exc.value
    assert (err.machine, err.state, err.event, err.code) == (
        "ticket",
        "open",
        "close",
        "model_rule",
    )
    assert "a closed ticket scores at most 5" in str(err)
    assert start == Ticket()  # untouched


def test_several_changed_fields_are_validated_together() -> None:
    closed = TICKETS.fire(Ticket(), "close", now=at(1), score="4", note="fine")
    assert (closed.status, closed.score, closed.note, closed.version) == ("closed", 4, "fine", 1)
    assert type(closed.score) is int
    assert [(e.event, e.source, e.target) for e in closed.history] == [("close", "open", "closed")]
