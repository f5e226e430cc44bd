"""Resolution: the tight-deadline sentence in full and a step template's error paths.

Written against the mutants ``scripts/mutation.py policies/resolution.py`` left alive on the
snapshot at 4551560 (session 5): the ``deadline_tight`` template was not pinned, and
``StepTemplate.from_dict`` was never given a path.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from paysupport.errors import PolicyConfigError
from paysupport.models import ClaimKind, Dispute
from paysupport.money import Money
from paysupport.policies import Resolution, ResolutionContext, StepTemplate, Verdict

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)


def _dispute(due_by: datetime, code: str = "13.1") -> Dispute:
    return Dispute(
        id="dp_1",
        payment_id="pay_1",
        network="visa",
        reason_code=code,
        amount=Money.from_minor(5_000, "EUR"),
        opened_at=T0,
        due_by=due_by,
    )


def test_the_tight_deadline_reason_says_in_full_which_deadline_and_margin():
    due = NOW + timedelta(hours=50)
    d = Resolution().decide(ResolutionContext(ClaimKind.DISPUTE_RECEIVED, T0, _dispute(due)), NOW)
    assert d.reasons[-1].to_dict() == {
        "code": "deadline_tight",
        "rule": "safety_margin_hours",
        "policy": "resolution",
        "message": "some steps are already due (deadline 2026-03-03 15:00:00+00:00, margin 48 h): "
        "do them now",
        "values": {"due_by": "2026-03-03 15:00:00+00:00", "margin_hours": 48},
    }


def test_one_policy_plans_each_reason_code_with_its_own_plan():
    policy = Resolution()
    due = T0 + timedelta(days=30)
    plans = (("13.1", "collect_proof_of_delivery"), ("10.4", "check_authentication_and_avs"))
    for code, first in plans * 2:
        ctx = ResolutionContext(ClaimKind.DISPUTE_RECEIVED, T0, _dispute(due, code))
        d = policy.decide(ctx, NOW)
        assert (d.outcome, d.steps[0].action) == (Verdict.PLAN, first)


def test_a_step_template_names_the_missing_key_under_the_path_it_is_given():
    with pytest.raises(PolicyConfigError) as caught:
        StepTemplate.from_dict({"action": "call_back"})
    assert (caught.value.field, caught.value.rule) == ("tier", "missing_key")
    with pytest.raises(PolicyConfigError) as caught:
        StepTemplate.from_dict({"action": "call_back"}, "claim_plans.overcharge[0]")
    assert caught.value.field == "claim_plans.overcharge[0].tier"


def test_a_step_template_from_a_table_is_the_template_built_directly():
    data = {"action": "call_back", "tier": "senior", "effect": "notify_customer", "hours": 2}
    assert StepTemplate.from_dict(data, "p") == StepTemplate(
        "call_back", "senior", "notify_customer", 2
    )
