from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paysupport.errors import InvalidAmount, ProviderPayloadError
from paysupport.models import RefundReason
from paysupport.money import Money, currencies
from paysupport.networks import EvidenceKind
from paysupport.providers import (
    adyen_accept_dispute_request,
    adyen_cancel_request,
    adyen_defend_dispute_request,
    adyen_refund_request,
    adyen_reversal_request,
    from_provider_amount,
    stripe_close_dispute,
    stripe_dispute_evidence_params,
    stripe_refund_params,
)
from paysupport.providers.requests import ADYEN_REFUND_REASONS


@pytest.mark.parametrize(
    ("amount", "code", "units"),
    [("12.34", "EUR", 1234), ("500", "ISK", 50000), ("500", "JPY", 500), ("5.120", "KWD", 5120)],
)
def test_stripe_refund_amount_in_stripe_units(amount: str, code: str, units: int) -> None:
    req = stripe_refund_params(
        payment_intent="pi_1",
        amount=Money.of(amount, code),
        reason=RefundReason.DUPLICATE,
        idempotency_key="refund:rq_1",
    )
    assert (req.method, req.path, req.api) == ("POST", "/v1/refunds", "stripe")
    assert req.body["amount"] == units
    assert req.body["payment_intent"] == "pi_1"
    assert req.body["reason"] == "duplicate"
    assert req.headers == {"Idempotency-Key": "refund:rq_1"}
    assert from_provider_amount(req.body["amount"], code, "stripe") == Money.of(amount, code)


def test_stripe_refuses_kwd_with_last_digit() -> None:
    with pytest.raises(InvalidAmount) as info:
        stripe_refund_params(
            charge="ch_1",
            amount=Money.of("5.125", "KWD"),
            reason=RefundReason.OTHER,
            idempotency_key="k",
        )
    assert info.value.rule == "provider_multiple"


def test_stripe_reason_not_creatable_goes_to_metadata() -> None:
    req = stripe_refund_params(
        charge="ch_1",
        amount=Money.of("1.00", "EUR"),
        reason=RefundReason.GOODWILL,
        idempotency_key="k",
        metadata={"ticket": "T-9"},
    )
    assert "reason" not in req.body
    assert req.body["metadata"] == {"ticket": "T-9", "paysupport_reason": "goodwill"}
    assert ("metadata[paysupport_reason]", "goodwill") in req.form_items()
    assert ("amount", "100") in req.form_items()


def test_early_fraud_warning_is_not_sent_as_fraudulent() -> None:
    req = stripe_refund_params(
        charge="ch_1",
        amount=Money.of("1.00", "EUR"),
        reason=RefundReason.EARLY_FRAUD_WARNING,
        idempotency_key="k",
    )
    assert "reason" not in req.body


@pytest.mark.parametrize(
    ("kwargs", "field", "rule"),
    [
        ({"charge": "ch_1", "payment_intent": "pi_1"}, "charge", "one_of_charge_or_payment_intent"),
        ({}, "charge", "one_of_charge_or_payment_intent"),
        ({"charge": "ch_1", "idempotency_key": ""}, "idempotency_key", "required"),
        ({"charge": "ch_1", "idempotency_key": "x" * 256}, "idempotency_key", "max_length"),
        ({"charge": "ch_1", "metadata": {"k" * 41: "v"}}, "metadata." + "k" * 41, "metadata_key"),
    ],
)
def test_stripe_refund_params_refuses(kwargs: dict[str, object], field: str, rule: str) -> None:
    args: dict[str, object] = {
        "amount": Money.of("1.00", "EUR"),
        "reason": RefundReason.OTHER,
        "idempotency_key": "k",
        **kwargs,
    }
    with pytest.raises(ProviderPayloadError) as info:
        stripe_refund_params(**args)  # type: ignore[arg-type]
    assert (info.value.field, info.value.rule) == (field, rule)


def test_zero_refund_refused() -> None:
    with pytest.raises(InvalidAmount):
        stripe_refund_params(
            charge="ch_1",
            amount=Money.of("0", "EUR"),
            reason=RefundReason.OTHER,
            idempotency_key="k",
        )


_STRIPE_CURRENCIES = [c for c in currencies() if c.code not in ("MGA",)]


@given(
    cur=st.sampled_from(_STRIPE_CURRENCIES),
    minor=st.integers(min_value=1, max_value=10**10),
)
def test_property_stripe_refund_body_round_trips(cur: object, minor: int) -> None:
    from paysupport.money import Currency

    assert isinstance(cur, Currency)
    if cur.code in ("BHD", "JOD", "KWD", "OMR", "TND"):
        minor *= 10  # Stripe needs the last digit 0
    money = Money.from_minor(minor, cur)
    req = stripe_refund_params(
        charge="ch_1", amount=money, reason=RefundReason.DUPLICATE, idempotency_key="k"
    )
    assert isinstance(req.body["amount"], int)
    assert from_provider_amount(req.body["amount"], cur.code, "stripe") == money


def test_stripe_evidence_params() -> None:
    req = stripe_dispute_evidence_params(
        "dp_1",
        {
            EvidenceKind.PROOF_OF_DELIVERY: {
                "shipping_carrier": "DHL",
                "shipping_tracking_number": "JD0001",
            },
            EvidenceKind.PRODUCT_DESCRIPTION: "Blue wool jumper, size M",
            EvidenceKind.RECEIPT: "file_123",
            EvidenceKind.REFUND_ISSUED: "Refunded 15.00 EUR on 2024-11-24",
            EvidenceKind.OTHER: "Customer confirmed delivery by chat.",
        },
        submit=False,
        idempotency_key="evidence:dp_1:1",
    )
    assert req.path == "/v1/disputes/dp_1"
    assert req.body["submit"] is False
    ev = req.body["evidence"]
    assert ev["shipping_carrier"] == "DHL"
    assert ev["product_description"] == "Blue wool jumper, size M"
    assert ev["receipt"] == "file_123"
    assert ev["uncategorized_text"] == (
        "refund_issued: Refunded 15.00 EUR on 2024-11-24\n\n"
        "other: Customer confirmed delivery by chat."
    )
    assert ("evidence[shipping_carrier]", "DHL") in req.form_items()
    assert ("submit", "false") in req.form_items()


def test_stripe_evidence_nested_ce3_field() -> None:
    field = "enhanced_evidence.visa_compelling_evidence_3.disputed_transaction.customer_device_id"
    req = stripe_dispute_evidence_params(
        "dp_1",
        {EvidenceKind.DEVICE_AND_IP_MATCH: {field: "device-0123456789abc"}},
        submit=True,
        idempotency_key="k",
    )
    assert (
        req.body["evidence"]["enhanced_evidence"]["visa_compelling_evidence_3"][
            "disputed_transaction"
        ]["customer_device_id"]
        == "device-0123456789abc"
    )


@pytest.mark.parametrize(
    ("evidence", "field", "rule"),
    [
        (
            {EvidenceKind.RECEIPT: {"shipping_carrier": "x"}},
            "evidence.receipt.shipping_carrier",
            "evidence_field",
        ),
        (
            {EvidenceKind.PROOF_OF_DELIVERY: "tracking JD1"},
            "evidence.proof_of_delivery",
            "evidence_field_ambiguous",
        ),
        (
            {EvidenceKind.PRODUCT_DESCRIPTION: "x" * 20_001},
            "evidence.product_description",
            "stripe_evidence_field_length",
        ),
        (
            {
                EvidenceKind.PRODUCT_DESCRIPTION: "x" * 20_000,
                EvidenceKind.ACCESS_ACTIVITY_LOG: "x" * 20_000,
                EvidenceKind.CANCELLATION_POLICY: {
                    "cancellation_policy_disclosure": "x" * 20_000,
                    "cancellation_rebuttal": "x" * 20_000,
                },
                EvidenceKind.REFUND_POLICY: {
                    "refund_policy_disclosure": "x" * 20_000,
                    "refund_refusal_explanation": "x" * 20_000,
                },
                EvidenceKind.DUPLICATE_CHARGE_DOCUMENTATION: {
                    "duplicate_charge_explanation": "x" * 20_000
                },
                EvidenceKind.CUSTOMER_DETAILS: {"billing_address": "x" * 10_001},
            },
            "evidence",
            "stripe_evidence_total_length",
        ),
    ],
)
def test_stripe_evidence_refused(
    evidence: dict[EvidenceKind, object], field: str, rule: str
) -> None:
    with pytest.raises(ProviderPayloadError) as info:
        stripe_dispute_evidence_params("dp_1", evidence, submit=True, idempotency_key="k")  # type: ignore[arg-type]
    assert (info.value.field, info.value.rule) == (field, rule)


def test_stripe_close_dispute() -> None:
    req = stripe_close_dispute("dp_1", idempotency_key="close:dp_1")
    assert (req.method, req.path, dict(req.body)) == ("POST", "/v1/disputes/dp_1/close", {})


@pytest.mark.parametrize(
    ("amount", "code", "value"),
    [("12.34", "EUR", 1234), ("500", "ISK", 500), ("500", "JPY", 500), ("5.125", "KWD", 5125)],
)
def test_adyen_refund_request_iso_units(amount: str, code: str, value: int) -> None:
    req = adyen_refund_request(
        psp_reference="8836183819713023",
        merchant_account="ShopEU",
        amount=Money.of(amount, code),
        reference="refund rq_1",
        reason=RefundReason.GOODS_RETURNED,
        idempotency_key="refund:rq_1",
    )
    assert (req.api, req.path) == ("adyen_checkout", "/payments/8836183819713023/refunds")
    assert req.body == {
        "amount": {"value": value, "currency": code},
        "merchantAccount": "ShopEU",
        "reference": "refund rq_1",
        "merchantRefundReason": "RETURN",
    }
    assert req.headers == {"Idempotency-Key": "refund:rq_1"}


def test_adyen_reasons_are_the_five_documented_values() -> None:
    assert set(ADYEN_REFUND_REASONS) == set(RefundReason)
    assert set(ADYEN_REFUND_REASONS.values()) <= {
        "FRAUD",
        "CUSTOMER REQUEST",
        "RETURN",
        "DUPLICATE",
        "OTHER",
    }


def test_adyen_idempotency_key_limit() -> None:
    with pytest.raises(ProviderPayloadError) as info:
        adyen_cancel_request(
            psp_reference="p", merchant_account="m", reference="r", idempotency_key="k" * 65
        )
    assert info.value.rule == "max_length"


def test_adyen_other_requests() -> None:
    cancel = adyen_cancel_request(
        psp_reference="P1", merchant_account="M", reference="r1", idempotency_key="c"
    )
    assert (cancel.path, dict(cancel.body)) == (
        "/payments/P1/cancels",
        {"merchantAccount": "M", "reference": "r1"},
    )
    rev = adyen_reversal_request(
        psp_reference="P1", merchant_account="M", reference="r2", idempotency_key="r"
    )
    assert rev.path == "/payments/P1/reversals"
    acc = adyen_accept_dispute_request(
        dispute_psp_reference="D1", merchant_account="M", idempotency_key="a"
    )
    assert (acc.api, acc.path, dict(acc.body)) == (
        "adyen_disputes",
        "/acceptDispute",
        {"disputePspReference": "D1", "merchantAccountCode": "M"},
    )
    dfd = adyen_defend_dispute_request(
        dispute_psp_reference="D1",
        merchant_account="M",
        defense_reason_code="SupplyDefenseMaterial",
        idempotency_key="d",
    )
    assert dict(dfd.body) == {
        "defenseReasonCode": "SupplyDefenseMaterial",
        "disputePspReference": "D1",
        "merchantAccountCode": "M",
    }


def test_an_unknown_evidence_kind_is_a_typed_error() -> None:
    with pytest.raises(ProviderPayloadError) as info:
        stripe_dispute_evidence_params(
            "dp_1",
            {"not_a_kind": "x"},  # type: ignore[dict-item]
            submit=False,
            idempotency_key="k",
        )
    assert (info.value.field, info.value.rule) == ("evidence", "evidence_kind_known")
