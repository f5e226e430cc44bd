"""What `Lifecycle.fire` does when an effect writes a field the model does not have.

A machine's effect is the host's code; one returning a name that is not a field of the
model is refused like any broken model rule (the model forbids extra fields): a typed
`InvalidTransition` naming the rule, the model given in untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Self

import pytest
from statemachine import State

from paysupport.errors import InvalidTransition
from paysupport.lifecycles import Lifecycle, LifecycleMachine
from paysupport.models import LifecycleEvent, PaysupportModel
from paysupport.models._base import model_rule, rule_error
from paysupport.pan import contains_pan
from tests.lifecycles._support import at
from tests.lifecycles.test_fast_build import JOBS, Job
from tests.lifecycles.test_plain_models import TICKETS, Ticket


# --------------------------------------------------------------------------- kept steps
class Jar(PaysupportModel):
    """A model with a rule decided by the state and a rule reading what an effect writes."""

    status: str = "open"
    level: int = 0
    note: str = ""
    history: tuple[LifecycleEvent, ...] = ()
    version: int = 0

    @model_rule
    def _not_cracked(self) -> Self:
        if self.status == "cracked":
            raise rule_error("status", "not_cracked", "a jar cannot be cracked")
        return self

    @model_rule
    def _level_fits(self) -> Self:
        if self.level > 10:
            raise rule_error("level", "level_fits", "a jar holds at most 10")
        return self


def _fill(jar: Jar, now: datetime, data: Mapping[str, str], actor: str | None) -> dict[str, Any]:
    return dict(data)


class JarMachine(LifecycleMachine):
    open = State("Open", value="open", initial=True)
    full = State("Full", value="full", final=True)
    fill = open.to(full)
    lifecycle_name = "jar"
    effects = MappingProxyType({"fill": _fill})


JARS: Lifecycle[Jar] = Lifecycle(JarMachine)


@pytest.mark.parametrize(
    "data", [{"colour": "red"}, {"note": "x", "colour": "red"}], ids=["alone", "with a field"]
)
def test_an_effect_writing_an_unknown_field_is_refused(data: dict[str, str]) -> None:
    start = Jar()
    with pytest.raises(InvalidTransition) as caught:
        JARS.fire(start, "fill", now=at(1), **data)
    err = caught.value
    assert (err.machine, err.state, err.event) == ("jar", "open", "fill")
    assert err.code == "model_rule"
    assert str(err).endswith("the result would break extra_forbidden")
    assert start == Jar() and start.history == () and start.version == 0


def test_an_effect_writing_known_fields_is_taken() -> None:
    done = JARS.fire(Jar(), "fill", now=at(2), actor="op_1")
    assert (done.status, done.version, len(done.history)) == ("full", 1, 1)
    entry = done.history[0]
    assert (entry.event, entry.source, entry.target, entry.at, entry.actor) == (
        "fill",
        "open",
        "full",
        at(2),
        "op_1",
    )


def test_a_kept_step_still_runs_the_rules_reading_what_the_effect_writes() -> None:
    # The first fill passes every rule, so the rule decided by the state is left out of
    # the kept step; the rule reading ``level`` must still refuse a later fill.
    assert JARS.fire(Jar(), "fill", now=at(1), level="5").level == 5
    for level in ("11", "50"):
        with pytest.raises(InvalidTransition) as caught:
            JARS.fire(Jar(), "fill", now=at(1), level=level)
        assert caught.value.code == "model_rule"
        assert str(caught.value).endswith("the result would break level_fits")
    assert JARS.fire(Jar(), "fill", now=at(2), level="10").level == 10


def test_a_card_number_an_effect_writes_is_refused() -> None:
    # ``note`` is a plain text field: a full card number there is refused, whether the
    # step that writes it is new or kept from an earlier event.
    JARS.fire(Jar(), "fill", now=at(1), note="first")
    for _ in range(2):
        with pytest.raises(InvalidTransition) as caught:
            JARS.fire(Jar(), "fill", now=at(1), note="card 4111 1111 1111 1111 here")
        assert caught.value.code == "model_rule"
        assert str(caught.value).endswith("the result would break no_full_card_number")
        assert not contains_pan(str(caught.value))


def test_the_history_entry_is_the_event_as_a_person_would_write_it() -> None:
    jar = JARS.fire(Jar(), "fill", now=at(3))
    assert jar.history == (LifecycleEvent(event="fill", source="open", target="full", at=at(3)),)
    again = JARS.fire(Jar(), "fill", now=at(4), actor="op_7", reason="topped up", level="2")
    assert again.history == (
        LifecycleEvent(
            event="fill",
            source="open",
            target="full",
            at=at(4),
            actor="op_7",
            reason="topped up",
            data={"level": "2"},
        ),
    )


def test_a_plain_pydantic_model_records_who_when_and_why() -> None:
    closed = TICKETS.fire(Ticket(), "close", now=at(5), actor="op_2", reason="solved", score="3")
    (entry,) = closed.history
    assert (entry.event, entry.source, entry.target) == ("close", "open", "closed")
    assert (entry.at, entry.actor, entry.reason) == (at(5), "op_2", "solved")
    assert dict(entry.data) == {"score": "3"}


def test_the_bound_machine_refuses_a_result_that_breaks_a_rule() -> None:
    # The python-statemachine route (``bind``) builds through the same engine: a result
    # breaking a model rule is the same typed refusal, and the bound model is unchanged.
    machine = JARS.bind(Jar())
    with pytest.raises(InvalidTransition) as caught:
        machine.fire("fill", now=at(1), level="50")
    err = caught.value
    assert (err.machine, err.state, err.event, err.code) == ("jar", "open", "fill", "model_rule")
    assert str(err).endswith("the result would break level_fits")
    assert machine.aggregate == Jar()
    machine.fire("fill", now=at(1), level="5")
    assert (machine.aggregate.status, machine.aggregate.level) == ("full", 5)


# --------------------------------------------------------------------------- outside values
@pytest.mark.parametrize("given", [{"actor": 123}, {"reason": 5}], ids=["actor", "reason"])
def test_an_actor_or_reason_that_is_not_text_is_refused(given: dict[str, Any]) -> None:
    with pytest.raises(InvalidTransition) as caught:
        JOBS.fire(Job(), "finish", now=at(1), **given)
    assert caught.value.code == "model_rule"
    assert str(caught.value).endswith("the result would break string_type")


def test_a_card_number_in_event_data_or_reason_is_masked_in_the_history() -> None:
    # 411111111117 is the shortest card number (12 digits, Luhn-valid): exactly at the
    # length below which no text is scanned.
    done = JOBS.fire(Job(), "finish", now=at(1), reason="411111111117", note="4111 1111 1111 1111")
    (entry,) = done.history
    assert entry.reason == "[card ending 1117]"
    assert dict(entry.data) == {"note": "[card ending 1111]"}
    with pytest.raises(InvalidTransition) as caught:
        JOBS.fire(Job(), "finish", now=at(1), actor="411111111117")
    assert str(caught.value).endswith("the result would break no_full_card_number")
