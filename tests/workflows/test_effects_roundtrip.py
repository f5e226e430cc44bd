"""Effects survive a host's outbox: ``Effect.from_dict(e.to_dict()) == e``, keys included."""

from __future__ import annotations

import json

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import paysupport.testing.strategies  # noqa: F401  (registers Money, Evidence, ...)
from paysupport.errors import ValidationFailed
from paysupport.workflows.effects import EFFECT_TYPES, Effect, IssueRefund


@pytest.mark.parametrize("kind", sorted(EFFECT_TYPES))
@given(data=st.data())
def test_round_trip_through_json(kind: str, data: st.DataObject) -> None:
    cls = attrs.resolve_types(EFFECT_TYPES[kind])  # string annotations -> types, for builds()
    effect = data.draw(st.builds(cls))
    stored = json.loads(json.dumps(effect.to_dict()))
    again = Effect.from_dict(stored)
    assert again == effect
    assert again.idempotency_key == effect.idempotency_key


def test_an_edited_effect_is_refused() -> None:
    from paysupport.money import Money

    effect = IssueRefund(payment_id="pay_1", refund_id="rf_1", amount=Money.of("10", "EUR"))
    stored = effect.to_dict()
    stored["amount"] = {"minor": 99999, "currency": "EUR"}
    with pytest.raises(ValidationFailed) as info:
        Effect.from_dict(stored)
    assert info.value.rule == "key_matches_cause"
    with pytest.raises(ValidationFailed) as info:
        Effect.from_dict({"kind": "launch_rocket"})
    assert info.value.rule == "effect_kind_known"


@pytest.mark.parametrize("stored", [None, "issue_refund", ["issue_refund"], 42])
def test_a_stored_effect_that_is_not_a_mapping_is_refused(stored: object) -> None:
    with pytest.raises(ValidationFailed) as info:
        Effect.from_dict(stored)  # type: ignore[arg-type]
    assert info.value.field == "data"
