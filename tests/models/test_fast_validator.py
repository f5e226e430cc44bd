"""The fast validator (card numbers checked in pydantic-core, rules in the same pass) agrees with
the full validation: the same model, or the same broken rules on the same fields.

The full route is the class's own pydantic validator (every text scanned in Python, every rule
run); the fast route is what ``model_validate_json``, ``model_validate`` and construction use.
Inputs are generated aggregates, dumped to JSON and to Python, with drawn damage: card numbers
in any spelling in any text field, ordinary long numbers (Adyen references), broken rules,
unknown fields.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import PlainValidator
from pydantic_core import SchemaValidator

from paysupport.errors import ModelValidationError
from paysupport.models import (
    Dispute,
    DisputeStatus,
    Payment,
    PaysupportModel,
    Refund,
    SafeText,
)
from paysupport.models._base import _violations
from paysupport.models._fast_schema import IDENTIFIER_PATTERN, NO_PAN_IDENTIFIER, NO_PAN_TEXT
from paysupport.money import Money
from paysupport.networks import DisputeStage, Network
from paysupport.pan import find_pans
from paysupport.testing import strategies as gen
from tests._timezones import NoOffset
from tests.test_pan import SEPARATORS, ZEROS, pans, spelled

Outcome = tuple[str, Any]


def _fast(cls: type[PaysupportModel], data: Any, *, as_json: bool) -> Outcome:
    try:
        if as_json:
            return ("ok", cls.model_validate_json(data))
        return ("ok", cls.model_validate(data))
    except ModelValidationError as exc:
        return ("error", sorted((v.field, v.rule) for v in exc.violations))


def _full(cls: type[PaysupportModel], data: Any, *, as_json: bool) -> Outcome:
    validator = cls.__pydantic_validator__
    try:
        if as_json:
            return ("ok", validator.validate_json(data))
        return ("ok", validator.validate_python(data))
    except pydantic.ValidationError as exc:
        error = ModelValidationError(cls.__name__, _violations(exc))
        return ("error", sorted((v.field, v.rule) for v in error.violations))


def _same(fast: Outcome, full: Outcome) -> None:
    assert fast[0] == full[0], (fast, full)
    if fast[0] == "error":
        assert fast[1] == full[1]
        return
    a, b = fast[1], full[1]
    assert a == b
    assert repr(a) == repr(b)
    assert a.model_dump(exclude_unset=True) == b.model_dump(exclude_unset=True)
    assert a.model_dump_json() == b.model_dump_json()


_texts = st.one_of(
    st.text(max_size=24),
    st.text(alphabet="0123456789 .-_/\\:a", max_size=40),
    pans.flatmap(spelled),
    pans,
    st.sampled_from(["8815658961765250", "re_3MtwBwLkdIwHu7ix12345678", "4242 4242 4242 4242"]),
)


def _text_slots(data: dict[str, Any]) -> list[tuple[Any, Any]]:
    """(container, key) of every text field value and dict key in ``data``, nested included."""
    slots: list[tuple[Any, Any]] = []
    for key, value in data.items():
        if isinstance(value, str):
            slots.append((data, key))
        elif isinstance(value, dict):
            if key in ("metadata", "data"):
                slots.extend((value, k) for k in value)
                slots.append((value, None))  # a new key
            else:
                slots.extend(_text_slots(value))
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    slots.extend(_text_slots(item))
    return slots


@st.composite
def damaged(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with up to three drawn changes: a text, a broken value, an unknown field."""
    data = json.loads(json.dumps(data))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["text", "text", "key", "value", "extra"]))
        slots = _text_slots(data)
        if kind in ("text", "key") and slots:
            container, key = draw(st.sampled_from(slots))
            text = draw(_texts)
            if kind == "key" and key is not None and key in container:
                container[text] = container.pop(key)
            elif key is None:
                container[text] = draw(_texts)
            else:
                container[key] = text
        elif kind == "value":
            field = draw(st.sampled_from(["amount", "status", "version", "created_at", "id"]))
            data[field] = draw(
                st.sampled_from([{"minor": -1, "currency": "EUR"}, "bogus", -1, "2026-01-01", ""])
            )
        elif kind == "extra":
            data[draw(st.sampled_from(["unknown", "4242424242424242"]))] = "x"
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), as_json=st.booleans())
def test_payments_agree_with_full_validation(data: st.DataObject, as_json: bool) -> None:
    p = data.draw(gen.payments())
    raw = data.draw(damaged(p.model_dump(mode="json")))
    doc: Any = json.dumps(raw) if as_json else raw
    _same(_fast(Payment, doc, as_json=as_json), _full(Payment, doc, as_json=as_json))


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), as_json=st.booleans())
def test_disputes_and_refunds_agree_with_full_validation(
    data: st.DataObject, as_json: bool
) -> None:
    model = data.draw(st.one_of(gen.disputes(), gen.refunds()))
    raw = data.draw(damaged(model.model_dump(mode="json")))
    doc: Any = json.dumps(raw) if as_json else raw
    cls = type(model)
    assert cls in (Dispute, Refund)
    _same(_fast(cls, doc, as_json=as_json), _full(cls, doc, as_json=as_json))


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    data=st.data(),
    network=st.one_of(
        st.sampled_from(Network),
        st.sampled_from(["visa", "mc", "American Express", "jcb", "no such", "", 5, None]),
    ),
    catalogued=st.booleans(),
    amount=st.one_of(
        st.sampled_from(["keep", Money.of("0.01", "EUR"), Money.zero("EUR")]),
        st.sampled_from(["12.34 EUR", {"minor": 5, "currency": "EUR"}, {"minor": 5}, 5, None]),
    ),
)
def test_disputes_from_python_values_agree_with_full_validation(
    data: st.DataObject, network: Any, catalogued: bool, amount: Any
) -> None:
    # Python values (a Network member is taken without the name parser, Money without the
    # amount parser): same model, same errors.
    raw = data.draw(gen.disputes()).model_dump(exclude_unset=True)
    raw.update(network=network, catalogued=catalogued)
    if amount != "keep":
        raw["amount"] = amount
    _same(_fast(Dispute, raw, as_json=False), _full(Dispute, raw, as_json=False))
    try:
        built: Outcome = ("ok", Dispute(**raw))
    except ModelValidationError as exc:
        built = ("error", sorted((v.field, v.rule) for v in exc.violations))
    _same(built, _full(Dispute, raw, as_json=False))
    if built[0] == "ok" and type(raw["amount"]) is Money:
        assert built[1].amount is raw["amount"]


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(
            [*"0123456789abc:+,", *SEPARATORS, *(chr(ord(z) + 4) for z in ZEROS), "\\", "\x1c"]
        ),
        max_size=60,
    ).map("".join)
)
def test_the_rust_pattern_passes_no_card_number(text: str) -> None:
    # What the pattern lets through skips the Python scan: it must hold no card number.
    if re.fullmatch(NO_PAN_TEXT, text):
        assert find_pans(text) == []


_IDENTIFIER_REGEX = SchemaValidator({"type": "str", "pattern": NO_PAN_IDENTIFIER})


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(
            [*"0123456789abc:+,~!", *SEPARATORS, "\\", "\x1c", "\x7f", "\x00", "\u00e9", "\u0660"]
        ),
        min_size=1,
        max_size=40,
    ).map("".join)
)
def test_the_identifier_pattern_passes_only_what_both_of_its_patterns_pass(text: str) -> None:
    # An identifier's two regexes (no space; no card number possible) run as one: what it
    # passes (in Rust as in Python), both pass; what it refuses goes to the exact checks.
    in_rust = True
    try:
        _IDENTIFIER_REGEX.validate_python(text)
    except pydantic.ValidationError:
        in_rust = False
    assert in_rust is bool(re.fullmatch(NO_PAN_IDENTIFIER, text))
    if in_rust:
        assert re.fullmatch(IDENTIFIER_PATTERN, text)
        assert re.fullmatch(NO_PAN_TEXT, text)
        assert find_pans(text) == []


def test_the_pattern_sends_long_digit_runs_to_the_exact_check() -> None:
    assert re.fullmatch(NO_PAN_TEXT, "order 1042, 2026-06-01T12:00:00Z, ref 12345678901")
    assert not re.fullmatch(NO_PAN_TEXT, "4242 4242 4242")
    assert not re.fullmatch(NO_PAN_TEXT, "Zoë")
    # An ordinary 16-digit reference is not a card number: accepted, by the exact check.
    r = Refund.model_validate_json(
        json.dumps(
            {
                "id": "re_1",
                "payment_id": "pay_1",
                "amount": {"minor": 100, "currency": "EUR"},
                "created_at": "2026-06-01T12:00:00Z",
                "provider_reference": "8815658961765250",
            }
        )
    )
    assert r.provider_reference == "8815658961765250"


def _shout(value: Any) -> str:
    return str(value).upper()


class _Odd(PaysupportModel):
    """Text fields whose values skip a ``str`` schema: the fast validator scans them itself."""

    code: Annotated[str, PlainValidator(_shout)]
    note: SafeText = "card 4242 4242 4242 4242"


def test_text_a_plain_validator_builds_is_still_scanned() -> None:
    with pytest.raises(ModelValidationError) as caught:
        _Odd(code="4242424242424242")
    assert [(v.field, v.rule) for v in caught.value.violations] == [("code", "no_full_card_number")]
    odd = _Odd.model_validate_json('{"code": "abc"}')
    assert odd.code == "ABC"
    assert odd.note == "card [card ending 4242]"  # the default is scanned too


class _Stamp(datetime):
    """A datetime subclass: pydantic returns a plain datetime, so it is never taken as is."""


_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 3),
    st.datetimes(
        timezones=st.none()
        | st.just(UTC)
        | st.sampled_from([timezone(timedelta(hours=-3)), timezone(timedelta(hours=5, minutes=30))])
        | st.just(NoOffset())
        | st.timezones()
    ),
    st.datetimes(timezones=st.just(UTC)).map(lambda d: _Stamp(d.year, d.month, d.day, tzinfo=UTC)),
    st.sampled_from([*DisputeStatus, *DisputeStage, "won", "chargeback", "x"]),
)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(Dispute.model_fields)), value=_values)
def test_values_taken_as_they_are_are_what_pydantic_returns(name: str, value: Any) -> None:
    # A change whose value the field returns unchanged skips pydantic: same value, same errors.
    adapter = Dispute._adapter(name)
    try:
        expected: Outcome = ("ok", adapter.validate_python(value))
    except pydantic.ValidationError as exc:
        expected = ("error", sorted((v.field, v.rule) for v in _violations(exc, prefix=name)))
    try:
        got: Outcome = ("ok", Dispute._validated({name: value})[name])
    except ModelValidationError as exc:
        got = ("error", sorted((v.field, v.rule) for v in exc.violations))
    assert got[0] == expected[0]
    assert got[1] == expected[1]
    if got[0] == "ok":
        assert type(got[1]) is type(expected[1])
