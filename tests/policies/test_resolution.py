"""Resolution plans: per claim kind and per reason key, deadlines from due_by minus margin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from policy_factories import T0

from paysupport.errors import PolicyConfigError
from paysupport.models import ClaimKind, Dispute, SupportCase, Tier
from paysupport.money import Money
from paysupport.policies import Resolution, ResolutionContext, StepTemplate, Verdict

P = Resolution()
DUE = T0 + timedelta(days=30)
NOW = T0 + timedelta(days=1)


def dispute(code="13.1", network="visa", due=DUE):
    return Dispute(
        id="dp_1",
        payment_id="pay_1",
        network=network,
        reason_code=code,
        amount=Money.from_minor(5_000, "EUR"),
        opened_at=T0,
        due_by=due,
    )


def test_visa_13_1_plan():
    d = P.decide(ResolutionContext(ClaimKind.DISPUTE_RECEIVED, T0, dispute()), NOW)
    assert d.outcome is Verdict.PLAN
    assert d.codes == ("plan_for",)
    assert d.reasons[0].value("key") == "visa:13.1"
    actions = [(s.action, s.tier, s.effect, s.condition) for s in d.steps]
    assert actions == [
        ("collect_proof_of_delivery", Tier.JUNIOR, "request_evidence", ""),
        ("submit_evidence", Tier.MIDDLE, "submit_evidence", "evidence_on_file"),
        ("accept_dispute", Tier.MIDDLE, "accept_dispute", "no_evidence"),
    ]
    margin = timedelta(hours=48)
    assert d.steps[0].due == DUE - margin - timedelta(hours=72)
    assert d.steps[1].due == DUE - margin  # before the deadline minus the safety margin
    assert d.tier is Tier.MIDDLE


@pytest.mark.parametrize(
    ("network", "code", "key"),
    [
        ("visa", "13.1", "visa:13.1"),
        ("visa", "13.2", "consumer_dispute"),
        ("visa", "10.4", "fraud"),
        ("mastercard", "4834", "processing_error"),
        ("amex", "A01", "authorization"),
    ],
)
def test_most_specific_plan_wins(network, code, key):
    p = Resolution(
        dispute_plans={
            **dict(P.dispute_plans),
            "authorization": [
                {"action": "check_auth", "tier": "junior", "effect": "request_evidence"}
            ],
        }
    )
    d = p.decide(ResolutionContext(ClaimKind.DISPUTE_RECEIVED, T0, dispute(code, network)), NOW)
    assert d.reasons[0].value("key") == key


def test_family_key():
    p = Resolution(dispute_plans={"visa:13": [{"action": "a", "tier": "senior", "effect": "e"}]})
    d = p.decide(ResolutionContext(ClaimKind.DISPUTE_RECEIVED, T0, dispute("13.5")), NOW)
    assert d.reasons[0].value("key") == "visa:13"
    assert d.steps[0].due == NOW + timedelta(hours=24)  # anchor now by default


@pytest.mark.parametrize("claim", list(ClaimKind))
def test_every_claim_kind_has_a_plan(claim):
    d = P.decide(ResolutionContext(claim, T0), NOW)
    assert d.outcome is Verdict.PLAN
    assert d.steps
    assert all(s.due >= NOW for s in d.steps)


def test_claim_plan_counts_from_opening():
    case = SupportCase(id="c", claim=ClaimKind.DUPLICATE_CHARGE, opened_at=T0)
    d = P.decide(ResolutionContext.for_case(case), T0)
    assert d.steps[0].due == T0 + timedelta(hours=4)


@pytest.mark.parametrize(
    ("now", "tight"),
    [
        (DUE - timedelta(hours=48 + 72), False),  # exactly when the first step is due
        (DUE - timedelta(hours=48 + 72) + timedelta(seconds=1), True),
        (DUE + timedelta(days=1), True),
    ],
)
def test_tight_deadlines_are_due_now(now, tight):
    d = P.decide(ResolutionContext(ClaimKind.DISPUTE_RECEIVED, T0, dispute()), now)
    assert ("deadline_tight" in d.codes) is tight
    assert all(s.due >= now for s in d.steps)


def test_no_deadline():
    d = P.decide(ResolutionContext(ClaimKind.DISPUTE_RECEIVED, T0, dispute(due=None)), NOW)
    assert "no_deadline" in d.codes


def test_missing_plan_goes_to_review():
    p = Resolution(claim_plans={}, dispute_plans={})
    d = p.decide(ResolutionContext(ClaimKind.OVERCHARGE, T0), NOW)
    assert (d.outcome, d.codes) == (Verdict.REVIEW, ("no_plan",))


@pytest.mark.parametrize(
    ("data", "field", "rule"),
    [
        ({"dispute_plans": {"visa:99": []}}, "dispute_plans.visa:99", "reason_key"),
        ({"dispute_plans": {"fraud": []}}, "dispute_plans.fraud", "too_short"),
        ({"claim_plans": {"refund": []}}, "claim_plans.refund", "unknown_value"),
        (
            {"claim_plans": {"overcharge": [{"action": "a", "tier": "boss", "effect": "e"}]}},
            "claim_plans.overcharge.0.tier",
            "unknown_value",
        ),
        (
            {
                "claim_plans": {
                    "overcharge": [
                        {"action": "a", "tier": "junior", "effect": "e", "anchor": "later"}
                    ]
                }
            },
            "claim_plans.overcharge.0.anchor",
            "unknown_value",
        ),
    ],
)
def test_config_errors_name_the_key(data, field, rule):
    with pytest.raises(PolicyConfigError) as exc:
        Resolution.from_dict(data)
    assert (exc.value.field, exc.value.rule) == (field, rule)


def test_step_template_builds_from_a_dict():
    t = StepTemplate.from_dict({"action": "a", "tier": "junior", "effect": "e", "hours": 2})
    assert t == StepTemplate("a", Tier.JUNIOR, "e", 2)


def test_a_used_policy_plans_as_a_fresh_one():
    """Plans are found once per claim and reason code: later cases get the same plans, and a
    dispute without a plan of its own still gets the plan of each case's claim."""

    def make():
        return Resolution(dispute_plans={"visa:10.4": [_step("a")]}, safety_margin_hours=1)

    used = make()
    cases = [
        (claim, dp, now)
        for claim in (
            ClaimKind.DISPUTE_RECEIVED,
            ClaimKind.DUPLICATE_CHARGE,
            ClaimKind.FAILED_PAYMENT,
        )
        for dp in (None, dispute(), dispute(code="10.4"), dispute(due=None))
        for now in (NOW, DUE)
    ]
    for _ in range(2):
        for claim, dp, now in cases:
            ctx = ResolutionContext(claim, T0, dp)
            assert used.decide(ctx, now) == make().decide(ctx, now)
    plans = {
        used.decide(ResolutionContext(c, T0, dispute()), NOW).steps[0].action for c, _, _ in cases
    }
    assert len(plans) == 3  # the 13.1 dispute has no plan: each claim's own plan applies


def _step(action):
    return {"action": action, "tier": "senior", "effect": "x", "hours": 2, "anchor": "due_by"}
