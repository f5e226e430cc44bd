"""Refund fairness: every reason in full (code, rule, sentence, values) and the amounts it names.

Written against the mutants ``scripts/mutation.py policies/refund_fairness.py`` left alive
on the snapshot at 4551560 (session 5, third pass): the tests compared reason codes and a
few values, not the rule a reason names or its sentence; no test asked for an amount on a
payment whose capture is still open, or on a duplicate claim that is not confirmed; no
test had two duplicates at the same distance, or a request above what is refundable that
also goes to review.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from policy_factories import T0, customer, eur, payment, refund_ctx, request

from paysupport.models import RefundReason, RefundStatus
from paysupport.policies import (
    Decision,
    ExchangeRates,
    RefundContext,
    RefundFairness,
    Verdict,
)

NOW = T0 + timedelta(days=1)


def decide(ctx: RefundContext, now: datetime = NOW, **params: Any) -> Decision:
    return RefundFairness(**params).decide(ctx, now)


def full(d: Decision) -> list[dict[str, object]]:
    return [r.to_dict() for r in d.reasons]


def why(code: str, rule: str, message: str, **values: object) -> dict[str, object]:
    return {
        "code": code,
        "rule": rule,
        "policy": "refund_fairness",
        "message": message,
        "values": values,
    }


def m(minor: int, currency: str = "EUR") -> dict[str, object]:
    return {"minor": minor, "currency": currency}


def test_a_request_in_another_currency_is_denied_in_full() -> None:
    d = decide(refund_ctx(req=request(amount=100, currency="USD")))
    assert d.outcome is Verdict.DENY
    assert full(d) == [
        why(
            "currency_mismatch",
            "currency",
            "1.00 USD is not in the payment's currency EUR",
            asked=m(100, "USD"),
            payment_currency="EUR",
        )
    ]


def test_nothing_left_to_refund_is_denied_in_full() -> None:
    d = decide(refund_ctx(payment(refunded=((10_000, RefundStatus.SUCCEEDED),))))
    assert d.outcome is Verdict.DENY
    assert full(d) == [
        why(
            "nothing_refundable",
            "refundable_amount",
            "nothing is left to refund (0.00 EUR)",
            refundable=m(0),
        )
    ]


@pytest.mark.parametrize(("asked", "amount"), [(2_000, 2_000), (8_000, 6_000), (None, 6_000)])
def test_an_open_capture_goes_to_review_for_what_is_asked_up_to_what_is_captured(
    asked: int | None, amount: int
) -> None:
    open_capture = payment(amount=10_000, captured=6_000).evolve(status="partially_captured")
    d = decide(refund_ctx(open_capture, request(amount=asked)))
    assert d.outcome is Verdict.REVIEW
    assert d.amount == eur(amount)
    assert full(d) == [
        why(
            "capture_not_final",
            "payment_status",
            "only 60.00 EUR of 100.00 EUR is captured and more captures may come: "
            "finish or release the capture before refunding",
            captured=m(6_000),
            authorized=m(10_000),
        )
    ]


def test_of_two_duplicates_equally_close_the_first_related_one_is_named() -> None:
    before = payment(id="p_before", captured_at=T0 - timedelta(seconds=7))
    after = payment(id="p_after", captured_at=T0 + timedelta(seconds=7))
    req = request(reason=RefundReason.DUPLICATE)
    d = decide(refund_ctx(req=req, related=(before, after)))
    assert d.outcome is Verdict.APPROVE
    assert d.amount == eur(10_000)
    assert full(d) == [
        why(
            "duplicate_charge",
            "duplicate_window_seconds",
            "same card, amount and merchant as p_before, 7s apart (window 300s)",
            duplicate_of="p_before",
            gap_seconds=7,
            window_seconds=300,
        )
    ]
    d = decide(refund_ctx(req=req, related=(after, before)))
    assert d.reasons[0].value("duplicate_of") == "p_after"


@pytest.mark.parametrize(("asked", "amount"), [(4_000, 4_000), (None, 10_000)])
def test_a_duplicate_outside_the_window_goes_to_review_naming_the_gap(
    asked: int | None, amount: int
) -> None:
    other = payment(id="pay_0", captured_at=T0 - timedelta(seconds=301))
    req = request(reason=RefundReason.DUPLICATE, amount=asked)
    d = decide(refund_ctx(req=req, related=(other,)))
    assert d.outcome is Verdict.REVIEW
    assert d.amount == eur(amount)
    assert full(d) == [
        why(
            "duplicate_not_confirmed",
            "duplicate_window_seconds",
            "no charge with the same card, amount and merchant within 300s (closest: 301s)",
            gap_seconds=301,
            window_seconds=300,
        )
    ]


def test_an_overcharge_claim_without_the_correct_amount_goes_to_review_in_full() -> None:
    d = decide(refund_ctx(req=request(reason=RefundReason.OVERCHARGE)))
    assert (d.outcome, d.amount) == (Verdict.REVIEW, None)
    assert full(d) == [
        why(
            "overcharge_amount_missing",
            "overcharge",
            "an overcharge claim without the correct amount",
        )
    ]


def test_no_overcharge_is_denied_in_full() -> None:
    d = decide(refund_ctx(req=request(reason=RefundReason.OVERCHARGE, correct=10_000)))
    assert d.outcome is Verdict.DENY
    assert full(d) == [
        why(
            "no_overcharge",
            "overcharge",
            "charged 100.00 EUR, correct amount 100.00 EUR: no overcharge",
            charged=m(10_000),
            correct=m(10_000),
        )
    ]


def test_an_overcharge_refunds_the_difference_in_full() -> None:
    d = decide(refund_ctx(req=request(reason=RefundReason.OVERCHARGE, correct=8_000)))
    assert (d.outcome, d.amount) == (Verdict.APPROVE_PARTIAL, eur(2_000))
    assert full(d) == [
        why(
            "overcharge",
            "overcharge",
            "charged 100.00 EUR instead of 80.00 EUR: refund 20.00 EUR",
            charged=m(10_000),
            correct=m(8_000),
            difference=m(2_000),
        )
    ]


def test_outside_the_refund_window_is_denied_in_full() -> None:
    d = decide(refund_ctx(), T0 + timedelta(days=181))
    assert d.outcome is Verdict.DENY
    assert full(d) == [
        why(
            "outside_refund_window",
            "refund_window_days",
            "181 days since capture, the card window is 180 days",
            method="card",
            days_since_capture=181,
            window_days=180,
        )
    ]


def _past(n: int) -> tuple[tuple[datetime, int], ...]:
    return tuple((NOW - timedelta(days=1 + i), 100) for i in range(n))


def test_a_serial_refunder_is_denied_in_full() -> None:
    d = decide(refund_ctx(cust=customer(_past(8))), history_window_days=60)
    assert d.outcome is Verdict.DENY
    assert full(d) == [
        why(
            "serial_refunder",
            "serial_refunder_count",
            "8 refunds in 60 days (serial refunder at 8)",
            count=8,
            limit=8,
            days=60,
        )
    ]


def test_too_many_recent_refunds_go_to_review_in_full() -> None:
    d = decide(refund_ctx(cust=customer(_past(4))))
    assert (d.outcome, d.amount) == (Verdict.REVIEW, eur(10_000))
    assert full(d) == [
        why(
            "refund_history_count",
            "history_max_count",
            "4 refunds in 90 days, more than 3",
            count=4,
            limit=3,
            days=90,
        )
    ]


_EXCEEDS = why(
    "exceeds_refundable",
    "refundable_amount",
    "asked 100.01 EUR, only 100.00 EUR is refundable",
    asked=m(10_001),
    refundable=m(10_000),
)


def test_more_than_refundable_is_granted_in_part_in_full() -> None:
    d = decide(refund_ctx(req=request(amount=10_001)))
    assert (d.outcome, d.amount) == (Verdict.APPROVE_PARTIAL, eur(10_000))
    assert full(d) == [_EXCEEDS]


def test_more_than_refundable_and_above_the_limit_goes_to_review_saying_both() -> None:
    d = decide(refund_ctx(req=request(amount=10_001)), auto_approve_limit={"EUR": 5_000})
    assert (d.outcome, d.amount) == (Verdict.REVIEW, eur(10_000))
    assert full(d) == [
        why(
            "above_auto_approve_limit",
            "auto_approve_limit",
            "100.00 EUR is above the auto-approve limit (50.00 EUR)",
            amount=m(10_000),
            limit=m(5_000),
        ),
        _EXCEEDS,
    ]


def test_no_limit_for_the_currency_goes_to_review_in_full() -> None:
    ctx = RefundContext(payment(currency="USD"), request(currency="USD"))
    d = decide(ctx, auto_approve_limit={"JPY": 5}, reference_currency="EUR")
    assert (d.outcome, d.amount) == (Verdict.REVIEW, eur(10_000, "USD"))
    assert full(d) == [
        why(
            "no_limit_for_currency",
            "auto_approve_limit",
            "no auto-approve limit is set for USD",
            currency="USD",
        )
    ]


def test_no_rate_to_the_reference_currency_goes_to_review_in_full() -> None:
    rates = ExchangeRates("EUR", {"GBP": Decimal("1")})
    ctx = RefundContext(payment(currency="USD"), request(currency="USD"), rates=rates)
    d = decide(ctx, auto_approve_limit={"EUR": 1_000})
    assert (d.outcome, d.amount) == (Verdict.REVIEW, eur(10_000, "USD"))
    error = "no USD->EUR exchange rate was given"
    assert full(d) == [
        why(
            "no_exchange_rate",
            "auto_approve_limit",
            f"{error}: the EUR auto-approve limit cannot cover USD",
            currency="USD",
            reference="EUR",
            error=error,
        )
    ]


def test_a_duplicate_claim_with_no_related_payment_says_none_was_found() -> None:
    # Without any related payment there is no closest gap: the sentence says so instead of
    # rendering the missing value ("closest: nones" before).
    d = decide(refund_ctx(req=request(reason=RefundReason.DUPLICATE)))
    assert d.outcome is Verdict.REVIEW
    assert full(d) == [
        why(
            "duplicate_not_confirmed",
            "duplicate_window_seconds",
            "no charge with the same card, amount and merchant within 300s (none found)",
            gap_seconds=None,
            window_seconds=300,
        )
    ]
