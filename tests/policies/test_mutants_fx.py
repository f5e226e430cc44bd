"""Exchange rates at their edges: exact limits, rejected rates and the errors they name.

Written to kill the mutants `scripts/mutation.py policies/fx.py` left alive: a limit must hold
at exactly the limit, in one currency and across two, and every refusal names the field and
the stable rule code a caller branches on.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from paysupport.errors import MissingExchangeRate, ValidationFailed
from paysupport.money import Money
from paysupport.policies.fx import ExchangeRates, at_most

RATES = ExchangeRates("EUR", {"JPY": Decimal("0.0061"), "USD": Decimal("0.9")})


@pytest.mark.parametrize(
    ("rate", "rule"),
    [
        (1.5, "exact_rate"),
        (None, "exact_rate"),
        ([1], "exact_rate"),
        (0, "positive_rate"),
        ("0", "positive_rate"),
        (Decimal("-0.5"), "positive_rate"),
        ("NaN", "positive_rate"),
        ("Infinity", "positive_rate"),
    ],
)
def test_a_bad_rate_is_refused_naming_its_currency_and_rule(rate, rule):
    with pytest.raises(ValidationFailed) as caught:
        ExchangeRates("EUR", {"JPY": rate})
    assert (caught.value.field, caught.value.rule) == ("rates.JPY", rule)
    assert repr(rate) in caught.value.message


def test_rates_given_as_pairs_equal_rates_given_as_a_mapping():
    pairs = ExchangeRates("EUR", (("USD", Decimal("0.9")), ("JPY", "0.0061")))
    assert pairs == RATES
    assert pairs.rate("USD") == Decimal("0.9")


def test_a_missing_rate_names_the_currency_pair():
    with pytest.raises(MissingExchangeRate) as caught:
        RATES.rate("GBP")
    assert (caught.value.field, caught.value.rule) == ("rates.GBP", "missing_exchange_rate")
    assert "GBP" in caught.value.message
    assert "EUR" in caught.value.message


def test_the_helper_without_rates_names_both_currencies():
    with pytest.raises(MissingExchangeRate) as caught:
        at_most(None, Money.of("5", "USD"), Money.of("5", "EUR"))
    assert (caught.value.field, caught.value.rule) == ("rates.USD", "missing_exchange_rate")
    assert "USD->EUR" in caught.value.message


def test_an_amount_exactly_at_the_reference_limit_is_within():
    # 10,000 JPY * 0.0061 = 61.00 EUR exactly
    assert RATES.within(Money.of("10000", "JPY"), 6_100)
    assert not RATES.within(Money.of("10000", "JPY"), 6_099)


@pytest.mark.parametrize("helper", [RATES.at_most, lambda a, b: at_most(None, a, b)])
def test_same_currency_exactly_at_the_limit_is_at_most(helper):
    assert helper(Money.of("10.00", "EUR"), Money.of("10.00", "EUR"))
    assert not helper(Money.of("10.01", "EUR"), Money.of("10.00", "EUR"))


@pytest.mark.parametrize("rates", [RATES, None])
def test_two_currencies_exactly_equal_in_value_are_at_most(rates):
    # 10.00 USD * 0.9 = 9.00 EUR exactly; with no rates the helper has to refuse
    usd, eur = Money.of("10.00", "USD"), Money.of("9.00", "EUR")
    if rates is None:
        with pytest.raises(MissingExchangeRate):
            at_most(rates, usd, eur)
        return
    assert at_most(rates, usd, eur)
    assert rates.at_most(usd, eur)
    assert not at_most(rates, usd, Money.of("8.99", "EUR"))
