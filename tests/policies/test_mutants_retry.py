"""No retry left: ask for a new payment method, naming the limit that ran out.

Written against the mutants `scripts/mutation.py policies` left alive in retry.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from paysupport.models import PaymentFailure
from paysupport.money import Money
from paysupport.policies import RetryContext, RetryPlan, RetrySchedule, Verdict
from paysupport.providers import stripe_decline

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


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
