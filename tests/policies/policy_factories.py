"""Small builders of models and contexts for the policy tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from paysupport.models import (
    Capture,
    Card,
    CardBrand,
    Customer,
    Dispute,
    EarlyFraudWarning,
    Merchant,
    MerchantSegment,
    PastRefund,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundReason,
    RefundRequest,
    RefundStatus,
)
from paysupport.money import Money
from paysupport.policies import RefundContext

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def eur(minor: int, code: str = "EUR") -> Money:
    return Money.from_minor(minor, code)


def payment(
    *,
    id: str = "pay_1",
    amount: int = 10_000,
    currency: str = "EUR",
    captured: int | None = None,
    captured_at: datetime = T0,
    created_at: datetime | None = None,
    method: str = "card",
    fingerprint: str | None = "fp_card_1",
    refunded: tuple[tuple[int, RefundStatus], ...] = (),
    disputes: tuple[dict[str, Any], ...] = (),
    efw: bool = False,
    merchant_id: str = "m_1",
) -> Payment:
    cap = amount if captured is None else captured
    pm = PaymentMethod(
        type=method,
        card=Card(brand=CardBrand.VISA, last4="4242", fingerprint=fingerprint)
        if method == "card"
        else None,
    )
    refunds = tuple(
        Refund(
            id=f"re_{i}",
            payment_id=id,
            amount=Money.from_minor(m, currency),
            status=st,
            created_at=captured_at + timedelta(hours=1),
        )
        for i, (m, st) in enumerate(refunded)
    )
    ds = tuple(
        Dispute(
            id=f"dp_{i}",
            payment_id=id,
            network="visa",
            reason_code=d.get("reason_code", "13.1"),
            amount=Money.from_minor(d.get("amount", cap), currency),
            opened_at=captured_at + timedelta(days=1),
            due_by=captured_at + timedelta(days=31),
            status=d.get("status", "needs_response"),
            stage=d.get("stage", "chargeback"),
            is_charge_refundable=d.get("is_charge_refundable", False),
        )
        for i, d in enumerate(disputes)
    )
    return Payment(
        id=id,
        merchant_id=merchant_id,
        amount=Money.from_minor(amount, currency),
        status=PaymentStatus.CAPTURED,
        payment_method=pm,
        created_at=created_at or captured_at,
        captures=(
            Capture(id="cap_1", amount=Money.from_minor(cap, currency), captured_at=captured_at),
        )
        if cap
        else (),
        refunds=refunds,
        disputes=ds,
        early_fraud_warning=EarlyFraudWarning(id="efw_1", created_at=captured_at) if efw else None,
    )


def request(
    *,
    amount: int | None = None,
    currency: str = "EUR",
    reason: RefundReason = RefundReason.REQUESTED_BY_CUSTOMER,
    payment_id: str = "pay_1",
    correct: int | None = None,
    goods_returned: bool | None = None,
    duplicate_of: str | None = None,
    at: datetime = T0,
) -> RefundRequest:
    return RefundRequest(
        id="rr_1",
        payment_id=payment_id,
        amount=None if amount is None else Money.from_minor(amount, currency),
        reason=reason,
        requested_at=at,
        correct_amount=None if correct is None else Money.from_minor(correct, currency),
        goods_returned=goods_returned,
        duplicate_of=duplicate_of,
    )


def customer(past: tuple[tuple[datetime, int], ...] = (), currency: str = "EUR") -> Customer:
    return Customer(
        id="cus_1",
        past_refunds=tuple(
            PastRefund(at=at, amount=Money.from_minor(m, currency)) for at, m in past
        ),
    )


def merchant(segment: MerchantSegment = MerchantSegment.SMALL) -> Merchant:
    return Merchant(id="m_1", name="Shop", segment=segment)


def refund_ctx(
    pay: Payment | None = None,
    req: RefundRequest | None = None,
    *,
    cust: Customer | None = None,
    merch: Merchant | None = None,
    related: tuple[Payment, ...] = (),
) -> RefundContext:
    return RefundContext(pay or payment(), req or request(), cust, merch, related)
