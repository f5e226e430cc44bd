"""A refund in any ISO 4217 currency completes with the default policies: never a dead end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from paysupport.errors import NotAuthorized
from paysupport.models import Capture, Operator, Payment, RefundRequest, Tier
from paysupport.money import Money
from paysupport.policies import ExchangeRates
from paysupport.workflows import IssueRefund, RequestApproval, approve_refund, request_refund

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def yen_payment(minor: int = 10_000) -> Payment:
    amount = Money.from_minor(minor, "JPY")
    return Payment(
        id="pay_jp",
        merchant_id="m_1",
        amount=amount,
        status="captured",
        created_at=NOW - timedelta(days=1),
        captures=(Capture(id="cap_1", amount=amount, captured_at=NOW - timedelta(days=1)),),
    )


def ask(payment: Payment, rates: ExchangeRates | None = None):
    req = RefundRequest(
        id="rr_jp",
        payment_id=payment.id,
        amount=payment.amount,
        reason="requested_by_customer",
        requested_at=NOW,
    )
    return request_refund(payment, req, rates=rates, now=NOW)


def op(tier: Tier, id: str) -> Operator:
    return Operator(id=id, tier=tier)


def test_a_10000_jpy_refund_completes_without_rates():
    out = ask(yen_payment())
    (approval,) = out.effects_of(RequestApproval)
    assert approval.tier is Tier.SENIOR  # no rate: only the top tier can judge it
    parked = out.after("payment", "pay_jp")
    with pytest.raises(NotAuthorized):
        approve_refund(parked, approval.refund_id, op(Tier.MIDDLE, "op_m"), now=NOW)
    done = approve_refund(parked, approval.refund_id, op(Tier.SENIOR, "op_s"), now=NOW)
    (issue,) = done.effects_of(IssueRefund)
    assert issue.amount == Money.from_minor(10_000, "JPY")


def test_with_the_days_rate_the_reference_limits_apply():
    rates = ExchangeRates("EUR", {"JPY": "0.0061"})  # 10,000 JPY = 61.00 EUR
    out = ask(yen_payment(), rates)
    (issue,) = out.effects_of(IssueRefund)  # under the 500 EUR auto-approve limit
    assert issue.amount.currency.code == "JPY"
    big = ask(yen_payment(10_000_000), rates)  # 61,000 EUR: review, senior must approve
    (approval,) = big.effects_of(RequestApproval)
    assert approval.tier is Tier.SENIOR


def test_a_middle_operator_approves_what_the_rate_puts_within_their_limit():
    rates = ExchangeRates("EUR", {"JPY": "0.0061"})
    out = ask(yen_payment(100_000), rates)  # 610 EUR: above auto-approve, within middle
    (approval,) = out.effects_of(RequestApproval)
    assert approval.tier is Tier.MIDDLE
    parked = out.after("payment", "pay_jp")
    done = approve_refund(parked, approval.refund_id, op(Tier.MIDDLE, "op_m"), rates=rates, now=NOW)
    assert done.effects_of(IssueRefund)
