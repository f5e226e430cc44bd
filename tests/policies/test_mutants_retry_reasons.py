"""Retry decisions name the rule that decided: network categories, severities, advice codes.

Written against the mutants `scripts/mutation.py policies` left alive in retry.py: the
machine-readable ``rule`` and values of each reason (what a notebook groups by), the plan
each answer carries, and Mastercard's "retry after" advice turning any decline into a later
retry. Only network decline codes here, so it runs on any tree the mutation copy holds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from paysupport.models import PaymentFailure, RecoveryStatus, RetryAttempt
from paysupport.money import Money
from paysupport.policies import RetryContext, RetryPlan, RetrySchedule, Verdict

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
P = RetrySchedule()


def failure(code: str, network: str, mac: str | None = None) -> PaymentFailure:
    return PaymentFailure(
        id="f_1",
        merchant_id="m_1",
        amount=Money.from_minor(1_000, "EUR"),
        network=network,
        network_decline_code=code,
        merchant_advice_code=mac,
        declined_at=T0,
    )


@pytest.mark.parametrize(
    ("code", "network", "mac", "outcome", "reason", "ask"),
    [
        (
            "43",
            "visa",
            None,
            Verdict.ASK_CUSTOMER,
            ("visa_category_1", "visa_category", {"code": "43"}),
            "new_payment_method",
        ),
        (
            "04",
            "mastercard",
            None,
            Verdict.ASK_CUSTOMER,
            ("hard_decline", "severity", {"code": "04"}),
            "new_payment_method",
        ),
        (
            "51",
            "mastercard",
            "03",
            Verdict.ASK_CUSTOMER,
            ("mac_do_not_retry", "merchant_advice_code", {"mac": "03"}),
            "new_payment_method",
        ),
        (
            "51",
            "mastercard",
            "21",
            Verdict.STOP,
            ("mac_stop_recurring", "merchant_advice_code", {"mac": "21"}),
            "",
        ),
        (
            "51",
            "mastercard",
            "01",
            Verdict.ASK_CUSTOMER,
            ("mac_update_card", "merchant_advice_code", {"mac": "01"}),
            "update_card",
        ),
    ],
)
def test_a_refusal_names_its_rule_and_the_customers_next_step(
    code, network, mac, outcome, reason, ask
):
    d = P.decide(RetryContext(failure(code, network, mac)), T0)
    assert (d.outcome, d.policy, d.detail) == (outcome, P.info, RetryPlan((), ask))
    assert [(r.code, r.rule, r.policy, dict(r.values)) for r in d.reasons] == [
        (*reason[:2], "retry_schedule", reason[2])
    ]


def test_an_unknown_advice_code_goes_to_review_naming_it():
    d = P.decide(RetryContext(failure("51", "mastercard", "99")), T0)
    assert (d.outcome, d.policy, d.detail) == (Verdict.REVIEW, P.info, None)
    assert [(r.code, r.rule, r.policy, dict(r.values)) for r in d.reasons] == [
        ("unknown_advice_code", "merchant_advice_code", "retry_schedule", {"code": "99"})
    ]


@pytest.mark.parametrize(
    ("mac", "first_wait"), [("24", timedelta(hours=1)), ("02", timedelta(hours=72))]
)
def test_retry_after_advice_retries_later(mac, first_wait):
    now = T0 + timedelta(minutes=5)
    d = P.decide(RetryContext(failure("51", "mastercard", mac)), now)
    assert d.outcome is Verdict.RETRY
    assert d.reasons[0].rule in ("merchant_advice_code", "mac_02_wait_hours")
    assert d.reasons[-1].value("action") == "retry_later"
    assert d.detail.schedule[0] >= T0 + first_wait


def test_a_recovered_payment_is_never_retried():
    recovered = failure("51", "visa").model_copy(update={"status": RecoveryStatus.RECOVERED})
    d = P.decide(RetryContext(recovered), T0)
    assert (d.outcome, d.policy, d.detail) == (Verdict.STOP, P.info, None)
    assert [(r.code, r.rule, r.policy, dict(r.values)) for r in d.reasons] == [
        ("already_recovered", "status", "retry_schedule", {})
    ]
    assert d.reasons[0].message == "the payment has been recovered"


def with_attempts(made: int) -> PaymentFailure:
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
    d = policy.decide(RetryContext(with_attempts(policy.max_retries)), T0 + timedelta(days=1))
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
    d = policy.decide(RetryContext(with_attempts(1)), late)
    assert (d.outcome, d.detail) == (Verdict.ASK_CUSTOMER, RetryPlan((), "new_payment_method"))
    assert d.reasons[-1].rule == "horizon_days"
