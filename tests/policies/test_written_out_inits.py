"""The hot records' written-out ``__init__``s behave as attrs' generated ones did."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import attrs
import pytest

from paysupport.errors import ValidationFailed
from paysupport.models import LifecycleEvent, Tier
from paysupport.money import Money
from paysupport.policies import Decision, PolicyInfo, Reason, Step, Verdict
from paysupport.workflows import Outcome
from paysupport.workflows.outcome import Change, Note, Transition

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)
INFO = PolicyInfo.of({"kind": "refund_fairness", "limit": 3})
WHY = Reason("over_limit", "limit", (("limit", 3),), "over {limit}", "refund_fairness")
EVENT = LifecycleEvent(event="approve", source="a", target="b", at=AT)


def _samples() -> list[object]:
    step = Step("collect_proof", Tier.JUNIOR, AT, "submit_evidence", "no_evidence")
    decision = Decision(
        Verdict.REVIEW,
        (WHY,),
        INFO,
        amount=Money.of("12.34", "EUR"),
        tier=Tier.MIDDLE,
        steps=(step,),
        parts=(Decision(Verdict.APPROVE, (), INFO),),
    )
    return [
        WHY,
        Reason("plain", "rule"),
        step,
        Step("a", Tier.SENIOR, AT, "e"),
        decision,
        Note("stale_event", "older than the last"),
        Note("x"),
        Transition("refund", "re_1", EVENT),
        Change(("payment", "pay_1"), 3, decision),  # any value: the record does not check it
        Outcome((decision,), notes=(Note("x"),)),
        Outcome(),
    ]


@pytest.mark.parametrize("record", _samples(), ids=lambda r: type(r).__name__)
def test_fields_keywords_evolve_pickle_and_frozenness(record: object) -> None:
    cls = type(record)
    values = attrs.asdict(record, recurse=False)  # type: ignore[arg-type]
    assert list(values) == [a.name for a in attrs.fields(cls)]
    again = cls(**values)
    assert again == record and hash(again) == hash(record)
    assert repr(again) == repr(record)
    assert attrs.evolve(record) == record  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(record)) == record
    first = attrs.fields(cls)[0].name
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(record, first, None)


def test_defaults_are_attrs_defaults() -> None:
    for cls in (Reason, Step, Decision, Note, Outcome):
        fields = attrs.fields(cls)
        built = {
            Reason: lambda: Reason("c", "r"),
            Step: lambda: Step("a", Tier.JUNIOR, AT, "e"),
            Decision: lambda: Decision(Verdict.APPROVE, (), INFO),
            Note: lambda: Note("c"),
            Outcome: Outcome,
        }[cls]()
        for a in fields:
            if a.default is not attrs.NOTHING:
                assert getattr(built, a.name) == a.default, (cls, a.name)


def test_checks_still_refuse() -> None:
    with pytest.raises(ValidationFailed) as caught:
        Decision("approve", (), INFO)  # type: ignore[arg-type]
    assert (caught.value.field, caught.value.rule) == ("outcome", "verdict_expected")
    with pytest.raises(ValidationFailed) as caught:
        Decision(Verdict.DENY, (), INFO)
    assert (caught.value.field, caught.value.rule) == ("reasons", "reason_required")
    with pytest.raises(ValidationFailed) as caught:
        Reason("Not-Snake", "rule")
    assert caught.value.field == "code"
    with pytest.raises(ValidationFailed) as caught:
        Reason("code", "")
    assert caught.value.field == "rule"
    with pytest.raises(ValidationFailed) as caught:
        Reason("code", "rule", (("a", 1),), "{a} and {b}")
    assert (caught.value.field, caught.value.rule) == ("template", "unrecorded_value")
    with pytest.raises(ValidationFailed):
        attrs.evolve(WHY, template="{nothing}")
    with pytest.raises(TypeError):
        Outcome((), (), (), (), (), ())  # type: ignore[call-arg]
