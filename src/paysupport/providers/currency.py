"""Provider currency exponents, where a provider's API differs from ISO 4217.

Stripe's API counts some currencies in other units than ISO 4217 does (docs.stripe.com/currencies,
stored copy; see ``shared/domain/refunds-and-failed-payments.md`` §5.2):

- zero-decimal in Stripe but two-decimal in ISO: MGA;
- ISK is zero-decimal in ISO but sent to Stripe as a two-decimal amount divisible by 100;
- BHD, JOD, KWD, OMR, TND are three-decimal but the last digit must be 0;
- UGX: Stripe's page lists it both as zero-decimal and, under special cases, as two-decimal
  divisible by 100. The conflict is **unconfirmed** either way; we follow the zero-decimal
  list and flag it (``confirmed=False``).

Only translators use this; [`Money`][paysupport.money.Money] always holds ISO minor units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from paysupport.errors import InvalidAmount, ProviderPayloadError, UnknownCurrency, ValidationFailed
from paysupport.money import Currency, Money, currency

__all__ = [
    "STRIPE_CURRENCY_RULES",
    "ProviderCurrencyRule",
    "from_provider_amount",
    "provider_rule",
    "to_provider_amount",
]

_STRIPE_SOURCE = "docs.stripe.com/currencies (stored copy), per shared/domain §5.2"


@dataclass(frozen=True, slots=True)
class ProviderCurrencyRule:
    """How one provider counts one currency's amounts.

    Attributes:
        provider: ``"stripe"``.
        code: the ISO 4217 code.
        exponent: the provider's decimal places for API amounts.
        multiple_of: API amounts must be a multiple of this (e.g. 10 for KWD, 100 for ISK).
        confirmed: False where the provider's own documentation contradicts itself.
        note: what differs from ISO and why.
        source: where the rule comes from.
    """

    provider: str
    code: str
    exponent: int
    multiple_of: int = 1
    confirmed: bool = True
    note: str = ""
    source: str = _STRIPE_SOURCE


def _three_decimal(code: str) -> ProviderCurrencyRule:
    return ProviderCurrencyRule(
        "stripe", code, 3, 10, note="three-decimal; the last digit must be 0 (round to 10)"
    )


STRIPE_CURRENCY_RULES: Final[dict[str, ProviderCurrencyRule]] = {
    "MGA": ProviderCurrencyRule("stripe", "MGA", 0, note="zero-decimal at Stripe; ISO 4217 says 2"),
    "ISK": ProviderCurrencyRule(
        "stripe",
        "ISK",
        2,
        100,
        note="two-decimal amount divisible by 100 since 2023-04-14; ISO 4217 says 0",
    ),
    "UGX": ProviderCurrencyRule(
        "stripe",
        "UGX",
        0,
        confirmed=False,
        note="Stripe lists UGX as zero-decimal and also as two-decimal divisible by 100: "
        "conflict, verify with Stripe",
    ),
    **{code: _three_decimal(code) for code in ("BHD", "JOD", "KWD", "OMR", "TND")},
}

_RULES: Final[dict[str, dict[str, ProviderCurrencyRule]]] = {"stripe": STRIPE_CURRENCY_RULES}


def _provider(provider: object) -> str:
    if not isinstance(provider, str):
        raise ValidationFailed(
            "provider",
            "provider_is_name",
            f"expected a provider name, got {type(provider).__name__}",
        )
    return provider


def _currency(code: object, field: str = "currency") -> Currency:
    if not isinstance(code, str | Currency):
        raise UnknownCurrency(
            field, "currency_is_code", f"expected an ISO 4217 code, got {type(code).__name__}"
        )
    return currency(code)


def provider_rule(provider: str, code: str | Currency) -> ProviderCurrencyRule:
    """The provider's rule for a currency (ISO's exponent when the provider does not differ).

    Raises:
        ValidationFailed: ``provider`` is not a string (``provider_is_name``).
        UnknownCurrency: ``code`` is not an ISO 4217 code.
    """
    cur = _currency(code)
    provider = _provider(provider)
    rules = _RULES.get(provider)
    if rules is None:
        # Providers without a table (e.g. Adyen) use ISO 4217 minor units.
        return ProviderCurrencyRule(provider, cur.code, cur.exponent, source="ISO 4217")
    return rules.get(cur.code) or ProviderCurrencyRule(
        provider, cur.code, cur.exponent, source="ISO 4217 (no provider difference listed)"
    )


def to_provider_amount(money: Money, provider: str) -> int:
    """The integer a provider's API expects for ``money``.

    Raises:
        InvalidAmount: ``money`` is not `Money` (``not_money``), or cannot be sent
            exactly (e.g. 12.34 MGA to Stripe, or 5.124 KWD, whose last digit must be 0).
            Nothing is rounded silently: round first, on purpose.
        ValidationFailed: ``provider`` is not a string.
    """
    if not isinstance(money, Money):
        raise InvalidAmount("amount", "not_money", f"expected Money, got {type(money).__name__}")
    rule = provider_rule(provider, money.currency)
    shift = rule.exponent - money.currency.exponent
    if shift >= 0:
        value = money.minor * int(10**shift)
    else:
        value, rest = divmod(money.minor, 10**-shift)
        if rest:
            raise InvalidAmount(
                "amount",
                "provider_precision",
                f"{money} has more precision than {provider} accepts for {rule.code}",
            )
    if value % rule.multiple_of:
        raise InvalidAmount(
            "amount",
            "provider_multiple",
            f"{provider} needs {rule.code} amounts in multiples of {rule.multiple_of} "
            f"(API units); {money} is {value}",
        )
    return value


def from_provider_amount(amount: int, code: str, provider: str, *, field: str = "amount") -> Money:
    """Read a provider's integer amount as ISO-minor-unit [`Money`][paysupport.money.Money].

    Raises:
        ProviderPayloadError: the amount is not an int, or is finer than ISO 4217 allows.
        UnknownCurrency: ``code`` is not an ISO 4217 code.
        ValidationFailed: ``provider`` is not a string.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ProviderPayloadError(
            field, "integer_amount", f"expected an integer, got {type(amount).__name__}"
        )
    cur = _currency(code)
    rule = provider_rule(provider, cur)
    shift = cur.exponent - rule.exponent
    if shift >= 0:
        return Money.from_minor(amount * 10**shift, cur)
    value, rest = divmod(amount, 10**-shift)
    if rest:
        raise ProviderPayloadError(
            field,
            "iso_precision",
            f"{amount} {cur.code} ({provider} units) is finer than ISO 4217's "
            f"{cur.exponent} decimals",
        )
    return Money.from_minor(value, cur)
