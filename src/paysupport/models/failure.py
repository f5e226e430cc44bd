"""A failed payment (a decline) and its recovery: retries, customer action, or giving up."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Self

from pydantic import (
    AwareDatetime,
    Field,
    NonNegativeInt,
    PositiveInt,
    TypeAdapter,
)

from paysupport.errors import UnknownCode
from paysupport.models._base import (
    Fingerprint,
    Identifier,
    NetworkName,
    PaysupportModel,
    SafeText,
    model_rule,
    rule_error,
)
from paysupport.models.history import LifecycleEvent
from paysupport.money import Money
from paysupport.networks import (
    DeclineCode,
    MerchantAdviceCode,
    decline_code,
    merchant_advice_code,
)

__all__ = [
    "Initiator",
    "PaymentFailure",
    "RecoveryStatus",
    "RetryAttempt",
    "classify_decline",
    "provider_decline_from_json",
    "provider_decline_json",
]

_DECLINE = TypeAdapter(DeclineCode)


def provider_decline_json(record: DeclineCode) -> str:
    """A provider's decline record as JSON text (event data holds strings)."""
    return _DECLINE.dump_json(record).decode()


def provider_decline_from_json(text: str) -> DeclineCode:
    """The record `provider_decline_json` wrote, checked field by field."""
    return _DECLINE.validate_json(text)


def classify_decline(
    network_decline_code: str | None,
    decline_code_: str | None,
    provider_decline: DeclineCode | None,
    network: str | None = None,
) -> DeclineCode | None:
    """The record that classifies a decline: the network's code first, then the provider's.

    The ISO 8583 response code is looked up in the networks' catalogue; failing that, the
    provider's record (filled at the provider boundary, e.g.
    `paysupport.providers.stripe_failure_fields`); failing that, ``decline_code`` read as an
    ISO code. ``None`` when nothing is known: policies treat that conservatively.
    """
    if network_decline_code:
        try:
            return decline_code(network_decline_code, network=network)
        except UnknownCode:
            pass
    if provider_decline is not None:
        return provider_decline
    if decline_code_:
        try:
            return decline_code(decline_code_, network=network)
        except UnknownCode:
            pass
    return None


class RecoveryStatus(StrEnum):
    """Where the recovery of a declined payment stands."""

    DECLINED = "declined"
    RETRY_SCHEDULED = "retry_scheduled"
    RETRYING = "retrying"
    RECOVERED = "recovered"
    NEEDS_CUSTOMER_ACTION = "needs_customer_action"
    EXHAUSTED = "exhausted"


class Initiator(StrEnum):
    """Who started the payment: the customer (CIT) or the merchant (MIT, e.g. a renewal)."""

    CUSTOMER = "customer"
    MERCHANT = "merchant"


class RetryAttempt(PaysupportModel):
    """One reattempt of a declined payment and its result."""

    at: AwareDatetime
    succeeded: bool
    decline_code: str | None = None
    network_decline_code: str | None = None
    merchant_advice_code: str | None = None


class PaymentFailure(PaysupportModel):
    """A declined payment: the decline codes as received, and the recovery so far.

    ``decline_code`` is the PSP's code (Stripe ``insufficient_funds``), ``network_decline_code``
    the ISO 8583 response code (``"51"``), ``merchant_advice_code`` Mastercard's MAC
    (``"03"``). Codes are kept as received even when the catalogue does not know them
    (providers add codes); `decline` and `advice` return the catalogue entries or
    ``None`` for an unknown code, which policies must treat conservatively.

    The core knows the networks' ISO codes; a PSP's own codes are the PSP's vocabulary. The
    provider boundary classifies ``decline_code`` and puts the record in ``provider_decline``
    (`paysupport.providers.stripe_failure_fields` for Stripe); its ``code`` must be
    ``decline_code``.
    """

    id: Identifier
    payment_id: Identifier | None = None
    merchant_id: Identifier
    customer_id: Identifier | None = None
    amount: Money
    network: NetworkName | None = None
    decline_code: str | None = Field(default=None, max_length=64)
    network_decline_code: str | None = Field(default=None, max_length=8)
    merchant_advice_code: str | None = Field(default=None, pattern=r"^\d{1,2}$")
    advice_code: str | None = Field(
        default=None, description="Stripe advice_code: confirm_card_data, try_again_later, ..."
    )
    provider_decline: DeclineCode | None = Field(
        default=None,
        description="the PSP's classification of decline_code, filled at the provider boundary",
    )
    card_fingerprint: Fingerprint | None = Field(
        default=None, description="the PSP's card fingerprint: Mastercard counts declines per card"
    )
    initiator: Initiator = Initiator.CUSTOMER
    recurring: bool = False
    declined_at: AwareDatetime
    attempt: PositiveInt = 1
    attempts: tuple[RetryAttempt, ...] = ()
    status: RecoveryStatus = RecoveryStatus.DECLINED
    next_retry_at: AwareDatetime | None = None
    note: SafeText | None = None
    history: tuple[LifecycleEvent, ...] = ()
    version: NonNegativeInt = 0

    # The rules, in the order they are checked (the first broken one is reported). Each
    # reads few fields, so a lifecycle event (which writes ``next_retry_at``) re-checks only
    # the rule that reads it.
    @model_rule
    def _amount_positive(self) -> Self:
        if not self.amount.is_positive():
            raise rule_error(
                "amount", "failure_amount_positive", "a declined amount must be above zero"
            )
        return self

    @model_rule
    def _decline_code_present(self) -> Self:
        if self.decline_code is None and self.network_decline_code is None:
            raise rule_error(
                "decline_code",
                "decline_code_present",
                "a failure needs a decline_code or a network_decline_code",
            )
        return self

    @model_rule
    def _provider_decline_matches(self) -> Self:
        if self.provider_decline is not None and self.provider_decline.code != self.decline_code:
            raise rule_error(
                "provider_decline",
                "provider_decline_matches",
                "provider_decline classifies another code than decline_code",
            )
        return self

    @model_rule
    def _retry_after_decline(self) -> Self:
        if self.next_retry_at is not None and self.next_retry_at < self.declined_at:
            raise rule_error(
                "next_retry_at", "retry_after_decline", "next_retry_at is before declined_at"
            )
        return self

    @model_rule
    def _attempts_after_decline(self) -> Self:
        declined_at = self.declined_at
        for i, a in enumerate(self.attempts):
            if a.at < declined_at:
                raise rule_error(
                    f"attempts.{i}.at",
                    "attempt_after_decline",
                    f"attempts[{i}] is before declined_at",
                )
        return self

    @property
    def decline(self) -> DeclineCode | None:
        """The record for the codes received (see `classify_decline`), if known."""
        return classify_decline(
            self.network_decline_code, self.decline_code, self.provider_decline, self.network
        )

    @property
    def advice(self) -> MerchantAdviceCode | None:
        """The Mastercard Merchant Advice Code entry, if one was received and is known."""
        if not self.merchant_advice_code:
            return None
        try:
            return merchant_advice_code(self.merchant_advice_code)
        except UnknownCode:
            return None

    @property
    def last_attempt_at(self) -> datetime:
        """When the payment was last tried (the decline itself, or the last retry)."""
        return max([self.declined_at, *(a.at for a in self.attempts)])
