"""Escalation: every rule's reason names its rule and policy, defaults hold, SLA edges.

Written against the mutants `scripts/mutation.py policies` left alive in escalation.py's
``EscalationTier``: the reasons a decision gives (code, rule, policy, values) for a case that
fires every rule, kinds missing from a tier table (junior), amount bands with an extra bound,
and the SLA window at its edges.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from paysupport.models import ClaimKind, Dispute, Merchant, MerchantSegment, SupportCase, Tier
from paysupport.money import Money
from paysupport.networks import DisputeStage
from paysupport.policies import EscalationContext, EscalationTier, Verdict

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def eur(minor: int, code: str = "EUR") -> Money:
    return Money.from_minor(minor, code)


def case(
    claim: ClaimKind = ClaimKind.REFUND_REQUEST, contacts: int = 1, sla_hours: int | None = None
) -> SupportCase:
    due = None if sla_hours is None else T0 + timedelta(hours=sla_hours)
    return SupportCase(id="case_1", claim=claim, opened_at=T0, contacts=contacts, sla_due_at=due)


def dispute(stage: DisputeStage) -> Dispute:
    return Dispute(
        id="dp_1",
        payment_id="pay_1",
        network="visa",
        reason_code="13.1",
        amount=eur(1_000),
        opened_at=T0,
        due_by=T0 + timedelta(days=30),
        stage=stage,
    )


def explained(d) -> list[tuple[str, str, str, dict[str, object]]]:
    return [(r.code, r.rule, r.policy, r.to_dict()["values"]) for r in d.reasons]


def test_a_case_firing_every_rule_explains_each_with_its_rule_and_policy():
    p = EscalationTier()
    ctx = EscalationContext(
        case(ClaimKind.UNRECOGNIZED_CHARGE, contacts=3, sla_hours=4),
        amount=eur(20_000),
        dispute=dispute(DisputeStage.PRE_ARBITRATION),
        merchant=Merchant(id="m_1", name="Shop", segment=MerchantSegment.VIP),
        fraud_signal=True,
    )
    d = p.decide(ctx, T0 + timedelta(hours=3, minutes=30))
    assert (d.outcome, d.tier, d.amount, d.policy) == (
        Verdict.ASSIGN,
        Tier.SENIOR,
        eur(20_000),
        p.info,
    )
    money = {"minor": 20_000, "currency": "EUR"}
    assert explained(d) == [
        (
            "amount_band",
            "amount_bands",
            "escalation_tier",
            {
                "amount": money,
                "bands": [10_000, 100_000],
                "middle_from": {"minor": 10_000, "currency": "EUR"},
                "senior_from": {"minor": 100_000, "currency": "EUR"},
                "tier": "middle",
            },
        ),
        (
            "claim_kind",
            "claim_tiers",
            "escalation_tier",
            {"claim": "unrecognized_charge", "tier": "middle"},
        ),
        (
            "dispute_stage",
            "stage_tiers",
            "escalation_tier",
            {"stage": "pre_arbitration", "tier": "senior"},
        ),
        (
            "fraud_signal",
            "fraud_tier",
            "escalation_tier",
            {"signals": ["host_signal", "unrecognized_charge"], "tier": "middle"},
        ),
        (
            "merchant_segment",
            "segment_tiers",
            "escalation_tier",
            {"segment": "vip", "tier": "senior"},
        ),
        (
            "repeat_contact",
            "repeat_contacts",
            "escalation_tier",
            {"contacts": 3, "limit": 3, "tier": "middle"},
        ),
        (
            "sla_near_breach",
            "sla_bump_at",
            "escalation_tier",
            {
                "left": "0:30:00",
                "window": "4:00:00",
                "threshold": "0.25",
                "from_tier": "senior",
                "tier": "senior",
            },
        ),
    ]


def test_a_currency_without_bands_is_explained_as_such():
    d = EscalationTier().decide(EscalationContext(case(), amount=eur(5, "CHF")), T0)
    assert explained(d) == [
        (
            "no_band_for_currency",
            "amount_bands",
            "escalation_tier",
            {"amount": {"minor": 5, "currency": "CHF"}, "bands": None, "tier": "middle"},
        )
    ]


def test_kinds_missing_from_the_tier_tables_need_only_a_junior():
    p = EscalationTier(claim_tiers={}, stage_tiers={}, segment_tiers={})
    ctx = EscalationContext(
        case(ClaimKind.UNRECOGNIZED_CHARGE),
        amount=eur(1),
        dispute=dispute(DisputeStage.ARBITRATION),
        merchant=Merchant(id="m_1", name="Shop", segment=MerchantSegment.VIP),
    )
    d = p.decide(ctx, T0)
    assert d.tier is Tier.MIDDLE  # the fraud signal of an unrecognized charge only
    assert d.codes == ("fraud_signal",)


def test_the_routine_answer_names_the_escalation_policy():
    d = EscalationTier().decide(EscalationContext(case(), amount=eur(1)), T0)
    assert explained(d) == [("routine", "default", "escalation_tier", {})]


def test_a_bound_after_the_senior_one_changes_neither_the_tier_nor_its_explanation():
    p = EscalationTier(amount_bands={"EUR": [100, 200, 300]})
    d = p.decide(EscalationContext(case(), amount=eur(250)), T0)
    assert d.tier is Tier.SENIOR
    assert d.reasons[0].value("senior_from") == eur(200)  # the bound that made it senior
    assert d.reasons[0].value("middle_from") == eur(100)


def test_near_breach_at_the_edges_of_the_window():
    p = EscalationTier(sla_bump_at=Decimal("0.25"))
    due = T0 + timedelta(hours=4)
    assert p.near_breach(T0, due, due - timedelta(hours=1))  # exactly a quarter left
    assert not p.near_breach(T0, due, due - timedelta(hours=1, microseconds=1))
    assert p.near_breach(T0, T0, T0 - timedelta(hours=1))  # an empty window is always near
    assert not p.near_breach(T0, T0 + timedelta(microseconds=1), T0)


def test_bounds_after_the_senior_one_are_ignored_by_the_tier():
    p = EscalationTier(amount_bands={"EUR": [100, 200, 300]})
    assert [p.tier_for_amount(eur(m)) for m in (99, 100, 250, 400)] == [
        Tier.JUNIOR,
        Tier.MIDDLE,
        Tier.SENIOR,
        Tier.SENIOR,
    ]
