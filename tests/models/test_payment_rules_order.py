"""The payment's one-pass rule reports the same first broken rule as the rules checked one by one.

``_reference`` is the rule as it was written before the one-pass version (each check over the
records in turn); both run on payments built without validation with several invariants
broken at once, and must name the same rule and field, or both accept.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic_core import PydanticCustomError

from paysupport.models import Payment, PaymentStatus
from paysupport.models.payment import _BEFORE_CAPTURE, _other_currency, _other_payment
from paysupport.models.refund import RefundStatus
from paysupport.money import Money
from paysupport.testing import strategies as gen


def _reference(p: Payment) -> None:
    from paysupport.models._base import rule_error

    cur = p.amount.currency
    if p.amount.minor <= 0:
        raise rule_error("amount", "payment_amount_positive", "")
    kinds = (("captures", p.captures), ("refunds", p.refunds), ("disputes", p.disputes))
    for kind, records in kinds:
        for r in records:
            if r.amount.currency is not cur:
                _other_currency(cur, kind, records)
    extra = p.refunded_unitemised
    if extra is not None:
        if extra.currency is not cur:
            raise rule_error("refunded_unitemised", "currency_matches_payment", "")
        if extra.minor <= 0:
            raise rule_error("refunded_unitemised", "refunded_unitemised_positive", "")
    for kind, records in (("refunds", p.refunds), ("disputes", p.disputes)):
        for r in records:
            if r.payment_id != p.id:
                _other_payment(p.id, kind, records)
    for kind, records in kinds:
        if len(records) > 1 and len({r.id for r in records}) != len(records):
            raise rule_error(kind, "unique_ids", "")
    if (p.refunds or extra is not None) and not p.captures:
        field = "refunds" if p.refunds else "refunded_unitemised"
        raise rule_error(field, "refund_needs_capture", "")
    captured = sum(c.amount.minor for c in p.captures)
    if captured > p.amount.minor:
        raise rule_error("captures", "captured_exceeds_authorized", "")
    refunded = (0 if extra is None else extra.minor) + sum(
        r.amount.minor for r in p.refunds if r.status is RefundStatus.SUCCEEDED
    )
    in_flight = sum(
        r.amount.minor
        for r in p.refunds
        if r.status is not RefundStatus.SUCCEEDED and r.status.holds_funds
    )
    if refunded + in_flight > captured:
        field = "refunds" if p.refunds else "refunded_unitemised"
        raise rule_error(field, "refund_total_exceeds_captured", "")
    for i, d in enumerate(p.disputes):
        if d.amount.minor > captured:
            raise rule_error(f"disputes.{i}.amount", "dispute_exceeds_captured", "")
    if p.status in _BEFORE_CAPTURE and p.captures:
        raise rule_error("status", "status_matches_captures", "")
    if p.status is PaymentStatus.CANCELED and p.captures:
        raise rule_error("status", "canceled_after_capture", "")


def _verdict(check: Any, p: Payment) -> tuple[str, str] | None:
    try:
        check(p)
    except PydanticCustomError as exc:
        return (str((exc.context or {}).get("field")), exc.type)
    return None


@st.composite
def broken_payments(draw: st.DrawFn) -> Payment:
    """A generated payment with zero to four invariants broken, built without validation."""
    p = draw(gen.payments())
    update: dict[str, Any] = {}
    other = "USD" if p.currency.code != "USD" else "EUR"
    for kind in draw(
        st.lists(
            st.sampled_from(
                ["amount", "currency", "payment_id", "dupe", "unitemised", "status", "dispute"]
            ),
            max_size=4,
            unique=True,
        )
    ):
        if kind == "amount":
            update["amount"] = Money.from_minor(draw(st.integers(-2, 50)), p.currency)
        elif kind == "currency" and (p.captures or p.refunds):
            field = "captures" if p.captures and draw(st.booleans()) else "refunds"
            records = getattr(p, field) or p.captures
            field = "captures" if records is p.captures else field
            first = records[0].model_copy(update={"amount": Money.from_minor(1, other)})
            update[field] = (*records[1:], first)
        elif kind == "payment_id" and (p.refunds or p.disputes):
            field = "refunds" if p.refunds else "disputes"
            records = getattr(p, field)
            update[field] = (*records, records[0].model_copy(update={"payment_id": "pay_x"}))
        elif kind == "dupe" and p.captures:
            update["captures"] = (*p.captures, p.captures[0])
        elif kind == "unitemised":
            cur = draw(st.sampled_from([p.currency.code, other]))
            update["refunded_unitemised"] = Money.from_minor(draw(st.integers(-1, 10**6)), cur)
        elif kind == "status":
            update["status"] = draw(st.sampled_from(list(PaymentStatus)))
        elif kind == "dispute" and p.disputes:
            d = p.disputes[0]
            big = d.model_copy(update={"amount": Money.from_minor(10**9, d.amount.currency)})
            update["disputes"] = (big, *p.disputes[1:])
    return p.model_copy(update=update)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(p=broken_payments())
def test_one_pass_rule_reports_what_the_rules_one_by_one_report(p: Payment) -> None:
    assert _verdict(Payment._payment_rules, p) == _verdict(_reference, p)
