"""No retry left: ask for a new payment method, naming the limit that ran out.

Written against the mutants `scripts/mutation.py policies` left alive in retry.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from paysupport.models import PaymentFailure, RetryAttempt
from paysupport.money import Money
from paysupport.policies import RetryContext, RetryPlan, RetrySchedule, Verdict
from paysupport.providers import stripe_decline

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def failure(made: int) -> PaymentFailure:
    return PaymentFailure(
        id="f_1",
        merchant_id="m_1",
        amount=Money.from_minor(1_000, "EUR"),
        network="visa",
        network_decline_code="51",
        declined_at=T0,
        attempts=tuple(
            RetryAttempt(at=T0 + timedelta(hours=i + 1), succeeded=False) for i in range(made)
        ),
    )


def test_a_used_up_cap_asks_for_a_new_payment_method_naming_max_retries():
    policy = RetrySchedule()
    d = policy.decide(RetryContext(failure(policy.max_retries)), T0 + timedelta(days=1))
    assert (d.outcome, d.policy, d.detail) == (
        Verdict.ASK_CUSTOMER,
        policy.info,
        RetryPlan((), "new_payment_method"),
    )
    reason = d.reasons[-1].to_dict()
    assert (reason["code"], reason["rule"], reason["policy"]) == (
        "retries_exhausted",
        "max_retries",
        "retry_schedule",
    )
    assert reason["values"] == {
        "reattempts": policy.max_retries,
        "max_retries": policy.max_retries,
        "horizon_days": policy.horizon_days,
    }
    assert reason["message"].endswith("ask for a new payment method")


def test_a_horizon_that_ran_out_is_named_as_the_limit():
    policy = RetrySchedule()
    late = T0 + timedelta(days=policy.horizon_days + 1)
    d = policy.decide(RetryContext(failure(1)), late)
    assert (d.outcome, d.detail) == (Verdict.ASK_CUSTOMER, RetryPlan((), "new_payment_method"))
    assert d.reasons[-1].rule == "horizon_days"


def declined(code: str, network: str | None = "visa") -> PaymentFailure:
    stripe = len(code) > 2
    return PaymentFailure(
        id="f_1",
        merchant_id="m_1",
        amount=Money.from_minor(1_000, "EUR"),
        network=network,
        network_decline_code=None if stripe else code,
        decline_code=code if stripe else None,
        provider_decline=stripe_decline(code) if stripe else None,
        declined_at=T0,
    )


def test_a_stripe_non_retryable_code_asks_the_customer_and_names_the_list():
    d = RetrySchedule().decide(RetryContext(declined("authentication_required", None)), T0)
    assert d.outcome is Verdict.ASK_CUSTOMER
    assert d.detail == RetryPlan((), "authenticate")
    reason = d.reasons[-1].to_dict()
    assert (reason["code"], reason["rule"], reason["policy"]) == (
        "stripe_non_retryable",
        "stripe_non_retryable",
        "retry_schedule",
    )
    assert reason["values"] == {"code": "authentication_required"}


@pytest.mark.parametrize("code", ["authentication_required", "54"])
def test_without_an_ask_for_the_action_the_customer_is_asked_for_a_new_payment_method(code):
    policy = RetrySchedule(ask={})
    d = policy.decide(RetryContext(declined(code, None if len(code) > 2 else "visa")), T0)
    assert d.detail == RetryPlan((), "new_payment_method")


def test_a_decline_the_customer_must_fix_names_the_action_and_the_ask():
    d = RetrySchedule().decide(RetryContext(declined("54")), T0)
    reason = d.reasons[-1].to_dict()
    assert (reason["code"], reason["rule"], reason["policy"]) == (
        "customer_must_act",
        "retry_actions",
        "retry_schedule",
    )
    assert reason["values"]["code"] == "54"
    assert reason["values"]["ask"] == d.detail.ask == "new_payment_method"
    assert reason["values"]["action"] is not None
