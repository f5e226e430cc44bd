"""Contexts derive their facts once, at construction."""

from __future__ import annotations

from policy_factories import T0, customer, payment, refund_ctx

from paysupport.models import ClaimKind, RefundStatus, SupportCase
from paysupport.money import Money
from paysupport.policies import EscalationContext, RefundContext


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


def test_refund_context_built_by_keyword_or_evolve_derives_the_same_facts():
    """RefundContext's written-out __init__ takes what attrs' would and derives every fact."""
    import attrs
    import pytest

    from paysupport.models import RefundRequest

    pay = payment(refunded=((1_000, RefundStatus.SUCCEEDED),))
    other = payment(id="pay_2", amount=4_000)
    req = RefundRequest(id="rq_1", payment_id=pay.id, requested_at=T0)
    cust = customer(((T0, 300), (T0, 700)))
    ctx = RefundContext(
        payment=pay, request=req, customer=cust, related_payments=[other], rates=None
    )
    assert ctx.related_payments == (other,)  # converted to a tuple, as the field says
    assert (ctx.customer, ctx.merchant, ctx.rates) == (cust, None, None)
    assert ctx.refundable == pay.amount_refundable == Money.from_minor(9_000, "EUR")
    assert ctx.history == ((T0, 300, "EUR"), (T0, 700, "EUR"))
    assert RefundContext(pay, req).history == () and RefundContext(pay, req).customer is None
    moved = attrs.evolve(ctx, payment=other, customer=None)
    assert moved.refundable == Money.from_minor(4_000, "EUR") and moved.history == ()
    assert moved.related_payments == (other,) and moved.request is req
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        ctx.payment = other  # type: ignore[misc]
