from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from paysupport.errors import ProviderPayloadError, UnknownCode
from paysupport.models import (
    CardBrand,
    DisputeStatus,
    PaymentStatus,
    RefundFailureReason,
    RefundReason,
    RefundStatus,
)
from paysupport.money import Money
from paysupport.networks import DisputeStage, Network
from paysupport.providers import (
    EventKind,
    dispute_from_stripe,
    event_from_stripe,
    payment_from_charge,
    payment_from_payment_intent,
    refund_from_stripe,
)
from paysupport.providers.stripe import (
    STRIPE_DISPUTE_REASONS,
    STRIPE_DISPUTE_STATUS,
    STRIPE_PAYMENT_INTENT_STATUS,
)
from tests.providers._support import load, stripe_event

# --------------------------------------------------------------------------- charges


def test_charge_partially_refunded() -> None:
    p = payment_from_charge(load("stripe/charge_partially_refunded.json"), merchant_id="m_1")
    assert p.id == "ch_3Pcaptured"
    assert p.provider == "stripe"
    assert p.amount == Money.of("50.00", "EUR")
    assert p.status is PaymentStatus.PARTIALLY_REFUNDED
    assert [c.amount for c in p.captures] == [Money.of("50.00", "EUR")]
    assert [(r.status, r.reason) for r in p.refunds] == [
        (RefundStatus.SUCCEEDED, RefundReason.REQUESTED_BY_CUSTOMER),
        (RefundStatus.FAILED, RefundReason.OTHER),
    ]
    assert p.refunds[1].failure_reason is RefundFailureReason.EXPIRED_OR_CANCELED_CARD
    assert p.amount_refunded == Money.of("15.00", "EUR")
    card = p.payment_method.card
    assert card is not None
    assert (card.brand, card.last4, card.fingerprint) == (
        CardBrand.VISA,
        "4242",
        "Xt5EWLLDS7FJjR1c",
    )
    assert p.customer_id == "cus_Q1"
    assert p.metadata == {"order_id": "1042"}
    assert p.created_at == datetime(2024, 11, 23, 22, 13, 20, tzinfo=UTC)


def test_charge_uncaptured_isk_uses_stripe_exponent() -> None:
    p = payment_from_charge(load("stripe/charge_uncaptured_isk.json"), merchant_id="m_1")
    assert p.status is PaymentStatus.AUTHORIZED
    assert p.amount == Money.of("120", "ISK")  # 12000 in Stripe's units is 120 ISK
    assert p.captures == ()


def test_charge_expired_authorization_is_canceled() -> None:
    charge = load("stripe/charge_uncaptured_isk.json")
    charge["refunded"] = True
    charge["amount_refunded"] = 12000
    assert payment_from_charge(charge, merchant_id="m").status is PaymentStatus.CANCELED


def test_charge_failed() -> None:
    p = payment_from_charge(load("stripe/charge_failed.json"), merchant_id="m_1")
    assert p.status is PaymentStatus.FAILED
    assert p.captures == ()


def test_charge_fully_refunded() -> None:
    charge = load("stripe/charge_partially_refunded.json")
    charge["amount_refunded"] = 5000
    charge["refunded"] = True
    charge["refunds"]["data"] = []
    assert payment_from_charge(charge, merchant_id="m").status is PaymentStatus.REFUNDED


def test_charge_with_expanded_dispute() -> None:
    charge = load("stripe/charge_partially_refunded.json")
    charge["disputed"] = True
    charge["dispute"] = load("stripe/dispute_needs_response.json")
    charge["dispute"]["amount"] = 3500
    p = payment_from_charge(charge, merchant_id="m")
    assert [d.id for d in p.disputes] == ["dp_1Qchargeback"]
    assert p.is_disputed


def test_charge_refunds_beyond_capture_name_the_field() -> None:
    charge = load("stripe/charge_partially_refunded.json")
    charge["refunds"]["data"][0]["amount"] = 6000
    with pytest.raises(ProviderPayloadError) as info:
        payment_from_charge(charge, merchant_id="m")
    assert info.value.field == "refunds.data"
    assert info.value.rule == "refund_total_exceeds_captured"


def test_charge_card_number_never_accepted_as_fingerprint() -> None:
    charge = load("stripe/charge_partially_refunded.json")
    charge["payment_method_details"]["card"]["fingerprint"] = "4242424242424242"
    with pytest.raises(ProviderPayloadError) as info:
        payment_from_charge(charge, merchant_id="m")
    assert info.value.field == "payment_method_details.card.fingerprint"
    assert info.value.rule == "no_full_card_number"


def test_charge_unknown_status_raises() -> None:
    charge = load("stripe/charge_failed.json")
    charge["status"] = "partially_settled"
    with pytest.raises(ProviderPayloadError) as info:
        payment_from_charge(charge, merchant_id="m")
    assert (info.value.field, info.value.rule) == ("status", "unknown_value")


# --------------------------------------------------------------------------- payment intents


def test_payment_intent_requires_capture_is_authorized() -> None:
    p = payment_from_payment_intent(
        load("stripe/payment_intent_requires_capture.json"), merchant_id="m"
    )
    assert p.status is PaymentStatus.AUTHORIZED
    assert p.amount == Money.of("12000", "JPY")  # zero-decimal: as-is
    assert p.amount_capturable == Money.of("12000", "JPY")


def test_payment_intent_succeeded_has_capture_and_card() -> None:
    pi = load("stripe/payment_intent_succeeded_latest_charge_expanded.json")
    pi["latest_charge"].update(amount_refunded=0, refunded=False)
    p = payment_from_payment_intent(pi, merchant_id="m")
    assert p.status is PaymentStatus.CAPTURED
    assert [(c.id, c.amount) for c in p.captures] == [("ch_3Pok", Money.of("30.00", "USD"))]
    assert p.payment_method.card is not None
    assert p.payment_method.card.brand is CardBrand.MASTERCARD
    assert p.amount_refundable == Money.of("30.00", "USD")


def test_payment_intent_succeeded_without_its_charge_is_refused() -> None:
    # Only the charge says what was refunded: a bare latest_charge id could hide a refund.
    with pytest.raises(ProviderPayloadError) as info:
        payment_from_payment_intent(load("stripe/payment_intent_succeeded.json"), merchant_id="m")
    assert (info.value.field, info.value.rule) == ("latest_charge", "expand_required")


@pytest.mark.parametrize(("status", "expected"), sorted(STRIPE_PAYMENT_INTENT_STATUS.items()))
def test_payment_intent_statuses(status: str, expected: PaymentStatus) -> None:
    pi = load("stripe/payment_intent_requires_capture.json")
    pi["status"] = status
    if status == "succeeded":
        pi["amount_received"] = pi["amount"]
        charge = load("stripe/charge_partially_refunded_no_refunds_list.json")
        charge.update(amount_refunded=0, currency=pi["currency"], amount=pi["amount"])
        charge["amount_captured"] = pi["amount"]
        pi["latest_charge"] = charge
    assert payment_from_payment_intent(pi, merchant_id="m").status is expected


def test_payment_intent_declined_attempt_is_failed() -> None:
    pi = load("stripe/payment_intent_requires_capture.json")
    pi["status"] = "requires_payment_method"
    pi["last_payment_error"] = {"code": "card_declined", "decline_code": "insufficient_funds"}
    assert payment_from_payment_intent(pi, merchant_id="m").status is PaymentStatus.FAILED


def test_payment_intent_all_seven_statuses_are_mapped() -> None:
    assert set(STRIPE_PAYMENT_INTENT_STATUS) == {
        "requires_payment_method",
        "requires_confirmation",
        "requires_action",
        "processing",
        "requires_capture",
        "canceled",
        "succeeded",
    }


# --------------------------------------------------------------------------- refunds


def test_refund_succeeded() -> None:
    r = refund_from_stripe(load("stripe/refund_succeeded.json"))
    assert (r.id, r.payment_id, r.status) == ("re_3PpartA", "ch_3Pcaptured", RefundStatus.SUCCEEDED)
    assert r.amount == Money.of("15.00", "EUR")
    assert r.provider_status == "succeeded"


def test_refund_failed_with_reason() -> None:
    r = refund_from_stripe(load("stripe/refund_failed.json"))
    assert r.status is RefundStatus.FAILED
    assert r.failure_reason is RefundFailureReason.EXPIRED_OR_CANCELED_CARD


def test_refund_failed_after_succeeded_is_reversed() -> None:
    r = refund_from_stripe(load("stripe/refund_failed.json"), previous_status="succeeded")
    assert r.status is RefundStatus.REVERSED
    assert r.provider_status == "failed"


def test_refund_requires_action() -> None:
    obj = load("stripe/refund_succeeded.json")
    obj["status"] = "requires_action"
    assert refund_from_stripe(obj).status is RefundStatus.REQUIRES_ACTION


def test_refund_without_charge_uses_payment_intent() -> None:
    obj = load("stripe/refund_succeeded.json")
    obj["charge"] = None
    assert refund_from_stripe(obj).payment_id == "pi_3Pcaptured"


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"amount": None}, "amount", "required"),
        ({"amount": 15.5}, "amount", "type"),
        ({"amount": True}, "amount", "type"),
        ({"currency": "zzz"}, "currency", "currency_known"),
        ({"status": "reversed"}, "status", "unknown_value"),
        ({"failure_reason": "gremlins"}, "failure_reason", "unknown_value"),
        ({"reason": "goodwill"}, "reason", "unknown_value"),
        ({"created": "2024-11-24"}, "created", "type"),
        ({"amount": 0}, "amount", "refund_amount_positive"),
        ({"object": "charge"}, "object", "object_type"),
    ],
)
def test_refund_malformed(change: dict[str, Any], field: str, rule: str) -> None:
    obj = load("stripe/refund_succeeded.json")
    obj.update(change)
    with pytest.raises(ProviderPayloadError) as info:
        refund_from_stripe(obj)
    assert (info.value.field, info.value.rule) == (field, rule)


# --------------------------------------------------------------------------- disputes


def test_dispute_needs_response() -> None:
    d = dispute_from_stripe(load("stripe/dispute_needs_response.json"))
    assert (d.network, d.reason_code) == (Network.VISA, "13.1")
    assert (d.stage, d.status) == (DisputeStage.CHARGEBACK, DisputeStatus.NEEDS_RESPONSE)
    assert d.due_by == datetime(2024, 12, 14, 23, 59, 59, tzinfo=UTC)
    assert d.payment_id == "ch_3Pcaptured"
    assert (d.provider_status, d.provider_reason) == ("needs_response", "product_not_received")
    assert d.is_charge_refundable is False


def test_dispute_inquiry_due_by_zero_means_no_response() -> None:
    d = dispute_from_stripe(load("stripe/dispute_inquiry_no_response.json"))
    assert (d.stage, d.status) == (DisputeStage.INQUIRY, DisputeStatus.NEEDS_RESPONSE)
    assert d.due_by is None
    assert d.is_charge_refundable is True


def test_dispute_top_level_network_reason_code() -> None:
    d = dispute_from_stripe(load("stripe/dispute_mastercard_top_level_code.json"))
    assert (d.network, d.reason_code, d.status) == (
        Network.MASTERCARD,
        "4853",
        DisputeStatus.UNDER_REVIEW,
    )


@pytest.mark.parametrize(("status", "target"), sorted(STRIPE_DISPUTE_STATUS.items()))
def test_dispute_statuses(status: str, target: tuple[DisputeStage, DisputeStatus]) -> None:
    obj = load("stripe/dispute_needs_response.json")
    obj["status"] = status
    d = dispute_from_stripe(obj)
    assert (d.stage, d.status) == target
    assert d.provider_status == status


def test_dispute_status_table_covers_the_eight_documented_values() -> None:
    assert set(STRIPE_DISPUTE_STATUS) == {
        "warning_needs_response",
        "warning_under_review",
        "warning_closed",
        "needs_response",
        "under_review",
        "won",
        "lost",
        "prevented",
    }


def test_dispute_unknown_reason_code_names_the_field() -> None:
    obj = load("stripe/dispute_needs_response.json")
    obj["payment_method_details"]["card"]["network_reason_code"] = "99.9"
    with pytest.raises(ProviderPayloadError) as info:
        dispute_from_stripe(obj)
    assert info.value.field == "payment_method_details.card.network_reason_code"
    assert info.value.rule == "reason_code_known"


@pytest.mark.parametrize(
    ("mutate", "field", "rule"),
    [
        (lambda o: o.update(status="charge_refunded"), "status", "unknown_value"),
        (lambda o: o.update(reason="fraudulant"), "reason", "unknown_value"),
        (lambda o: o.update(amount=-4990), "amount", "non_negative"),
        (
            lambda o: o["payment_method_details"]["card"].update(network_reason_code=None),
            "payment_method_details.card.network_reason_code",
            "required",
        ),
        (lambda o: o.pop("amount"), "amount", "required"),
        (lambda o: o.update(currency="xau"), "currency", "currency_known"),
        (
            lambda o: o["evidence_details"].update(due_by=1732400000),
            "evidence_details.due_by",
            "due_after_opened",
        ),
    ],
)
def test_dispute_malformed(mutate: Any, field: str, rule: str) -> None:
    obj = load("stripe/dispute_needs_response.json")
    mutate(obj)
    with pytest.raises(ProviderPayloadError) as info:
        dispute_from_stripe(obj)
    assert (info.value.field, info.value.rule) == (field, rule)


def test_refundable_flag_not_sent_stays_unknown() -> None:
    obj = load("stripe/dispute_needs_response.json")
    assert dispute_from_stripe(obj).is_charge_refundable is not None  # sent: kept as sent
    del obj["is_charge_refundable"]
    # Not sent is unknown, not "false": the translator invents no fact.
    assert dispute_from_stripe(obj).is_charge_refundable is None


# --------------------------------------------------------------------------- issue 11.14 / 11.17


@pytest.mark.parametrize(
    ("fixture", "network", "code"),
    [
        ("dispute_jcb", "jcb", "502"),
        ("dispute_unionpay", "unionpay", "4514"),
        ("dispute_diners", "diners", "4863"),
        ("dispute_cartes_bancaires", "cartes_bancaires", "14"),
        ("dispute_eftpos_au", "eftpos_au", "4855"),
        ("dispute_klarna", "klarna", "goods_not_received"),
        ("dispute_paypal", "paypal", "UNAUTHORISED"),
        ("dispute_amazon_pay", "amazon_pay", "claim"),
        ("dispute_visa_compliance_c028", Network.VISA, "C028"),
    ],
)
def test_disputes_outside_the_catalogues_are_kept_raw(
    fixture: str, network: object, code: str
) -> None:
    obj = load(f"stripe/{fixture}.json")
    d = dispute_from_stripe(obj)
    assert (d.network, d.reason_code, d.catalogued) == (network, code, False)
    assert d.provider_reason == obj["reason"]
    # Stripe's own deadline, never one from a catalogue.
    assert d.due_by == datetime.fromtimestamp(obj["evidence_details"]["due_by"], tz=UTC)
    with pytest.raises(UnknownCode):
        _ = d.reason  # no catalogue facts apply
    ev = event_from_stripe(stripe_event("charge.dispute.created", obj))
    assert (ev.reason_code, ev.catalogued) == (code, False)


def test_dispute_outside_the_catalogues_without_a_deadline_gets_none() -> None:
    obj = load("stripe/dispute_jcb.json")
    obj["evidence_details"]["due_by"] = 0
    assert dispute_from_stripe(obj).due_by is None


@pytest.mark.parametrize("reason", sorted(STRIPE_DISPUTE_REASONS))
def test_every_documented_dispute_reason_is_accepted(reason: str) -> None:
    obj = load("stripe/dispute_needs_response.json")
    obj["reason"] = reason
    assert dispute_from_stripe(obj).provider_reason == reason


def test_a_dispute_reason_typo_is_refused_or_unknown() -> None:
    obj = load("stripe/dispute_needs_response.json")
    obj["reason"] = "fraudulant"
    with pytest.raises(ProviderPayloadError) as info:
        event_from_stripe(stripe_event("charge.dispute.created", obj))
    assert (info.value.field, info.value.rule) == ("data.object.reason", "unknown_value")
    lenient = event_from_stripe(stripe_event("charge.dispute.created", obj), strict=False)
    assert lenient.kind is EventKind.UNKNOWN


# --------------------------------------------------------------------------- issue 11.3


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize(
    ("event_type", "fixture", "key"),
    [
        ("charge.dispute.created", "dispute_needs_response", "amount"),
        ("refund.updated", "refund_succeeded", "amount"),
        ("charge.refunded", "charge_partially_refunded", "amount_refunded"),
        ("charge.succeeded", "charge_partially_refunded", "amount"),
    ],
)
def test_negative_amounts_are_refused(
    event_type: str, fixture: str, key: str, strict: bool
) -> None:
    obj = load(f"stripe/{fixture}.json")
    obj[key] = -obj[key]
    with pytest.raises(ProviderPayloadError) as info:
        event_from_stripe(stripe_event(event_type, obj), strict=strict)
    assert (info.value.field, info.value.rule) == (f"data.object.{key}", "non_negative")


def test_negative_amount_refunded_on_a_charge_is_refused() -> None:
    charge = load("stripe/charge_refunded_no_refunds_list.json")
    charge["amount_refunded"] = -4990
    with pytest.raises(ProviderPayloadError) as info:
        payment_from_charge(charge, merchant_id="m")
    assert (info.value.field, info.value.rule) == ("amount_refunded", "non_negative")


def test_a_refunded_charge_without_amount_refunded_is_refused() -> None:
    charge = load("stripe/charge_refunded_no_refunds_list.json")
    del charge["amount_refunded"]
    with pytest.raises(ProviderPayloadError) as info:
        payment_from_charge(charge, merchant_id="m")
    assert (info.value.field, info.value.rule) == ("amount_refunded", "required")


def test_a_co_badged_card_disputes_on_the_network_that_processed_it() -> None:
    obj = load("stripe/dispute_needs_response.json")
    obj["payment_method_details"]["card"].update(
        network="cartes_bancaires", network_reason_code="14"
    )
    d = dispute_from_stripe(obj)  # brand "visa", processed on Cartes Bancaires
    assert (d.network, d.reason_code, d.catalogued) == ("cartes_bancaires", "14", False)
    obj["payment_method_details"]["card"].update(network="visa", network_reason_code="13.1")
    assert (dispute_from_stripe(obj).network, dispute_from_stripe(obj).catalogued) == (
        Network.VISA,
        True,
    )
