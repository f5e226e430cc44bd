"""What `Lifecycle.fire` does when an effect writes a field the model does not have.

A machine's effect is the host's code; one returning a name that is not a field of the
model is refused like any broken model rule (the model forbids extra fields): a typed
`InvalidTransition` naming the rule, the model given in untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import pytest
from statemachine import State

from paysupport.errors import InvalidTransition
from paysupport.lifecycles import Lifecycle, LifecycleMachine
from tests.lifecycles._support import at
from tests.lifecycles.test_fast_build import Job


def _paint(job: Job, now: datetime, data: Mapping[str, str], actor: str | None) -> dict[str, Any]:
    return dict(data)


class PaintMachine(LifecycleMachine):
    open = State("Open", value="open", initial=True)
    done = State("Done", value="done", final=True)
    finish = open.to(done)
    lifecycle_name = "paint"
    effects = MappingProxyType({"finish": _paint})


PAINT: Lifecycle[Job] = Lifecycle(PaintMachine)


@pytest.mark.parametrize(
    "data", [{"colour": "red"}, {"label": "x", "colour": "red"}], ids=["alone", "with a field"]
)
def test_an_effect_writing_an_unknown_field_is_refused(data: dict[str, str]) -> None:
    start = Job()
    with pytest.raises(InvalidTransition) as caught:
        PAINT.fire(start, "finish", now=at(1), **data)
    err = caught.value
    assert (err.machine, err.state, err.event) == ("paint", "open", "finish")
    assert err.code == "model_rule"
    assert str(err).endswith("the result would break extra_forbidden")
    assert start == Job() and start.history == () and start.version == 0


def test_an_effect_writing_known_fields_is_taken() -> None:
    done = PAINT.fire(Job(), "finish", now=at(2), actor="op_1")
    assert (done.status, done.version, len(done.history)) == ("done", 1, 1)
    entry = done.history[0]
    assert (entry.event, entry.source, entry.target, entry.at, entry.actor) == (
        "finish",
        "open",
        "done",
        at(2),
        "op_1",
    )
