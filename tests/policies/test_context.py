"""Contexts derive their facts once, at construction."""

from __future__ import annotations

from datetime import timedelta

from policy_factories import T0, customer, payment, refund_ctx, request

from paysupport.models import ClaimKind, RefundReason, RefundStatus, SupportCase
from paysupport.money import Money
from paysupport.policies import EscalationContext


def test_refund_facts():
    pay = payment(refunded=((1_000, RefundStatus.SUCCEEDED), (500, RefundStatus.PENDING)), efw=True)
    ctx = refund_ctx(pay, cust=customer(((T0, 300),)))
    assert ctx.refundable == Money.from_minor(8_500, "EUR")
    assert ctx.captured == Money.from_minor(10_000, "EUR")
    assert ctx.captured_at == T0
    assert ctx.method == "card"
    assert ctx.currency == "EUR"
    assert ctx.efw_actionable
    assert not ctx.open_dispute
    assert ctx.history == ((T0, 300, "EUR"),)


def test_duplicate_gap_is_the_smallest():
    near = payment(id="p_near", captured_at=T0 - timedelta(seconds=7))
    far = payment(id="p_far", captured_at=T0 - timedelta(seconds=70))
    ctx = refund_ctx(req=request(reason=RefundReason.DUPLICATE), related=(far, near))
    assert ctx.duplicate_gap == timedelta(seconds=7)
    assert ctx.duplicate_id == "p_near"
    assert ctx.is_duplicate_claim


def test_no_fingerprint_no_duplicate():
    pay = payment(fingerprint=None)
    other = payment(id="p2", fingerprint=None)
    assert refund_ctx(pay, related=(other,)).duplicate_gap is None


def test_escalation_stake_defaults():
    case = SupportCase(id="c", claim=ClaimKind.REFUND_REQUEST, opened_at=T0)
    pay = payment(efw=True)
    ctx = EscalationContext(case, payment=pay)
    assert ctx.stake == pay.amount
    assert ctx.fraud == ("early_fraud_warning",)
    assert EscalationContext(case).stake is None
