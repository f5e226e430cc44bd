"""Card and payment-method data, safe by construction.

No full card number can be stored: a card is its brand, last four digits and a fingerprint
(the PSP's stable hash of the number), which is what duplicate detection needs.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from paysupport.models._base import Fingerprint, PaysupportModel

__all__ = ["Card", "CardBrand", "Funding", "PaymentMethod"]


class CardBrand(StrEnum):
    """Card brands, spelled as Stripe's ``card.brand`` documents them."""

    VISA = "visa"
    MASTERCARD = "mastercard"
    AMEX = "amex"
    DISCOVER = "discover"
    DINERS = "diners"
    JCB = "jcb"
    UNIONPAY = "unionpay"
    CARTES_BANCAIRES = "cartes_bancaires"
    EFTPOS_AU = "eftpos_au"
    LINK = "link"
    UNKNOWN = "unknown"


class Funding(StrEnum):
    """How the card is funded."""

    CREDIT = "credit"
    DEBIT = "debit"
    PREPAID = "prepaid"
    UNKNOWN = "unknown"


class Card(PaysupportModel):
    """The safe facts about a card: brand, last four digits, fingerprint, expiry."""

    brand: CardBrand
    last4: str = Field(pattern=r"^\d{4}$")
    fingerprint: Fingerprint | None = None
    exp_month: int | None = Field(default=None, ge=1, le=12)
    exp_year: int | None = Field(default=None, ge=2000, le=2200)
    funding: Funding = Funding.UNKNOWN
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


class PaymentMethod(PaysupportModel):
    """How the customer paid.

    ``type`` is open-ended (``card``, ``sepa_debit``, ``ideal``, ``amazon_pay``...) because
    refund windows are set per method by policy.
    """

    type: str = Field(default="card", pattern=r"^[a-z][a-z0-9_]*$")
    card: Card | None = None

    @property
    def fingerprint(self) -> str | None:
        """The card's fingerprint, if this is a card with one."""
        return self.card.fingerprint if self.card else None
