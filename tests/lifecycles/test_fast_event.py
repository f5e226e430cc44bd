"""``fire`` records the history entry validating only the values from outside.

The event name, source, target and time are the engine's own; the actor, the reason and the
event data come from the caller. Whatever text they hold (spaces, other scripts, control
characters, card numbers written with separators, surrogates, texts past the length
bounds), the entry ``fire`` records must be exactly the ``LifecycleEvent`` a full pydantic
validation builds from the same values, and ``fire`` must refuse exactly what that
validation refuses.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paysupport.errors import InvalidTransition, ModelValidationError
from paysupport.lifecycles import refund
from paysupport.models import LifecycleEvent, Refund
from paysupport.models._base import _violations
from paysupport.money import Money

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
PAN = "4242424242424242"

_PIECES = st.sampled_from(
    [
        "op_1",
        "ops-lead@acme",
        " ",
        "\t",
        "\n",
        "\x00",
        "\x1f",
        "\u00a0",
        "\u2003",
        "\u180e",
        "\u200b",
        "é",
        "٤٢٤٢",
        "\ud800",
        PAN,
        "4242 4242 4242 4242",
        "4242-4242-4242-4242",
        "4242.4242.4242.4241",
        "123456789012",
        "\\u0034",
        "amount_band, new_customer",
        "x" * 254,
        "y" * 20_000,
    ]
)
_TEXT = st.lists(_PIECES, max_size=3).map("".join) | st.text(max_size=30)
_MAYBE = st.none() | _TEXT


def _requested() -> Refund:
    return Refund(
        id="re_1",
        payment_id="pay_1",
        amount=Money.of("10.00", "EUR"),
        created_at=T0,
        requested_by="agent_7",
    )


def _full_event(values: dict[str, Any]) -> LifecycleEvent:
    """The entry from the class's full pydantic schema (no fast validator, no fast path)."""
    try:
        event: LifecycleEvent = LifecycleEvent.__pydantic_validator__.validate_python(values)
    except pydantic.ValidationError as exc:
        raise ModelValidationError("LifecycleEvent", _violations(exc)) from None
    return event


def _check(actor: str | None, reason: str | None, data: dict[str, str]) -> None:
    now = T0 + timedelta(minutes=5)
    expected: dict[str, Any] = {
        "event": "require_approval",
        "source": "requested",
        "target": "awaiting_approval",
        "at": now,
        "actor": actor,
        "reason": reason,
        "data": {"tier": "senior", **data},
    }
    try:
        full = _full_event(expected)
    except ModelValidationError as exc:
        full_error = exc
    else:
        full_error = None
    if full_error is not None:
        with pytest.raises(InvalidTransition) as refused:
            refund.fire(
                _requested(),
                "require_approval",
                now=now,
                actor=actor,
                reason=reason,
                tier="senior",
                **data,
            )
        assert refused.value.code == "model_rule"
        assert isinstance(refused.value.__cause__, ModelValidationError)
        assert refused.value.__cause__.violations == full_error.violations
        return
    fired = refund.fire(
        _requested(), "require_approval", now=now, actor=actor, reason=reason, tier="senior", **data
    )
    entry = fired.history[-1]
    assert entry == full
    assert repr(entry) == repr(full)
    assert entry.model_fields_set == full.model_fields_set
    assert entry.model_dump_json() == full.model_dump_json()
    assert type(entry.data) is type(full.data)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    actor=_MAYBE,
    reason=_MAYBE,
    data=st.dictionaries(
        st.sampled_from(["note", "ticket", "k" + PAN, "x" * 13]), _TEXT, max_size=2
    ),
)
def test_fire_records_what_full_validation_builds(
    actor: str | None, reason: str | None, data: dict[str, str]
) -> None:
    _check(actor, reason, data)


@pytest.mark.parametrize(
    ("actor", "reason", "data"),
    [
        ("op_1", "amount_band, new_customer", {}),  # the everyday entry: taken as it is
        ("op 1", None, {}),  # a space: not an identifier
        ("", None, {}),  # empty: not an identifier
        ("o" * 256, None, {}),  # too long
        (PAN, None, {}),  # a card number in an id: refused
        (None, f"card {PAN} on file", {}),  # in free text: masked
        (None, "z" * 20_001, {}),  # past the free-text bound
        (None, None, {"note": f"call about {PAN}"}),  # a data value: masked
        (None, None, {"note": "\ud800"}),  # a lone surrogate: not a valid string
        ("op_é", "réclamation", {"note": "naïve"}),  # other scripts: pydantic decides
    ],
)
def test_fire_records_the_outside_values_as_full_validation_does(
    actor: str | None, reason: str | None, data: dict[str, str]
) -> None:
    _check(actor, reason, data)
