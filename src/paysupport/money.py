"""Exact money: integer minor units plus an ISO 4217 currency.

``Money`` never holds a float. Amounts are stored as an ``int`` count of the currency's minor
unit (cents for EUR, yen for JPY, fils for KWD), the exponent comes from ISO 4217 with its
source (`paysupport._iso4217`), and an unknown currency code is an error, never a silent
default of two decimals. Provider-specific exponents (Stripe's ISK, MGA, ...) live apart, in
`paysupport.providers.currency`, and are applied only by translators.

    >>> price = Money.of("12.34", "EUR")
    >>> price.minor
    1234
    >>> price + Money.from_minor(66, "EUR")
    Money('13.00', 'EUR')
    >>> [str(part) for part in Money.of("10.00", "EUR").split(3)]
    ['3.34 EUR', '3.33 EUR', '3.33 EUR']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import (
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    Underflow,
    localcontext,
)
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final, Literal, final

from paysupport._iso4217 import ISO4217_ACTIVE, ISO4217_SNAPSHOT
from paysupport._iso4217 import ISO4217_SOURCE as ISO4217_SOURCE
from paysupport.errors import CurrencyMismatch, InvalidAmount, UnknownCurrency

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
    from pydantic.json_schema import JsonSchemaValue
    from pydantic_core import CoreSchema

__all__ = [
    "Currency",
    "Money",
    "Rounding",
    "currencies",
    "currency",
    "total",
    "zero",
]

#: The rounding modes `Money.multiply` accepts, named as in `decimal`.
Rounding = Literal[
    "ROUND_HALF_EVEN",
    "ROUND_HALF_UP",
    "ROUND_HALF_DOWN",
    "ROUND_UP",
    "ROUND_DOWN",
    "ROUND_CEILING",
    "ROUND_FLOOR",
    "ROUND_05UP",
]
_ROUNDINGS: Final = frozenset(Rounding.__args__)  # type: ignore[attr-defined]


@final
@dataclass(frozen=True, slots=True)
class Currency:
    """An active ISO 4217 currency with a minor unit.

    Instances are interned: ``currency("EUR") is currency("eur")``. Build them with
    `currency` (or `Currency.of`), never directly.
    """

    code: str
    numeric: str
    exponent: int
    name: str

    @classmethod
    def of(cls, code: str | Currency) -> Currency:
        """Return the currency for an ISO 4217 alphabetic code (case-insensitive)."""
        return currency(code)

    def __str__(self) -> str:
        return self.code

    def __reduce__(self) -> tuple[Callable[[str], Currency], tuple[str]]:
        return (currency, (self.code,))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        """Validate from a code string; serialise to the code."""
        from pydantic_core import core_schema as cs

        return cs.no_info_plain_validator_function(
            _pydantic_currency,
            json_schema_input_schema=cs.str_schema(pattern="^[A-Z]{3}$"),
            serialization=cs.plain_serializer_function_ser_schema(
                lambda c: c.code, when_used="json"
            ),
        )


_NO_MINOR_UNIT: Final[frozenset[str]] = frozenset(
    code for code, _num, exp, _name in ISO4217_ACTIVE if exp is None
)
_CURRENCIES: Final[dict[str, Currency]] = {
    code: Currency(code, num, exp, name)
    for code, num, exp, name in ISO4217_ACTIVE
    if exp is not None
}


def currency(code: str | Currency) -> Currency:
    """Look up an active ISO 4217 currency by its alphabetic code.

    Raises:
        UnknownCurrency: the code is not an active ISO 4217 code, or it has no minor unit
            (``XAU`` and the other "N.A." codes), so it cannot be used for money.
    """
    if type(code) is Currency:
        return code
    if not isinstance(code, str):
        raise UnknownCurrency(
            "currency", "currency_is_code", f"expected an ISO 4217 code, got {type(code).__name__}"
        )
    found = _CURRENCIES.get(code)
    if found is not None:
        return found
    normal = code.strip().upper()
    found = _CURRENCIES.get(normal)
    if found is not None:
        return found
    if normal in _NO_MINOR_UNIT:
        raise UnknownCurrency(
            "currency",
            "iso4217_has_minor_unit",
            f"{normal} has no minor unit in ISO 4217 (N.A.), so it cannot be used as money",
        )
    raise UnknownCurrency(
        "currency",
        "iso4217_active_code",
        f"{code!r} is not an active ISO 4217 currency code (snapshot {ISO4217_SNAPSHOT})",
    )


def currencies() -> tuple[Currency, ...]:
    """Every usable currency, ordered by code."""
    return tuple(_CURRENCIES[c] for c in sorted(_CURRENCIES))


def _reject_non_exact(value: object, field: str) -> None:
    if isinstance(value, float):
        raise InvalidAmount(
            field,
            "no_float",
            f"{value!r} is a float; floats cannot hold money exactly. "
            "Pass a str, Decimal or int (e.g. Money.of('12.34', 'EUR'))",
        )
    if isinstance(value, bool):
        raise InvalidAmount(field, "not_a_number", f"{value!r} is a bool, not an amount")


#: Amounts, factors and ratios must lie within 10**-100 .. 10**100 (zero aside): far beyond any
#: real amount, and small enough that exact arithmetic stays cheap.
_MAX_ADJUSTED: Final = 100
#: Decimal arithmetic on money: precise enough to be exact for every number in range, and any
#: overflow, underflow or invalid operation raises instead of rounding silently.
_EXACT: Final = Context(
    prec=4 * _MAX_ADJUSTED,
    Emax=8 * _MAX_ADJUSTED,
    Emin=-8 * _MAX_ADJUSTED,
    traps=[InvalidOperation, DivisionByZero, Overflow, Underflow],
)


def _check_minor_range(minor: int, field: str) -> None:
    if not -_MAX_MINOR <= minor <= _MAX_MINOR:
        raise InvalidAmount(field, "amount_in_range", "minor units beyond 10**103 are out of range")


_MAX_MINOR: Final = 10 ** (_MAX_ADJUSTED + 3)
#: At most this many parts from `Money.split` (a list of them is built).
_MAX_PARTS: Final = 1_000_000


def _to_decimal(value: str | Decimal | int, field: str) -> Decimal:
    _reject_non_exact(value, field)
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("_", "")
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise InvalidAmount(field, "not_a_number", f"{value!r} is not a number") from None
    else:
        raise InvalidAmount(
            field, "not_a_number", f"expected str, Decimal or int, got {type(value).__name__}"
        )
    if not d.is_finite():
        raise InvalidAmount(field, "finite", f"{value!r} is not a finite amount")
    if d and not -_MAX_ADJUSTED <= d.adjusted() <= _MAX_ADJUSTED:
        raise InvalidAmount(
            field, "amount_in_range", f"{value!r} is out of range (10**-100 to 10**100)"
        )
    return d


@final
class Money:
    """An exact amount of one currency, held as an integer count of minor units.

    Immutable and hashable. Ordered only within one currency: comparing EUR with USD raises
    `CurrencyMismatch`; equality across currencies is simply false.

    Attributes:
        minor: the amount in minor units (an ``int``; negative for debits). Read-only.
        currency: the `Currency`. Read-only.
    """

    # Plain slots, not properties: reading an amount is the hottest operation of the models.
    __slots__ = ("currency", "minor")
    minor: int
    currency: Currency

    def __init__(self, minor: int, currency_: str | Currency) -> None:
        """Build from minor units; prefer `from_minor` or `of` for clarity."""
        if (
            type(minor) is int
            and type(currency_) is Currency
            and -_MAX_MINOR <= minor <= _MAX_MINOR
        ):
            _set_minor(self, minor)  # the common case: the checks below all pass
            _set_currency(self, currency_)
            return
        _reject_non_exact(minor, "amount")
        if not isinstance(minor, int):
            raise InvalidAmount(
                "amount", "minor_units_int", f"minor units must be an int, got {minor!r}"
            )
        _check_minor_range(minor, "amount")
        object.__setattr__(self, "minor", int(minor))
        object.__setattr__(self, "currency", currency(currency_))

    @classmethod
    def _make(cls, minor: int, cur: Currency) -> Money:
        self = object.__new__(cls)
        _set_minor(self, minor)
        _set_currency(self, cur)
        return self

    # ----------------------------------------------------------------- construction
    @classmethod
    def from_minor(cls, minor: int, currency_: str | Currency) -> Money:
        """Build from an integer count of minor units: ``Money.from_minor(1234, "EUR")``."""
        return cls(minor, currency_)

    @classmethod
    def of(cls, amount: str | Decimal | int, currency_: str | Currency) -> Money:
        """Build from major units: ``Money.of("12.34", "EUR")``.

        Raises:
            InvalidAmount: a float (rule ``no_float``), not a number, or more decimals than the
                currency has (rule ``too_many_decimals``): amounts are never rounded silently.
            UnknownCurrency: the code is not an active ISO 4217 currency.
        """
        cur = currency(currency_)
        d = _to_decimal(amount, "amount")
        scaled = _EXACT.scaleb(d, cur.exponent)
        integral = scaled.to_integral_value()
        if scaled != integral:
            raise InvalidAmount(
                "amount",
                "too_many_decimals",
                f"{amount!s} has more decimals than {cur.code} allows ({cur.exponent})",
            )
        return cls._make(int(integral), cur)

    @classmethod
    def parse(cls, text: str) -> Money:
        """Parse ``"12.34 EUR"`` (or ``"EUR 12.34"``), the form ``str(money)`` produces."""
        if not isinstance(text, str):
            raise InvalidAmount("amount", "money_text", f"expected text, got {type(text).__name__}")
        parts = text.split()
        if len(parts) != 2:
            raise InvalidAmount("amount", "money_text", f"{text!r} is not of the form '12.34 EUR'")
        left, right = parts
        if left.isalpha() and not right.isalpha():
            left, right = right, left
        return cls.of(left, right)

    @classmethod
    def zero(cls, currency_: str | Currency) -> Money:
        """Zero in the given currency."""
        return cls._make(0, currency(currency_))

    # ----------------------------------------------------------------- accessors
    @property
    def amount(self) -> Decimal:
        """The amount in major units as a ``Decimal`` with the currency's exponent."""
        return _EXACT.scaleb(Decimal(self.minor), -self.currency.exponent)

    def is_zero(self) -> bool:
        """True for exactly zero."""
        return self.minor == 0

    def is_positive(self) -> bool:
        """True above zero."""
        return self.minor > 0

    def is_negative(self) -> bool:
        """True below zero."""
        return self.minor < 0

    # ----------------------------------------------------------------- immutability
    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Money is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Money is immutable")

    def __reduce__(self) -> tuple[Callable[[int, str], Money], tuple[int, str]]:
        return (Money, (self.minor, self.currency.code))

    def __copy__(self) -> Money:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Money:
        return self

    # ----------------------------------------------------------------- comparison
    def _check(self, other: Money, operation: str) -> None:
        if self.currency is not other.currency:
            raise CurrencyMismatch(self.currency.code, other.currency.code, operation)

    def __eq__(self, other: object) -> bool:
        if type(other) is not Money:
            return NotImplemented
        return self.minor == other.minor and self.currency is other.currency

    def __hash__(self) -> int:
        return hash((self.minor, self.currency.code))

    def __lt__(self, other: Money) -> bool:
        if type(other) is not Money:
            return NotImplemented
        self._check(other, "compare")
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        if type(other) is not Money:
            return NotImplemented
        self._check(other, "compare")
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        if type(other) is not Money:
            return NotImplemented
        self._check(other, "compare")
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        if type(other) is not Money:
            return NotImplemented
        self._check(other, "compare")
        return self.minor >= other.minor

    def __bool__(self) -> bool:
        return self.minor != 0

    # ----------------------------------------------------------------- arithmetic
    def __add__(self, other: Money) -> Money:
        if type(other) is not Money:
            return NotImplemented
        if self.currency is not other.currency:
            raise CurrencyMismatch(self.currency.code, other.currency.code, "add")
        return Money._make(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        if type(other) is not Money:
            return NotImplemented
        if self.currency is not other.currency:
            raise CurrencyMismatch(self.currency.code, other.currency.code, "subtract")
        return Money._make(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money._make(-self.minor, self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money._make(abs(self.minor), self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        """Multiply by an int, or by a Decimal when the result is exact.

        An inexact product raises `InvalidAmount` (rule ``inexact_product``): say how
        to round with `multiply`.
        """
        if isinstance(factor, bool) or not isinstance(factor, int | Decimal):
            if isinstance(factor, float):
                _reject_non_exact(factor, "factor")
            return NotImplemented
        if isinstance(factor, int):
            return Money._make(self.minor * factor, self.currency)
        try:
            product = _EXACT.multiply(Decimal(self.minor), factor)
        except ArithmeticError:
            raise InvalidAmount(
                "factor", "amount_in_range", f"{self} × {factor} is out of range"
            ) from None
        if product != product.to_integral_value():
            raise InvalidAmount(
                "factor",
                "inexact_product",
                f"{self} × {factor} is not a whole number of minor units; "
                "use .multiply(factor, rounding=...) to say how to round",
            )
        return Money._make(int(product), self.currency)

    __rmul__ = __mul__

    def multiply(
        self, factor: int | Decimal | str, rounding: Rounding = "ROUND_HALF_EVEN"
    ) -> Money:
        """Multiply by ``factor`` and round to a whole minor unit with ``rounding``.

        ``rounding`` names a `decimal` rounding mode; banker's rounding is the default.
        """
        if not isinstance(rounding, str) or rounding not in _ROUNDINGS:
            raise InvalidAmount("rounding", "rounding_mode", f"unknown rounding mode {rounding!r}")
        f = _to_decimal(factor, "factor")
        with localcontext(_EXACT):
            product = (Decimal(self.minor) * f).quantize(Decimal(1), rounding=rounding)
        _check_minor_range(int(product), "factor")
        return Money._make(int(product), self.currency)

    def allocate(self, ratios: Sequence[int | Decimal | str]) -> list[Money]:
        """Split into parts proportional to ``ratios``, never losing or inventing a minor unit.

        Each part first gets the floor of its exact share (toward zero for negative amounts);
        the minor units left over go one each to the parts with the largest fractional
        remainders, ties to the earlier part. The parts always sum to ``self``.

        Raises:
            InvalidAmount: no ratios, a negative ratio, a float, or ratios summing to zero.
        """
        if isinstance(ratios, str | bytes) or not isinstance(ratios, Iterable):
            raise InvalidAmount(
                "ratios", "ratios_sequence", f"expected a sequence of ratios, got {ratios!r}"
            )
        ratios = list(ratios)
        if not ratios:
            raise InvalidAmount("ratios", "ratios_not_empty", "allocate needs at least one ratio")
        fracs: list[Fraction] = []
        for i, r in enumerate(ratios):
            d = _to_decimal(r, f"ratios.{i}")
            if d < 0:
                raise InvalidAmount(f"ratios.{i}", "ratio_non_negative", f"ratio {r} is negative")
            fracs.append(Fraction(d))
        total = sum(fracs, Fraction(0))
        if total == 0:
            raise InvalidAmount("ratios", "ratios_positive_sum", "ratios sum to zero")
        sign = -1 if self.minor < 0 else 1
        magnitude = abs(self.minor)
        shares = [magnitude * f / total for f in fracs]
        parts = [int(s) for s in shares]  # floor, shares are non-negative
        left = magnitude - sum(parts)
        order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - parts[i]), i))
        for i in order[:left]:
            parts[i] += 1
        return [Money._make(sign * p, self.currency) for p in parts]

    def split(self, n: int) -> list[Money]:
        """Split into ``n`` near-equal parts; the first parts get the extra minor units.

        Raises:
            InvalidAmount: ``n`` is not an int from 1 to 1,000,000 (rule
                ``split_count_positive`` or ``split_count_in_range``).
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise InvalidAmount("n", "split_count_positive", f"cannot split into {n!r} parts")
        if n > _MAX_PARTS:
            raise InvalidAmount(
                "n", "split_count_in_range", f"cannot split into more than {_MAX_PARTS} parts"
            )
        q, r = divmod(abs(self.minor), n)
        sign = -1 if self.minor < 0 else 1
        return [Money._make(sign * (q + (1 if i < r else 0)), self.currency) for i in range(n)]

    # ----------------------------------------------------------------- formatting
    def __str__(self) -> str:
        cur = self.currency
        return f"{_major_text(self.minor, cur.exponent)} {cur.code}"

    def __repr__(self) -> str:
        cur = self.currency
        return f"Money('{_major_text(self.minor, cur.exponent)}', '{cur.code}')"

    def format(self, *, grouping: bool = False, code: bool = True) -> str:
        """Format for people: ``"1,234.50 EUR"`` with ``grouping=True``.

        Locale-aware display (symbols, separators) is the host's choice; this stays
        locale-free and exact.
        """
        exp = self.currency.exponent
        body = f"{self.amount:,.{exp}f}" if grouping else f"{self.amount:.{exp}f}"
        return f"{body} {self.currency.code}" if code else body

    def __format__(self, spec: str) -> str:
        if not spec:
            return str(self)
        return format(self.amount, spec)

    # ----------------------------------------------------------------- pydantic
    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        """Accept Money, ``{"minor": 1234, "currency": "EUR"}``, ``{"amount": "12.34", ...}``
        or ``"12.34 EUR"``; dump to JSON as ``{"minor": 1234, "currency": "EUR"}``.
        """  # noqa: D205
        from pydantic_core import core_schema as cs

        json_input = cs.typed_dict_schema(
            {
                "minor": cs.typed_dict_field(cs.int_schema(), required=True),
                "currency": cs.typed_dict_field(cs.str_schema(pattern="^[A-Z]{3}$"), required=True),
            }
        )
        return cs.no_info_plain_validator_function(
            _pydantic_money,
            json_schema_input_schema=json_input,
            serialization=cs.plain_serializer_function_ser_schema(_money_to_json, when_used="json"),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Describe the JSON form with a title and an example."""
        js = handler(schema)
        js.update(
            title="Money",
            description="Exact amount: integer minor units and an ISO 4217 currency code.",
            examples=[{"minor": 1234, "currency": "EUR"}],
        )
        return js


# The slots' own setters (what ``object.__setattr__`` finds; Money's ``__setattr__`` refuses).
_set_minor = Money.__dict__["minor"].__set__
_set_currency = Money.__dict__["currency"].__set__


def _major_text(minor: int, exponent: int) -> str:
    """``str(Money.amount)`` from the int: ``"-12.34"`` for (-1234, 2), ``"5"`` for (5, 0).

    What the Decimal prints (it never switches to exponent notation here: the exponent is
    at most 4 and the amount exact), without building one.
    """
    if not exponent:
        return str(minor)
    digits = str(-minor if minor < 0 else minor).rjust(exponent + 1, "0")
    text = f"{digits[:-exponent]}.{digits[-exponent:]}"
    return "-" + text if minor < 0 else text


def _money_to_json(m: Money) -> dict[str, object]:
    return {"minor": m.minor, "currency": m.currency.code}


def _pydantic_error(exc: InvalidAmount | UnknownCurrency) -> Exception:
    from pydantic_core import PydanticCustomError

    return PydanticCustomError(exc.rule, "{message}", {"message": exc.message})


#: Money values read in the JSON form, shared per ``(minor, code)``: Money is immutable, so
#: one instance serves every document with the same amount (bounded; then built each time).
_FROM_JSON: dict[tuple[int, str], Money] = {}
_MAX_FROM_JSON: Final = 4096


def _pydantic_money(value: object) -> Money:
    if type(value) is Money:
        return value
    if type(value) is dict and len(value) == 2:
        # The JSON form {"minor": int, "currency": "EUR"}, well formed: no further checks.
        minor = value.get("minor")
        code = value.get("currency")
        if type(minor) is int and type(code) is str:
            key = (minor, code)
            found = _FROM_JSON.get(key)
            if found is not None:
                return found
            cur = _CURRENCIES.get(code)
            if cur is not None and -_MAX_MINOR <= minor <= _MAX_MINOR:
                found = Money._make(minor, cur)
                if len(_FROM_JSON) < _MAX_FROM_JSON:
                    _FROM_JSON[key] = found
                return found
    try:
        if isinstance(value, dict):
            return _money_from_mapping(value)
        if isinstance(value, str):
            return Money.parse(value)
        _reject_non_exact(value, "amount")
        raise InvalidAmount(
            "amount",
            "money_shape",
            "expected Money, {'minor': int, 'currency': 'EUR'} or '12.34 EUR'",
        )
    except (InvalidAmount, UnknownCurrency) as exc:
        raise _pydantic_error(exc) from None


def _money_from_mapping(value: dict[Any, Any]) -> Money:
    keys = set(value)
    if keys == {"minor", "currency"}:
        minor = value["minor"]
        _reject_non_exact(minor, "minor")
        if not isinstance(minor, int):
            raise InvalidAmount("minor", "minor_units_int", f"minor must be an int, got {minor!r}")
        _check_minor_range(minor, "minor")
        return Money._make(minor, currency(value["currency"]))
    if keys == {"amount", "currency"}:
        return Money.of(value["amount"], value["currency"])
    raise InvalidAmount(
        "amount",
        "money_shape",
        f"expected keys {{'minor', 'currency'}} or {{'amount', 'currency'}}, got {sorted(keys)}",
    )


def _pydantic_currency(value: object) -> Currency:
    try:
        if type(value) is Currency:
            return value
        if not isinstance(value, str):
            raise UnknownCurrency(
                "currency", "currency_is_code", f"expected a code, got {type(value).__name__}"
            )
        return currency(value)
    except UnknownCurrency as exc:
        raise _pydantic_error(exc) from None


def zero(currency_: str | Currency) -> Money:
    """Zero in the given currency (same as [`Money.zero`][paysupport.money.Money.zero])."""
    return Money.zero(currency_)


def total(amounts: Iterable[Money], currency_: str | Currency) -> Money:
    """Sum amounts of one currency, starting from zero in ``currency_`` (empty → zero)."""
    cur = currency(currency_)
    if isinstance(amounts, str | bytes) or not isinstance(amounts, Iterable):
        raise InvalidAmount("amounts", "money_expected", f"expected Money values, got {amounts!r}")
    acc = 0
    for i, m in enumerate(amounts):
        if type(m) is not Money:
            raise InvalidAmount(
                f"amounts.{i}", "money_expected", f"expected Money, got {type(m).__name__}"
            )
        if m.currency is not cur:
            raise CurrencyMismatch(cur.code, m.currency.code, "add")
        acc += m.minor
    return Money._make(acc, cur)
