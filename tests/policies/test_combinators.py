"""Combinators: first match, all must approve, override, routing, fixed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from policy_factories import T0, merchant, payment, refund_ctx, request

from paysupport.models import MerchantSegment, Tier
from paysupport.policies import (
    AllMustApprove,
    FirstMatch,
    Fixed,
    Override,
    RefundFairness,
    RouteByCurrency,
    RouteBySegment,
    Verdict,
)

NOW = T0 + timedelta(days=1)
DEFAULT = RefundFairness()
STRICT = RefundFairness(auto_approve_limit={"EUR": 1_000})
PASS = Fixed(Verdict.PASS)
FREEZE = Fixed(Verdict.DENY, "refund_freeze", "refunds are frozen during the incident", "senior")


def test_override_rule_first_then_default():
    ctx = refund_ctx()
    d = Override(FREEZE, DEFAULT).decide(ctx, NOW)
    assert (d.outcome, d.codes, d.tier) == (Verdict.DENY, ("refund_freeze",), Tier.SENIOR)
    assert d.parts[0].fingerprint == FREEZE.fingerprint
    d = Override(PASS, DEFAULT).decide(ctx, NOW)
    assert d.outcome is Verdict.APPROVE
    assert [p.fingerprint for p in d.parts] == [PASS.fingerprint, DEFAULT.fingerprint]
    assert d.fingerprint == Override(PASS, DEFAULT).fingerprint != DEFAULT.fingerprint


def test_first_match():
    ctx = refund_ctx()
    d = FirstMatch((PASS, STRICT, DEFAULT)).decide(ctx, NOW)
    assert d.outcome is Verdict.REVIEW  # STRICT had an opinion
    assert len(d.parts) == 2
    d = FirstMatch((PASS, PASS)).decide(ctx, NOW)
    assert (d.outcome, d.codes) == (Verdict.PASS, ("no_policy_matched",))


@pytest.mark.parametrize(
    ("policies", "asked", "outcome", "amount"),
    [
        ((DEFAULT, DEFAULT), None, Verdict.APPROVE, 10_000),
        ((DEFAULT, STRICT), None, Verdict.REVIEW, 10_000),
        ((DEFAULT, FREEZE, STRICT), None, Verdict.DENY, None),
        ((DEFAULT, PASS), 20_000, Verdict.APPROVE_PARTIAL, 10_000),
        ((PASS,), None, Verdict.PASS, None),
    ],
)
def test_all_must_approve(policies, asked, outcome, amount):
    d = AllMustApprove(policies).decide(refund_ctx(req=request(amount=asked)), NOW)
    assert d.outcome is outcome
    if amount is not None:
        assert d.amount.minor == amount
    if outcome in (Verdict.REVIEW, Verdict.DENY):
        assert d.reasons


def test_all_must_approve_takes_the_smallest_amount():
    class Half:
        def decide(self, ctx, now):
            d = DEFAULT.decide(ctx, now)
            from paysupport.policies import Decision, Reason

            return Decision(
                Verdict.APPROVE,
                (Reason("half", "host"),),
                d.policy,
                amount=ctx.refundable.multiply(__import__("decimal").Decimal("0.5")),
            )

        def to_dict(self):
            return {"kind": "half"}

    d = AllMustApprove((DEFAULT, Half())).decide(refund_ctx(), NOW)
    assert (d.outcome, d.amount.minor) == (Verdict.APPROVE_PARTIAL, 5_000)


@pytest.mark.parametrize(
    ("segment", "outcome"),
    [
        (MerchantSegment.VIP, Verdict.REVIEW),
        (MerchantSegment.SMALL, Verdict.APPROVE),
        (None, Verdict.APPROVE),
    ],
)
def test_route_by_segment(segment, outcome):
    p = RouteBySegment({MerchantSegment.VIP: STRICT}, DEFAULT)
    ctx = refund_ctx(merch=merchant(segment) if segment else None)
    assert p.decide(ctx, NOW).outcome is outcome


@pytest.mark.parametrize(
    ("currency", "outcome"),
    [("JPY", Verdict.APPROVE), ("EUR", Verdict.APPROVE), ("USD", Verdict.REVIEW)],
)
def test_route_by_currency(currency, outcome):
    p = RouteByCurrency(
        {"JPY": RefundFairness(auto_approve_limit={"JPY": 50_000})},
        RouteByCurrency({"USD": STRICT}, DEFAULT),
    )
    ctx = refund_ctx(payment(currency=currency), request(currency=currency))
    assert p.decide(ctx, NOW).outcome is outcome


def test_combinators_decide_many():
    p = Override(PASS, DEFAULT)
    ctxs = [refund_ctx(), refund_ctx(req=request(amount=10_001))]
    assert p.decide_many(ctxs, NOW) == [p.decide(c, NOW) for c in ctxs]
    assert FREEZE.decide_many(ctxs, NOW) == [FREEZE.decide(ctxs[0], NOW)] * 2


def test_fixed_needs_a_reason_for_pass_too():
    assert PASS.decide(refund_ctx(), NOW).codes == ("fixed_rule",)
