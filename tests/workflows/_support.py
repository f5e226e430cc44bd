"""Factories shared by the workflow tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from paysupport.models import (
    Capture,
    Dispute,
    Operator,
    Payment,
    PaymentFailure,
    RefundRequest,
    SupportCase,
    Tier,
)
from paysupport.money import Money

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def at(hours: float = 0, days: float = 0) -> datetime:
    return T0 + timedelta(hours=hours, days=days)


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def captured(amount: str = "49.90", **fields: Any) -> Payment:
    base: dict[str, Any] = {
        "id": "pay_1",
        "merchant_id": "m_1",
        "customer_id": "cus_1",
        "amount": eur(amount),
        "status": "captured",
        "created_at": at(days=-3),
        "captures": (Capture(id="cap_1", amount=eur(amount), captured_at=at(days=-3)),),
        "provider": "stripe",
        "provider_reference": "ch_1",
    }
    base.update(fields)
    return Payment(**base)


def request(**fields: Any) -> RefundRequest:
    base: dict[str, Any] = {"id": "rr_1", "payment_id": "pay_1", "requested_at": T0}
    base.update(fields)
    return RefundRequest(**base)


def dispute(code: str = "13.1", **fields: Any) -> Dispute:
    base: dict[str, Any] = {
        "id": "dp_1",
        "payment_id": "pay_1",
        "network": "visa",
        "reason_code": code,
        "amount": eur("49.90"),
        "opened_at": T0,
        "provider": "stripe",
        "provider_reference": "dp_1",
    }
    base.update(fields)
    return Dispute.opened(**base)


def failure(**fields: Any) -> PaymentFailure:
    base: dict[str, Any] = {
        "id": "fail_1",
        "merchant_id": "m_1",
        "customer_id": "cus_1",
        "payment_id": "pay_9",
        "amount": eur("20"),
        "network": "visa",
        "network_decline_code": "51",
        "declined_at": T0,
    }
    base.update(fields)
    return PaymentFailure(**base)


def case(**fields: Any) -> SupportCase:
    base: dict[str, Any] = {
        "id": "case_1",
        "claim": "refund_request",
        "opened_at": T0,
        "customer_id": "cus_1",
        "payment_ids": ("pay_1",),
    }
    base.update(fields)
    return SupportCase(**base)


def operator(id: str = "op_j", tier: Tier = Tier.JUNIOR) -> Operator:
    return Operator(id=id, tier=tier)
