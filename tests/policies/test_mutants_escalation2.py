"""Escalation and operator authority: every sentence in full, and near breach exact to the µs.

Written against the mutants ``scripts/mutation.py policies/escalation.py`` left alive on the
snapshot at 4551560 (session 5): the earlier tests compare reasons without their sentences,
and no SLA fraction was fine enough for float arithmetic to round at the edge.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from paysupport.models import ClaimKind, Operator, SupportCase, Tier
from paysupport.money import Money
from paysupport.policies import (
    ApprovalContext,
    Decision,
    EscalationContext,
    EscalationTier,
    ExchangeRates,
    OperatorAuthority,
    PolicyInfo,
    Reason,
    Verdict,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
AUTH = OperatorAuthority(
    tier_limits={Tier.JUNIOR: {"EUR": 10_000}, Tier.MIDDLE: {"EUR": 50_000, "JPY": 900_000}}
)
RATES = ExchangeRates("EUR", {"USD": Decimal("0.5")})


def money(minor: int, code: str = "EUR") -> Money:
    return Money.from_minor(minor, code)


def op(tier: Tier = Tier.JUNIOR, active: bool = True, **limits: int) -> Operator:
    own = {code: money(minor, code) for code, minor in limits.items()}
    return Operator(id="op_1", tier=tier, refund_limits=own, active=active)


def sentences(d: Decision) -> list[tuple[str, str]]:
    return [(r.code, r.message) for r in d.reasons]


@pytest.mark.parametrize(
    ("amount", "first"),
    [
        (
            money(20_000),
            (
                "amount_band",
                "200.00 EUR needs tier middle (middle from 100.00 EUR, senior from 1,000.00 EUR)",
            ),
        ),
        (
            money(20_000, "CHF"),
            (
                "no_band_for_currency",
                "200.00 CHF: no amount bands for this currency, so tier middle",
            ),
        ),
    ],
)
def test_every_escalation_sentence_in_full(amount, first):
    case = SupportCase(
        id="case_1",
        claim=ClaimKind.REFUND_REQUEST,
        opened_at=T0,
        contacts=3,
        sla_due_at=T0 + timedelta(hours=4),
    )
    ctx = EscalationContext(case, amount=amount, fraud_signal=True)
    d = EscalationTier().decide(ctx, T0 + timedelta(hours=3, minutes=30))
    assert d.tier is Tier.SENIOR
    assert sentences(d) == [
        first,
        ("fraud_signal", "fraud signals host_signal need tier middle"),
        ("repeat_contact", "3 contacts (from 3) need tier middle"),
        ("sla_near_breach", "SLA 30 min left of 4 h 0 min (bump at 0.25 left): middle -> senior"),
    ]


# (window, left) in µs at which left × den = num × window + 1 for sla_bump_at 0.1234567891:
# one µs more than the threshold is left; products above 2**53 round as floats
@pytest.mark.parametrize(("window", "left"), [(7322074789, 903959843), (27322074789, 3373095625)])
def test_near_breach_is_exact_to_the_microsecond_for_a_fine_fraction(window, left):
    policy = EscalationTier(sla_bump_at=Decimal("0.1234567891"))
    due = T0 + timedelta(microseconds=window)
    now = due - timedelta(microseconds=left)
    assert not policy.near_breach(T0, due, now)
    assert policy.near_breach(T0, due, now + timedelta(microseconds=1))


@pytest.mark.parametrize(
    ("ctx", "outcome", "sentence"),
    [
        (
            ApprovalContext(op(), money(100), "op_1"),
            Verdict.DENY,
            "op_1 requested this and cannot approve their own request",
        ),
        (
            ApprovalContext(op(active=False), money(100), "op_2"),
            Verdict.DENY,
            "op_1 is not an active operator",
        ),
        (
            ApprovalContext(op(), money(100, "USD"), "op_2"),
            Verdict.DENY,
            "op_1 (junior) has no approval authority in USD: no USD->EUR exchange rate was given",
        ),
        (
            ApprovalContext(op(), money(100), "op_2"),
            Verdict.APPROVE,
            "1.00 EUR is within op_1's limit (junior)",
        ),
        (
            ApprovalContext(op(EUR=50), money(100, "USD"), "op_2", rates=RATES),
            Verdict.DENY,
            "op_1 (junior) has no approval authority in USD",
        ),
        (
            ApprovalContext(op(), money(20_000), "op_2"),
            Verdict.DENY,
            "200.00 EUR is above op_1's limit (junior); tier middle must approve",
        ),
    ],
)
def test_every_authority_sentence_in_full(ctx, outcome, sentence):
    d = AUTH.decide(ctx)
    assert d.outcome is outcome
    assert [r.message for r in d.reasons] == [sentence]


def test_routing_sentences_in_full():
    refund = Decision(
        Verdict.APPROVE,
        (Reason("ok", "r", (), "", "refund_fairness"),),
        PolicyInfo.of({"kind": "refund_fairness"}),
        amount=money(20_000),
    )
    refused = AUTH.route(refund, operator_request=True, requester_id="op_9")
    assert sentences(refused)[-1] == (
        "unknown_operator",
        "the request names operator op_9, who is not the operator given: refused",
    )
    routed = AUTH.route(refund, operator=op())
    assert routed.outcome is Verdict.REVIEW
    assert sentences(routed)[-1] == ("approval_tier", "a middle operator must approve 200.00 EUR")
