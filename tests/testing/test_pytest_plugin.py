"""The pytest plugin's fixtures are available without imports (entry point pytest11)."""

from __future__ import annotations

from datetime import datetime

from paysupport.models import Customer, Merchant, Payment
from paysupport.money import Money
from paysupport.testing.pytest_plugin import FIXED_NOW, PaymentFactory

pytest_plugins: list[str] = []


def test_fixed_clock(paysupport_now: datetime) -> None:
    assert paysupport_now == FIXED_NOW
    assert paysupport_now.tzinfo is not None


def test_parties(paysupport_merchant: Merchant, paysupport_customer: Customer) -> None:
    assert paysupport_merchant.id == "m_test"
    assert paysupport_customer.past_refunds == ()


def test_payment_factory(payment_factory: PaymentFactory, paysupport_now: datetime) -> None:
    p = payment_factory("49.90", "EUR", captured="40.00")
    q = payment_factory()
    assert isinstance(p, Payment)
    assert p.id != q.id
    assert p.amount_captured == Money.of("40.00", "EUR")
    assert p.created_at < paysupport_now
    assert payment_factory("10", "JPY", id="pay_x").id == "pay_x"
