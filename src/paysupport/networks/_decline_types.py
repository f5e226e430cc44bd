"""Enums and the record for decline codes (sources per record)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from ._types import Confidence, Network

__all__ = [
    "DeclineCode",
    "DeclineSeverity",
    "RetryAction",
    "VisaDeclineCategory",
]


class DeclineSeverity(StrEnum):
    """Hard: the issuer will never approve this credential; soft: temporary or fixable."""

    SOFT = "soft"
    HARD = "hard"


class RetryAction(StrEnum):
    """What to do after a decline: the class of docs.stripe.com/declines/codes."""

    RETRY = "retry"
    """Retry (soon)."""
    RETRY_LATER = "retry_later"
    """Retry later, within the network's reattempt limits."""
    RETRY_THEN_CONTACT = "retry_then_contact"
    """Retry once; if it still fails, the customer contacts the issuer."""
    CONTACT_ISSUER = "contact_issuer"
    """The customer contacts the issuer."""
    FIX_DATA = "fix_data"
    """Retry with corrected data (number, expiry, CVC, address, PIN)."""
    CUSTOMER_ACTION = "customer_action"
    """The customer must act: authenticate (3DS/SCA), enter a PIN, tap again."""
    NEW_PAYMENT_METHOD = "new_payment_method"
    """Ask for another payment method."""
    UPDATE_CARD = "update_card"
    """Get the new card details (account updater); do not retry the old ones."""
    DO_NOT_RETRY = "do_not_retry"
    """Never retry this credential."""


class VisaDeclineCategory(IntEnum):
    """Visa's four decline-response categories (§4.1), introduced April 2020 (AI10325)."""

    ISSUER_WILL_NEVER_APPROVE = 1
    """Issuer will never approve: no reattempts; every reattempt is charged."""
    ISSUER_CANNOT_APPROVE_AT_THIS_TIME = 2
    """Issuer cannot approve at this time: reattempts limited."""
    DATA_QUALITY = 3
    """Data quality: revalidate payment information; reattempts limited."""
    GENERIC = 4
    """Generic response codes (all others); reattempts limited."""

    @property
    def description(self) -> str:
        """The category's name as the notes give it."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    VisaDeclineCategory.ISSUER_WILL_NEVER_APPROVE: "Issuer will never approve",
    VisaDeclineCategory.ISSUER_CANNOT_APPROVE_AT_THIS_TIME: "Issuer cannot approve at this time",
    VisaDeclineCategory.DATA_QUALITY: "Data quality: revalidate payment information",
    VisaDeclineCategory.GENERIC: "Generic response codes (all others)",
}


@dataclass(frozen=True, slots=True)
class DeclineCode:
    """One decline code: an ISO 8583 field-39 response code or a Stripe ``decline_code``.

    Attributes:
        scheme: ``"iso8583"`` or ``"stripe"``.
        code: the code (``"05"``, ``"1A"``, ``"insufficient_funds"``).
        meaning: what it means, in short.
        severity: hard or soft, by the latest dated Visa category (see `severity_on`);
            ``None`` for ``00`` (approved) and Mastercard ``79``, whose advice code decides.
        action: suggested next step; ``None`` where it is not a decline or the MAC decides.
        visa_categories: dated Visa categories as ``(effective_from, category)`` pairs, oldest
            first; ``None`` as a date means "since the categories exist" (April 2020).
        stripe_non_retryable: on Stripe Billing's non-retryable list (**NR** in the notes).
        network_codes: ISO 8583 codes the notes tie a Stripe code to (Stripe codes only).
        deprecated: deprecated by Stripe.
        network: the one network this meaning is for, where the same ISO code means different
            things on Visa and Mastercard (``82``, ``83``); ``None`` when it is the same on
            every network.
        confidence: how sure the notes are of the meaning and category.
        sources: source tags.
        notes: remarks, alternatives and conflicts.
    """

    scheme: str
    code: str
    meaning: str
    severity: DeclineSeverity | None
    action: RetryAction | None
    visa_categories: tuple[tuple[dt.date | None, VisaDeclineCategory], ...]
    stripe_non_retryable: bool
    confidence: Confidence
    sources: tuple[str, ...]
    notes: str = ""
    network_codes: tuple[str, ...] = ()
    deprecated: bool = False
    network: Network | None = None

    @property
    def visa_category(self) -> VisaDeclineCategory | None:
        """The latest Visa category the notes give (``None`` if none)."""
        return self.visa_categories[-1][1] if self.visa_categories else None

    def visa_category_on(self, on: dt.date) -> VisaDeclineCategory | None:
        """The Visa category in force on ``on``; ``None`` if none was in force yet."""
        current: VisaDeclineCategory | None = None
        for effective_from, category in self.visa_categories:
            if effective_from is None or effective_from <= on:
                current = category
        return current

    def severity_on(self, on: dt.date) -> DeclineSeverity | None:
        """Hard if Visa category 1 was in force on ``on`` or the action is do-not-retry."""
        if self.severity is None:
            return None
        return classify(self.visa_category_on(on), self.action)

    @property
    def is_hard(self) -> bool:
        """Whether the decline is hard (by the latest Visa category)."""
        return self.severity is _HARD


# The members `classify` reads, as module names: ``Enum.MEMBER`` goes through EnumType's
# attribute hook (a few tenths of a µs each) and a decline is classified on every case.
_NEVER = VisaDeclineCategory.ISSUER_WILL_NEVER_APPROVE
_DO_NOT_RETRY = RetryAction.DO_NOT_RETRY
_HARD = DeclineSeverity.HARD
_SOFT = DeclineSeverity.SOFT


def classify(category: VisaDeclineCategory | None, action: RetryAction | None) -> DeclineSeverity:
    """Hard = Visa category 1 or do-not-retry; soft otherwise (Visa Core Rules categories)."""
    if category is _NEVER or action is _DO_NOT_RETRY:
        return _HARD
    return _SOFT
