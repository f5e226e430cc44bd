"""Contexts derive their facts once, at construction."""

from __future__ import annotations

from policy_factories import T0, customer, payment, refund_ctx

from paysupport.models import ClaimKind, RefundStatus, SupportCase
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


def test_blocking_dispute_is_the_models_definition():
    inquiry = payment(disputes=({"stage": "inquiry"},))
    chargeback = payment(disputes=({"stage": "chargeback"},))
    assert refund_ctx(inquiry).open_dispute and not refund_ctx(inquiry).blocking_dispute
    assert refund_ctx(chargeback).blocking_dispute


def test_escalation_stake_defaults():
    case = SupportCase(id="c", claim=ClaimKind.REFUND_REQUEST, opened_at=T0)
    pay = payment(efw=True)
    ctx = EscalationContext(case, payment=pay)
    assert ctx.stake == pay.amount
    assert ctx.fraud == ("early_fraud_warning",)
    assert EscalationContext(case).stake is None
