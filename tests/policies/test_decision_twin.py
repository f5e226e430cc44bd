"""The written-out inits of the decision and outcome records store through a mutable twin.

`paysupport.policies.decision._twin`: an instance of exactly the class is filled in the
class's twin (plain slot stores) and moved back; a subclass is filled by the slots' setters.
Either way the result is the frozen record attrs would build.
"""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

from paysupport.models import Tier
from paysupport.policies import decision
from paysupport.policies.decision import Decision, PolicyInfo, Reason, Step, Verdict
from paysupport.workflows import outcome
from paysupport.workflows.outcome import Change, Outcome, Transition

_AT = datetime(2026, 1, 1, tzinfo=UTC)
_INFO = PolicyInfo.of({"kind": "test"})
_REASON = Reason("too_late", "window", (("days", 3),), "{days} days", "test")
_CASES: list[tuple[type, tuple[Any, ...], Any, str]] = [
    (Reason, ("too_late", "window", (("days", 3),), "{days} days", "test"), decision, "_REASON"),
    (
        Decision,
        (Verdict.DENY, (_REASON,), _INFO, None, Tier.SENIOR, (), None, ()),
        decision,
        "_DECISION",
    ),
    (Step, ("collect", Tier.JUNIOR, _AT, "submit_evidence", ""), decision, "_STEP"),
    (Transition, ("refund", "re_1", None), outcome, "_TRANSITION"),
    (Change, (("payment", "pay_1"), 3, None), outcome, "_CHANGE"),
    (Outcome, ((), (), (), (), ()), outcome, "_OUTCOME"),
]


def _refuse(instance: Any, value: Any) -> None:
    raise AssertionError("a slot setter was called for an instance of exactly the class")


@pytest.mark.parametrize(("cls", "args", "module", "prefix"), _CASES)
def test_an_instance_of_the_class_is_filled_in_its_twin(
    cls: type, args: tuple[Any, ...], module: Any, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    setters = getattr(module, f"{prefix}_SETTERS")
    monkeypatch.setattr(module, f"{prefix}_SETTERS", tuple(_refuse for _ in setters))
    built = cls(*args)
    assert type(built) is cls
    assert attrs.astuple(built, recurse=False) == args
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.__setattr__(attrs.fields(cls)[0].name, None)
    assert pickle.loads(pickle.dumps(built)) == built
    assert attrs.evolve(built) == built


@pytest.mark.parametrize(("cls", "args", "module", "prefix"), _CASES)
def test_a_subclass_is_filled_by_the_setters(
    cls: type, args: tuple[Any, ...], module: Any, prefix: str
) -> None:
    sub = attrs.frozen(init=False)(type(f"My{cls.__name__}", (cls,), {}))
    built = sub(*args)
    assert type(built) is sub
    assert attrs.astuple(built, recurse=False) == args
