"""A granted refund is built from validated parts (`Refund.from_parts`), as validation builds it."""

from __future__ import annotations

import pickle
from datetime import datetime
from typing import Any

import pytest

from paysupport.errors import ModelValidationError
from paysupport.models import Refund, RefundReason, RefundStatus, RequesterKind, Tier
from paysupport.models import refund as refund_module
from paysupport.workflows import request_refund
from paysupport.workflows.refunds import _COPIED

from ._support import at, captured, eur, operator, request

TRUSTED: dict[str, Any] = {
    "payment_id": "pay_1",
    "amount": eur("12.50"),
    "reason": RefundReason.GOODWILL,
    "request_id": "req_1",
    "provider": "stripe",
    "note": None,
}


def _outcome(build: Any) -> Any:
    try:
        made = build()
    except ModelValidationError as exc:
        return ("error", exc.model, [(v.field, v.rule) for v in exc.violations])
    return ("ok", pickle.dumps(made))  # the same values, fields-set, in the same order


@pytest.mark.parametrize(
    "changes",
    [
        {"id": "rf_req_1", "created_at": at(), "requested_by": "op_1"},
        {"id": "rf_req_1", "created_at": at(), "requested_by": None},
        {"id": "rf req", "created_at": at(), "requested_by": "op_1"},  # a space: not an id
        {"id": "rf_4242424242424242", "created_at": at(), "requested_by": None},  # a card number
        {"id": "rf_1", "created_at": datetime(2026, 1, 1), "requested_by": None},  # naive
        {"id": "rf_1", "created_at": "2026-01-01T00:00:00Z", "requested_by": "op_1"},  # parsed
        {"id": "rf_1", "created_at": at(), "requested_by": "op_1", "approved_by": "op_1"},  # 4 eyes
        {"id": "rf_1", "created_at": at(), "unknown": 1},  # an unknown name
        {"id": "rf_1"},  # created_at missing
    ],
)
def test_from_parts_is_the_full_validation(changes: dict[str, Any]) -> None:
    full = _outcome(lambda: Refund(**TRUSTED, **changes))
    assert _outcome(lambda: Refund.from_parts(TRUSTED, **changes)) == full


def test_from_parts_runs_the_rules_on_trusted_values() -> None:
    zero = {**TRUSTED, "amount": eur("0")}
    with pytest.raises(ModelValidationError) as exc:
        Refund.from_parts(zero, id="rf_1", created_at=at())
    assert [v.rule for v in exc.value.violations] == ["refund_amount_positive"]


def _field_schema(cls: Any, name: str) -> Any:
    """The core schema a field's values are validated with (without default and None)."""
    node: Any = cls.__pydantic_core_schema__
    while node.get("type") != "model-fields":
        node = node["schema"]
    node = node["fields"][name]["schema"]
    while node.get("type") in ("default", "nullable"):
        node = node["schema"]
    return {k: v for k, v in node.items() if k != "metadata"}  # JSON-schema hooks only


@pytest.mark.parametrize(("field", "model", "source"), _COPIED)
def test_copied_fields_have_the_refund_fields_type(field: str, model: Any, source: str) -> None:
    # What the workflow copies into a refund as it is must be validated alike on both models.
    assert _field_schema(Refund, field) == _field_schema(model, source)
    assert Refund.__pan_checks__ and dict(Refund.__pan_checks__).get(field) is dict(
        model.__pan_checks__
    ).get(source)


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({}, {}),
        (
            {"operator": operator("op_s", Tier.SENIOR)},
            {"requester_id": "op_s", "requested_by": RequesterKind.OPERATOR},
        ),
        ({}, {"note": "call me at 4242 4242 4242 4242", "reason": RefundReason.GOODWILL}),
    ],
)
def test_request_refund_builds_its_refund_from_parts(
    kwargs: dict[str, Any], fields: dict[str, Any]
) -> None:
    refund_module._SHAPES.clear()
    payment, req = captured("2000"), request(amount=eur("20"), **fields)
    out = request_refund(payment, req, now=at(), **kwargs)
    assert refund_module._SHAPES  # the parts' way, not Refund(...)
    made = out.changes[0].after.refunds[-1]
    assert made.status is RefundStatus.REQUESTED
    again = Refund(**{n: made.__dict__[n] for n in made.model_fields_set})
    assert list(made.__dict__.items()) == list(again.__dict__.items())
    assert made.model_fields_set == again.model_fields_set
