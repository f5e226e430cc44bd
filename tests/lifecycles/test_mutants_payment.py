"""Payment refunds recorded before the payment event, capture ids, the model-rule refusal.

Written against the mutants that survived ``scripts/mutation.py lifecycles`` (docs/testing.md):
a refund already on the payment (pending at the provider) was never settled through the
payment lifecycle, a given capture id never read back, and a reversal of a refund that had
not succeeded never tried.
"""

from __future__ import annotations

import pytest

from paysupport.errors import InvalidTransition, NotFound
from paysupport.lifecycles import diagram, dispute, payment
from paysupport.models import Payment, PaymentStatus, Refund, RefundStatus
from paysupport.money import Money
from tests.lifecycles._support import at, eur, make_dispute, make_payment


def _with_pending_refund() -> Payment:
    p = payment.fire(make_payment(), "capture", now=at(1), amount=eur("100"))
    pending = Refund(
        id="re_1",
        payment_id="pi_1",
        amount=eur("30"),
        status=RefundStatus.PENDING,
        created_at=at(2),
        requested_by="op_alice",
    )
    return p.with_refund(pending)


def test_settling_a_pending_refund_marks_that_refund_succeeded() -> None:
    p = payment.fire(_with_pending_refund(), "settle_refund", now=at(3), refund_id="re_1")
    assert p.status is PaymentStatus.PARTIALLY_REFUNDED
    assert p.amount_refunded == eur("30")
    (done,) = p.refunds
    assert (done.id, done.amount, done.status) == ("re_1", eur("30"), RefundStatus.SUCCEEDED)
    assert (done.created_at, done.requested_by) == (at(2), "op_alice")


def test_a_pending_refund_is_settled_for_its_own_amount_only() -> None:
    with pytest.raises(InvalidTransition, match=r"refund 're_1' is for 30\.00 EUR, not 20\.00 EUR"):
        payment.fire(
            _with_pending_refund(), "settle_refund", now=at(3), refund_id="re_1", amount=eur("20")
        )


def test_a_refund_that_has_not_succeeded_cannot_be_reversed() -> None:
    p = payment.fire(_with_pending_refund(), "refund", now=at(3), refund_id="re_2")
    assert p.status is PaymentStatus.PARTIALLY_REFUNDED  # re_1 is still pending
    with pytest.raises(InvalidTransition, match="no succeeded refund 're_1' on the payment"):
        payment.fire(p, "reverse_refund", now=at(4), refund_id="re_1")


def test_a_given_capture_id_is_the_captures_id() -> None:
    p = payment.fire(make_payment(), "capture", now=at(1), amount=eur("10"), capture_id="cap_x")
    assert [c.id for c in p.captures] == ["cap_x"]
    p = payment.fire(make_payment(), "capture", now=at(1), amount=eur("10"))
    assert [c.id for c in p.captures] == ["pi_1-capture-1"]


def test_an_amount_in_another_currency_is_named_by_its_key() -> None:
    with pytest.raises(InvalidTransition) as exc:
        payment.fire(make_payment(), "capture", now=at(1), amount=Money.of("10", "USD"))
    assert exc.value.reason == "amount is in USD, the aggregate in EUR"


def test_a_result_breaking_a_model_rule_names_the_rule() -> None:
    d = dispute.fire(make_dispute(), "submit_evidence", now=at(days=1))
    with pytest.raises(InvalidTransition) as exc:
        dispute.fire(d, "open_pre_arbitration", now=at(days=2), due_by=at(days=-1).isoformat())
    assert exc.value.reason == "the result would break due_after_opened"


def test_an_unknown_lifecycle_name_is_named() -> None:
    with pytest.raises(NotFound) as exc:
        diagram("subscription")
    assert (exc.value.kind, exc.value.id, exc.value.field) == (
        "lifecycle",
        "subscription",
        "lifecycle",
    )
