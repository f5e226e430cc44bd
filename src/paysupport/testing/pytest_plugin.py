"""pytest plugin with fixtures for tests of code built on paysupport.

Installed through the ``pytest11`` entry point, so the fixtures are there with no import:

- ``paysupport_now``: a fixed, timezone-aware "now" (never the clock);
- ``paysupport_merchant`` and ``paysupport_customer``: a small merchant and a customer;
- ``payment_factory``: builds captured card payments with sensible defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from paysupport.models import CardBrand, Customer, Merchant, Payment

# The models are imported inside the fixtures: pytest loads this plugin before coverage
# starts, and importing the library here would hide its module-level lines from coverage.

__all__ = [
    "FIXED_NOW",
    "PaymentFactory",
    "payment_factory",
    "paysupport_customer",
    "paysupport_merchant",
    "paysupport_now",
]

#: The fixed time ``paysupport_now`` returns.
FIXED_NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

#: Builds a captured payment: ``payment_factory("49.90", "EUR", id="pay_2", captured=...)``.
PaymentFactory = Callable[..., "Payment"]


@pytest.fixture
def paysupport_now() -> datetime:
    """A fixed, timezone-aware "now" for deterministic tests."""
    return FIXED_NOW


@pytest.fixture
def paysupport_merchant() -> Merchant:
    """A medium-sized merchant in Germany."""
    from paysupport.models import Merchant, MerchantSegment

    return Merchant(id="m_test", name="Test Merchant", segment=MerchantSegment.MEDIUM, market="DE")


@pytest.fixture
def paysupport_customer() -> Customer:
    """A customer with no refund history."""
    from paysupport.models import Customer

    return Customer(id="cus_test", payments_count=3)


@pytest.fixture
def payment_factory(
    paysupport_now: datetime, paysupport_merchant: Merchant, paysupport_customer: Customer
) -> PaymentFactory:
    """A factory of captured card payments, a day old by default."""
    from paysupport.models import Capture, Card, CardBrand, Payment, PaymentMethod
    from paysupport.money import Money

    counter = iter(range(1, 1_000_000))

    def make(
        amount: str = "100.00",
        currency: str = "EUR",
        *,
        captured: str | None = None,
        brand: CardBrand | str = "visa",
        fingerprint: str = "fpTestCard0001",
        age: timedelta = timedelta(days=1),
        **fields: Any,
    ) -> Payment:
        n = next(counter)
        pid = fields.pop("id", f"pay_test_{n}")
        created = paysupport_now - age
        total = Money.of(amount, currency)
        cap = Money.of(captured, currency) if captured is not None else total
        data: dict[str, Any] = {
            "id": pid,
            "merchant_id": paysupport_merchant.id,
            "customer_id": paysupport_customer.id,
            "amount": total,
            "status": "captured",
            "created_at": created,
            "payment_method": PaymentMethod(
                card=Card(brand=CardBrand(brand), last4="4242", fingerprint=fingerprint)
            ),
            "captures": [Capture(id=f"cap_{pid}", amount=cap, captured_at=created)],
        }
        data.update(fields)
        return Payment(**data)

    return make
