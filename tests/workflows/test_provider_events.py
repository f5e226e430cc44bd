from __future__ import annotations

from datetime import timedelta

from paysupport.models import DisputeStatus, PaymentStatus, RefundStatus
from paysupport.money import Money
from paysupport.networks import DisputeStage, Network
from paysupport.policies.policy_set import DEFAULTS
from paysupport.providers import EventKind, ProviderEvent
from paysupport.workflows import (
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


# --------------------------------------------------------------------------- issue 11, at the seams
# Published payload shapes go in where a host's webhook handler puts them: the translator,
# then apply_provider_event / request_refund.

from datetime import UTC, datetime  # noqa: E402

import pytest  # noqa: E402

from paysupport.errors import ValidationFailed  # noqa: E402
from paysupport.models import Dispute, Payment, RefundRequest  # noqa: E402
from paysupport.providers import (  # noqa: E402
    event_from_adyen,
    event_from_stripe,
    payment_from_charge,
    payment_from_payment_intent,
)
from paysupport.workflows import IssueRefund  # noqa: E402
from tests.providers._support import adyen_item, bare, load, stripe_event  # noqa: E402

LATER = datetime(2024, 12, 1, 9, 0, tzinfo=UTC)


def _ask_full_refund(payment, rid: str = "rr_again"):  # type: ignore[no-untyped-def]
    req = RefundRequest(id=rid, payment_id=payment.id, requested_at=LATER)
    return request_refund(payment, req, now=LATER)


def test_default_stripe_charge_refunded_in_full_is_not_refunded_again() -> None:
    # API >= 2022-11-15: no "refunds" key unless expanded; amount_refunded is always sent.
    p = payment_from_charge(load("stripe/charge_refunded_no_refunds_list.json"), merchant_id="m")
    assert p.refunded_unitemised == Money.of("49.90", "EUR")
    assert p.amount_refundable == Money.of("0", "EUR")
    assert not _ask_full_refund(p).effects_of(IssueRefund)


def test_default_stripe_charge_refunded_in_part_leaves_the_rest() -> None:
    p = payment_from_charge(
        load("stripe/charge_partially_refunded_no_refunds_list.json"), merchant_id="m"
    )
    assert p.amount_refundable == Money.of("39.90", "EUR")
    issued = _ask_full_refund(p).effects_of(IssueRefund)
    assert [e.amount for e in issued] == [Money.of("39.90", "EUR")]


def test_expanded_refunds_are_itemised_and_only_the_rest_is_unitemised() -> None:
    charge = load("stripe/charge_partially_refunded.json")
    charge["amount_refunded"] = 2500  # 1500 listed and succeeded; 1000 not listed (has_more)
    p = payment_from_charge(charge, merchant_id="m")
    assert p.refunded_unitemised == Money.of("10.00", "EUR")
    assert p.amount_refundable == Money.of("25.00", "EUR")


def test_payment_intent_with_its_charge_expanded_is_not_refunded_again() -> None:
    pi = load("stripe/payment_intent_succeeded_latest_charge_expanded.json")
    p = payment_from_payment_intent(pi, merchant_id="m")
    assert p.status is PaymentStatus.REFUNDED
    assert p.amount_refundable == Money.of("0", "USD")
    assert not _ask_full_refund(p).effects_of(IssueRefund)


def test_charge_refunded_webhook_records_the_refund_made_elsewhere() -> None:
    body = load("stripe/event_charge_refunded_no_refunds_list.json")
    charge = dict(body["data"]["object"], amount_refunded=0, refunded=False)
    p = payment_from_charge(charge, merchant_id="m")
    assert p.amount_refundable == Money.of("49.90", "EUR")
    out = apply_provider_event(p, event_from_stripe(body), now=LATER)
    assert "refunded_elsewhere" in out.note_codes
    after = out.after("payment", p.id)
    assert after.amount_refundable == Money.of("0", "EUR")
    assert not _ask_full_refund(after).effects_of(IssueRefund)
    again = apply_provider_event(after, event_from_stripe(body), now=LATER)
    assert again.is_empty


def test_adyen_refund_made_in_the_customer_area_counts_against_the_refundable() -> None:
    item = adyen_item("refund")
    item["NotificationRequestItem"]["amount"]["value"] = 4990
    p = captured(id="9913140798220028", provider="adyen", provider_reference="9913140798220028")
    out = apply_provider_event(p, event_from_adyen(item), now=at(1))
    after = out.after("payment", p.id)
    assert out.note_codes == ("refund_made_elsewhere",)
    assert after.amount_refundable == Money.of("0", "EUR")
    req = RefundRequest(id="rr_2", payment_id=p.id, requested_at=at(2))
    assert not request_refund(after, req, now=at(2)).effects_of(IssueRefund)


def _adyen_payment(**fields: object) -> Payment:
    base: dict[str, object] = {
        "id": "9913140798220028",
        "provider": "adyen",
        "provider_reference": "9913140798220028",
    }
    base.update(fields)
    return captured("10.00", **base)


def _pending_adyen_refund() -> Payment:
    p = _adyen_payment()
    req = RefundRequest(id="rr_a", payment_id=p.id, requested_at=at(-1))
    p = request_refund(p, req, now=at(-1)).after("payment", p.id)
    rid = p.refunds[0].id
    return settle_refund(p, rid, RefundResult.pending("RFND000000000001"), now=at(-0.5)).after(
        "payment", p.id
    )


def test_adyen_refund_failed_on_a_pending_refund_ends_failed_in_one_event() -> None:
    p = _pending_adyen_refund()
    before = len(p.refunds[0].history)
    out = apply_provider_event(p, event_from_adyen(adyen_item("refund_failed")), now=at(1))
    r = out.after("payment", p.id).refunds[0]
    assert r.status is RefundStatus.FAILED
    assert [e.event for e in r.history[before:]] == ["fail"]  # no invented success
    assert p.amount_refundable == eur("0.00")  # held while pending
    assert out.after("payment", p.id).amount_refundable == eur("10.00")  # free again


def test_adyen_refund_failed_after_success_is_a_reversal() -> None:
    p = _pending_adyen_refund()
    ok = event_from_adyen(adyen_item("refund"))  # REFUND success=true for RFND000000000001
    p = apply_provider_event(p, ok, now=at(1)).after("payment", p.id)
    assert p.refunds[0].status is RefundStatus.SUCCEEDED
    out = apply_provider_event(p, event_from_adyen(adyen_item("refund_failed")), now=at(2))
    r = out.after("payment", p.id).refunds[0]
    assert r.status is RefundStatus.REVERSED
    assert r.history[-1].event == "reverse"


def _adyen_dispute(status: str = "needs_response", **fields: object) -> Payment:
    p = _adyen_payment()
    d = Dispute(
        id="QFQTPCQ8HXSKGK82",
        payment_id=p.id,
        network="mastercard",
        reason_code="4853",
        amount=eur("10.00"),
        opened_at=datetime(2024, 10, 1, tzinfo=UTC),
        due_by=datetime(2024, 11, 1, tzinfo=UTC),
        status=status,
        provider="adyen",
        provider_reference="QFQTPCQ8HXSKGK82",
        **fields,
    )
    return p.with_dispute(d)


def test_defense_period_ended_expires_the_dispute_without_inventing_a_defence() -> None:
    p = _adyen_dispute()
    item = adyen_item("dispute_defense_period_ended_undefended")
    bare(item)["pspReference"] = "QFQTPCQ8HXSKGK82"
    out = apply_provider_event(p, event_from_adyen(item), now=datetime(2024, 11, 12, tzinfo=UTC))
    d = out.after("payment", p.id).dispute("QFQTPCQ8HXSKGK82")
    assert (d.stage, d.status) == (DisputeStage.CHARGEBACK, DisputeStatus.EXPIRED)
    assert [e.event for e in d.history] == ["expire"]
    assert out.effects_of(RecordDisputeLoss)


def test_second_chargeback_is_one_recorded_move_never_an_invented_path() -> None:
    p = _adyen_dispute(status="under_review")
    out = apply_provider_event(
        p, event_from_adyen(adyen_item("second_chargeback")), now=datetime(2024, 11, 21, tzinfo=UTC)
    )
    d = out.after("payment", p.id).dispute("QFQTPCQ8HXSKGK82")
    names = [e.event for e in d.history]
    assert "submit_evidence" not in names and "open_pre_arbitration" not in names
    assert len(names) == 1
    assert (d.stage, d.status) == (DisputeStage.PRE_ARBITRATION, DisputeStatus.LOST)


def test_rfi_for_an_unknown_dispute_opens_an_inquiry() -> None:
    p = _adyen_payment()
    item = load("adyen/published/request_for_information.json")["notificationItems"][0]
    ev = event_from_adyen(item)
    out = apply_provider_event(p, ev, now=at(1))
    d = out.after("payment", p.id).dispute(ev.object_id)
    assert (d.stage, d.catalogued, d.reason_code) == (DisputeStage.INQUIRY, False, "unknown")
    assert d.opened_by_event == ev.event_id
    again = apply_provider_event(out.after("payment", p.id), ev, now=at(2))
    assert again.is_empty and again.note_codes == ("duplicate_event",)


def test_a_dispute_opened_by_a_notification_recognises_its_redelivery() -> None:
    body = load("stripe/event_charge_dispute_created.json")
    ev = event_from_stripe(body)
    p = captured(id="ch_3Pcaptured", amount="50.00")
    first = apply_provider_event(p, ev, now=at(1)).after("payment", p.id)
    assert first.dispute(ev.object_id).opened_by_event == ev.event_id
    dup = apply_provider_event(first, ev, now=at(2))
    assert dup.is_empty and dup.note_codes == ("duplicate_event",)


def test_stripe_dispute_on_another_network_is_recorded_raw() -> None:
    ev = event_from_stripe(load("stripe/event_charge_dispute_created_jcb.json"))
    p = captured(id="ch_3Pcaptured", amount="50.00")
    d = apply_provider_event(p, ev, now=at(1)).after("payment", p.id).dispute(ev.object_id)
    assert (d.network, d.reason_code, d.catalogued) == ("jcb", "502", False)
    assert d.due_by == ev.due_by


def test_early_fraud_warning_reaches_the_payment() -> None:
    body = load("stripe/event_radar_early_fraud_warning_created.json")
    ev = event_from_stripe(body)
    p = captured(id=ev.payment_reference)
    out = apply_provider_event(p, ev, now=at(1))
    efw = out.after("payment", p.id).early_fraud_warning
    assert efw is not None and efw.id == ev.object_id
    assert (efw.fraud_type, efw.actionable) == (
        body["data"]["object"]["fraud_type"],
        body["data"]["object"]["actionable"],
    )
    assert apply_provider_event(out.after("payment", p.id), ev, now=at(2)).note_codes == (
        "no_change",
    )


def test_adyen_notification_of_fraud_reaches_the_payment() -> None:
    p = _adyen_payment()
    out = apply_provider_event(p, event_from_adyen(adyen_item("notification_of_fraud")), now=at(1))
    efw = out.after("payment", p.id).early_fraud_warning
    assert efw is not None and efw.actionable


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("49.90", "EUR"), ("10.00", "USD")],  # a second full refund; a refund in another currency
)
def test_money_the_provider_moved_but_we_would_refuse_is_an_explicit_outcome(
    amount: str, currency: str
) -> None:
    p = captured()
    first = event(
        EventKind.REFUND_SUCCEEDED,
        10,
        "evt_r1",
        object_id="re_dash1",
        refund_status=RefundStatus.SUCCEEDED,
        amount=eur("49.90"),
    )
    p = apply_provider_event(p, first, now=at(1)).after("payment", "pay_1")
    second = event(
        EventKind.REFUND_SUCCEEDED,
        20,
        "evt_r2",
        object_id="re_dash2",
        refund_status=RefundStatus.SUCCEEDED,
        amount=Money.of(amount, currency),
    )
    out = apply_provider_event(p, second, now=at(2))
    assert out.note_codes == ("provider_refund_not_recorded",)
    assert not out.changes


def test_a_negative_refund_notification_is_refused_at_the_door() -> None:
    with pytest.raises(ValidationFailed) as info:
        event(EventKind.REFUND_SUCCEEDED, 10, "evt_n", object_id="re_n", amount=eur("-5"))
    assert info.value.field.startswith("amount")


def test_a_refund_counted_in_amount_refunded_is_itemised_when_its_own_notice_arrives() -> None:
    body = load("stripe/event_charge_refunded_no_refunds_list.json")
    charge = dict(body["data"]["object"], amount_refunded=0, refunded=False)
    p = payment_from_charge(charge, merchant_id="m")
    p = apply_provider_event(p, event_from_stripe(body), now=LATER).after("payment", p.id)
    assert p.refunded_unitemised == Money.of("49.90", "EUR")
    refund = load("stripe/refund_succeeded.json")
    refund.update(id="re_dash", charge=p.id, amount=4990, currency="eur")
    out = apply_provider_event(
        p, event_from_stripe(stripe_event("refund.updated", refund)), now=LATER
    )
    assert out.note_codes == ("refund_made_elsewhere",)
    after = out.after("payment", p.id)
    assert (after.refunded_unitemised, after.refund("re_dash").amount) == (
        None,
        Money.of("49.90", "EUR"),
    )
    assert after.amount_refundable == Money.of("0", "EUR")
    assert after.status is PaymentStatus.REFUNDED


def test_adyen_refunded_reversed_on_a_refund_that_never_succeeded_ends_failed() -> None:
    p = _pending_adyen_refund()
    item = adyen_item("refunded_reversed")
    bare(item)["pspReference"] = "RFND000000000001"
    out = apply_provider_event(p, event_from_adyen(item), now=at(1))
    r = out.after("payment", p.id).refunds[0]
    assert r.status is RefundStatus.FAILED and r.history[-1].event == "fail"


def test_a_dispute_the_payment_cannot_hold_is_an_explicit_note() -> None:
    ev = event_from_stripe(load("stripe/event_charge_dispute_created.json"))
    usd = captured(id="ch_3Pcaptured", amount="50.00").model_copy(
        update={
            "amount": Money.of("50.00", "USD"),
            "captures": (),
            "status": PaymentStatus.AUTHORIZED,
        }
    )
    out = apply_provider_event(usd, ev, now=at(1))
    assert out.note_codes == ("dispute_not_recorded",) and not out.changes
