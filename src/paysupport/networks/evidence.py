"""Kinds of evidence that answer disputes, and where Stripe takes each of them.

``EvidenceKind`` names evidence in an operator's words. ``STRIPE_EVIDENCE_FIELDS`` maps a kind
to Stripe's ``evidence.*`` field names ([SP] ``Dispute.evidence``) where Stripe has one;
kinds without a Stripe field (a refund already issued, a cardholder's withdrawal) go in
``uncategorized_*``. ``VISA_CE3`` holds the Visa Compelling Evidence 3.0 rule
(support.stripe.com "How does Stripe support Visa Compelling Evidence 3.0?").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

__all__ = ["STRIPE_EVIDENCE_FIELDS", "VISA_CE3", "CompellingEvidence3", "EvidenceKind"]


class EvidenceKind(StrEnum):
    """A kind of evidence a merchant can offer against a dispute."""

    REFUND_ISSUED = "refund_issued"
    """A credit or reversal was already processed (amount, date); answers every Visa condition."""
    CARDHOLDER_WITHDRAWAL = "cardholder_withdrawal"
    """The cardholder's written withdrawal of the dispute; answers every Visa condition."""
    PROOF_OF_DELIVERY = "proof_of_delivery"
    """Shipping documents: carrier, tracking number, date and address of delivery."""
    RECEIPT = "receipt"
    """The transaction receipt."""
    CUSTOMER_SIGNATURE = "customer_signature"
    """The customer's signature."""
    TRANSACTION_DATE_PROOF = "transaction_date_proof"
    """A receipt or record proving the transaction date (Visa 12.1)."""
    AUTHORIZATION_APPROVAL = "authorization_approval"
    """Authorization records: approval code, amount, date, and the data sent (Visa 11.x, 12.7)."""
    CARD_NOT_ON_BULLETIN = "card_not_on_bulletin"
    """T&E: the account was not on the Card Recovery Bulletin on the relevant date (Visa 11.1)."""
    EMV_PIN_TRANSACTION = "emv_pin_transaction"
    """A PIN transaction on an EMV terminal (Visa 11.1)."""
    CHIP_READ = "chip_read"
    """The chip was read, or the authorization data show no chip on the card (Visa 10.1)."""
    CVV_AVS_MATCH = "cvv_avs_match"
    """CVV2 or AVS asked or attempted, the issuer not participating, or approved anyway (10.4)."""
    THREE_DS_AUTHENTICATION = "three_ds_authentication"
    """3-D Secure authentication (Visa Secure) of the transaction (Visa 10.4)."""
    CARD_IMPRINT = "card_imprint"
    """An imprint of the card taken in the same stay, trip or rental (Visa 10.4)."""
    PRIOR_UNDISPUTED_TRANSACTIONS = "prior_undisputed_transactions"
    """Two prior undisputed transactions on the same credential (Visa CE 3.0, 10.4 only)."""
    DEVICE_AND_IP_MATCH = "device_and_ip_match"
    """Device ID, fingerprint or IP address matching the prior transactions (Visa CE 3.0)."""
    CUSTOMER_DETAILS = "customer_details"
    """The customer's name, e-mail address and billing address."""
    ACCESS_ACTIVITY_LOG = "access_activity_log"
    """Logs of the customer's access to the product or service."""
    CANCELLATION_POLICY = "cancellation_policy"
    """The cancellation policy, how it was disclosed, and the rebuttal of the cancellation."""
    CUSTOMER_COMMUNICATION = "customer_communication"
    """Correspondence with the customer."""
    SERVICE_DOCUMENTATION = "service_documentation"
    """Proof the service was provided, and when."""
    DUPLICATE_CHARGE_DOCUMENTATION = "duplicate_charge_documentation"
    """Receipts showing separate purchases, not one purchase charged twice (Visa 12.6.x)."""
    PRODUCT_DESCRIPTION = "product_description"
    """The description of the product or service sold."""
    REFUND_POLICY = "refund_policy"
    """The refund policy, how it was disclosed, and why a refund was refused."""
    OTHER = "other"
    """Anything else (Stripe's ``uncategorized_*`` fields)."""


_CE3 = "enhanced_evidence.visa_compelling_evidence_3"

STRIPE_EVIDENCE_FIELDS: Mapping[EvidenceKind, tuple[str, ...]] = MappingProxyType(
    {
        EvidenceKind.PROOF_OF_DELIVERY: (
            "shipping_documentation",
            "shipping_carrier",
            "shipping_tracking_number",
            "shipping_date",
            "shipping_address",
        ),
        EvidenceKind.RECEIPT: ("receipt",),
        EvidenceKind.CUSTOMER_SIGNATURE: ("customer_signature",),
        EvidenceKind.CUSTOMER_DETAILS: (
            "customer_name",
            "customer_email_address",
            "billing_address",
        ),
        EvidenceKind.ACCESS_ACTIVITY_LOG: ("access_activity_log",),
        EvidenceKind.CANCELLATION_POLICY: (
            "cancellation_policy",
            "cancellation_policy_disclosure",
            "cancellation_rebuttal",
        ),
        EvidenceKind.CUSTOMER_COMMUNICATION: ("customer_communication",),
        EvidenceKind.SERVICE_DOCUMENTATION: ("service_documentation", "service_date"),
        EvidenceKind.DUPLICATE_CHARGE_DOCUMENTATION: (
            "duplicate_charge_documentation",
            "duplicate_charge_explanation",
            "duplicate_charge_id",
        ),
        EvidenceKind.PRODUCT_DESCRIPTION: ("product_description",),
        EvidenceKind.REFUND_POLICY: (
            "refund_policy",
            "refund_policy_disclosure",
            "refund_refusal_explanation",
        ),
        EvidenceKind.PRIOR_UNDISPUTED_TRANSACTIONS: (f"{_CE3}.prior_undisputed_transactions",),
        EvidenceKind.DEVICE_AND_IP_MATCH: (
            "customer_purchase_ip",
            f"{_CE3}.disputed_transaction.customer_device_fingerprint",
            f"{_CE3}.disputed_transaction.customer_device_id",
            f"{_CE3}.disputed_transaction.customer_purchase_ip",
        ),
        EvidenceKind.OTHER: ("uncategorized_file", "uncategorized_text"),
    }
)
"""Stripe ``evidence.*`` field names per kind of evidence ([SP] ``_dispute.py``, §5.3)."""


@dataclass(frozen=True, slots=True)
class CompellingEvidence3:
    """Visa Compelling Evidence 3.0: the rule that shifts a 10.4 dispute back to the issuer.

    Attributes:
        effective_from: the date the rule took effect.
        reason_codes: the only Visa conditions it applies to.
        prior_transactions: how many prior undisputed transactions are needed.
        min_age_days: youngest prior transaction, in days before the disputed one's processing.
        max_age_days: oldest prior transaction, in days before the disputed one's processing.
        sources: source tags.
        notes: other requirements, and where sources differ.
    """

    effective_from: dt.date
    reason_codes: tuple[str, ...]
    prior_transactions: int
    min_age_days: int
    max_age_days: int
    sources: tuple[str, ...]
    notes: str

    def accepts_age(self, days: int) -> bool:
        """Whether a prior transaction ``days`` old (by processing date) is in the window."""
        return self.min_age_days <= days <= self.max_age_days


VISA_CE3 = CompellingEvidence3(
    effective_from=dt.date(2023, 4, 15),
    reason_codes=("10.4",),
    prior_transactions=2,
    min_age_days=120,
    max_age_days=365,
    sources=(
        "support.stripe.com CE 3.0",
        "midmetrics.com CE 3.0 FAQ",
        "icba.org 2023-03-16",
        "[SP] _dispute.py",
    ),
    notes=(
        'Prior transactions: same payment credential, no fraud reported, processed "more than '
        '119 calendar days and fewer than 366 calendar days" before the disputed one '
        "(support.stripe.com), i.e. 120-365 days. Stripe's API docs copy says 120-364 days "
        "(docs.stripe.com/disputes/api/visa-ce3): a one-day conflict, the wider reading is kept. "
        "Matching data: device ID, device fingerprint or IP address, plus at least one more of "
        "account/login ID, delivery address, device ID/fingerprint, IP address (icba.org). "
        'help.qualpay.com gives "April 18, 2023" as its own start date. From 17 Oct 2025 Visa '
        "Secure merchants are said to qualify automatically (paymentbrief.com, unconfirmed)."
    ),
)
"""The Visa CE 3.0 rule (support.stripe.com CE 3.0 article; midmetrics.com CE 3.0 FAQ)."""
