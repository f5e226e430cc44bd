from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from paysupport.errors import ProviderPayloadError
from paysupport.models import DisputeStatus, PaymentStatus, RefundFailureReason, RefundStatus
from paysupport.money import Money
from paysupport.networks import DisputeStage, Network
from paysupport.providers import EventKind, ProviderEvent, event_from_stripe
from paysupport.providers.events import KIND_SEQUENCE
from paysupport.providers.stripe import STRIPE_EVENT_TYPES
from tests.providers._support import load, stripe_event

_OBJECTS = {
    "charge": "stripe/charge_partially_refunded.json",
    "dispute": "stripe/dispute_needs_response.json",
    "refund": "stripe/refund_succeeded.json",
    "payment_intent": "stripe/payment_intent_succeeded.json",
    "radar.early_fraud_warning": "stripe/early_fraud_warning.json",
}


@pytest.mark.parametrize("event_type", sorted(STRIPE_EVENT_TYPES))
def test_every_stripe_event_type(event_type: str) -> None:
    spec = STRIPE_EVENT_TYPES[event_type]
    obj = load(_OBJECTS[spec.object])
    if event_type == "charge.dispute.closed":
        obj["status"] = "lost"
    if event_type == "refund.failed":
        obj["status"] = "failed"
    ev = event_from_stripe(stripe_event(event_type, obj))
    assert ev.event_type == event_type
    assert ev.kind is not EventKind.UNKNOWN
    if spec.kind is not None:
        assert ev.kind is spec.kind
    assert ev.object_id == obj["id"]
    assert ev.payment_reference is not None
    assert ev.occurred_at == datetime(2024, 11, 25, 2, 0, tzinfo=UTC)


def test_dispute_created_fixture() -> None:
    ev = event_from_stripe(load("stripe/event_charge_dispute_created.json"))
    assert ev.kind is EventKind.DISPUTE_OPENED
    assert (ev.dispute_stage, ev.dispute_status) == (
        DisputeStage.CHARGEBACK,
        DisputeStatus.NEEDS_RESPONSE,
    )
    assert (ev.raw_status, ev.raw_reason, ev.reason_code) == (
        "needs_response",
        "product_not_received",
        "13.1",
    )
    assert (ev.network, ev.raw_network) == (Network.VISA, "visa")
    assert ev.amount == Money.of("50.00", "EUR")
    assert ev.due_by == datetime(2024, 12, 14, 23, 59, 59, tzinfo=UTC)
    assert ev.payment_reference == "ch_3Pcaptured"


def test_inquiry_created_is_inquiry_opened_and_due_by_zero_is_none() -> None:
    ev = event_from_stripe(
        stripe_event("charge.dispute.created", load("stripe/dispute_inquiry_no_response.json"))
    )
    assert ev.kind is EventKind.INQUIRY_OPENED
    assert ev.dispute_stage is DisputeStage.INQUIRY
    assert ev.due_by is None


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("won", EventKind.DISPUTE_WON),
        ("lost", EventKind.DISPUTE_LOST),
        ("warning_closed", EventKind.DISPUTE_CLOSED),
        ("prevented", EventKind.DISPUTE_CLOSED),
    ],
)
def test_dispute_closed_kind_follows_status(status: str, kind: EventKind) -> None:
    obj = load("stripe/dispute_needs_response.json")
    obj["status"] = status
    assert event_from_stripe(stripe_event("charge.dispute.closed", obj)).kind is kind


def test_dispute_closed_with_open_status_is_refused() -> None:
    with pytest.raises(ProviderPayloadError) as info:
        event_from_stripe(
            stripe_event("charge.dispute.closed", load("stripe/dispute_needs_response.json"))
        )
    assert (info.value.field, info.value.rule) == ("data.object.status", "unknown_value")


def test_funds_withdrawn_and_reinstated() -> None:
    ev = event_from_stripe(load("stripe/event_charge_dispute_funds_withdrawn.json"))
    assert ev.kind is EventKind.DISPUTE_FUNDS_WITHDRAWN
    obj = load("stripe/dispute_needs_response.json")
    obj["status"] = "won"
    ev = event_from_stripe(stripe_event("charge.dispute.funds_reinstated", obj))
    assert ev.kind is EventKind.DISPUTE_FUNDS_REINSTATED
    assert ev.dispute_status is DisputeStatus.WON


def test_charge_refund_updated_failed_after_succeeded_is_reversed() -> None:
    ev = event_from_stripe(load("stripe/event_charge_refund_updated_reversed.json"))
    assert ev.kind is EventKind.REFUND_REVERSED
    assert ev.refund_status is RefundStatus.REVERSED
    assert ev.raw_status == "failed"
    assert ev.refund_failure_reason is RefundFailureReason.LOST_OR_STOLEN_CARD


def test_refund_failed_event_from_pending_is_failed() -> None:
    obj = load("stripe/refund_failed.json")
    ev = event_from_stripe(stripe_event("refund.failed", obj, previous={"status": "pending"}))
    assert (ev.kind, ev.refund_status) == (EventKind.REFUND_FAILED, RefundStatus.FAILED)


def test_refund_failed_event_with_succeeded_status_is_refused() -> None:
    with pytest.raises(ProviderPayloadError) as info:
        event_from_stripe(stripe_event("refund.failed", load("stripe/refund_succeeded.json")))
    assert (info.value.field, info.value.rule) == ("data.object.status", "status_matches_event")


def test_payment_intent_succeeded_fixture() -> None:
    ev = event_from_stripe(load("stripe/event_payment_intent_succeeded.json"))
    assert (ev.kind, ev.payment_status) == (EventKind.PAYMENT_SUCCEEDED, PaymentStatus.CAPTURED)
    assert ev.payment_reference == "pi_3Pok"


def test_early_fraud_warning_fixture() -> None:
    ev = event_from_stripe(load("stripe/event_radar_early_fraud_warning_created.json"))
    assert ev.kind is EventKind.FRAUD_WARNING
    assert (ev.raw_reason, ev.raw_status) == ("made_with_stolen_card", "actionable")
    assert ev.object_type == "early_fraud_warning"
    assert ev.payment_reference == "ch_3Pcaptured"


def test_unknown_event_type_raises_by_default() -> None:
    with pytest.raises(ProviderPayloadError) as info:
        event_from_stripe(load("stripe/event_unknown_type.json"))
    assert (info.value.field, info.value.rule) == ("type", "unknown_value")


def test_unknown_event_type_non_strict_keeps_the_raw_string() -> None:
    ev = event_from_stripe(load("stripe/event_unknown_type.json"), strict=False)
    assert ev.kind is EventKind.UNKNOWN
    assert ev.is_unknown
    assert ev.event_type == "plan.created"
    assert ev.object_id == "price_1"
    assert ev.payment_status is None and ev.dispute_status is None and ev.refund_status is None


def test_unknown_dispute_status_non_strict_keeps_raw_status() -> None:
    obj = load("stripe/dispute_needs_response.json")
    obj["status"] = "escalated_to_arbitration"
    event = stripe_event("charge.dispute.updated", obj)
    with pytest.raises(ProviderPayloadError) as info:
        event_from_stripe(event)
    assert (info.value.field, info.value.rule) == ("data.object.status", "unknown_value")
    ev = event_from_stripe(event, strict=False)
    assert ev.kind is EventKind.UNKNOWN
    assert ev.raw_status == "escalated_to_arbitration"
    assert ev.dispute_stage is None and ev.dispute_status is None


def test_unknown_reason_code_strict_and_not() -> None:
    obj = load("stripe/dispute_needs_response.json")
    obj["payment_method_details"]["card"]["network_reason_code"] = "77.7"
    event = stripe_event("charge.dispute.created", obj)
    with pytest.raises(ProviderPayloadError) as info:
        event_from_stripe(event)
    assert info.value.field == "data.object.payment_method_details.card.network_reason_code"
    assert info.value.rule == "reason_code_known"
    ev = event_from_stripe(event, strict=False)
    assert (ev.kind, ev.reason_code) == (EventKind.DISPUTE_OPENED, "77.7")


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize(
    ("mutate", "field", "rule"),
    [
        (lambda e: e["data"]["object"].pop("amount"), "data.object.amount", "required"),
        (lambda e: e["data"]["object"].update(amount=50.0), "data.object.amount", "type"),
        (
            lambda e: e["data"]["object"].update(currency="abc"),
            "data.object.currency",
            "currency_known",
        ),
        (lambda e: e.pop("created"), "created", "required"),
        (lambda e: e.update(created=1.5), "created", "type"),
        (lambda e: e.pop("data"), "data", "required"),
        (lambda e: e["data"].update(object="dp_1"), "data.object", "type"),
        (
            lambda e: e["data"]["object"].update(object="charge"),
            "data.object.object",
            "object_type",
        ),
    ],
)
def test_malformed_events_raise_in_both_modes(
    mutate: Any, field: str, rule: str, strict: bool
) -> None:
    event = load("stripe/event_charge_dispute_created.json")
    mutate(event)
    with pytest.raises(ProviderPayloadError) as info:
        event_from_stripe(event, strict=strict)
    assert (info.value.field, info.value.rule) == (field, rule)


def test_ordering_key_puts_created_before_funds_withdrawn_in_the_same_second() -> None:
    created = event_from_stripe(load("stripe/event_charge_dispute_created.json"))
    withdrawn = event_from_stripe(load("stripe/event_charge_dispute_funds_withdrawn.json"))
    closed = event_from_stripe(load("stripe/event_charge_dispute_closed_won.json"))
    assert created.occurred_at == withdrawn.occurred_at
    assert created.is_older_than(withdrawn)
    late_arrivals = [closed, withdrawn, created]
    assert sorted(late_arrivals, key=lambda e: e.ordering_key) == [created, withdrawn, closed]


def test_event_is_frozen() -> None:
    ev = event_from_stripe(load("stripe/event_charge_dispute_created.json"))
    with pytest.raises(Exception):  # noqa: B017, PT011 - pydantic's frozen error
        ev.kind = EventKind.DISPUTE_WON  # type: ignore[misc]
    assert isinstance(ev, ProviderEvent)


def test_every_kind_has_a_sequence() -> None:
    assert set(KIND_SEQUENCE) == set(EventKind)
