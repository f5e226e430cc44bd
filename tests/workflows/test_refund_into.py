"""`request_refund_into`: the records `request_refund` returns, written into a caller's builder."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from paysupport.errors import ValidationFailed
from paysupport.models import RefundReason, RequesterKind
from paysupport.workflows import Outcome, request_refund
from paysupport.workflows._build import Builder
from paysupport.workflows.refunds import request_refund_into

from ._support import at, captured, eur, operator, request

CASES: dict[str, tuple[Any, Any, dict[str, Any]]] = {
    "granted": (captured(), request(), {}),
    "review": (
        captured("2000"),
        request(requester_id="op_j", requested_by=RequesterKind.OPERATOR),
        {"operator": operator()},
    ),
    "denied": (
        captured(),
        request(amount=eur("10"), reason=RefundReason.OVERCHARGE, correct_amount=eur("49.90")),
        {},
    ),
    "void": (captured(status="authorized", captures=()), request(), {}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_into_a_fresh_builder_is_request_refund(name: str) -> None:
    payment, req, kwargs = CASES[name]
    direct = request_refund(payment, req, now=at(), **kwargs)
    b = Builder()
    request_refund_into(b, payment, req, now=at(), **kwargs)
    built = b.build()
    assert isinstance(built, Outcome)
    assert built.decisions or built.effects  # every case records something
    assert pickle.dumps(built) == pickle.dumps(direct)


def test_into_a_builder_keeps_what_it_held_first() -> None:
    payment, req, _ = CASES["granted"]
    b = Builder()
    b.note("triage_first", "recorded before the refund")
    request_refund_into(b, payment, req, now=at())
    out = b.build()
    direct = request_refund(payment, req, now=at())
    assert out.note_codes[0] == "triage_first"
    assert out.effects == direct.effects and out.changes == direct.changes


def test_into_refuses_a_request_for_another_payment() -> None:
    b = Builder()
    with pytest.raises(ValidationFailed):
        request_refund_into(b, captured(), request(payment_id="pay_2"), now=at())
    assert b.build().effects == ()
