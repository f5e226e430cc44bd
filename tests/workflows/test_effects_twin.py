"""Every effect type's ``__init__`` fills a mutable twin (generated from its attrs fields).

Same signature, defaults, errors and values as attrs' own ``__init__``; an instance of a
subclass goes through attrs' own.
"""

from __future__ import annotations

import inspect
import pickle

import attrs
import pytest

from paysupport.money import Money
from paysupport.workflows.effects import EFFECT_TYPES, Effect, IssueRefund


@pytest.mark.parametrize("cls", list(EFFECT_TYPES.values()), ids=list(EFFECT_TYPES))
def test_an_effect_init_is_the_twin_filling_one_with_attrs_signature(cls: type[Effect]) -> None:
    assert "in its twin" in cls.__init__.__code__.co_filename
    params = inspect.signature(cls.__init__).parameters
    fields = [a for a in attrs.fields(cls) if a.init]
    assert [p for p in params if p != "self"] == [a.name for a in fields]
    for a in fields:
        p = params[a.name]
        assert p.kind is inspect.Parameter.KEYWORD_ONLY
        assert p.default is (inspect.Parameter.empty if a.default is attrs.NOTHING else a.default)


def test_an_effect_built_in_its_twin_is_the_frozen_record() -> None:
    amount = Money.of("12.00", "EUR")
    e = IssueRefund(payment_id="pay_1", refund_id="re_1", amount=amount)
    assert type(e) is IssueRefund
    assert attrs.asdict(e, recurse=False) == {
        "_key": None,
        "payment_id": "pay_1",
        "refund_id": "re_1",
        "request_id": None,
        "amount": amount,
        "reason": attrs.fields(IssueRefund).reason.default,
        "provider": None,
        "provider_reference": None,
    }
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        e.payment_id = "pay_2"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(e)) == e
    assert attrs.evolve(e, provider="stripe").provider == "stripe"
    assert e.idempotency_key.startswith("issue_refund:")
    with pytest.raises(TypeError, match="refund_id"):
        IssueRefund(payment_id="pay_1", amount=amount)  # type: ignore[call-arg]


def test_a_subclass_without_its_own_init_goes_through_attrs_init() -> None:
    sub = attrs.frozen(kw_only=True, init=False)(type("MyRefund", (IssueRefund,), {}))
    amount = Money.of("1.00", "EUR")
    e = sub(payment_id="pay_1", refund_id="re_1", amount=amount)
    assert type(e) is sub
    assert (e.payment_id, e.refund_id, e.amount, e.provider) == ("pay_1", "re_1", amount, None)
