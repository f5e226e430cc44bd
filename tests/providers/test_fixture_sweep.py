"""Every provider fixture, through the host's entry point (issue 11, done-when).

A host's webhook handler translates the body (``event_from_stripe`` / ``event_from_adyen``;
an unknown type or code is refused in strict mode, so the handler retries with
``strict=False``) and hands the event to ``apply_provider_event`` with the payment it names.
For every fixture in ``tests/providers/fixtures/`` (objects are wrapped in the event that
carries them) the test asserts that only typed errors escape and that nothing is dropped
silently: the outcome changes something or says why not in a documented note.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from paysupport.errors import PaysupportError, ProviderPayloadError
from paysupport.models import Capture, Payment
from paysupport.money import Money
from paysupport.providers import ProviderEvent, event_from_adyen, event_from_stripe
from paysupport.workflows import apply_provider_event
from paysupport.workflows.provider_events import NOTE_CODES
from tests.providers._support import FIXTURES, stripe_event

#: The Stripe event that carries each object type, for fixtures that are bare objects.
_CARRIER = {
    "charge": "charge.updated",
    "dispute": "charge.dispute.created",
    "refund": "refund.updated",
    "radar.early_fraud_warning": "radar.early_fraud_warning.created",
    "early_fraud_warning": "radar.early_fraud_warning.created",
}


def _bodies() -> Iterator[tuple[str, str, dict[str, Any], bool | None]]:
    """(fixture name, provider, body, live) for every notification the fixtures hold."""
    for path in sorted(FIXTURES.rglob("*.json")):
        name = str(path.relative_to(FIXTURES))
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if "notificationItems" in data:
            live = data.get("live") == "true"
            for i, item in enumerate(data["notificationItems"]):
                yield f"{name}#{i}", "adyen", item, live
        elif data.get("object") == "event":
            yield name, "stripe", data, None
        elif data.get("object") == "payment_intent":
            kind = "succeeded" if data["status"] == "succeeded" else "amount_capturable_updated"
            yield name, "stripe", stripe_event(f"payment_intent.{kind}", data), None
        else:
            yield name, "stripe", stripe_event(_CARRIER[data["object"]], data), None


def _translate(provider: str, body: dict[str, Any], live: bool | None) -> ProviderEvent:
    """What a webhook handler does: strict first, lenient for what the library does not know."""
    try:
        if provider == "stripe":
            return event_from_stripe(body)
        return event_from_adyen(body, live=live)
    except ProviderPayloadError as exc:
        if exc.rule != "unknown_value":
            raise
    if provider == "stripe":
        return event_from_stripe(body, strict=False)
    return event_from_adyen(body, strict=False, live=live)


def _payment_for(ev: ProviderEvent) -> Payment:
    """A captured payment that the notification names, big enough for what it carries."""
    floor = Money.of("100", ev.amount.currency if ev.amount is not None else "EUR")
    amount = max(ev.amount, floor) if ev.amount is not None else floor
    created = ev.occurred_at - timedelta(days=10)
    return Payment(
        id=ev.payment_reference or "pay_unnamed",
        merchant_id="m_1",
        amount=amount,
        status="captured",
        created_at=created,
        captures=(Capture(id="cap_1", amount=amount, captured_at=created),),
        provider=ev.provider,
        provider_reference=ev.payment_reference,
    )


SWEEP = sorted(_bodies(), key=lambda t: t[0])


def test_the_sweep_sees_every_fixture() -> None:
    files = {str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.json")}
    assert {name.split("#")[0] for name, *_ in SWEEP} == files
    assert len(files) > 60


@pytest.mark.parametrize(("name", "provider", "body", "live"), SWEEP, ids=[s[0] for s in SWEEP])
def test_every_fixture_goes_through_the_host_entry_point(
    name: str, provider: str, body: dict[str, Any], live: bool | None
) -> None:
    try:
        ev = _translate(provider, body, live)
        payment = _payment_for(ev)
        out = apply_provider_event(payment, ev, now=ev.occurred_at + timedelta(minutes=5))
    except PaysupportError as exc:  # typed, and it names the field
        pytest.fail(f"{name}: {type(exc).__name__}: {exc}")
    assert out.changes or out.notes, f"{name} was dropped silently"
    assert {n.code for n in out.notes} <= set(NOTE_CODES) | _WORKFLOW_NOTES, out.notes
    again = apply_provider_event(
        out.after("payment", payment.id) if out.changes else payment,
        ev,
        now=ev.occurred_at + timedelta(minutes=6),
    )
    if out.changes:
        assert again.note_codes == ("duplicate_event",) or not again.changes


#: Notes the refund and dispute workflows that apply_provider_event delegates to may add.
_WORKFLOW_NOTES = {"already_succeeded", "already_failed", "already_pending", "not_applicable"}


def test_every_translated_dispute_state_is_a_declared_state() -> None:
    from paysupport.models.dispute import dispute_state_allowed
    from paysupport.providers import AdyenTarget
    from paysupport.providers.adyen import ADYEN_EVENT_CODES
    from paysupport.providers.stripe import STRIPE_DISPUTE_STATUS

    pairs = set(STRIPE_DISPUTE_STATUS.values())
    pairs |= {
        (t.stage, t.status)
        for t in ADYEN_EVENT_CODES.values()
        if isinstance(t, AdyenTarget) and t.stage is not None and t.status is not None
    }
    for _, provider, body, live in SWEEP:
        ev = _translate(provider, body, live)
        if ev.dispute_stage is not None and ev.dispute_status is not None:
            pairs.add((ev.dispute_stage, ev.dispute_status))
    undeclared = {(s.value, t.value) for s, t in pairs if not dispute_state_allowed(s, t)}
    assert not undeclared
