"""Refund fairness at the auto-approve limit: own limit, reference limit, missing ones.

Written against the mutants `scripts/mutation.py policies` left alive in refund_fairness.py:
each way the limit sends a refund to review names the rule and the values it compared.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from policy_factories import T0, payment, refund_ctx, request

from paysupport.models import RefundStatus
from paysupport.policies import ExchangeRates, RefundContext, RefundFairness, Verdict

NOW = T0 + timedelta(days=1)


def ctx(minor: int, currency: str = "EUR", rates: ExchangeRates | None = None) -> RefundContext:
    return RefundContext(
        payment(amount=50_000, currency=currency),
        request(amount=minor, currency=currency),
        rates=rates,
    )


def limit_reasons(d) -> list[tuple[str, str, str, dict[str, object]]]:
    return [
        (r.code, r.rule, r.policy, r.to_dict()["values"])
        for r in d.reasons
        if r.rule == "auto_approve_limit"
    ]


@pytest.mark.parametrize(("minor", "outcome"), [(1_000, Verdict.APPROVE), (1_001, Verdict.REVIEW)])
def test_the_currencys_own_limit_holds_up_to_exactly_the_limit(minor, outcome):
    d = RefundFairness(auto_approve_limit={"EUR": 1_000}).decide(ctx(minor), NOW)
    assert d.outcome is outcome
    if outcome is Verdict.REVIEW:
        assert limit_reasons(d) == [
            (
                "above_auto_approve_limit",
                "auto_approve_limit",
                "refund_fairness",
                {
                    "amount": {"minor": 1_001, "currency": "EUR"},
                    "limit": {"minor": 1_000, "currency": "EUR"},
                },
            )
        ]


def test_a_currency_without_a_limit_and_no_reference_limit_goes_to_review():
    d = RefundFairness(auto_approve_limit={"JPY": 5_000}, reference_currency="EUR").decide(
        ctx(100), NOW
    )
    assert d.outcome is Verdict.REVIEW
    assert limit_reasons(d) == [
        ("no_limit_for_currency", "auto_approve_limit", "refund_fairness", {"currency": "EUR"})
    ]


def test_the_reference_limit_covers_another_currency_through_the_rate():
    rates = ExchangeRates("EUR", {"USD": Decimal("0.5")})
    p = RefundFairness(auto_approve_limit={"EUR": 1_000}, reference_currency="EUR")
    assert p.decide(ctx(2_000, "USD", rates), NOW).outcome is Verdict.APPROVE  # = 10.00 EUR
    d = p.decide(ctx(2_001, "USD", rates), NOW)
    assert limit_reasons(d) == [
        (
            "above_auto_approve_limit",
            "auto_approve_limit",
            "refund_fairness",
            {
                "amount": {"minor": 2_001, "currency": "USD"},
                "limit": {"minor": 1_000, "currency": "EUR"},
            },
        )
    ]


def test_without_a_rate_the_reference_limit_cannot_cover_the_currency():
    p = RefundFairness(auto_approve_limit={"EUR": 1_000}, reference_currency="EUR")
    d = p.decide(ctx(100, "USD"), NOW)
    assert d.outcome is Verdict.REVIEW
    [(code, rule, policy, values)] = limit_reasons(d)
    assert (code, rule, policy) == ("no_exchange_rate", "auto_approve_limit", "refund_fairness")
    assert (values["currency"], values["reference"]) == ("USD", "EUR")
    assert "USD" in values["error"]


def test_one_minor_unit_left_is_still_refundable():
    pay = payment(amount=10_000, refunded=((9_999, RefundStatus.SUCCEEDED),))
    d = RefundFairness().decide(refund_ctx(pay, request(amount=1)), NOW)
    assert d.outcome is Verdict.APPROVE
    assert d.amount.minor == 1
