from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paysupport.errors import InvalidAmount, ProviderPayloadError, ValidationFailed
from paysupport.money import Money
from paysupport.providers.currency import (
    STRIPE_CURRENCY_RULES,
    from_provider_amount,
    provider_rule,
    to_provider_amount,
)


@pytest.mark.parametrize(
    ("amount", "code", "api"),
    [
        ("12.34", "EUR", 1234),
        ("500", "JPY", 500),
        ("500", "ISK", 50000),  # ISO 0 decimals, Stripe 2 decimals divisible by 100
        ("123", "MGA", 123),  # ISO 2 decimals, Stripe zero-decimal
        ("5.120", "KWD", 5120),
        ("1000", "UGX", 1000),
    ],
)
def test_to_stripe(amount: str, code: str, api: int) -> None:
    m = Money.of(amount, code)
    assert to_provider_amount(m, "stripe") == api
    assert from_provider_amount(api, code, "stripe") == m


def test_stripe_refuses_amounts_it_cannot_take_exactly() -> None:
    with pytest.raises(InvalidAmount) as info:
        to_provider_amount(Money.of("12.34", "MGA"), "stripe")
    assert info.value.rule == "provider_precision"
    with pytest.raises(InvalidAmount) as info:
        to_provider_amount(Money.of("5.124", "KWD"), "stripe")
    assert info.value.rule == "provider_multiple"


def test_stripe_payload_finer_than_iso_is_refused() -> None:
    with pytest.raises(ProviderPayloadError) as info:
        from_provider_amount(50050, "ISK", "stripe")
    assert info.value.rule == "iso_precision"
    with pytest.raises(ProviderPayloadError):
        from_provider_amount(12.5, "EUR", "stripe")  # type: ignore[arg-type]


def test_ugx_conflict_stays_marked_unconfirmed() -> None:
    assert STRIPE_CURRENCY_RULES["UGX"].confirmed is False
    assert provider_rule("adyen", "ISK").exponent == 0  # no table: ISO


@given(st.integers(-(10**12), 10**12), st.sampled_from(["EUR", "JPY", "ISK", "KWD", "BHD", "USD"]))
def test_round_trip_where_representable(minor: int, code: str) -> None:
    m = Money.from_minor(minor, code)
    try:
        api = to_provider_amount(m, "stripe")
    except InvalidAmount:
        assert code in {"KWD", "BHD"} and minor % 10
        return
    assert from_provider_amount(api, code, "stripe") == m


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: provider_rule(["stripe"], "EUR"), "provider"),  # type: ignore[arg-type]
        (lambda: provider_rule("stripe", ["EUR"]), "currency"),  # type: ignore[arg-type]
        (lambda: provider_rule("stripe", None), "currency"),  # type: ignore[arg-type]
        (lambda: from_provider_amount(100, {"a": 1}, "stripe"), "currency"),  # type: ignore[arg-type]
        (lambda: from_provider_amount(100, "EUR", ["stripe"]), "provider"),  # type: ignore[arg-type]
        (lambda: from_provider_amount(1.5, "EUR", "stripe"), "amount"),  # type: ignore[arg-type]
        (lambda: to_provider_amount("12", "stripe"), "amount"),  # type: ignore[arg-type]
        (lambda: to_provider_amount(Money.of("1", "EUR"), {}), "provider"),  # type: ignore[arg-type]
    ],
)
def test_odd_input_is_a_typed_error_naming_the_field(call: Any, field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        call()
    assert info.value.field == field
