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


def test_dispute_and_retry_contexts_built_by_keyword_or_evolve_derive_the_same_facts():
    """DisputeContext's and RetryContext's written-out __init__s take what attrs' would."""
    import pickle
    from datetime import timedelta

    import attrs
    import pytest

    from paysupport.models import Dispute, Merchant, PaymentFailure
    from paysupport.policies import DisputeContext, RetryContext

    pay = payment()
    shop = Merchant(id="m_1", name="Shop", segment="vip", market="DE")
    dispute = Dispute.opened(
        id="dp_1",
        payment_id=pay.id,
        network="visa",
        reason_code="13.1",
        amount=pay.amount,
        opened_at=T0,
    )
    ctx = DisputeContext(dispute=dispute, payment=pay, merchant=shop, prior_purchases=[])
    assert ctx.prior_purchases == () and type(ctx.prior_purchases) is tuple
    assert (ctx.dispute, ctx.payment, ctx.merchant, ctx.purchase) == (dispute, pay, shop, None)
    assert (ctx.currency, ctx.segment) == ("EUR", shop.segment)
    bare = attrs.evolve(ctx, merchant=None)
    assert bare.segment is None and bare.payment is pay and bare.currency == "EUR"
    assert pickle.loads(pickle.dumps(ctx)).segment == shop.segment
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        ctx.merchant = None  # type: ignore[misc]

    failure = PaymentFailure(
        id="f_1",
        merchant_id="m_1",
        amount=Money.from_minor(500, "USD"),
        network_decline_code="51",
        declined_at=T0,
    )
    declines = [T0 - timedelta(hours=1), T0 - timedelta(hours=2)]
    retry = RetryContext(failure, declines)
    assert retry.card_declines == tuple(declines) and retry.merchant is None
    assert (retry.currency, retry.segment) == ("USD", None)
    shopped = attrs.evolve(retry, merchant=shop)
    assert shopped.segment == shop.segment and shopped.card_declines == tuple(declines)
    assert RetryContext(failure=failure).card_declines == ()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        retry.failure = failure  # type: ignore[misc]
