"""Kinds of evidence that answer disputes, and where Stripe takes each of them.

``EvidenceKind`` names evidence in an operator's words. ``STRIPE_EVIDENCE_FIELDS`` maps a kind
to Stripe's ``evidence.*`` field names ([SP] ``Dispute.evidence``) where Stripe has one;
kinds without a Stripe field (a refund already issued, a cardholder's withdrawal) go in
``uncategorized_*``. ``VISA_CE3`` holds the Visa Compelling Evidence 3.0 rule
(support.stripe.com "How does Stripe support Visa Compelling Evidence 3.0?"). Both are data,
``data/evidence.json``, read once on first use (see ``networks._data``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING

from ._data import load, read_value

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


_FILE = "evidence.json"


@cache
def _stripe_fields() -> Mapping[EvidenceKind, tuple[str, ...]]:
    raw = load(_FILE).get("stripe_evidence_fields")
    table = read_value(_FILE, "stripe_evidence_fields", Mapping[EvidenceKind, tuple[str, ...]], raw)
    return MappingProxyType(table)


@cache
def _visa_ce3() -> CompellingEvidence3:
    ce3: CompellingEvidence3 = read_value(
        _FILE, "visa_ce3", CompellingEvidence3, load(_FILE).get("visa_ce3")
    )
    return ce3


if TYPE_CHECKING:
    STRIPE_EVIDENCE_FIELDS: Mapping[EvidenceKind, tuple[str, ...]]
    """Stripe ``evidence.*`` field names per kind of evidence ([SP] ``_dispute.py``, §5.3)."""
    VISA_CE3: CompellingEvidence3
    """The Visa CE 3.0 rule (support.stripe.com CE 3.0 article; midmetrics.com CE 3.0 FAQ)."""


def __getattr__(name: str) -> object:
    # The tables are read on first access (PEP 562), not at import.
    if name == "STRIPE_EVIDENCE_FIELDS":
        return _stripe_fields()
    if name == "VISA_CE3":
        return _visa_ce3()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
