"""No full card number survives in any model, whichever text field it is drawn into.

Models and their text slots are found by introspection (every ``PaysupportModel`` subclass
in the package, every ``str`` in a field, an optional, a tuple or a dict key or value), so a new
model or field is covered without editing this file; a new model without an example here fails
``test_every_model_has_an_example``.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import traceback
import types
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import paysupport
from paysupport.errors import PaysupportError
from paysupport.models import PaysupportModel
from paysupport.testing import strategies as gen
from tests.test_pan import pans, spelled

for _mod in pkgutil.walk_packages(paysupport.__path__, "paysupport."):
    if not _mod.name.startswith(("paysupport.cli", "paysupport.analytics")):
        importlib.import_module(_mod.name)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _models() -> list[type[PaysupportModel]]:
    out: list[type[PaysupportModel]] = []
    todo = [PaysupportModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("paysupport."):
                out.append(sub)
    return sorted(set(out), key=lambda c: (c.__module__, c.__name__))


def _example_data() -> dict[str, Callable[[], st.SearchStrategy[Any]]]:
    """A valid instance per model name: the package's strategies, or a small literal."""
    from paysupport.models import (
        Capture,
        EarlyFraudWarning,
        LifecycleEvent,
        PastRefund,
        PaymentMethod,
        RetryAttempt,
    )
    from paysupport.money import Money

    eur = Money.of("10.00", "EUR")
    literal: dict[str, Callable[[], Any]] = {
        "Capture": lambda: Capture(id="cap_1", amount=eur, captured_at=NOW),
        "EarlyFraudWarning": lambda: EarlyFraudWarning(id="efw_1", created_at=NOW),
        "RetryAttempt": lambda: RetryAttempt(at=NOW, succeeded=False, decline_code="x"),
        "PastRefund": lambda: PastRefund(at=NOW, amount=eur),
        "PaymentMethod": lambda: PaymentMethod(type="card"),
        "LifecycleEvent": lambda: LifecycleEvent(
            event="e", source="a", target="b", at=NOW, data={"k": "v"}
        ),
        "ProviderEvent": lambda: _model("ProviderEvent").model_validate(
            {
                "provider": "stripe",
                "event_id": "evt_1",
                "event_type": "charge.refunded",
                "kind": next(iter(_kind_enum())),
                "occurred_at": NOW,
            }
        ),
        "PurchaseRecord": lambda: _model("PurchaseRecord").model_validate(
            {"payment_id": "pay_0", "processed_at": NOW}
        ),
    }
    out: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
        "Payment": gen.payments,
        "Refund": gen.refunds,
        "RefundRequest": gen.refund_requests,
        "Dispute": gen.disputes,
        "Evidence": gen.evidence,
        "Card": gen.cards,
        "PaymentFailure": gen.payment_failures,
        "SupportCase": gen.support_cases,
        "Merchant": gen.merchants,
        "Customer": gen.customers,
        "Operator": gen.operators,
        "Portfolio": lambda: gen.portfolios(max_payments=2),
    }
    for name, make in literal.items():
        out[name] = lambda make=make: st.builds(make)
    return out


def _model(name: str) -> type[PaysupportModel]:
    return next(m for m in _models() if m.__name__ == name)


def _kind_enum() -> Any:
    return _model("ProviderEvent").model_fields["kind"].annotation


EXAMPLES = _example_data()


# --------------------------------------------------------------------------- text slots
def _slots(tp: Any, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """Where text can go in a value of type ``tp``: ``()`` itself, ``("[]",)``, ``("{key}",)``."""
    origin = get_origin(tp)
    if origin is Annotated:
        yield from _slots(get_args(tp)[0], path)
    elif origin in (Union, types.UnionType):
        for arg in get_args(tp):
            yield from _slots(arg, path)
    elif origin is tuple:
        for arg in get_args(tp):
            if arg is not Ellipsis:
                yield from _slots(arg, (*path, "[]"))
    elif origin is dict or (isinstance(tp, type) and issubclass(tp, dict) and tp is not dict):
        key, value = get_args(tp) or (str, str)
        yield from _slots(key, (*path, "{key}"))
        yield from _slots(value, (*path, "{value}"))
    elif isinstance(tp, type) and issubclass(tp, Enum | BaseModel):
        return
    elif isinstance(tp, type) and issubclass(tp, str):
        yield path


SLOTS = sorted(
    {
        (model.__name__, name, slot)
        for model in _models()
        for name, field in model.model_fields.items()
        for slot in _slots(field.annotation, ())
    }
)


def _put(kind: tuple[str, ...], text: str) -> Any:
    if not kind:
        return text
    head, *rest = kind
    inner = _put(tuple(rest), text) if rest else text
    if head == "[]":
        return [inner]
    if head == "{key}":
        return {text: "x"} if not rest else {text: inner}
    return {"k": inner}


def _digits(text: str) -> str:
    return "".join(
        str(unicodedata.digit(c)) for c in text if unicodedata.digit(c, None) is not None
    )


def _assert_no_pan(pan: str, *texts: str) -> None:
    for text in texts:
        assert pan not in _digits(text), text


def _error_texts(exc: BaseException) -> list[str]:
    return [str(exc), repr(exc), "".join(traceback.format_exception(exc))]


def test_every_model_has_an_example() -> None:
    missing = [m.__name__ for m in _models() if m.__name__ not in EXAMPLES]
    assert not missing, f"add an example for {missing} to EXAMPLES"
    assert len(SLOTS) > 80  # every text slot of every model, found by introspection


@pytest.mark.parametrize(("model_name", "field", "slot"), SLOTS)
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), pan=pans, route=st.sampled_from(["validate", "json", "evolve"]))
def test_no_card_number_survives(
    model_name: str,
    field: str,
    slot: tuple[str, ...],
    data: st.DataObject,
    pan: str,
    route: str,
) -> None:
    model = _model(model_name)
    base = data.draw(EXAMPLES[model_name]())
    text = data.draw(spelled(pan))
    value = _put(slot, text)
    try:
        if route == "evolve":
            out = base.evolve(**{field: value})
        elif route == "json":
            doc = json.loads(base.model_dump_json())
            doc[field] = value
            out = model.model_validate_json(json.dumps(doc, ensure_ascii=data.draw(st.booleans())))
        else:
            out = model.model_validate({**base.model_dump(), field: value})
    except PaysupportError as exc:
        _assert_no_pan(pan, *_error_texts(exc))
        return
    _assert_no_pan(pan, repr(out), str(out), out.model_dump_json(), repr(out.model_dump()))


def test_ids_refuse_and_text_masks_naming_the_field() -> None:
    from paysupport.errors import ModelValidationError
    from paysupport.models import LifecycleEvent, SupportCase

    case: dict[str, Any] = {"id": "case_1", "claim": "refund_request", "opened_at": NOW}
    with pytest.raises(ModelValidationError) as info:
        SupportCase(**case, payment_ids=("pay_1", "4242.4242.4242.4242"))
    assert (info.value.field, info.value.rule) == ("payment_ids.1", "no_full_card_number")
    ok = SupportCase(**case, description="card 4242_4242_4242_4242 please")
    assert ok.description == "card [card ending 4242] please"
    with pytest.raises(ModelValidationError) as info:
        LifecycleEvent(event="e", source="a", target="b", at=NOW, data={"4242424242424242": "x"})
    assert info.value.rule == "no_full_card_number"
    ev = LifecycleEvent(event="e", source="a", target="b", at=NOW, data={"n": "4242424242424242"})
    assert ev.data == {"n": "[card ending 4242]"}
