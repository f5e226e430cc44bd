"""No card number passes through a translator (issue 18).

Every string of every fixture payload (values, and the keys of maps such as Stripe
``metadata``) is replaced in turn by a full card number, spelled in one of many ways; the
payload then goes where a host puts it (translator, then ``apply_provider_event``). Whatever
comes out (the event, the payment, the outcome, or a typed error) shows no card number in its
``repr``, ``str``, JSON or error message: identifiers that hold one are refused, free text is
masked.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from paysupport.errors import PaysupportError, ProviderPayloadError
from paysupport.pan import contains_pan
from paysupport.providers import (
    dispute_from_adyen,
    dispute_from_stripe,
    event_from_adyen,
    event_from_stripe,
    payment_from_charge,
    payment_from_payment_intent,
    refund_from_stripe,
)
from paysupport.workflows import apply_provider_event
from tests.providers._support import FIXTURES
from tests.providers.test_fixture_sweep import SWEEP, _payment_for

#: One Visa, Mastercard and Amex test number, in the spellings people and systems use.
SPELLINGS = (
    "4242424242424242",
    "4242 4242 4242 4242",
    "4242-4242-4242-4242",
    "4242.4242.4242.4242",
    "4242_4242_4242_4242",
    "5555  5555  5555  4444",
    "5555\u00a05555\u00a05555\u00a04444",
    "3782 822463 10005",
    "\uff14\uff12\uff14\uff12\uff14\uff12\uff14\uff12\uff14\uff12\uff14\uff12\uff14\uff12\uff14\uff12",
    "\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662",
    "card 4242/4242/4242/4242 exp 12/28",
)

Path_ = tuple[str | int, ...]


def _string_leaves(node: Any, path: Path_ = ()) -> Iterator[tuple[Path_, bool]]:
    """(path, is_key) of every string value and every key of a string-keyed map."""
    if isinstance(node, dict):
        for key, value in node.items():
            if path and path[-1] in ("metadata", "additionalData"):
                yield (*path, key), True
            yield from _string_leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _string_leaves(value, (*path, i))
    elif isinstance(node, str):
        yield path, False


def _planted(body: Any, path: Path_, is_key: bool, pan: str) -> Any:
    out = copy.deepcopy(body)
    parent = out
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if is_key:
        parent[pan] = parent.pop(last)
    else:
        parent[last] = pan
    return out


def _assert_clean(*things: object) -> None:
    for thing in things:
        for text in (repr(thing), str(thing)):
            assert not contains_pan(text), text[:300]
        dump = getattr(thing, "model_dump_json", None)
        if callable(dump):
            assert not contains_pan(dump()), "JSON shows a card number"


def _assert_clean_error(exc: PaysupportError) -> None:
    """The error, its field, message and cause show no card number."""
    _assert_clean(exc, getattr(exc, "field", ""), getattr(exc, "message", ""))
    if exc.__cause__ is not None:
        _assert_clean(exc.__cause__)


def _run(provider: str, body: Any) -> None:
    """What a host does with one body; typed errors are fine, if they show no card number."""
    try:
        try:
            ev = event_from_stripe(body) if provider == "stripe" else event_from_adyen(body)
        except ProviderPayloadError as exc:
            if exc.rule != "unknown_value":
                raise
            strict = False
            ev = (
                event_from_stripe(body, strict=strict)
                if provider == "stripe"
                else event_from_adyen(body, strict=strict)
            )
        _assert_clean(ev)
        payment = _payment_for(ev)
        out = apply_provider_event(payment, ev, now=ev.occurred_at)
        _assert_clean(out, *(c.after for c in out.changes))
    except PaysupportError as exc:
        _assert_clean_error(exc)


def _objects() -> Iterator[tuple[str, Any]]:
    """The bare provider objects, with the translator a host loads them with."""
    for path in sorted((FIXTURES / "stripe").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        kind = data.get("object")
        if kind in ("charge", "payment_intent", "dispute", "refund"):
            yield path.name, data
    for path in sorted(FIXTURES.glob("adyen/**/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for item in data.get("notificationItems", ()):
            if item["NotificationRequestItem"]["eventCode"] in ("CHARGEBACK", "SECOND_CHARGEBACK"):
                yield str(Path(path.parent.name) / path.name), item


def _load(body: Any) -> object:
    if "NotificationRequestItem" in body:
        return dispute_from_adyen(body, payment_id="pay_1")
    kind = body["object"]
    if kind == "charge":
        return payment_from_charge(body, merchant_id="m_1")
    if kind == "payment_intent":
        return payment_from_payment_intent(body, merchant_id="m_1")
    if kind == "dispute":
        return dispute_from_stripe(body)
    return refund_from_stripe(body)


@pytest.mark.parametrize(("name", "provider", "body", "live"), SWEEP, ids=[s[0] for s in SWEEP])
def test_no_card_number_survives_a_notification(
    name: str, provider: str, body: Any, live: object
) -> None:
    for i, (path, is_key) in enumerate(_string_leaves(body)):
        _run(provider, _planted(body, path, is_key, SPELLINGS[i % len(SPELLINGS)]))


OBJECTS = list(_objects())


@pytest.mark.parametrize(("name", "body"), OBJECTS, ids=[o[0] for o in OBJECTS])
def test_no_card_number_survives_loading_an_object(name: str, body: Any) -> None:
    for i, (path, is_key) in enumerate(_string_leaves(body)):
        planted = _planted(body, path, is_key, SPELLINGS[(i + 3) % len(SPELLINGS)])
        try:
            _assert_clean(_load(planted))
        except PaysupportError as exc:
            _assert_clean_error(exc)
