from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from paysupport.errors import ProviderPayloadError
from paysupport.models import DisputeStatus, PaymentStatus, RefundStatus
from paysupport.money import Money
from paysupport.networks import DisputeStage, Network
from paysupport.providers import (
    AdyenOutcome,
    AdyenTarget,
    EventKind,
    dispute_from_adyen,
    event_from_adyen,
)
from paysupport.providers.adyen import ADYEN_DISPUTE_STATUS, ADYEN_EVENT_CODES
from tests.providers._support import adyen_item, bare, load

CET = timezone(timedelta(hours=1))


def _item(code: str, success: str = "true", **extra: str) -> dict[str, Any]:
    data = {"chargebackReasonCode": "10.4", "chargebackSchemeCode": "visa", **extra}
    if code == "CANCEL_OR_REFUND":
        data = {"modification.action": "refund"}
    return {
        "amount": {"currency": "EUR", "value": 2500},
        "eventCode": code,
        "eventDate": "2024-11-20T10:15:30+01:00",
        "merchantAccountCode": "ShopEU",
        "merchantReference": "order-1",
        "originalReference": "9913140798220028",
        "paymentMethod": "visa",
        "pspReference": "QFQTPCQ8HXSKGK82",
        "reason": "",
        "success": success,
        "additionalData": data,
    }


@pytest.mark.parametrize("code", sorted(ADYEN_EVENT_CODES))
@pytest.mark.parametrize("success", ["true", "false"])
def test_every_event_code(code: str, success: str) -> None:
    entry = ADYEN_EVENT_CODES[code]
    item = _item(code, success)
    if isinstance(entry, AdyenOutcome):
        target = entry.if_true if success == "true" else entry.if_false
        if target.kind is EventKind.UNKNOWN and not (
            code == "CANCEL_OR_REFUND" and success == "true"
        ):
            with pytest.raises(ProviderPayloadError) as info:
                event_from_adyen(item)
            assert (info.value.field, info.value.rule) == ("success", "unknown_value")
            return
    else:
        target = entry
    ev = event_from_adyen(item)
    assert ev.event_type == code
    assert ev.success is (success == "true")
    assert ev.amount == Money.of("25.00", "EUR")
    assert ev.occurred_at == datetime(2024, 11, 20, 9, 15, 30, tzinfo=UTC)
    assert ev.kind is not EventKind.UNKNOWN
    if code != "CANCEL_OR_REFUND":
        assert ev.kind is target.kind
        assert ev.dispute_stage is target.stage
        assert ev.dispute_status is target.status
        assert ev.refund_status is target.refund_status
        assert ev.payment_status is target.payment_status


def test_chargeback_fixture_wrapped_and_bare_agree() -> None:
    wrapped = adyen_item("chargeback")
    a, b = event_from_adyen(wrapped), event_from_adyen(bare(wrapped))
    assert a == b
    assert a.kind is EventKind.DISPUTE_FUNDS_WITHDRAWN
    assert (a.dispute_stage, a.dispute_status) == (
        DisputeStage.CHARGEBACK,
        DisputeStatus.NEEDS_RESPONSE,
    )
    assert (a.reason_code, a.network, a.raw_network) == ("4853", Network.MASTERCARD, "mc")
    assert a.raw_status == "Unresponded"
    assert a.object_id == "QFQTPCQ8HXSKGK82"
    assert a.payment_reference == "9913140798220028"
    assert a.merchant_account == "ShopEU"
    assert a.due_by == datetime(2024, 12, 11, 1, 3, 7, tzinfo=UTC)
    assert a.event_id == "QFQTPCQ8HXSKGK82:CHARGEBACK:true:2024-11-20T09:15:30Z"


def test_duplicate_notification_has_the_same_event_id() -> None:
    first = event_from_adyen(adyen_item("chargeback"))
    again = adyen_item("chargeback")
    again["NotificationRequestItem"]["eventDate"] = "2024-11-20T09:15:30Z"  # same instant, UTC
    assert event_from_adyen(again).event_id == first.event_id


def test_different_success_or_code_gives_a_different_event_id() -> None:
    ok = event_from_adyen(adyen_item("refund"))
    refused = adyen_item("refund")
    refused["NotificationRequestItem"]["success"] = "false"
    assert event_from_adyen(refused).event_id != ok.event_id


def test_refund_success_false_is_refund_failed() -> None:
    ev = event_from_adyen(adyen_item("refund_rejected"))
    assert (ev.kind, ev.refund_status) == (EventKind.REFUND_FAILED, RefundStatus.FAILED)
    assert ev.raw_reason == "Transaction hasn't been captured, refund not possible"


@pytest.mark.parametrize(
    ("name", "kind", "status"),
    [
        # The scheme rejected the refund: it failed (a reversal only if it had succeeded,
        # which apply_provider_event knows and the translator does not).
        ("refund_failed", EventKind.REFUND_FAILED, RefundStatus.FAILED),
        ("refunded_reversed", EventKind.REFUND_REVERSED, RefundStatus.REVERSED),
    ],
)
@pytest.mark.parametrize("success", ["true", "false"])
def test_refund_failed_and_reversed_codes_are_the_outcome(
    name: str, kind: EventKind, status: RefundStatus, success: str
) -> None:
    item = adyen_item(name)
    item["NotificationRequestItem"]["success"] = success
    ev = event_from_adyen(item)
    assert (ev.kind, ev.refund_status) == (kind, status)


def test_refund_failed_on_blik_has_no_card_network() -> None:
    ev = event_from_adyen(adyen_item("refund_failed"))
    assert (ev.network, ev.raw_network) == (None, "blik")


def test_cancel_or_refund_action() -> None:
    ev = event_from_adyen(adyen_item("cancel_or_refund"))
    assert (ev.kind, ev.payment_status, ev.raw_status) == (
        EventKind.PAYMENT_CANCELED,
        PaymentStatus.CANCELED,
        "cancel",
    )
    refund = event_from_adyen(_item("CANCEL_OR_REFUND"))
    assert (refund.kind, refund.refund_status) == (
        EventKind.REFUND_SUCCEEDED,
        RefundStatus.SUCCEEDED,
    )


def test_cancel_or_refund_unknown_action() -> None:
    item = adyen_item("cancel_or_refund")
    item["NotificationRequestItem"]["additionalData"]["modification.action"] = "capture"
    with pytest.raises(ProviderPayloadError) as info:
        event_from_adyen(item)
    assert (info.value.field, info.value.rule) == (
        "additionalData.modification.action",
        "unknown_value",
    )
    ev = event_from_adyen(item, strict=False)
    assert (ev.kind, ev.raw_status) == (EventKind.UNKNOWN, "capture")
    del item["NotificationRequestItem"]["additionalData"]["modification.action"]
    with pytest.raises(ProviderPayloadError) as info:
        event_from_adyen(item, strict=False)
    assert info.value.rule == "required"


def test_defense_period_ended_status_comes_from_dispute_status() -> None:
    ev = event_from_adyen(adyen_item("dispute_defense_period_ended"), live=True)
    assert ev.kind is EventKind.DEFENSE_PERIOD_ENDED
    assert (ev.dispute_status, ev.raw_status) == (DisputeStatus.LOST, "Lost")
    assert ev.livemode is True


@pytest.mark.parametrize(("raw", "status"), sorted(ADYEN_DISPUTE_STATUS.items()))
def test_dispute_status_values(raw: str, status: DisputeStatus) -> None:
    ev = event_from_adyen(_item("NOTIFICATION_OF_CHARGEBACK", disputeStatus=raw))
    assert (ev.dispute_status, ev.raw_status) == (status, raw)


def test_unknown_dispute_status() -> None:
    item = _item("CHARGEBACK", disputeStatus="Arbitrated")
    with pytest.raises(ProviderPayloadError) as info:
        event_from_adyen(item)
    assert (info.value.field, info.value.rule) == ("additionalData.disputeStatus", "unknown_value")
    ev = event_from_adyen(item, strict=False)
    assert (ev.kind, ev.raw_status, ev.dispute_status) == (EventKind.UNKNOWN, "Arbitrated", None)


def test_unknown_event_code_strict_and_not() -> None:
    item = adyen_item("unknown_event_code")
    with pytest.raises(ProviderPayloadError) as info:
        event_from_adyen(item)
    assert (info.value.field, info.value.rule) == ("eventCode", "unknown_value")
    ev = event_from_adyen(item, strict=False)
    assert (ev.kind, ev.event_type) == (EventKind.UNKNOWN, "OFFER_CLOSED")
    assert ev.refund_status is None and ev.payment_status is None


def test_unknown_reason_code_on_a_catalogued_network() -> None:
    item = _item("CHARGEBACK", chargebackReasonCode="10.9")
    with pytest.raises(ProviderPayloadError) as info:
        event_from_adyen(item)
    assert (info.value.field, info.value.rule) == (
        "additionalData.chargebackReasonCode",
        "reason_code_known",
    )
    assert event_from_adyen(item, strict=False).reason_code == "10.9"


@pytest.mark.parametrize(
    ("mutate", "field", "rule"),
    [
        (lambda i: i.pop("amount"), "amount", "required"),
        (lambda i: i["amount"].update(value=10.5), "amount.value", "type"),
        (lambda i: i["amount"].update(value="1000"), "amount.value", "type"),
        (lambda i: i["amount"].update(currency="EURO"), "amount.currency", "currency_known"),
        (lambda i: i.update(eventDate="2024-11-20T10:15:30"), "eventDate", "timezone_aware"),
        (lambda i: i.update(eventDate="20 Nov 2024"), "eventDate", "format"),
        (lambda i: i.update(success="yes"), "success", "type"),
        (lambda i: i.pop("pspReference"), "pspReference", "required"),
        (lambda i: i.pop("merchantAccountCode"), "merchantAccountCode", "required"),
        (
            lambda i: i["additionalData"].update(defensePeriodEndsAt="2024-12-01"),
            "additionalData.defensePeriodEndsAt",
            "timezone_aware",
        ),
    ],
)
def test_malformed_items(mutate: Any, field: str, rule: str) -> None:
    item = _item("CHARGEBACK")
    mutate(item)
    for strict in (True, False):
        with pytest.raises(ProviderPayloadError) as info:
            event_from_adyen({"NotificationRequestItem": item}, strict=strict)
        assert (info.value.field, info.value.rule) == (field, rule)


def test_ordering_key_recognises_an_older_notification_arriving_late() -> None:
    noc = event_from_adyen(adyen_item("notification_of_chargeback"))
    cb = adyen_item("chargeback")
    cb["NotificationRequestItem"]["eventDate"] = "2024-11-22T08:00:00+01:00"
    chargeback = event_from_adyen(cb)
    received = [chargeback, noc]  # the NOC arrives after the chargeback
    assert noc.is_older_than(chargeback)
    assert sorted(received, key=lambda e: e.ordering_key) == [noc, chargeback]


def test_same_instant_orders_by_stage_then_kind() -> None:
    noc = event_from_adyen(_item("NOTIFICATION_OF_CHARGEBACK"))
    cb = event_from_adyen(_item("CHARGEBACK"))
    prearb = event_from_adyen(_item("PREARBITRATION_OPEN"))
    assert noc.ordering_key < cb.ordering_key < prearb.ordering_key


# --------------------------------------------------------------------------- dispute_from_adyen


def test_dispute_from_chargeback() -> None:
    d = dispute_from_adyen(adyen_item("chargeback"))
    assert (d.id, d.payment_id) == ("QFQTPCQ8HXSKGK82", "9913140798220028")
    assert (d.network, d.reason_code) == (Network.MASTERCARD, "4853")
    assert (d.stage, d.status) == (DisputeStage.CHARGEBACK, DisputeStatus.NEEDS_RESPONSE)
    assert d.amount == Money.of("10.00", "EUR")
    assert d.opened_at == datetime(2024, 11, 20, 10, 15, 30, tzinfo=CET)
    assert d.provider == "adyen" and d.provider_status == "Unresponded"


@pytest.mark.parametrize(
    ("name", "network", "stage", "status"),
    [
        (
            "notification_of_chargeback",
            Network.VISA,
            DisputeStage.CHARGEBACK,
            DisputeStatus.NEEDS_RESPONSE,
        ),
        (
            "request_for_information",
            Network.AMEX,
            DisputeStage.INQUIRY,
            DisputeStatus.NEEDS_RESPONSE,
        ),
        ("second_chargeback", Network.MASTERCARD, DisputeStage.PRE_ARBITRATION, DisputeStatus.LOST),
        (
            "prearbitration_open",
            Network.VISA,
            DisputeStage.PRE_ARBITRATION,
            DisputeStatus.NEEDS_RESPONSE,
        ),
    ],
)
def test_dispute_stage_per_event(
    name: str, network: Network, stage: DisputeStage, status: DisputeStatus
) -> None:
    d = dispute_from_adyen(adyen_item(name))
    assert (d.network, d.stage, d.status) == (network, stage, status)


@pytest.mark.parametrize(
    ("scheme", "network"),
    [
        ("visa", Network.VISA),
        ("mc", Network.MASTERCARD),
        ("amex", Network.AMEX),
        ("discover", Network.DISCOVER),
    ],
)
def test_scheme_codes(scheme: str, network: Network) -> None:
    code = {"visa": "13.1", "mc": "4855", "amex": "C08", "discover": "4755"}[scheme]
    d = dispute_from_adyen(
        _item("CHARGEBACK", chargebackSchemeCode=scheme, chargebackReasonCode=code)
    )
    assert d.network is network


@pytest.mark.parametrize(
    ("item", "field", "rule"),
    [
        (_item("REFUND"), "eventCode", "unknown_value"),
        (
            _item("CHARGEBACK", chargebackReasonCode="10.9"),
            "additionalData.chargebackReasonCode",
            "reason_code_known",
        ),
        (
            _item("PREARBITRATION_OPEN", chargebackSchemeCode="amex", chargebackReasonCode="C08"),
            "eventCode",
            "stage_exists_for_network",
        ),
        (
            _item("CHARGEBACK", defensePeriodEndsAt="2024-11-19T10:00:00+01:00"),
            "additionalData.defensePeriodEndsAt",
            "due_after_opened",
        ),
    ],
)
def test_dispute_from_adyen_refuses(item: dict[str, Any], field: str, rule: str) -> None:
    with pytest.raises(ProviderPayloadError) as info:
        dispute_from_adyen(item)
    assert (info.value.field, info.value.rule) == (field, rule)


def test_rfi_without_reason_code_is_an_uncatalogued_inquiry() -> None:
    # Adyen's published REQUEST_FOR_INFORMATION carries no reason code (issue 11.13).
    item = _item("REQUEST_FOR_INFORMATION")
    item["additionalData"] = {}
    item["paymentMethod"] = "mc"
    d = dispute_from_adyen(item)
    assert (d.network, d.reason_code, d.catalogued) == (Network.MASTERCARD, "unknown", False)
    assert (d.stage, d.status) == (DisputeStage.INQUIRY, DisputeStatus.NEEDS_RESPONSE)
    assert d.due_by is None  # none sent: none invented


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("code", ["CHARGEBACK", "REFUND", "AUTHORISATION"])
def test_negative_amount_is_refused(code: str, strict: bool) -> None:
    item = _item(code)
    item["amount"]["value"] = -2500
    with pytest.raises(ProviderPayloadError) as info:
        event_from_adyen(item, strict=strict)
    assert (info.value.field, info.value.rule) == ("amount.value", "non_negative")


def test_tables_have_targets() -> None:
    for entry in ADYEN_EVENT_CODES.values():
        assert isinstance(entry, AdyenTarget | AdyenOutcome)


# --------------------------------------------------------------------------- issues 11.13 / 11.15

#: Adyen's published dispute notifications (Webhooks-v1 examples), by the dispute each gives:
#: network, reason code, catalogued, stage, status. ``None`` for codes that change no stage.
PUBLISHED_DISPUTES: dict[str, tuple[object, str, bool, DisputeStage, DisputeStatus] | None] = {
    "chargeback": (
        Network.MASTERCARD,
        "4853",
        True,
        DisputeStage.CHARGEBACK,
        DisputeStatus.NEEDS_RESPONSE,
    ),
    "notification_of_chargeback": (
        Network.MASTERCARD,
        "4853",
        True,
        DisputeStage.CHARGEBACK,
        DisputeStatus.NEEDS_RESPONSE,
    ),
    "chargeback_reversed": (
        Network.MASTERCARD,
        "unknown",
        False,
        DisputeStage.CHARGEBACK,
        DisputeStatus.WON,
    ),
    "prearbitration_won": (
        "banktransfer_iban",
        "unknown",
        False,
        DisputeStage.PRE_ARBITRATION,
        DisputeStatus.WON,
    ),
    "prearbitration_lost": (
        Network.VISA,
        "unknown",
        False,
        DisputeStage.PRE_ARBITRATION,
        DisputeStatus.LOST,
    ),
    "request_for_information": (
        Network.MASTERCARD,
        "unknown",
        False,
        DisputeStage.INQUIRY,
        DisputeStatus.NEEDS_RESPONSE,
    ),
    "second_chargeback": ("jcb", "502", False, DisputeStage.PRE_ARBITRATION, DisputeStatus.LOST),
    "issuer_response_timeframe_expired": (
        Network.VISA,
        "13.1",
        True,
        DisputeStage.CHARGEBACK,
        DisputeStatus.WON,
    ),
    "notification_of_fraud": None,
    "dispute_defense_period_ended": None,
    "information_supplied": None,
    "issuer_comments": None,
}


def _published(name: str) -> dict[str, Any]:
    item: dict[str, Any] = load(f"adyen/published/{name}.json")["notificationItems"][0]
    return item


@pytest.mark.parametrize("name", sorted(PUBLISHED_DISPUTES))
def test_every_published_dispute_notification_translates(name: str) -> None:
    item = _published(name)
    ev = event_from_adyen(item)
    assert ev.kind.is_dispute or ev.kind is EventKind.FRAUD_WARNING
    expected = PUBLISHED_DISPUTES[name]
    if expected is None:
        with pytest.raises(ProviderPayloadError) as info:
            dispute_from_adyen(item, payment_id="pay_1")
        assert info.value.rule == "unknown_value"  # documented: these change no stage
        return
    d = dispute_from_adyen(item, payment_id="pay_1")
    assert (d.network, d.reason_code, d.catalogued, d.stage, d.status) == expected
    assert (ev.dispute_stage, ev.catalogued) == (d.stage, d.catalogued)


def test_notification_of_fraud_reason_is_a_fraud_notice_type_not_a_reason_code() -> None:
    ev = event_from_adyen(_published("notification_of_fraud"))
    assert ev.kind is EventKind.FRAUD_WARNING
    assert (ev.reason_code, ev.fraud_notice_type) == (None, "6")
    assert ev.network is Network.VISA


def test_defense_period_ended_without_status_means_expired() -> None:
    item = _published("dispute_defense_period_ended")
    del bare(item)["additionalData"]["disputeStatus"]
    ev = event_from_adyen(item)
    assert (ev.dispute_stage, ev.dispute_status) == (None, DisputeStatus.EXPIRED)
    undefended = event_from_adyen(adyen_item("dispute_defense_period_ended_undefended"))
    assert undefended.dispute_status is DisputeStatus.EXPIRED
