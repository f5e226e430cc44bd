from __future__ import annotations

from datetime import timedelta

from paysupport.models import DisputeStatus, PaymentStatus, RefundStatus
from paysupport.money import Money
from paysupport.networks import DisputeStage, Network
from paysupport.providers import EventKind, ProviderEvent
from paysupport.workflows import (
    DEFAULTS,
    RecordDisputeLoss,
    RefundResult,
    apply_provider_event,
    request_refund,
    settle_refund,
)

from ._support import at, captured, dispute, eur, request


def event(kind: EventKind, minutes: int, event_id: str, **fields: object) -> ProviderEvent:
    return ProviderEvent(
        provider="stripe",
        event_id=event_id,
        event_type=kind.value,
        kind=kind,
        occurred_at=at(minutes / 60),
        **fields,
    )


def pending_refund():
    p = request_refund(captured(), request(), now=at()).after("payment", "pay_1")
    return settle_refund(p, "rf_rr_1", RefundResult.pending("re_1"), now=at(0.01)).after(
        "payment", "pay_1"
    )


def test_refund_webhook_settles_and_duplicate_is_ignored() -> None:
    p = pending_refund()
    ev = event(
        EventKind.REFUND_SUCCEEDED,
        10,
        "evt_1",
        object_id="re_1",
        refund_status=RefundStatus.SUCCEEDED,
    )
    out = apply_provider_event(p, ev, now=at(1))
    after = out.after("payment", "pay_1")
    assert after.refund("rf_rr_1").status is RefundStatus.SUCCEEDED
    assert after.refund("rf_rr_1").history[-1].data["provider_event_id"] == "evt_1"
    dup = apply_provider_event(after, ev, now=at(2))
    assert dup.is_empty and dup.note_codes == ("duplicate_event",)


def test_older_notification_after_newer_is_stale() -> None:
    p = pending_refund()
    newer = event(
        EventKind.REFUND_FAILED,
        20,
        "evt_2",
        object_id="re_1",
        refund_status=RefundStatus.FAILED,
        refund_failure_reason="declined",
    )
    older = event(
        EventKind.REFUND_SUCCEEDED,
        10,
        "evt_1",
        object_id="re_1",
        refund_status=RefundStatus.SUCCEEDED,
    )
    after = apply_provider_event(p, newer, now=at(1)).after("payment", "pay_1")
    assert after.refund("rf_rr_1").status is RefundStatus.FAILED
    stale = apply_provider_event(after, older, now=at(2))
    assert stale.is_empty and stale.note_codes == ("stale_event",)


def test_refund_made_at_the_provider_is_recorded() -> None:
    ev = event(
        EventKind.REFUND_SUCCEEDED,
        10,
        "evt_9",
        object_id="re_x",
        refund_status=RefundStatus.SUCCEEDED,
        amount=eur("10"),
    )
    out = apply_provider_event(captured(), ev, now=at(1))
    after = out.after("payment", "pay_1")
    assert after.status is PaymentStatus.PARTIALLY_REFUNDED and after.refund("re_x").amount == eur(
        "10"
    )
    unknown = event(
        EventKind.REFUND_FAILED, 10, "evt_8", object_id="re_y", refund_status=RefundStatus.FAILED
    )
    assert apply_provider_event(captured(), unknown, now=at(1)).note_codes == ("unknown_refund",)


def test_new_dispute_is_recorded_and_planned() -> None:
    ev = event(
        EventKind.DISPUTE_OPENED,
        5,
        "evt_d1",
        object_id="dp_9",
        network=Network.VISA,
        reason_code="13.1",
        amount=Money.of("49.90", "EUR"),
        due_by=at(days=20),
        dispute_stage=DisputeStage.CHARGEBACK,
        dispute_status=DisputeStatus.NEEDS_RESPONSE,
    )
    plain = apply_provider_event(captured(), ev, now=at(1))
    assert plain.after("payment", "pay_1").dispute("dp_9").is_open
    planned = apply_provider_event(captured(), ev, now=at(1), policies=DEFAULTS)
    assert len(planned.decisions) == 2


def test_dispute_lost_webhook() -> None:
    d = dispute(status="under_review")
    p = captured().with_dispute(d)
    ev = event(
        EventKind.DISPUTE_LOST,
        60 * 24 * 30,
        "evt_l",
        object_id="dp_1",
        dispute_status=DisputeStatus.LOST,
    )
    out = apply_provider_event(p, ev, now=at(days=31))
    assert out.after("payment", "pay_1").dispute("dp_1").status is DisputeStatus.LOST
    assert out.effects_of(RecordDisputeLoss)
    impossible = event(
        EventKind.DISPUTE_UPDATED, 10, "evt_x", object_id="dp_1", dispute_stage=DisputeStage.INQUIRY
    )
    assert apply_provider_event(p, impossible, now=at(1)).note_codes == ("not_applicable",)


def test_payment_canceled_webhook_and_unknown_kinds() -> None:
    p = captured(status="authorized", captures=())
    ev = event(
        EventKind.PAYMENT_CANCELED,
        5,
        "evt_c",
        object_id="ch_1",
        payment_status=PaymentStatus.CANCELED,
    )
    out = apply_provider_event(p, ev, now=at(1))
    assert out.after("payment", "pay_1").status is PaymentStatus.CANCELED
    unknown = event(EventKind.UNKNOWN, 5, "evt_u")
    assert apply_provider_event(p, unknown, now=at(1)).note_codes == ("unknown_event",)
    same = event(EventKind.PAYMENT_AUTHORIZED, 5, "evt_a", payment_status=PaymentStatus.AUTHORIZED)
    assert apply_provider_event(p, same, now=at(1)).note_codes == ("no_change",)
    _ = timedelta
