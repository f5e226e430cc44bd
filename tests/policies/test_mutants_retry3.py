"""Retry schedules: Mastercard advice that says "retry later", limits re-read after a move.

Written against the mutants ``scripts/mutation.py policies/retry.py`` left alive on the
snapshot at 4551560 (session 5, third pass): no test had a MAC with a retry-after wait on a
decline whose own action asks the customer, a hard decline that is not "do not retry" on
Mastercard (no Visa category check), a decline without an action, a card decline exactly
at the candidate time, or a retry moved by one network window into a date whose limits
differ (Mastercard's daily limit 20 -> 10 on 2022-10-01; Visa 20 from 2025-05-25).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from paysupport.models import PaymentFailure, RetryAttempt
from paysupport.money import Money
from paysupport.policies import (
    Decision,
    RetryContext,
    RetryPlan,
    RetrySchedule,
    Verdict,
    network_limits,
)

D = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
US = timedelta(microseconds=1)


def failure(
    code: str = "51",
    network: str | None = "mastercard",
    mac: str | None = None,
    attempts: tuple[datetime, ...] = (),
    declined_at: datetime = D,
) -> PaymentFailure:
    return PaymentFailure(
        id="f_1",
        merchant_id="m_1",
        amount=Money.from_minor(1_000, "EUR"),
        network=network,
        network_decline_code=code,
        merchant_advice_code=mac,
        declined_at=declined_at,
        attempts=tuple(RetryAttempt(at=a, succeeded=False) for a in attempts),
    )


def reasons(d: Decision) -> list[dict[str, object]]:
    return [r.to_dict() for r in d.reasons]


def first(d: Decision) -> datetime:
    assert isinstance(d.detail, RetryPlan)
    return d.detail.schedule[0]


@pytest.mark.parametrize("mac", ["24", "25"])
def test_a_mac_retry_after_wait_retries_a_decline_whose_own_action_asks_the_customer(
    mac: str,
) -> None:
    # 1A (authentication required) asks the customer to authenticate on its own; a
    # Mastercard advice code with a retry-after wait makes it a "retry later" instead.
    policy = RetrySchedule()
    alone = policy.decide(RetryContext(failure("1A")), D + H)
    assert alone.outcome is Verdict.ASK_CUSTOMER
    assert alone.detail == RetryPlan((), "authenticate")
    d = policy.decide(RetryContext(failure("1A", mac=mac)), D + H)
    assert d.outcome is Verdict.RETRY
    assert first(d) == D + timedelta(hours=24)
    assert reasons(d)[1] == {
        "code": "retry_scheduled",
        "rule": "waits_hours",
        "policy": "retry_schedule",
        "message": "8 retries from 2026-03-02 12:00:00+00:00 (retry_later)",
        "values": {"count": 8, "first": "2026-03-02 12:00:00+00:00", "action": "retry_later"},
    }


def test_mac_02_without_a_wait_leaves_the_declines_own_action() -> None:
    d = RetrySchedule().decide(RetryContext(failure("1A", mac="02")), D + H)
    assert d.outcome is Verdict.ASK_CUSTOMER
    assert d.detail == RetryPlan((), "authenticate")
    assert reasons(d) == [
        {
            "code": "customer_must_act",
            "rule": "retry_actions",
            "policy": "retry_schedule",
            "message": "1A needs customer_action: ask the customer to authenticate",
            "values": {"code": "1A", "action": "customer_action", "ask": "authenticate"},
        }
    ]


def test_a_hard_decline_that_is_not_do_not_retry_asks_for_a_new_payment_method() -> None:
    # 57 is hard by its Visa category 1 (action: contact the issuer); on Mastercard the
    # Visa category rule does not apply, the severity still does.
    d = RetrySchedule().decide(RetryContext(failure("57")), D + H)
    assert d.outcome is Verdict.ASK_CUSTOMER
    assert d.detail == RetryPlan((), "new_payment_method")
    assert reasons(d) == [
        {
            "code": "hard_decline",
            "rule": "severity",
            "policy": "retry_schedule",
            "message": "57 is a hard decline: ask for a new payment method",
            "values": {"code": "57"},
        }
    ]


@pytest.mark.parametrize("code", ["79", "82"])
def test_a_decline_without_an_action_asks_for_a_new_payment_method(code: str) -> None:
    d = RetrySchedule().decide(RetryContext(failure(code)), D + H)
    assert d.outcome is Verdict.ASK_CUSTOMER
    assert d.detail == RetryPlan((), "new_payment_method")
    assert reasons(d)[0]["values"] == {"code": code, "action": None, "ask": "new_payment_method"}
    # No action to name: the sentence says so ("79 needs none: ..." before).
    assert reasons(d)[0]["message"] == (
        f"{code} has no retry action: ask the customer to new_payment_method"
    )


def test_a_card_decline_exactly_at_the_retry_time_counts_in_the_daily_window() -> None:
    # The decline and 9 other card declines in the 24 h before now, the last one at now
    # itself: 10 in the window ending at now, so the retry waits until the oldest leaves.
    assert network_limits(D.date()).mc_declines_24h == 10
    now = D + 20 * H
    others = tuple(D + k * H for k in range(12, 21))  # 12 h .. 20 h (= now)
    policy = RetrySchedule(waits_hours=(1,))
    d = policy.decide(RetryContext(failure(), others), now)
    assert d.outcome is Verdict.RETRY
    assert first(d) == D + timedelta(hours=24) + US
    # without the one at now, the retry is made at now
    d = policy.decide(RetryContext(failure(), others[:-1]), now)
    assert first(d) == now


def test_a_retry_moved_into_a_stricter_days_limits_is_moved_again() -> None:
    # Mastercard's daily limit was 20 until 2022-09-30 and is 10 from 2022-10-01.
    day = datetime(2022, 9, 30, 0, 0, tzinfo=UTC)
    assert network_limits(day.date()).mc_declines_24h == 20
    assert network_limits((day + timedelta(days=1)).date()).mc_declines_24h == 10
    others = tuple(day + k * H for k in range(1, 20))  # 19 more declines, 1 h .. 19 h
    d = RetrySchedule(waits_hours=(1,)).decide(
        RetryContext(failure(declined_at=day), others), day + 20 * H
    )
    # 20 in the window on 2022-09-30: wait until the first leaves (2022-10-01 00:00 + 1 us);
    # there, 19 of a limit of 10: wait until the tenth oldest (10 h) leaves.
    assert d.outcome is Verdict.RETRY
    assert first(d) == day + timedelta(hours=34) + US


def test_a_retry_moved_by_the_visa_limit_keeps_the_limit_of_its_own_date() -> None:
    # Visa allows 20 reattempts per 30 days from 2025-05-25: 20 reattempts an hour apart
    # push the retry until the first leaves the window; 19 left then are within 20.
    assert network_limits(D.date()).visa_reattempts_30d == 20
    attempts = tuple(D + k * H for k in range(1, 21))
    d = RetrySchedule(max_retries=30, horizon_days=60).decide(
        RetryContext(failure(network="visa", attempts=attempts)), D + 21 * H
    )
    assert d.outcome is Verdict.RETRY
    assert first(d) == D + timedelta(days=30) + H + US
