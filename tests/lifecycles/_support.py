"""Factories shared by the lifecycle tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from paysupport.models import Dispute, Payment, PaymentFailure, Refund, SupportCase
from paysupport.money import Money

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def at(hours: float = 0, days: float = 0) -> datetime:
    return T0 + timedelta(hours=hours, days=days)


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def make_payment(**fields: Any) -> Payment:
    base: dict[str, Any] = {
        "id": "pi_1",
        "merchant_id": "acct_1",
        "amount": eur("100"),
        "created_at": T0,
        "status": "authorized",
    }
    base.update(fields)
    return Payment(**base)


def make_refund(**fields: Any) -> Refund:
    base: dict[str, Any] = {
        "id": "re_1",
        "payment_id": "pi_1",
        "amount": eur("30"),
        "created_at": T0,
        "requested_by": "op_alice",
    }
    base.update(fields)
    return Refund(**base)


def make_dispute(network: str = "visa", code: str = "13.1", **fields: Any) -> Dispute:
    base: dict[str, Any] = {
        "id": "dp_1",
        "payment_id": "pi_1",
        "network": network,
        "reason_code": code,
        "amount": eur("100"),
        "opened_at": T0,
    }
    base.update(fields)
    return Dispute.opened(**base)


def make_failure(**fields: Any) -> PaymentFailure:
    base: dict[str, Any] = {
        "id": "fail_1",
        "merchant_id": "acct_1",
        "amount": eur("20"),
        "network_decline_code": "51",
        "declined_at": T0,
    }
    base.update(fields)
    return PaymentFailure(**base)


def make_case(**fields: Any) -> SupportCase:
    base: dict[str, Any] = {"id": "case_1", "claim": "refund_request", "opened_at": T0}
    base.update(fields)
    return SupportCase(**base)
