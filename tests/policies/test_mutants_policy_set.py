"""PolicySet refuses a policy of the wrong kind when built directly, and reads as one line.

Written against the mutants `scripts/mutation.py policies` left alive in policy_set.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from paysupport.errors import PolicyConfigError
from paysupport.models import Priority
from paysupport.policies import (
    EscalationContext,
    EscalationTier,
    FirstMatch,
    Fixed,
    PolicySet,
    RefundContext,
    RefundFairness,
    Verdict,
)
from paysupport.policies.policy_set import context_of


class Unannotated:
    def decide(self, ctx, now):  # no annotation: the set cannot tell what it decides
        raise NotImplementedError

    def to_dict(self) -> dict[str, str]:
        return {"kind": "unannotated"}


class OwnRefundRule:
    def decide(self, ctx: RefundContext, now: datetime):
        raise NotImplementedError

    def to_dict(self) -> dict[str, str]:
        return {"kind": "own_refund_rule"}


def test_a_policy_of_another_kind_is_refused_naming_the_slot_and_both_kinds():
    with pytest.raises(PolicyConfigError) as caught:
        PolicySet(refund=EscalationTier())
    assert (caught.value.field, caught.value.rule) == ("refund", "wrong_policy_kind")
    assert "refund needs a policy that decides RefundContext" in caught.value.message
    assert "EscalationTier decides EscalationContext" in caught.value.message


def test_a_policy_that_does_not_say_what_it_decides_is_refused():
    with pytest.raises(PolicyConfigError) as caught:
        PolicySet(escalation=Unannotated())
    assert (caught.value.field, caught.value.rule) == ("escalation", "wrong_policy_kind")
    assert "Unannotated does not say what it decides" in caught.value.message


def test_a_rule_for_any_context_or_an_annotated_own_rule_is_accepted():
    assert PolicySet(refund=Fixed(Verdict.DENY)).refund == Fixed(Verdict.DENY)
    own = OwnRefundRule()
    assert PolicySet(refund=own).refund is own


def test_each_slot_defaults_to_a_fresh_built_in():
    assert isinstance(PolicySet().refund, RefundFairness)
    assert PolicySet().escalation == EscalationTier()


def test_the_repr_names_each_policy_kind_on_one_line():
    text = repr(PolicySet(refund=Fixed(Verdict.DENY)))
    assert text == (
        "PolicySet(refund=Fixed(...), escalation=EscalationTier(...), "
        "authority=OperatorAuthority(...), resolution=Resolution(...), "
        "dispute_response=DisputeResponse(...), retry=RetrySchedule(...))"
    )


def test_a_priority_without_an_sla_has_none():
    ps = PolicySet(sla_hours={Priority.HIGH: 4})
    assert ps.sla_for(Priority.HIGH) == timedelta(hours=4)
    assert ps.sla_for(Priority.LOW) is None


def test_errors_from_a_toml_table_name_the_full_dotted_path():
    with pytest.raises(PolicyConfigError) as caught:
        PolicySet.from_toml("[team.policies]\nsla_hours = { high = 0 }\n", "team.policies")
    assert caught.value.field == "team.policies.sla_hours.high"
    with pytest.raises(PolicyConfigError) as caught:
        PolicySet.from_dict({"sla_hours": {"high": 0}}, "base")
    assert caught.value.field == "base.sla_hours.high"


class NoDecide:
    def to_dict(self) -> dict[str, str]:
        return {"kind": "no_decide"}


class DecidesNothing:
    def decide(self):  # no context parameter at all
        raise NotImplementedError


class DecidesAny:
    def decide(self, ctx: Any, now: datetime):
        raise NotImplementedError


def test_what_a_policy_decides_is_read_from_its_context_or_its_annotation():
    assert context_of(OwnRefundRule()) is RefundContext
    assert context_of(EscalationTier()) is EscalationContext
    assert context_of(Fixed(Verdict.DENY)) is object
    for unsaid in (NoDecide(), DecidesNothing(), DecidesAny(), Unannotated()):
        assert context_of(unsaid) is None


def test_a_combinator_decides_what_all_its_inner_policies_decide():
    assert context_of(FirstMatch((Fixed(Verdict.PASS), RefundFairness()))) is RefundContext
    assert context_of(FirstMatch((Fixed(Verdict.PASS), Fixed(Verdict.DENY)))) is object
    assert context_of(FirstMatch((RefundFairness(), EscalationTier()))) is None
    assert context_of(FirstMatch((RefundFairness(), Unannotated()))) is None
