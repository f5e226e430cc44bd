"""Hypothesis strategies for money and the models, valid by construction.

Every strategy here only produces objects whose invariants hold (amounts within what was
captured, one currency per payment, aware datetimes), so a property can quantify over them
without filtering. Keyword knobs narrow the space (currencies, amount ranges, ``now``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from paysupport.models import (
    Capture,
    Card,
    CardBrand,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundReason,
    RefundStatus,
)
from paysupport.money import Currency, Money, currencies, currency

__all__ = [
    "DEFAULT_NOW",
    "currencies_",
    "money",
    "payments",
]

#: The reference "now" strategies date things relative to, unless one is passed.
DEFAULT_NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

_COMMON = ("EUR", "USD", "GBP", "JPY", "KWD", "CLF", "BRL", "INR")


def currencies_(codes: Sequence[str] | None = None) -> st.SearchStrategy[Currency]:
    """Currencies: the given codes, or a mix of common ones and every ISO exponent."""
    if codes is None:
        return st.sampled_from([currency(c) for c in _COMMON]) | st.sampled_from(currencies())
    return st.sampled_from([currency(c) for c in codes])


def money(
    currency_codes: Sequence[str] | None = None,
    *,
    min_minor: int = 0,
    max_minor: int = 10**9,
) -> st.SearchStrategy[Money]:
    """Money between ``min_minor`` and ``max_minor`` minor units in the given currencies."""
    return st.builds(
        Money.from_minor, st.integers(min_minor, max_minor), currencies_(currency_codes)
    )


def _aware_times(now: datetime, days_back: int) -> st.SearchStrategy[datetime]:
    return st.integers(0, days_back * 86_400).map(lambda s: now - timedelta(seconds=s))


@st.composite
def payments(
    draw: st.DrawFn,
    *,
    currency_codes: Sequence[str] | None = None,
    max_minor: int = 10**8,
    now: datetime = DEFAULT_NOW,
    with_refunds: bool = True,
) -> Payment:
    """Captured card payments with partial captures and refunds whose totals always fit."""
    cur = draw(currencies_(currency_codes))
    authorized = draw(st.integers(1, max_minor))
    created = draw(_aware_times(now, 365))
    n_caps = draw(st.integers(1, 3))
    cap_total = draw(st.integers(n_caps, max(n_caps, authorized))) if authorized >= n_caps else 0
    if cap_total == 0:
        n_caps, cap_total = 1, authorized
    caps = Money.from_minor(cap_total, cur).split(n_caps)
    captures = tuple(
        Capture(id=f"cap_{i}", amount=m, captured_at=created + timedelta(minutes=i))
        for i, m in enumerate(caps)
    )
    refunds: list[Refund] = []
    left = cap_total
    if with_refunds:
        for i in range(draw(st.integers(0, 3))):
            if left < 1:
                break
            amount = draw(st.integers(1, left))
            status = draw(st.sampled_from(list(RefundStatus)))
            if status.holds_funds:
                left -= amount
            refunds.append(
                Refund(
                    id=f"re_{i}",
                    payment_id="pay_gen",
                    amount=Money.from_minor(amount, cur),
                    reason=draw(st.sampled_from(list(RefundReason))),
                    status=status,
                    created_at=created + timedelta(hours=1 + i),
                )
            )
    succeeded = sum(r.amount.minor for r in refunds if r.status is RefundStatus.SUCCEEDED)
    if succeeded and succeeded == cap_total:
        status = PaymentStatus.REFUNDED
    elif succeeded:
        status = PaymentStatus.PARTIALLY_REFUNDED
    elif cap_total < authorized and draw(st.booleans()):
        status = PaymentStatus.PARTIALLY_CAPTURED
    else:
        status = PaymentStatus.CAPTURED
    card = Card(
        brand=draw(st.sampled_from([CardBrand.VISA, CardBrand.MASTERCARD, CardBrand.AMEX])),
        last4=draw(st.from_regex(r"\A\d{4}\Z")),
        fingerprint=draw(st.from_regex(r"\A[A-Za-z]{16}\Z")),
    )
    return Payment(
        id="pay_gen",
        merchant_id="m_gen",
        customer_id="cus_gen",
        amount=Money.from_minor(authorized, cur),
        status=status,
        payment_method=PaymentMethod(type="card", card=card),
        created_at=created,
        captures=captures,
        refunds=tuple(refunds),
        multicapture=n_caps > 1,
    )
