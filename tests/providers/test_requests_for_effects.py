from __future__ import annotations

import pytest

from paysupport.errors import ValidationFailed
from paysupport.models import Evidence, RefundReason, Tier
from paysupport.money import Money
from paysupport.networks import DisputeStage, EvidenceKind
from paysupport.providers import adyen_request_for, stripe_request_for
from paysupport.workflows import (
    AcceptDispute,
    AssignCase,
    CancelPayment,
    IssueRefund,
    SubmitEvidence,
)

EUR = Money.of("49.90", "EUR")
REFUND = IssueRefund(
    payment_id="pay_1",
    refund_id="rf_rr_1",
    amount=EUR,
    reason=RefundReason.DUPLICATE,
    provider_reference="pi_1",
)
SUBMIT = SubmitEvidence(
    payment_id="pay_1",
    dispute_id="dp_1",
    stage=DisputeStage.CHARGEBACK,
    evidence=(
        Evidence(kind=EvidenceKind.RECEIPT, reference="file_r"),
        Evidence(kind=EvidenceKind.PROOF_OF_DELIVERY, reference="DHL 123"),
    ),
    provider_reference="du_1",
)
ACCEPT = AcceptDispute(
    payment_id="pay_1",
    dispute_id="dp_1",
    stage=DisputeStage.CHARGEBACK,
    amount=EUR,
    provider_reference="du_1",
)


def test_stripe_refund_carries_the_effect_key() -> None:
    req = stripe_request_for(REFUND)
    assert req.path == "/v1/refunds" and req.idempotency_key == REFUND.idempotency_key
    assert req.body["payment_intent"] == "pi_1" and req.body["amount"] == 4990
    assert req.body["reason"] == "duplicate"
    assert req.body["metadata"]["paysupport_refund_id"] == "rf_rr_1"
    charge = IssueRefund(payment_id="p", refund_id="r", amount=EUR, provider_reference="ch_1")
    assert stripe_request_for(charge).body["charge"] == "ch_1"


def test_stripe_other_effects() -> None:
    cancel = stripe_request_for(CancelPayment(payment_id="p", provider_reference="pi_1"))
    assert cancel.path == "/v1/payment_intents/pi_1/cancel"
    submit = stripe_request_for(SUBMIT)
    assert submit.body["submit"] is True and submit.body["evidence"]["receipt"] == "file_r"
    assert "proof_of_delivery: DHL 123" in submit.body["evidence"]["uncategorized_text"]
    assert stripe_request_for(ACCEPT).path == "/v1/disputes/du_1/close"


def test_adyen_requests() -> None:
    refund = adyen_request_for(REFUND, merchant_account="Acme")
    assert refund.path == "/payments/pi_1/refunds" and refund.body["reference"] == "rf_rr_1"
    assert refund.idempotency_key == REFUND.idempotency_key
    cancel = adyen_request_for(
        CancelPayment(payment_id="p", provider_reference="psp"), merchant_account="Acme"
    )
    assert cancel.path == "/payments/psp/cancels"
    defend = adyen_request_for(
        SUBMIT, merchant_account="Acme", defense_reason_code="GoodsWereDelivered"
    )
    assert defend.path == "/defendDispute"
    assert adyen_request_for(ACCEPT, merchant_account="Acme").path == "/acceptDispute"
    with pytest.raises(ValidationFailed):
        adyen_request_for(SUBMIT, merchant_account="Acme")


def test_refused() -> None:
    with pytest.raises(ValidationFailed) as info:
        stripe_request_for(AssignCase(case_id="c", tier=Tier.JUNIOR))
    assert (info.value.field, info.value.rule) == ("effect", "not_a_provider_call")
    with pytest.raises(ValidationFailed) as info:
        adyen_request_for(AssignCase(case_id="c", tier=Tier.JUNIOR), merchant_account="A")
    assert info.value.rule == "not_a_provider_call"
    with pytest.raises(ValidationFailed):
        stripe_request_for(IssueRefund(payment_id="p", refund_id="r", amount=EUR))
