"""Resolution plans: which plan, anchored where, and the reasons that say so.

Written against the mutants `scripts/mutation.py policies` left alive in resolution.py and
in ``ResolutionContext.for_case``: the rule each reason names (dispute or claim plans), a
claim without a plan, steps counted from the opening or from now, and a dispute without a
response deadline.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from paysupport.errors import PolicyConfigError
from paysupport.models import ClaimKind, Dispute, Merchant, MerchantSegment, SupportCase, Tier
from paysupport.money import Money
from paysupport.policies import Resolution, ResolutionContext, Verdict

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)


def dispute(due_by: datetime | None = T0 + timedelta(days=30)) -> Dispute:
    return Dispute(
        id="dp_1",
        payment_id="pay_1",
        network="visa",
        reason_code="13.1",
        amount=Money.from_minor(5_000, "EUR"),
        opened_at=T0,
        due_by=due_by,
    )


def step(anchor: str, hours: int = 4, tier: str = "junior") -> dict[str, object]:
    return {
        "action": f"act_{anchor}",
        "tier": tier,
        "effect": "assign_case",
        "hours": hours,
        "anchor": anchor,
    }


def test_a_claim_without_a_plan_goes_to_review_by_a_middle_operator():
    p = Resolution(claim_plans={ClaimKind.REFUND_REQUEST: [step("now")]})
    d = p.decide(ResolutionContext(ClaimKind.OVERCHARGE, T0), NOW)
    assert (d.outcome, d.tier, d.policy) == (Verdict.REVIEW, Tier.MIDDLE, p.info)
    assert [r.to_dict() for r in d.reasons] == [
        {
            "code": "no_plan",
            "rule": "plans",
            "policy": "resolution",
            "message": "no resolution plan for a overcharge claim",
            "values": {"claim": "overcharge"},
        }
    ]


def test_a_claim_plan_is_named_by_its_claim_and_counts_from_the_opening_or_now():
    p = Resolution(claim_plans={ClaimKind.OVERCHARGE: [step("opened"), step("now", 2, "senior")]})
    d = p.decide(ResolutionContext(ClaimKind.OVERCHARGE, T0), NOW)
    assert (d.outcome, d.tier) == (Verdict.PLAN, Tier.SENIOR)
    assert [s.due for s in d.steps] == [T0 + timedelta(hours=4), NOW + timedelta(hours=2)]
    assert [r.to_dict() for r in d.reasons] == [
        {
            "code": "plan_for",
            "rule": "claim_plans",
            "policy": "resolution",
            "message": "plan for overcharge",
            "values": {"key": "overcharge"},
        }
    ]


def test_a_case_without_an_opening_counts_from_now():
    p = Resolution(claim_plans={ClaimKind.OVERCHARGE: [step("opened")]})
    d = p.decide(ResolutionContext(ClaimKind.OVERCHARGE), NOW)
    assert d.steps[0].due == NOW + timedelta(hours=4)


def test_a_dispute_plan_is_named_by_the_reason_key():
    d = Resolution().decide(ResolutionContext(ClaimKind.DISPUTE_RECEIVED, T0, dispute()), NOW)
    assert (d.reasons[0].code, d.reasons[0].rule, d.reasons[0].policy) == (
        "plan_for",
        "dispute_plans",
        "resolution",
    )
    assert d.reasons[0].value("key") == "visa:13.1"


def test_a_dispute_without_a_deadline_is_planned_for_now_and_says_so():
    d = Resolution().decide(ResolutionContext(ClaimKind.DISPUTE_RECEIVED, T0, dispute(None)), NOW)
    assert d.outcome is Verdict.PLAN
    assert all(s.due == NOW for s in d.steps)
    assert d.codes == ("plan_for", "no_deadline")
    assert d.reasons[1].to_dict() == {
        "code": "no_deadline",
        "rule": "due_by",
        "policy": "resolution",
        "message": "the dispute has no response deadline: act now",
        "values": {},
    }


def test_the_context_of_a_case_keeps_its_claim_opening_dispute_and_merchant():
    case = SupportCase(id="c", claim=ClaimKind.DISPUTE_RECEIVED, opened_at=T0)
    merchant = Merchant(id="m_1", name="Shop", segment=MerchantSegment.VIP)
    ctx = ResolutionContext.for_case(case, dispute(), merchant)
    assert (ctx.claim, ctx.opened_at, ctx.dispute, ctx.merchant) == (
        ClaimKind.DISPUTE_RECEIVED,
        T0,
        dispute(),
        merchant,
    )
    assert (ctx.currency, ctx.segment) == ("EUR", MerchantSegment.VIP)


def test_a_plan_key_is_normalised_or_refused_naming_the_key_and_rule():
    plan = [step("now")]
    keys = dict(Resolution(dispute_plans={" visa:13 ": plan, "*": plan}).dispute_plans)
    assert set(keys) == {"visa:13", "*"}
    for bad in ("", "   ", "not_a_category", "visa:99.99", 7):
        with pytest.raises(PolicyConfigError) as caught:
            Resolution(dispute_plans={bad: plan})
        assert caught.value.rule == "reason_key"
        assert caught.value.field.startswith("dispute_plans")
    with pytest.raises(PolicyConfigError) as caught:
        Resolution(dispute_plans={"not_a_category": plan})
    assert "'not_a_category' is neither" in caught.value.message
    assert "consumer_dispute" in caught.value.message
    with pytest.raises(PolicyConfigError) as caught:
        Resolution(dispute_plans={"visa:99.99": plan})
    assert "99.99" in caught.value.message


def test_steps_already_due_are_due_now_and_the_tight_deadline_is_named():
    p = Resolution()
    due = NOW + timedelta(hours=50)  # 13.1's first step is due 72 h before due_by minus margin
    d = p.decide(ResolutionContext(ClaimKind.DISPUTE_RECEIVED, T0, dispute(due)), NOW)
    assert (d.outcome, d.policy) == (Verdict.PLAN, p.info)
    assert d.steps[0].due == NOW
    tight = d.reasons[-1]
    assert (tight.code, tight.rule, tight.policy) == (
        "deadline_tight",
        "safety_margin_hours",
        "resolution",
    )
    assert dict(tight.values) == {"due_by": due, "margin_hours": p.safety_margin_hours}
