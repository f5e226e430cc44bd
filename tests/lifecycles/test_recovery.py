"""Example tests: every failed-payment recovery transition and refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from paysupport.errors import InvalidTransition
from paysupport.lifecycles import hard_decline_reason, recovery
from paysupport.models import PaymentFailure
from paysupport.policies import RetryContext, RetrySchedule
from paysupport.providers import stripe_failure_fields
from tests.lifecycles._support import at, make_failure


def fire(f: PaymentFailure, event: str, hours: float = 1, **data: Any) -> PaymentFailure:
    return recovery.fire(f, event, now=at(hours), **data)


def scheduled(f: PaymentFailure | None = None) -> PaymentFailure:
    return fire(f or make_failure(), "schedule_retry", 1, retry_at=at(24))


def test_retry_and_recover() -> None:
    f = scheduled()
    assert f.status.value == "retry_scheduled" and f.next_retry_at == at(24)
    with pytest.raises(InvalidTransition, match="scheduled for"):
        fire(f, "start_retry", 2)
    f = fire(f, "start_retry", 24)
    assert f.status.value == "retrying"
    done = fire(f, "retry_succeeded", 25)
    assert done.status.value == "recovered" and done.attempt == 2
    assert done.attempts[-1].succeeded and done.next_retry_at is None


def test_soft_retry_failure_goes_back_to_declined() -> None:
    f = fire(fire(scheduled(), "start_retry", 24), "retry_failed", 25, network_decline_code="51")
    assert f.status.value == "declined" and f.attempt == 2
    assert f.attempts[-1].network_decline_code == "51"


@pytest.mark.parametrize(
    "data",
    [
        {"network_decline_code": "43"},  # stolen card: Visa category 1
        {"network_decline_code": "51", "merchant_advice_code": "21"},  # stop recurring
        {"network_decline_code": "1A"},  # authentication required
    ],
)
def test_hard_or_customer_decline_stops_retries(data: dict[str, str]) -> None:
    f = fire(fire(scheduled(), "start_retry", 24), "retry_failed", 25, **data)
    assert f.status.value == "needs_customer_action"
    back = fire(f, "customer_acted", 30)
    assert back.status.value == "retrying"


def test_retry_failed_needs_a_code() -> None:
    f = fire(scheduled(), "start_retry", 24)
    with pytest.raises(InvalidTransition, match="needs 'decline_code'"):
        fire(f, "retry_failed", 25)


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"network_decline_code": "41"}, "Visa category 1"),
        ({"network_decline_code": "05", "merchant_advice_code": "03"}, "advice 03"),
        (
            {
                "network_decline_code": None,
                **stripe_failure_fields({"decline_code": "stolen_card"}),
            },
            "never retry",
        ),
        ({"network_decline_code": "54"}, "needs the customer"),
    ],
)
def test_hard_decline_cannot_be_retried(fields: dict[str, Any], why: str) -> None:
    f = make_failure(**fields)
    with pytest.raises(InvalidTransition, match=why):
        scheduled(f)
    assert fire(f, "require_customer_action").status.value == "needs_customer_action"


def test_retry_time_rules() -> None:
    f = make_failure()
    with pytest.raises(InvalidTransition, match="needs 'retry_at'"):
        fire(f, "schedule_retry")
    with pytest.raises(InvalidTransition, match="in the past"):
        fire(f, "schedule_retry", 5, retry_at=at(1))
    waiting = make_failure(merchant_advice_code="24")  # retry after 1 h
    with pytest.raises(InvalidTransition, match="advice 24 asks to wait"):
        fire(waiting, "schedule_retry", 0.1, retry_at=at(0.5))
    assert scheduled(waiting).status.value == "retry_scheduled"


@pytest.mark.parametrize("start", ["declined", "retry_scheduled", "needs_customer_action"])
def test_give_up(start: str) -> None:
    f = make_failure()
    if start == "retry_scheduled":
        f = scheduled(f)
    elif start == "needs_customer_action":
        f = fire(f, "require_customer_action")
    out = fire(f, "give_up", 3)
    assert out.status.value == "exhausted"
    for event in recovery.events:
        with pytest.raises(InvalidTransition, match="a final state"):
            fire(out, event, 4)


def test_scheduled_retry_can_turn_to_customer_action() -> None:
    assert fire(scheduled(), "require_customer_action", 2).next_retry_at is None


@pytest.mark.parametrize(
    ("declined_at", "hard"),
    [
        (datetime(2020, 6, 1, 9, tzinfo=UTC), True),  # Visa category 1 until 2021-04-17
        (datetime(2022, 6, 1, 9, tzinfo=UTC), False),  # category 2 since
    ],
)
def test_hard_decline_is_the_one_the_retry_policy_applies_on_that_date(
    declined_at: datetime, hard: bool
) -> None:
    """Code 03 gets one answer from the recovery guard and the retry policy on each date."""
    f = make_failure(network="visa", network_decline_code="03", declined_at=declined_at)
    now = declined_at + timedelta(hours=1)
    retry_at = now + timedelta(days=1)
    assert recovery.can(f, "schedule_retry", now=now, retry_at=retry_at) is not hard
    decision = RetrySchedule().decide(RetryContext(f), now)
    policy_says_hard = decision.outcome.value != "retry" and any(
        r.code in ("visa_category_1", "hard_decline") for r in decision.reasons
    )
    assert policy_says_hard is hard
    reason = hard_decline_reason(f.decline, f.advice, now.date())
    assert (reason is not None) is hard
    if hard:
        with pytest.raises(InvalidTransition, match="Visa category 1 on 2020-06-01"):
            recovery.fire(f, "schedule_retry", now=now, retry_at=retry_at)
