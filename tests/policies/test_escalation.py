"""Escalation tier and operator authority: tables per rule, and properties."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from policy_factories import T0, merchant

from paysupport.errors import MissingExchangeRate, NotAuthorized
from paysupport.models import ClaimKind, Dispute, MerchantSegment, Operator, SupportCase, Tier
from paysupport.money import Money
from paysupport.networks import DisputeStage
from paysupport.policies import (
    ApprovalContext,
    EscalationContext,
    EscalationTier,
    ExchangeRates,
    OperatorAuthority,
    Verdict,
)

P = EscalationTier()
J, M, S = Tier.JUNIOR, Tier.MIDDLE, Tier.SENIOR
NOW = T0 + timedelta(hours=1)


def case(claim=ClaimKind.REFUND_REQUEST, contacts=1, sla_hours=None, opened=T0):
    return SupportCase(
        id="case_1",
        claim=claim,
        opened_at=opened,
        contacts=contacts,
        sla_due_at=None if sla_hours is None else opened + timedelta(hours=sla_hours),
    )


def dispute(stage=DisputeStage.CHARGEBACK, code="13.1", amount=1_000):
    return Dispute(
        id="dp_1",
        payment_id="pay_1",
        network="visa",
        reason_code=code,
        amount=Money.from_minor(amount, "EUR"),
        opened_at=T0,
        due_by=T0 + timedelta(days=30),
        stage=stage,
    )


def tier(ctx, now=NOW, policy=P):
    d = policy.decide(ctx, now)
    assert d.outcome is Verdict.ASSIGN
    return d


@pytest.mark.parametrize(
    ("minor", "currency", "expected"),
    [
        (9_999, "EUR", J),
        (10_000, "EUR", M),  # at the band's bound
        (99_999, "EUR", M),
        (100_000, "EUR", S),
        (1_499_999, "JPY", J),
        (1_500_000, "JPY", M),
        (1, "CHF", M),  # no band: unknown_currency_tier
    ],
)
def test_amount_bands(minor, currency, expected):
    d = tier(EscalationContext(case(), amount=Money.from_minor(minor, currency)))
    assert d.tier is expected
    if expected is not J:
        assert d.codes[0] in ("amount_band", "no_band_for_currency")


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        (ClaimKind.REFUND_REQUEST, J),
        (ClaimKind.OVERCHARGE, J),
        (ClaimKind.UNRECOGNIZED_CHARGE, M),  # also a fraud signal
        (ClaimKind.DISPUTE_RECEIVED, M),
    ],
)
def test_claim_kind(claim, expected):
    assert tier(EscalationContext(case(claim))).tier is expected


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        (DisputeStage.INQUIRY, M),  # claim dispute_received is middle anyway
        (DisputeStage.CHARGEBACK, M),
        (DisputeStage.PRE_ARBITRATION, S),
        (DisputeStage.ARBITRATION, S),
    ],
)
def test_dispute_stage(stage, expected):
    ctx = EscalationContext(case(ClaimKind.DISPUTE_RECEIVED), dispute=dispute(stage))
    d = tier(ctx)
    assert d.tier is expected
    if expected is S:
        assert "dispute_stage" in d.codes


def test_fraud_signals():
    d = tier(EscalationContext(case(), fraud_signal=True))
    assert (d.tier, d.codes) == (M, ("fraud_signal",))
    d = tier(EscalationContext(case(ClaimKind.DISPUTE_RECEIVED), dispute=dispute(code="10.4")))
    assert "fraud_signal" in d.codes
    assert d.reasons[-1].value("signals") == ("fraud_dispute",)


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        (MerchantSegment.SMALL, J),
        (MerchantSegment.MEDIUM, J),
        (MerchantSegment.ENTERPRISE, S),
        (MerchantSegment.VIP, S),
    ],
)
def test_merchant_segment(segment, expected):
    assert tier(EscalationContext(case(), merchant=merchant(segment))).tier is expected


@pytest.mark.parametrize(("contacts", "expected"), [(2, J), (3, M), (9, M)])
def test_repeat_contacts(contacts, expected):
    assert tier(EscalationContext(case(contacts=contacts))).tier is expected


@pytest.mark.parametrize(
    ("elapsed_hours", "expected"),
    [
        (0, J),
        (17, J),  # 7 of 24 hours left: 0.29 > 0.25
        (18, M),  # exactly 0.25 left: bump
        (24, M),  # due
        (30, M),  # breached
    ],
)
def test_sla_bump(elapsed_hours, expected):
    d = tier(EscalationContext(case(sla_hours=24)), now=T0 + timedelta(hours=elapsed_hours))
    assert d.tier is expected
    if expected is M:
        assert d.codes[-1] == "sla_near_breach"


def test_sla_bump_caps_at_senior():
    ctx = EscalationContext(case(sla_hours=24), merchant=merchant(MerchantSegment.VIP))
    assert tier(ctx, now=T0 + timedelta(hours=23)).tier is S


def test_routine_case_has_a_reason():
    d = tier(EscalationContext(case()))
    assert (d.tier, d.codes) == (J, ("routine",))


@given(
    st.integers(0, 10**9),
    st.integers(0, 10**9),
    st.sampled_from(["EUR", "USD", "JPY", "CHF"]),
    st.sampled_from(list(ClaimKind)),
    st.integers(1, 6),
    st.none() | st.sampled_from(list(MerchantSegment)),
    st.integers(0, 48),
)
def test_raising_the_amount_never_lowers_the_tier(a, b, cur, claim, contacts, seg, hours):
    low, high = sorted((a, b))
    c = case(claim, contacts=contacts, sla_hours=24)
    m = merchant(seg) if seg else None
    now = T0 + timedelta(hours=hours)
    t_low = P.decide(EscalationContext(c, Money.from_minor(low, cur), merchant=m), now).tier
    t_high = P.decide(EscalationContext(c, Money.from_minor(high, cur), merchant=m), now).tier
    assert t_high.rank >= t_low.rank


# ------------------------------------------------------------------ operator authority
A = OperatorAuthority()


def op(t=J, id="op_1", limits=None, active=True):
    return Operator(id=id, tier=t, refund_limits=limits or {}, active=active)


@pytest.mark.parametrize(
    ("t", "minor", "outcome", "needed"),
    [
        (J, 10_000, Verdict.APPROVE, J),  # exactly the limit
        (J, 10_001, Verdict.DENY, M),  # one minor unit more: a higher tier
        (M, 100_000, Verdict.APPROVE, M),
        (M, 100_001, Verdict.DENY, S),
        (S, 10**12, Verdict.APPROVE, S),  # the top tier can always approve: no dead end
    ],
)
def test_tier_limits(t, minor, outcome, needed):
    d = A.check(op(t), Money.from_minor(minor, "EUR"), requester_id="agent_9")
    assert d.outcome is outcome
    assert d.tier is needed
    if outcome is Verdict.DENY:
        assert d.codes == ("above_operator_limit",)


def test_four_eyes():
    d = A.check(op(S), Money.from_minor(1, "EUR"), requester_id="op_1")
    assert (d.outcome, d.codes) == (Verdict.DENY, ("four_eyes",))
    with pytest.raises(NotAuthorized) as exc:
        A.authorize(op(S), Money.from_minor(1, "EUR"), requester_id="op_1")
    assert exc.value.operator == "op_1"


def test_operator_limits_only_narrow():
    own = {"EUR": Money.from_minor(5_000, "EUR")}
    assert A.limit_for(op(J, limits=own), "EUR") == 5_000
    big = {"EUR": Money.from_minor(10**9, "EUR")}
    assert A.limit_for(op(J, limits=big), "EUR") == 10_000
    assert A.limit_for(op(J, limits=own), "USD") is None  # absent: no authority
    assert A.limit_for(op(J), "JPY") is None


def test_no_authority_and_inactive():
    d = A.check(op(M), Money.from_minor(1, "JPY"), None)
    assert d.codes == ("no_authority_in_currency",)
    d = A.check(op(M, active=False), Money.from_minor(1, "EUR"), None)
    assert d.codes == ("inactive_operator",)


def test_authorize_returns_the_approval():
    d = A.authorize(op(M), Money.from_minor(100, "EUR"), requester_id="agent_2")
    assert d.outcome is Verdict.APPROVE
    with pytest.raises(NotAuthorized):
        A.authorize(op(J), Money.from_minor(10_001, "EUR"), requester_id="agent_2")


@given(
    st.integers(0, 10**8),
    st.none() | st.integers(0, 10**8),
    st.sampled_from(["EUR", "USD", "GBP", "JPY"]),
    st.none() | st.sampled_from(["op_1", "agent_2"]),
)
def test_a_junior_never_approves_above_its_limit(minor, own, cur, requester):
    limits = {cur: Money.from_minor(own, cur)} if own is not None else {}
    operator = op(J, limits=limits)
    d = A.decide(ApprovalContext(operator, Money.from_minor(minor, cur), requester))
    junior_limit = dict(dict(A.tier_limits)[J]).get(cur)
    if d.outcome is Verdict.APPROVE:
        assert junior_limit is not None and minor <= junior_limit
        assert own is None or minor <= own
        assert requester != "op_1"
    else:
        assert d.reasons


# ------------------------------------------------------------------ any currency, one route
RATES = ExchangeRates("EUR", {"JPY": "0.0061"})


def test_reference_limit_through_the_days_rate():
    yen = Money.from_minor(16_393, "JPY")  # 99.9973 EUR: within a junior's 100 EUR
    assert A.check(op(J), yen, "agent_9", rates=RATES).outcome is Verdict.APPROVE
    more = Money.from_minor(16_394, "JPY")  # 100.0034 EUR
    d = A.check(op(J), more, "agent_9", rates=RATES)
    assert (d.outcome, d.tier, d.codes) == (Verdict.DENY, M, ("above_operator_limit",))


def test_missing_rate_names_the_pair_and_the_top_tier_still_approves():
    yen = Money.from_minor(10_000, "JPY")
    d = A.check(op(M), yen, "agent_9")
    assert d.codes == ("no_authority_in_currency",)
    assert "JPY->EUR" in d.reasons[0].message
    assert d.tier is S
    assert A.check(op(S), yen, "agent_9").outcome is Verdict.APPROVE


def test_missing_exchange_rate_error_names_the_pair():
    with pytest.raises(MissingExchangeRate) as exc:
        ExchangeRates("EUR", {}).in_reference(Money.from_minor(1, "JPY"))
    assert exc.value.field == "rates.JPY"
    assert "JPY->EUR" in str(exc.value)


@given(st.integers(1, 10**10), st.sampled_from(["EUR", "USD", "JPY", "KWD", "CHF"]))
def test_every_amount_in_every_currency_has_a_tier_that_may_approve(minor, cur):
    amount = Money.from_minor(minor, cur)
    needed = A.tier_needed(amount)
    approver = op(needed, id="approver")
    assert A.check(approver, amount, "agent_9").outcome is Verdict.APPROVE


def _refund_decision(minor, cur="EUR", outcome=Verdict.APPROVE, tier=None):
    from paysupport.policies import Decision, PolicyInfo, Reason

    why = Reason("within_policy", "all_rules", (), "", "refund_fairness")
    return Decision(
        outcome,
        (why,),
        PolicyInfo.of({"kind": "refund_fairness"}),
        amount=Money.from_minor(minor, cur),
        tier=tier,
    )


def test_route_names_one_tier_for_a_review():
    routed = A.route(_refund_decision(500_000, outcome=Verdict.REVIEW, tier=M))
    assert (routed.outcome, routed.tier) == (Verdict.REVIEW, S)  # 5,000 EUR: above middle
    assert routed.parts[0].tier is M
    assert routed.reasons[-1].policy == "operator_authority"


def test_operator_request_is_checked_against_that_operator():
    junior = op(J, id="op_j")
    routed = A.route(
        _refund_decision(30_000), operator=junior, operator_request=True, requester_id="op_j"
    )
    assert (routed.outcome, routed.tier) == (Verdict.REVIEW, M)
    assert "above_operator_limit" in routed.codes


@pytest.mark.parametrize("given_op", [None, op(S, id="op_x")])
def test_unknown_operator_is_refused_never_unlimited(given_op):
    routed = A.route(
        _refund_decision(30_000), operator=given_op, operator_request=True, requester_id="op_j"
    )
    assert routed.outcome is Verdict.DENY
    assert routed.codes[-1] == "unknown_operator"


def test_four_eyes_compares_normalised_ids():
    d = A.check(op(S, id="op_j"), Money.from_minor(1, "EUR"), requester_id="OP_J ")
    assert d.codes == ("four_eyes",)


@given(
    claim=st.sampled_from(list(ClaimKind)),
    stage=st.none() | st.sampled_from(list(DisputeStage)),
    segment=st.none() | st.sampled_from(list(MerchantSegment)),
    minor=st.none() | st.integers(1, 10**8),
    currency=st.sampled_from(["EUR", "JPY", "CHF"]),
    contacts=st.integers(1, 5),
)
def test_a_used_policy_routes_as_a_fresh_one(claim, stage, segment, minor, currency, contacts):
    """Reasons per claim, stage and segment and the bands as Money are made once per policy:
    a policy that routed other cases before gives the decision a fresh policy gives."""
    amount = None if minor is None else Money.from_minor(minor, currency)
    ctx = EscalationContext(
        case(claim=claim, contacts=contacts),
        amount,
        dispute(stage=stage) if stage is not None else None,
        None,
        merchant(segment) if segment is not None else None,
    )
    fresh = EscalationTier(amount_bands={"EUR": [5_000, 50_000]}, unknown_currency_tier="junior")
    assert USED.decide(ctx, NOW) == fresh.decide(ctx, NOW)
    assert P.decide(ctx, NOW) == EscalationTier().decide(ctx, NOW)


USED = EscalationTier(amount_bands={"EUR": [5_000, 50_000]}, unknown_currency_tier="junior")


class _NoApprovalsOnHold(OperatorAuthority):
    """A host's authority: its own `decide` refuses every approval (an account on hold)."""

    def decide(self, ctx, now=None):
        d = super().decide(ctx, now)
        if d.outcome is not Verdict.APPROVE:
            return d
        return attrs.evolve(d, outcome=Verdict.DENY, tier=S)


def test_route_checks_the_operator_with_a_subclass_own_decide():
    # `route` checks an operator handling a request through `decide`; a subclass that
    # overrides `decide` must be asked (the library's own class takes a shortcut).
    decision = _refund_decision(1_000)
    senior = op(S, id="op_s")
    assert A.route(decision, operator=senior).outcome is Verdict.APPROVE
    routed = _NoApprovalsOnHold().route(decision, operator=senior)
    assert (routed.outcome, routed.tier) == (Verdict.REVIEW, S)
    assert routed.parts[1].outcome is Verdict.DENY
