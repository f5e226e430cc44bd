from __future__ import annotations

import copy
import pickle
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from paysupport.errors import CurrencyMismatch, InvalidAmount, PaysupportError, UnknownCurrency
from paysupport.money import Currency, Money, currencies, currency, total, zero

EXPONENTS = {"JPY": 0, "KRW": 0, "EUR": 2, "USD": 2, "BHD": 3, "KWD": 3, "CLF": 4, "UYW": 4}


@pytest.mark.parametrize(("code", "exponent"), sorted(EXPONENTS.items()))
def test_iso_exponents(code: str, exponent: int) -> None:
    assert currency(code).exponent == exponent


def test_iso_table_counts_match_the_source() -> None:
    # 178 active codes in the 2026-02-01 snapshot, 13 without a minor unit.
    assert len(currencies()) == 178 - 13
    by_exp: dict[int, int] = {}
    for c in currencies():
        by_exp[c.exponent] = by_exp.get(c.exponent, 0) + 1
    assert by_exp == {0: 17, 2: 139, 3: 7, 4: 2}


def test_currency_is_interned_and_case_insensitive() -> None:
    assert currency("eur") is currency("EUR") is Currency.of(" Eur ")


@pytest.mark.parametrize("code", ["ZZZ", "EURO", "", "US"])
def test_unknown_currency_is_an_error_not_a_default(code: str) -> None:
    with pytest.raises(UnknownCurrency) as info:
        Money.of("1", code)
    assert info.value.rule == "iso4217_active_code"
    assert info.value.field == "currency"


@pytest.mark.parametrize("code", ["XAU", "XXX", "XTS", "XDR"])
def test_codes_without_minor_unit_are_refused(code: str) -> None:
    with pytest.raises(UnknownCurrency) as info:
        Money.of("1", code)
    assert info.value.rule == "iso4217_has_minor_unit"


@pytest.mark.parametrize(
    ("amount", "code", "minor"),
    [
        ("12.34", "EUR", 1234),
        ("12.3", "EUR", 1230),
        ("12.340", "EUR", 1234),
        (Decimal("0.01"), "USD", 1),
        (5, "EUR", 500),
        ("1500", "JPY", 1500),
        ("1.234", "KWD", 1234),
        ("1.2345", "CLF", 12345),
        ("-3.50", "EUR", -350),
        ("1_000.00", "EUR", 100000),
    ],
)
def test_of_builds_exact_minor_units(amount: str | Decimal | int, code: str, minor: int) -> None:
    assert Money.of(amount, code).minor == minor


@pytest.mark.parametrize(
    ("amount", "code"), [("12.345", "EUR"), ("1.5", "JPY"), ("0.0001", "KWD"), ("0.00001", "CLF")]
)
def test_more_decimals_than_the_currency_allows_is_an_error(amount: str, code: str) -> None:
    with pytest.raises(InvalidAmount) as info:
        Money.of(amount, code)
    assert info.value.rule == "too_many_decimals"


@pytest.mark.parametrize("bad", [1.5, 0.1, float("nan")])
def test_floats_are_refused_everywhere(bad: float) -> None:
    for build in (
        lambda: Money.of(bad, "EUR"),  # type: ignore[arg-type]
        lambda: Money.from_minor(bad, "EUR"),  # type: ignore[arg-type]
        lambda: Money.of("1", "EUR") * bad,  # type: ignore[operator]
        lambda: Money.of("1", "EUR").multiply(bad),  # type: ignore[arg-type]
        lambda: Money.of("1", "EUR").allocate([bad, 1]),
    ):
        with pytest.raises(InvalidAmount) as info:
            build()
        assert info.value.rule == "no_float"
        assert isinstance(info.value, PaysupportError)


@pytest.mark.parametrize("bad", ["abc", "1.2.3", "NaN", "Infinity", True])
def test_non_numbers_are_refused(bad: object) -> None:
    with pytest.raises(InvalidAmount):
        Money.of(bad, "EUR")  # type: ignore[arg-type]


@given(
    minor=st.one_of(st.integers(-(10**6), 10**6), st.integers(-(10**100), 10**100)),
    code=st.sampled_from(sorted({c.exponent: c.code for c in currencies()}.values())),
)
def test_text_is_the_decimal_amount_and_the_code(minor: int, code: str) -> None:
    # str and repr render the amount from the int: the same text as the Decimal amount.
    m = Money.from_minor(minor, code)
    assert str(m) == f"{m.amount} {code}"
    assert repr(m) == f"Money('{m.amount}', '{code}')"
    assert Money.parse(str(m)) == m


def test_parse_and_str_round_trip() -> None:
    assert Money.parse("12.34 EUR") == Money.of("12.34", "EUR")
    assert Money.parse("EUR 12.34") == Money.of("12.34", "EUR")
    assert str(Money.of("5", "JPY")) == "5 JPY"
    assert str(Money.of("5", "EUR")) == "5.00 EUR"
    assert str(Money.of("0.5", "KWD")) == "0.500 KWD"
    with pytest.raises(InvalidAmount) as info:
        Money.parse("12.34")
    assert info.value.rule == "money_text"


def test_arithmetic_within_one_currency() -> None:
    a, b = Money.of("10.00", "EUR"), Money.of("2.50", "EUR")
    assert a + b == Money.of("12.50", "EUR")
    assert a - b == Money.of("7.50", "EUR")
    assert -b == Money.of("-2.50", "EUR")
    assert abs(-b) == b
    assert a * 3 == Money.of("30.00", "EUR")
    assert 3 * a == a * 3
    assert a * Decimal("0.5") == Money.of("5.00", "EUR")
    assert zero("EUR") == Money.zero("EUR") == Money.of(0, "EUR")
    assert total([a, b], "EUR") == Money.of("12.50", "EUR")
    assert total([], "JPY") == zero("JPY")


def test_currencies_never_mix() -> None:
    eur, usd = Money.of("1", "EUR"), Money.of("1", "USD")
    with pytest.raises(CurrencyMismatch):
        eur + usd
    with pytest.raises(CurrencyMismatch):
        eur - usd
    with pytest.raises(CurrencyMismatch):
        _ = eur < usd
    with pytest.raises(CurrencyMismatch):
        total([eur, usd], "EUR")
    assert eur != usd  # equality across currencies is simply false


def test_ordering_and_hashing() -> None:
    small, big = Money.of("1", "EUR"), Money.of("2", "EUR")
    assert small < big <= big and big > small >= small
    assert sorted([big, small]) == [small, big]
    assert len({Money.of("1.00", "EUR"), Money.from_minor(100, "EUR")}) == 1


def test_inexact_decimal_product_needs_explicit_rounding() -> None:
    m = Money.of("1.00", "EUR")
    with pytest.raises(InvalidAmount) as info:
        m * Decimal("0.333")
    assert info.value.rule == "inexact_product"
    assert m.multiply(Decimal("0.333")) == Money.of("0.33", "EUR")
    assert Money.from_minor(5, "EUR").multiply("0.5") == Money.from_minor(2, "EUR")  # half-even
    assert Money.from_minor(5, "EUR").multiply("0.5", "ROUND_HALF_UP") == Money.from_minor(3, "EUR")
    with pytest.raises(InvalidAmount):
        m.multiply(2, "ROUND_SIDEWAYS")  # type: ignore[arg-type]


def test_allocate_and_split_state_their_remainder_rule() -> None:
    assert Money.of("10.00", "EUR").split(3) == [
        Money.of("3.34", "EUR"),
        Money.of("3.33", "EUR"),
        Money.of("3.33", "EUR"),
    ]
    # Largest remainder: 1 minor unit over ratios 1:1:1 goes to the first.
    assert [m.minor for m in Money.from_minor(100, "EUR").allocate([1, 1, 1])] == [34, 33, 33]
    assert [m.minor for m in Money.from_minor(5, "EUR").allocate([3, 7])] == [
        2,
        3,
    ]  # 1.5 and 3.5: tie to the earlier
    assert [m.minor for m in Money.from_minor(-100, "EUR").allocate([1, 2])] == [-33, -67]
    for bad in ([], [-1, 2], [0, 0]):
        with pytest.raises(InvalidAmount):
            Money.of("1", "EUR").allocate(bad)
    with pytest.raises(InvalidAmount):
        Money.of("1", "EUR").split(0)


def test_immutable_and_picklable() -> None:
    m = Money.of("1.00", "EUR")
    with pytest.raises(AttributeError):
        m._minor = 5  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        m.minor = 5
    assert pickle.loads(pickle.dumps(m)) == m
    assert pickle.loads(pickle.dumps(m.currency)) is m.currency
    assert copy.deepcopy(m) is m


def test_formatting() -> None:
    assert Money.of("1234567.5", "EUR").format(grouping=True) == "1,234,567.50 EUR"
    assert Money.of("12", "JPY").format(code=False) == "12"
    assert f"{Money.of('1.5', 'EUR')}" == "1.50 EUR"
    assert f"{Money.of('1.5', 'EUR'):.1f}" == "1.5"
    assert repr(Money.of("1.5", "EUR")) == "Money('1.50', 'EUR')"


class _Holder(BaseModel):
    price: Money
    cur: Currency


def test_pydantic_field_json_round_trip_and_schema() -> None:
    h = _Holder(price=Money.of("9.99", "EUR"), cur=currency("JPY"))
    text = h.model_dump_json()
    assert text == '{"price":{"minor":999,"currency":"EUR"},"cur":"JPY"}'
    assert _Holder.model_validate_json(text) == h
    assert _Holder(price="9.99 EUR", cur="jpy") == h  # type: ignore[arg-type]
    assert _Holder(price={"amount": "9.99", "currency": "EUR"}, cur="JPY") == h  # type: ignore[arg-type]
    schema = _Holder.model_json_schema()
    price = schema["properties"]["price"]
    assert price["required"] == ["minor", "currency"]
    assert price["properties"]["minor"]["type"] == "integer"


@pytest.mark.parametrize(
    ("payload", "rule"),
    [
        ('{"price":{"minor":1.5,"currency":"EUR"},"cur":"EUR"}', "no_float"),
        ('{"price":{"amount":1.5,"currency":"EUR"},"cur":"EUR"}', "no_float"),
        ('{"price":{"amount":"1.555","currency":"EUR"},"cur":"EUR"}', "too_many_decimals"),
        ('{"price":{"minor":1,"currency":"ZZZ"},"cur":"EUR"}', "iso4217_active_code"),
        ('{"price":{"minor":1},"cur":"EUR"}', "money_shape"),
        ('{"price":12,"cur":"EUR"}', "money_shape"),
        ('{"price":{"minor":1,"currency":"EUR"},"cur":"XAU"}', "iso4217_has_minor_unit"),
    ],
)
def test_pydantic_errors_name_the_rule(payload: str, rule: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as info:
        _Holder.model_validate_json(payload)
    assert rule in {e["type"] for e in info.value.errors()}


# ----------------------------------------------------------------------------- properties
codes = st.sampled_from(sorted(c.code for c in currencies()))
minors = st.integers(min_value=-(10**15), max_value=10**15)


@given(minors, codes)
def test_str_parse_round_trip(minor: int, code: str) -> None:
    m = Money.from_minor(minor, code)
    assert Money.parse(str(m)) == m
    assert Money.of(m.amount, code) == m


@given(minors, codes)
def test_json_round_trip(minor: int, code: str) -> None:
    adapter = TypeAdapter(Money)
    m = Money.from_minor(minor, code)
    assert adapter.validate_json(adapter.dump_json(m)) == m


@given(minors, codes, st.lists(st.integers(0, 1000), min_size=1, max_size=12))
def test_allocate_always_sums_to_the_total(minor: int, code: str, ratios: list[int]) -> None:
    if sum(ratios) == 0:
        ratios[0] = 1
    m = Money.from_minor(minor, code)
    parts = m.allocate(ratios)
    assert len(parts) == len(ratios)
    assert sum(p.minor for p in parts) == m.minor
    for p, r in zip(parts, ratios, strict=True):
        exact = Decimal(m.minor) * r / sum(ratios)
        assert abs(Decimal(p.minor) - exact) < 1  # each part is within one minor unit
        if r == 0:
            assert p.minor == 0


@given(minors, codes, st.integers(1, 50))
def test_split_always_sums_and_differs_by_at_most_one(minor: int, code: str, n: int) -> None:
    parts = Money.from_minor(minor, code).split(n)
    assert sum(p.minor for p in parts) == minor
    assert max(p.minor for p in parts) - min(p.minor for p in parts) <= 1


@given(minors, minors, codes)
def test_addition_is_exact(a: int, b: int, code: str) -> None:
    assert (Money.from_minor(a, code) + Money.from_minor(b, code)).minor == a + b
    assert (Money.from_minor(a, code) - Money.from_minor(b, code)).minor == a - b


@given(st.floats(allow_nan=True, allow_infinity=True), codes)
def test_no_float_is_ever_accepted(value: float, code: str) -> None:
    with pytest.raises(InvalidAmount):
        Money.of(value, code)  # type: ignore[arg-type]


# Anything a caller might pass by mistake: wrong types, unhashable values, garbage text,
# numbers far out of range.
garbage = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**120),
    st.integers(min_value=-5, max_value=5),
    st.floats(allow_nan=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["1e999999999", "1e-999999999", "12.34 EUR", "EUR", "--1", "1 2 3"]),
    st.binary(max_size=8),
    st.lists(st.text(max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@pytest.mark.parametrize(
    "call",
    [
        lambda x, y: Money.of(x, y),
        lambda x, y: Money.of(x, "EUR"),
        lambda x, y: Money.from_minor(x, y),
        lambda x, y: Money.parse(x),
        lambda x, y: currency(x),
        lambda x, y: Money.from_minor(1234, "EUR").multiply(x),
        lambda x, y: Money.from_minor(1234, "EUR").multiply("1.5", rounding=x),
        lambda x, y: Money.from_minor(1234, "EUR").allocate(x),
        lambda x, y: Money.from_minor(1234, "EUR").split(x),
        lambda x, y: total(x, "EUR"),
        lambda x, y: total([Money.zero("EUR"), x], y),
        lambda x, y: TypeAdapter(Money).validate_python({"minor": x, "currency": y}),
    ],
)
@given(x=garbage, y=garbage)
def test_caller_mistakes_raise_typed_errors_naming_the_field(call, x, y) -> None:  # type: ignore[no-untyped-def]
    exc = _raised(call, x, y)
    if exc is None:
        return
    # pydantic wraps ours when Money is a field (TypeAdapter): a named rule, never a bare error.
    assert isinstance(exc, PaysupportError | ValidationError), repr(exc)
    if isinstance(exc, PaysupportError):
        assert getattr(exc, "field", None) or getattr(exc, "violations", None)
    else:
        assert all(e["type"] not in ("assertion_error", "value_error") for e in exc.errors())


def _raised(call, x, y) -> Exception | None:  # type: ignore[no-untyped-def]
    try:
        call(x, y)
    except Exception as exc:
        return exc
    return None


_BOUND = 10**103


@given(
    minor=st.integers(-_BOUND - 2, _BOUND + 2)
    | st.sampled_from([-_BOUND - 1, -_BOUND, 0, _BOUND, _BOUND + 1]),
    code=st.sampled_from(["EUR", "JPY", "KWD", "USD"]),
)
def test_money_from_a_currency_object_is_the_money_from_its_code(minor: int, code: str) -> None:
    # Money(int, Currency) takes a shortcut; Money(int, "EUR") goes through every check.
    cur = currency(code)
    try:
        expected = Money(minor, code)
    except InvalidAmount as exc:
        refused = (exc.field, exc.rule)
    else:
        refused = None
    if refused is not None:
        with pytest.raises(InvalidAmount) as fast:
            Money(minor, cur)
        assert (fast.value.field, fast.value.rule) == refused
        with pytest.raises(InvalidAmount):
            Money.from_minor(minor, cur)
        return
    for got in (Money(minor, cur), Money.from_minor(minor, cur)):
        assert got == expected
        assert type(got.minor) is int and got.currency is cur


@pytest.mark.parametrize("minor", [True, False, 1.0, Decimal("1"), "1"])
def test_money_refuses_what_is_not_an_int_with_a_currency_object(minor: object) -> None:
    with pytest.raises(InvalidAmount):
        Money(minor, currency("EUR"))  # type: ignore[arg-type]
