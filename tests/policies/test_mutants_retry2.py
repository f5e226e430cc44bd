"""Retry schedules at Mastercard's same-amount limit, and an unknown network under both rule sets.

Written against the mutants ``scripts/mutation.py policies/retry.py`` left alive on the
snapshot at 4551560 (session 5): no test reached the 35 same-amount declines in 30 days, so
the check that skips re-testing each window (``_fits_at_once``) could say "fits" there
unseen; and no unknown-network failure met the Mastercard daily limit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from paysupport.models import PaymentFailure, RetryAttempt
from paysupport.money import Money
from paysupport.policies import RetryContext, RetrySchedule, Verdict, network_limits
from paysupport.providers import stripe_failure_fields

D = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
US = timedelta(microseconds=1)


def failure(network: str | None, attempts: list[datetime], declined_at: datetime = D):
    return PaymentFailure(
        id="f_1",
        merchant_id="m_1",
        amount=Money.from_minor(1_000, "EUR"),
        network=network,
        network_decline_code="51",
        declined_at=declined_at,
        attempts=tuple(RetryAttempt(at=a, succeeded=False) for a in attempts),
    )


def test_the_same_amount_limit_pushes_a_retry_until_the_oldest_decline_leaves_the_window():
    assert network_limits(D.date()).mc_declines_same_amount_30d == 35
    # the decline and 33 reattempts 20 h apart: 34 same-amount declines in 27.5 days
    attempts = [D + timedelta(hours=20 * k) for k in range(1, 34)]
    last = attempts[-1]
    policy = RetrySchedule(max_retries=36, waits_hours=[1], horizon_days=60)
    d = policy.decide(RetryContext(failure("mastercard", attempts)), last + timedelta(minutes=1))
    assert d.outcome is Verdict.RETRY
    first = last + timedelta(hours=1)  # the 35th: still within the limit
    second = D + timedelta(days=30) + US  # the 36th waits until the decline leaves
    third = attempts[0] + timedelta(days=30) + US  # then until the first reattempt leaves
    assert d.detail.schedule == (first, second, third)
    tries = [D, *attempts, *d.detail.schedule]
    for t in d.detail.schedule:
        assert sum(t - timedelta(days=30) < x <= t for x in tries) <= 35


@pytest.mark.parametrize("network", [None, "mastercard"])
def test_an_unknown_network_meets_the_mastercard_daily_limit_too(network):
    now = D + timedelta(minutes=5)
    declines = tuple(now - timedelta(minutes=i + 2) for i in range(9))  # 10 with the decline
    f = failure(network, [], declined_at=now - timedelta(minutes=1))
    policy = RetrySchedule(waits_hours=[1], max_retries=1)
    d = policy.decide(RetryContext(f, declines), now)
    assert d.detail.schedule == (now - timedelta(minutes=10) + timedelta(hours=24) + US,)


def test_a_decline_exactly_thirty_days_before_the_retry_is_out_of_the_window():
    # the decline and 34 reattempts, the last 30 days less 1 h after the decline: a retry 1 h
    # after it is exactly 30 days after the decline, which has left the window (start < x)
    step = (timedelta(days=30) - timedelta(hours=1)) / 34
    attempts = [D + step * k for k in range(1, 34)] + [D + timedelta(days=30, hours=-1)]
    policy = RetrySchedule(max_retries=35, waits_hours=[1], horizon_days=60)
    now = attempts[-1] + timedelta(minutes=1)
    d = policy.decide(RetryContext(failure("mastercard", attempts)), now)
    assert d.detail.schedule == (D + timedelta(days=30),)


def test_the_visa_limit_is_the_one_in_force_on_the_retry_date():
    # 25 reattempts, 17 of them in the last 30 days: over 20 in all, so every window is
    # checked; on 2026-04-15 Visa allows 20 in 30 days (15 before 2025-05-25): the retry fits
    now = D + timedelta(days=45)
    assert network_limits(now.date()).visa_reattempts_30d == 20
    old = [D + timedelta(days=k) for k in range(1, 9)]
    recent = [now - timedelta(hours=20 * j) for j in range(17, 0, -1)]
    policy = RetrySchedule(max_retries=26, waits_hours=[1], horizon_days=90)
    d = policy.decide(RetryContext(failure("visa", [*old, *recent])), now)
    assert d.detail.schedule == (now,)


A_DAY_LATER = "2026-03-02 12:00:00+00:00"


@pytest.mark.parametrize(
    ("code", "network", "mac", "ask", "reasons"),
    [
        (
            "43",
            "visa",
            None,
            "new_payment_method",
            [
                (
                    "visa_category_1",
                    "visa_category",
                    "43 is Visa category 1 (issuer will never approve): no retry",
                    {"code": "43"},
                )
            ],
        ),
        (
            "04",
            "mastercard",
            None,
            "new_payment_method",
            [
                (
                    "hard_decline",
                    "severity",
                    "04 is a hard decline: ask for a new payment method",
                    {"code": "04"},
                )
            ],
        ),
        (
            "51",
            "mastercard",
            "03",
            "new_payment_method",
            [
                (
                    "mac_do_not_retry",
                    "merchant_advice_code",
                    "MAC 03: do not try again; ask for a new payment method",
                    {"mac": "03"},
                )
            ],
        ),
        (
            "51",
            "mastercard",
            "21",
            "",
            [
                (
                    "mac_stop_recurring",
                    "merchant_advice_code",
                    "MAC 21: the cardholder stopped this recurring payment; never retry, "
                    "cancel the subscription",
                    {"mac": "21"},
                )
            ],
        ),
        (
            "51",
            "mastercard",
            "01",
            "update_card",
            [
                (
                    "mac_update_card",
                    "merchant_advice_code",
                    "MAC 01: new account information is available",
                    {"mac": "01"},
                )
            ],
        ),
        (
            "54",
            "visa",
            None,
            "new_payment_method",
            [
                (
                    "customer_must_act",
                    "retry_actions",
                    "54 needs new_payment_method: ask the customer to new_payment_method",
                    {"code": "54", "action": "new_payment_method", "ask": "new_payment_method"},
                )
            ],
        ),
        (
            "1A",
            "visa",
            None,
            "authenticate",
            [
                (
                    "customer_must_act",
                    "retry_actions",
                    "1A needs customer_action: ask the customer to authenticate",
                    {"code": "1A", "action": "customer_action", "ask": "authenticate"},
                )
            ],
        ),
        (
            "zz_unknown_code",
            None,
            None,
            None,
            [
                (
                    "unknown_decline_code",
                    "decline_code",
                    "decline code zz_unknown_code/none is unknown: no automatic retry",
                    {"decline_code": "zz_unknown_code", "network_decline_code": None},
                )
            ],
        ),
        (
            "51",
            "mastercard",
            "99",
            None,
            [
                (
                    "unknown_advice_code",
                    "merchant_advice_code",
                    "Mastercard advice code 99 is unknown: no automatic retry",
                    {"code": "99"},
                )
            ],
        ),
        (
            "51",
            "mastercard",
            "24",
            "",
            [
                (
                    "mac_retry_after",
                    "merchant_advice_code",
                    "MAC 24: wait at least 1 h 0 min",
                    {"mac": "24", "wait": "1:00:00"},
                ),
                (
                    "retry_scheduled",
                    "waits_hours",
                    f"8 retries from {A_DAY_LATER} (retry_later)",
                    {"count": 8, "first": A_DAY_LATER, "action": "retry_later"},
                ),
            ],
        ),
        (
            "51",
            "mastercard",
            "02",
            "",
            [
                (
                    "mac_retry_later",
                    "mac_02_wait_hours",
                    "MAC 02: try again later (after 72 h)",
                    {"mac": "02", "hours": 72},
                ),
                (
                    "retry_scheduled",
                    "waits_hours",
                    "8 retries from 2026-03-04 12:00:00+00:00 (retry_later)",
                    {"count": 8, "first": "2026-03-04 12:00:00+00:00", "action": "retry_later"},
                ),
            ],
        ),
    ],
)
def test_every_retry_sentence_in_full(code, network, mac, ask, reasons):
    f = PaymentFailure(
        id="f_1",
        merchant_id="m_1",
        amount=Money.from_minor(1_000, "EUR"),
        network=network,
        network_decline_code=code if len(code) <= 2 else None,
        decline_code=code if len(code) > 2 else None,
        merchant_advice_code=mac,
        declined_at=D,
    )
    policy = RetrySchedule()
    d = policy.decide(RetryContext(f), D + timedelta(minutes=5))
    assert d.policy == policy.info
    assert [(r.code, r.rule, r.message, r.to_dict()["values"]) for r in d.reasons] == reasons
    if ask is None:
        assert d.detail is None
    else:
        assert d.detail.ask == ask
        assert (d.detail.schedule == ()) is (d.outcome is not Verdict.RETRY)


def test_no_retry_left_says_why_in_full():
    attempts = [D + timedelta(hours=1), D + timedelta(hours=2)]
    d = RetrySchedule(max_retries=2).decide(
        RetryContext(failure("visa", attempts)), D + timedelta(hours=3)
    )
    assert (d.outcome, d.detail.ask) == (Verdict.ASK_CUSTOMER, "new_payment_method")
    assert [(r.code, r.rule, r.message) for r in d.reasons] == [
        (
            "retries_exhausted",
            "max_retries",
            "no retry left (2 made, cap 2, horizon 30 days): ask for a new payment method",
        )
    ]


def test_each_retry_waits_its_own_wait_and_the_last_one_repeats():
    policy = RetrySchedule(waits_hours=[1, 5, 9], max_retries=4)
    d = policy.decide(RetryContext(failure("visa", [])), D)
    hours = [1, 1 + 5, 1 + 5 + 9, 1 + 5 + 9 + 9]
    assert d.detail.schedule == tuple(D + timedelta(hours=h) for h in hours)


def test_a_retry_exactly_at_the_horizon_is_still_made():
    policy = RetrySchedule(waits_hours=[24], max_retries=2, horizon_days=1)
    d = policy.decide(RetryContext(failure("visa", [])), D)
    assert (d.outcome, d.detail.schedule) == (Verdict.RETRY, (D + timedelta(days=1),))


def test_a_stripe_non_retryable_code_says_so_in_full():
    f = PaymentFailure(
        id="f_1",
        merchant_id="m_1",
        amount=Money.from_minor(1_000, "EUR"),
        decline_code="authentication_required",
        provider_decline=stripe_failure_fields({"decline_code": "authentication_required"})[
            "provider_decline"
        ],
        declined_at=D,
    )
    d = RetrySchedule().decide(RetryContext(f), D)
    assert (d.outcome, d.detail.ask) == (Verdict.ASK_CUSTOMER, "authenticate")
    assert [(r.code, r.rule, r.message) for r in d.reasons] == [
        (
            "stripe_non_retryable",
            "stripe_non_retryable",
            "authentication_required is on Stripe's non-retryable list",
        )
    ]
