"""One provider notification, normalised: `ProviderEvent` and its `EventKind`.

A Stripe event and an Adyen notification item both become a ``ProviderEvent``: what happened
(``kind``), to what (``object_id``, ``payment_reference``), when (``occurred_at``), the
normalised target values where the notification implies them (``dispute_stage`` ×
``dispute_status``, ``refund_status``, ``payment_status``) and, always beside them, the raw
strings as received (``event_type``, ``raw_status``, ``raw_reason``, ``reason_code``,
``raw_network``).

Webhooks arrive twice and out of order: ``event_id`` is stable across redeliveries (so a
consumer can drop a duplicate), and `ProviderEvent.ordering_key` orders notifications so
an older one arriving after a newer one can be recognised rather than applied over it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import ClassVar, Literal, Self

from pydantic import AwareDatetime, ConfigDict, Field, NonNegativeInt, model_validator

from paysupport.models import DisputeStatus, PaymentStatus, RefundFailureReason, RefundStatus
from paysupport.models._base import Identifier, PaysupportModel, SafeText, rule_error
from paysupport.money import Money
from paysupport.networks import DisputeStage, Network

__all__ = ["KIND_SEQUENCE", "EventKind", "ProviderEvent"]


class EventKind(StrEnum):
    """What a provider notification says happened, in our words.

    ``UNKNOWN`` is only produced with ``strict=False``: the notification's type, status or
    event code is one the translator does not know, and its raw string is kept in
    ``event_type`` / ``raw_status``. It never stands for a real state.
    """

    UNKNOWN = "unknown"
    # payments
    PAYMENT_CREATED = "payment_created"
    PAYMENT_PENDING = "payment_pending"
    PAYMENT_PROCESSING = "payment_processing"
    PAYMENT_REQUIRES_ACTION = "payment_requires_action"
    PAYMENT_AUTHORIZED = "payment_authorized"
    PAYMENT_CAPTURED = "payment_captured"
    PAYMENT_SUCCEEDED = "payment_succeeded"
    PAYMENT_FAILED = "payment_failed"
    PAYMENT_CANCELED = "payment_canceled"
    PAYMENT_EXPIRED = "payment_expired"
    PAYMENT_REFUNDED = "payment_refunded"
    PAYMENT_UPDATED = "payment_updated"
    CAPTURE_FAILED = "capture_failed"
    CANCEL_FAILED = "cancel_failed"
    CANCEL_OR_REFUND_FAILED = "cancel_or_refund_failed"
    # refunds
    REFUND_PENDING = "refund_pending"
    REFUND_REQUIRES_ACTION = "refund_requires_action"
    REFUND_SUCCEEDED = "refund_succeeded"
    REFUND_FAILED = "refund_failed"
    REFUND_CANCELED = "refund_canceled"
    REFUND_REVERSED = "refund_reversed"
    REFUND_UPDATED = "refund_updated"
    # early warnings
    FRAUD_WARNING = "fraud_warning"
    FRAUD_WARNING_UPDATED = "fraud_warning_updated"
    # disputes
    INQUIRY_OPENED = "inquiry_opened"
    DISPUTE_OPENED = "dispute_opened"
    DISPUTE_UPDATED = "dispute_updated"
    INFORMATION_SUPPLIED = "information_supplied"
    ISSUER_COMMENTS = "issuer_comments"
    DISPUTE_FUNDS_WITHDRAWN = "dispute_funds_withdrawn"
    DEFENSE_PERIOD_ENDED = "defense_period_ended"
    DISPUTE_REVERSED = "dispute_reversed"
    ISSUER_RESPONSE_EXPIRED = "issuer_response_expired"
    DISPUTE_FUNDS_REINSTATED = "dispute_funds_reinstated"
    SECOND_CHARGEBACK = "second_chargeback"
    PREARBITRATION_OPENED = "prearbitration_opened"
    PREARBITRATION_DECLINED = "prearbitration_declined"
    PREARBITRATION_ACCEPTED = "prearbitration_accepted"
    PREARBITRATION_WITHDRAWN = "prearbitration_withdrawn"
    PREARBITRATION_WON = "prearbitration_won"
    PREARBITRATION_LOST = "prearbitration_lost"
    ARBITRATION_OPENED = "arbitration_opened"
    ARBITRATION_WON = "arbitration_won"
    ARBITRATION_LOST = "arbitration_lost"
    DISPUTE_WON = "dispute_won"
    DISPUTE_LOST = "dispute_lost"
    DISPUTE_CLOSED = "dispute_closed"

    @property
    def is_dispute(self) -> bool:
        """Whether the kind concerns a dispute (inquiry, chargeback or later stage)."""
        return self in _DISPUTE_KINDS

    @property
    def is_refund(self) -> bool:
        """Whether the kind concerns a refund."""
        return self.value.startswith("refund_")


_DISPUTE_KINDS = frozenset(
    k
    for k in EventKind
    if k.value.startswith(("dispute_", "inquiry_", "prearbitration_", "arbitration_"))
    or k
    in {
        EventKind.INFORMATION_SUPPLIED,
        EventKind.ISSUER_COMMENTS,
        EventKind.DEFENSE_PERIOD_ENDED,
        EventKind.ISSUER_RESPONSE_EXPIRED,
        EventKind.SECOND_CHARGEBACK,
    }
)

#: Where each kind sits in the normal life of its object, to order notifications that carry
#: the same timestamp (Stripe stamps ``charge.dispute.created`` and ``funds_withdrawn`` in the
#: same second). Kinds of one object family share one scale; UNKNOWN sorts first.
KIND_SEQUENCE: Mapping[EventKind, int] = MappingProxyType(
    {
        EventKind.UNKNOWN: 0,
        EventKind.PAYMENT_CREATED: 10,
        EventKind.PAYMENT_PENDING: 20,
        EventKind.PAYMENT_PROCESSING: 20,
        EventKind.PAYMENT_REQUIRES_ACTION: 25,
        EventKind.PAYMENT_UPDATED: 30,
        EventKind.PAYMENT_FAILED: 40,
        EventKind.PAYMENT_AUTHORIZED: 50,
        EventKind.CANCEL_FAILED: 55,
        EventKind.CAPTURE_FAILED: 55,
        EventKind.PAYMENT_CANCELED: 60,
        EventKind.PAYMENT_EXPIRED: 60,
        EventKind.PAYMENT_CAPTURED: 70,
        EventKind.PAYMENT_SUCCEEDED: 70,
        EventKind.CANCEL_OR_REFUND_FAILED: 75,
        EventKind.PAYMENT_REFUNDED: 80,
        EventKind.REFUND_PENDING: 10,
        EventKind.REFUND_REQUIRES_ACTION: 20,
        EventKind.REFUND_UPDATED: 30,
        EventKind.REFUND_SUCCEEDED: 40,
        EventKind.REFUND_FAILED: 50,
        EventKind.REFUND_CANCELED: 50,
        EventKind.REFUND_REVERSED: 60,
        EventKind.FRAUD_WARNING: 10,
        EventKind.FRAUD_WARNING_UPDATED: 20,
        EventKind.INQUIRY_OPENED: 10,
        EventKind.DISPUTE_OPENED: 20,
        EventKind.DISPUTE_FUNDS_WITHDRAWN: 30,
        EventKind.DISPUTE_UPDATED: 40,
        EventKind.ISSUER_COMMENTS: 40,
        EventKind.INFORMATION_SUPPLIED: 50,
        EventKind.DEFENSE_PERIOD_ENDED: 60,
        EventKind.DISPUTE_REVERSED: 70,
        EventKind.ISSUER_RESPONSE_EXPIRED: 70,
        EventKind.DISPUTE_FUNDS_REINSTATED: 75,
        EventKind.SECOND_CHARGEBACK: 80,
        EventKind.PREARBITRATION_OPENED: 20,
        EventKind.PREARBITRATION_DECLINED: 50,
        EventKind.PREARBITRATION_ACCEPTED: 70,
        EventKind.PREARBITRATION_WITHDRAWN: 70,
        EventKind.PREARBITRATION_WON: 70,
        EventKind.PREARBITRATION_LOST: 70,
        EventKind.ARBITRATION_OPENED: 20,
        EventKind.ARBITRATION_WON: 70,
        EventKind.ARBITRATION_LOST: 70,
        EventKind.DISPUTE_WON: 90,
        EventKind.DISPUTE_LOST: 90,
        EventKind.DISPUTE_CLOSED: 90,
    }
)


def sequence_for(kind: EventKind, stage: DisputeStage | None) -> int:
    """The tie-breaking sequence of a notification: its stage first, then its kind."""
    stage_part = 0 if stage is None else (stage.rank + 1) * 100
    return stage_part + KIND_SEQUENCE[kind]


class ProviderEvent(PaysupportModel):
    """One Stripe event or Adyen notification item, normalised.

    Attributes:
        provider: ``"stripe"`` or ``"adyen"``.
        event_id: Stripe's event id (``evt_...``); for Adyen, which has no event id,
            ``"{pspReference}:{eventCode}:{success}:{eventDate in UTC}"``, the same for every
            redelivery of the same notification.
        event_type: the Stripe ``type`` or Adyen ``eventCode``, exactly as received.
        kind: what happened, normalised; ``unknown`` only with ``strict=False``.
        occurred_at: Stripe ``created``; Adyen ``eventDate``.
        sequence: tie-breaker for notifications with the same ``occurred_at`` (stage rank,
            then `KIND_SEQUENCE`); not a provider counter.
        object_type: the object the notification is about (``"dispute"``, ``"refund"``,
            ``"charge"``, ``"payment_intent"``, ``"early_fraud_warning"``), where sent.
        object_id: that object's id (Stripe ``data.object.id``; Adyen ``pspReference``).
        payment_reference: the payment concerned: Stripe charge id (or PaymentIntent id when
            there is no charge); Adyen ``originalReference``, or ``pspReference`` for events
            about the payment itself (AUTHORISATION).
        merchant_account: Adyen ``merchantAccountCode``; Stripe's Connect ``account``.
        success: Adyen's ``success`` flag as a bool (``None`` for Stripe).
        amount: the amount the notification carries, in ISO minor units (never negative).
        amount_refunded: for a Stripe charge, its ``amount_refunded``: everything refunded on
            it so far, itemised or not.
        payment_status: the payment status the notification implies, if any.
        refund_status: the refund status it implies, if any.
        refund_failure_reason: the refund failure reason it implies, if any.
        dispute_stage: the dispute stage it implies, if any.
        dispute_status: the dispute status it implies, if any.
        raw_status: the provider's status string (Stripe ``status``; Adyen
            ``additionalData.disputeStatus`` or ``modification.action``).
        raw_reason: Stripe dispute/refund ``reason`` or EFW ``fraud_type``; Adyen ``reason``.
        reason_code: the network's dispute reason code as received (trimmed).
        network: the card network, when it is one the catalogues cover.
        raw_network: the brand / scheme string as received (``"mc"``, ``"jcb"``), or the
            payment method of a non-card dispute (``"klarna"``).
        catalogued: for dispute notifications, whether the network and reason code are in
            the catalogues (``False``: a dispute outside them, kept raw; ``None``: not said).
        fraud_notice_type: Adyen NOTIFICATION_OF_FRAUD's ``nofReasonCode``: the issuer's
            fraud-notice type (a TC40 / SAFE fraud type), never a dispute reason code.
        due_by: the response deadline (Stripe ``evidence_details.due_by``, where ``0`` means
            no response possible and reads as ``None``; Adyen
            ``additionalData.defensePeriodEndsAt``).
        is_charge_refundable: Stripe's dispute flag, where sent.
        livemode: whether the provider says this is live (Stripe ``livemode``, Adyen ``live``
            when the whole request is given).
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True)

    provider: Literal["stripe", "adyen"]
    event_id: Identifier
    event_type: str = Field(min_length=1, max_length=255)
    kind: EventKind
    occurred_at: AwareDatetime
    sequence: NonNegativeInt = 0
    object_type: str | None = None
    object_id: Identifier | None = None
    payment_reference: Identifier | None = None
    merchant_account: Identifier | None = None
    success: bool | None = None
    amount: Money | None = None
    amount_refunded: Money | None = None
    payment_status: PaymentStatus | None = None
    refund_status: RefundStatus | None = None
    refund_failure_reason: RefundFailureReason | None = None
    dispute_stage: DisputeStage | None = None
    dispute_status: DisputeStatus | None = None
    raw_status: SafeText | None = None
    raw_reason: SafeText | None = None
    reason_code: SafeText | None = None
    network: Network | None = None
    raw_network: SafeText | None = None
    catalogued: bool | None = None
    fraud_notice_type: SafeText | None = None
    due_by: AwareDatetime | None = None
    is_charge_refundable: bool | None = None
    livemode: bool | None = None

    @property
    def ordering_key(self) -> tuple[datetime, int]:
        """``(occurred_at, sequence)``: sort by it; a smaller key is an older notification.

        A consumer that has applied a notification with a larger key for the same object
        recognises this one as late and does not apply it over the newer state.
        """
        return (self.occurred_at, self.sequence)

    @property
    def is_unknown(self) -> bool:
        """True when the translator did not know the notification (``strict=False`` only)."""
        return self.kind is EventKind.UNKNOWN

    @model_validator(mode="after")
    def _amounts_not_negative(self) -> Self:
        for name in ("amount", "amount_refunded"):
            value = getattr(self, name)
            if value is not None and value.minor < 0:
                raise rule_error(name, "non_negative", f"{name} cannot be negative: {value}")
        return self

    def is_older_than(self, other: ProviderEvent) -> bool:
        """Whether this notification happened before ``other`` (by `ordering_key`)."""
        return self.ordering_key < other.ordering_key
