"""Exchange rates the host passes in, so limits set in one currency cover every currency.

Limits (auto-approve, operator authority) are set per currency where a team cares, and
otherwise in one reference currency; an amount in another currency is compared with the
reference limit through the rate the host supplies for the day (sans-I/O: the library never
fetches a rate). Rates are exact ``Decimal`` s; the comparison is exact (no rounding).

    >>> from decimal import Decimal
    >>> from paysupport.money import Money
    >>> rates = ExchangeRates("EUR", {"JPY": Decimal("0.0061")})
    >>> rates.within(Money.of("10000", "JPY"), 10_000)  # 10,000 JPY = 61.00 EUR <= 100.00 EUR
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from paysupport.errors import MissingExchangeRate, ValidationFailed
from paysupport.money import Money, currency

__all__ = ["ExchangeRates", "at_most"]


def _code(value: Any) -> str:
    return currency(value).code


def _rates(
    value: Mapping[str, Any] | tuple[tuple[str, Any], ...],
) -> tuple[tuple[str, Decimal], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    out: dict[str, Decimal] = {}
    for code, rate in items:
        if isinstance(rate, float) or not isinstance(rate, Decimal | int | str):
            raise ValidationFailed(f"rates.{code}", "exact_rate", f"{rate!r} is not an exact rate")
        d = Decimal(rate)
        if not d.is_finite() or d <= 0:
            raise ValidationFailed(f"rates.{code}", "positive_rate", f"{rate!r} is not positive")
        out[_code(code)] = d
    return tuple(sorted(out.items()))


@attrs.frozen(slots=True)
class ExchangeRates:
    """What one unit of each currency is worth in the ``reference`` currency, for one day.

    Attributes:
        reference: the reference currency (ISO 4217 code), the one limits are set in.
        rates: ``{currency: value of one unit in the reference currency}`` (exact; a mapping
            is accepted and kept as sorted pairs). The reference itself needs no rate.

    Raises:
        ValidationFailed: an unknown currency, a float, or a rate that is not positive.
    """

    reference: str = attrs.field(converter=_code)
    rates: tuple[tuple[str, Decimal], ...] = attrs.field(default=(), converter=_rates)
    _lookup: dict[str, Fraction] = attrs.field(
        init=False,
        eq=False,
        repr=False,
        default=attrs.Factory(
            lambda self: {c: Fraction(r) for c, r in self.rates}, takes_self=True
        ),
    )

    def rate(self, code: str) -> Fraction:
        """The value of one unit of ``code`` in the reference currency.

        Raises:
            MissingExchangeRate: no rate was given for ``code`` (names the pair).
        """
        if code == self.reference:
            return Fraction(1)
        found = self._lookup.get(code)
        if found is None:
            raise MissingExchangeRate(
                f"rates.{code}",
                "missing_exchange_rate",
                f"no {code}->{self.reference} exchange rate was given",
            )
        return found

    def in_reference(self, amount: Money) -> Fraction:
        """``amount`` in minor units of the reference currency, exactly (not rounded)."""
        ref_exp = currency(self.reference).exponent
        return (
            amount.minor
            * self.rate(amount.currency.code)
            * Fraction(10) ** (ref_exp - amount.currency.exponent)
        )

    def within(self, amount: Money, limit_minor: int) -> bool:
        """True when ``amount`` is at most ``limit_minor`` minor units of the reference.

        Raises:
            MissingExchangeRate: no rate for the amount's currency.
        """
        return self.in_reference(amount) <= limit_minor

    def at_most(self, amount: Money, limit: Money) -> bool:
        """True when ``amount`` is worth at most ``limit`` (any two currencies), exactly.

        Raises:
            MissingExchangeRate: no rate for one of the two currencies (names the pair).
        """
        if amount.currency is limit.currency:
            return amount.minor <= limit.minor
        return self.in_reference(amount) <= self.in_reference(limit)


def at_most(rates: ExchangeRates | None, amount: Money, limit: Money) -> bool:
    """``amount`` <= ``limit``, through ``rates`` when their currencies differ.

    Raises:
        MissingExchangeRate: the currencies differ and no rate links them (names the pair).
    """
    if amount.currency is limit.currency:
        return amount.minor <= limit.minor
    if rates is None:
        raise MissingExchangeRate(
            f"rates.{amount.currency.code}",
            "missing_exchange_rate",
            f"no {amount.currency.code}->{limit.currency.code} exchange rate was given",
        )
    return rates.at_most(amount, limit)
