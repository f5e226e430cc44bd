"""A card payment with its captures, refunds, disputes and early fraud warning.

Amounts are derived from those records and guarded by invariants: captured never exceeds
authorized; refunds (succeeded or still in flight) never exceed captured; every amount is in
the payment's currency; a dispute never exceeds what was captured.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import NamedTuple, Self

from pydantic import AwareDatetime, Field, NonNegativeInt, model_validator

from paysupport.models._base import Identifier, PaysupportModel, SafeText, rule_error
from paysupport.models.card import PaymentMethod
from paysupport.models.dispute import Dispute
from paysupport.models.history import LifecycleEvent
from paysupport.models.refund import Refund, RefundStatus
from paysupport.money import Currency, Money

__all__ = ["Capture", "EarlyFraudWarning", "Payment", "PaymentAmounts", "PaymentStatus"]


class PaymentStatus(StrEnum):
    """Where a card payment is in its life (disputes are an overlay, see ``is_disputed``)."""

    PENDING = "pending"
    AUTHORIZED = "authorized"
    PARTIALLY_CAPTURED = "partially_captured"
    CAPTURED = "captured"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    CANCELED = "canceled"
    FAILED = "failed"


class PaymentAmounts(NamedTuple):
    """A payment's derived amounts in integer minor units of its currency (one pass)."""

    authorized: int
    captured: int
    refunded: int
    in_flight: int
    charged_back: int
    refundable: int


class Capture(PaysupportModel):
    """One capture of (part of) the authorized amount."""

    id: Identifier
    amount: Money
    captured_at: AwareDatetime

    @model_validator(mode="after")
    def _positive(self) -> Self:
        if not self.amount.is_positive():
            raise rule_error(
                "amount", "capture_amount_positive", "a capture amount must be above zero"
            )
        return self


class EarlyFraudWarning(PaysupportModel):
    """An issuer's fraud report (Visa TC40 / Mastercard SAFE) ahead of any dispute.

    ``fraud_type`` uses Stripe's values (``made_with_stolen_card``, ...). About 80% escalate
    to fraudulent disputes if nothing is done (Stripe), so an actionable one favours a refund.
    """

    id: Identifier
    fraud_type: str = Field(default="misc", pattern=r"^[a-z_]+$")
    actionable: bool = True
    created_at: AwareDatetime


class Payment(PaysupportModel):
    """A card payment: authorization, captures, refunds and disputes on it."""

    id: Identifier
    merchant_id: Identifier
    customer_id: Identifier | None = None
    amount: Money = Field(description="the authorized amount")
    status: PaymentStatus = PaymentStatus.AUTHORIZED
    payment_method: PaymentMethod = Field(default_factory=PaymentMethod)
    created_at: AwareDatetime
    captures: tuple[Capture, ...] = ()
    refunds: tuple[Refund, ...] = ()
    disputes: tuple[Dispute, ...] = ()
    early_fraud_warning: EarlyFraudWarning | None = None
    multicapture: bool = False
    description: SafeText | None = None
    provider: str | None = None
    provider_reference: str | None = None
    metadata: dict[str, SafeText] = Field(default_factory=dict)
    history: tuple[LifecycleEvent, ...] = ()
    version: NonNegativeInt = 0

    @model_validator(mode="after")
    def _payment_rules(self) -> Self:
        cur = self.amount.currency
        if not self.amount.is_positive():
            raise rule_error(
                "amount", "payment_amount_positive", "the authorized amount must be above zero"
            )
        amounts = [
            *(("captures", i, c.amount) for i, c in enumerate(self.captures)),
            *(("refunds", i, r.amount) for i, r in enumerate(self.refunds)),
            *(("disputes", i, d.amount) for i, d in enumerate(self.disputes)),
        ]
        for kind, i, amount in amounts:
            if amount.currency is not cur:
                raise rule_error(
                    f"{kind}.{i}.amount",
                    "currency_matches_payment",
                    f"{kind}[{i}] is in {amount.currency.code}, the payment in {cur.code}",
                )
        owners = [
            *(("refunds", i, r.payment_id) for i, r in enumerate(self.refunds)),
            *(("disputes", i, d.payment_id) for i, d in enumerate(self.disputes)),
        ]
        for kind, i, owner in owners:
            if owner != self.id:
                raise rule_error(
                    f"{kind}.{i}.payment_id",
                    "belongs_to_payment",
                    f"{kind}[{i}] is for payment {owner!r}",
                )
        for kind, ids in (
            ("captures", [c.id for c in self.captures]),
            ("refunds", [r.id for r in self.refunds]),
            ("disputes", [d.id for d in self.disputes]),
        ):
            if len(ids) != len(set(ids)):
                raise rule_error(kind, "unique_ids", f"{kind} has repeated ids")
        if self.refunds and not self.captures:
            raise rule_error(
                "refunds", "refund_needs_capture", "only captured money can be refunded"
            )
        captured = self.amount_captured
        if captured > self.amount:
            raise rule_error(
                "captures",
                "captured_exceeds_authorized",
                f"captured {captured} exceeds the authorized {self.amount}",
            )
        sums = self.amounts()
        committed = self._money(sums.refunded + sums.in_flight)
        if committed > captured:
            raise rule_error(
                "refunds",
                "refund_total_exceeds_captured",
                f"refunds of {committed} exceed the captured {captured}",
            )
        for i, d in enumerate(self.disputes):
            if d.amount > captured:
                raise rule_error(
                    f"disputes.{i}.amount",
                    "dispute_exceeds_captured",
                    f"disputes[{i}] of {d.amount} exceeds the captured {captured}",
                )
        if self.status in (PaymentStatus.PENDING, PaymentStatus.AUTHORIZED) and self.captures:
            raise rule_error(
                "status",
                "status_matches_captures",
                f"a payment with captures cannot be {self.status}",
            )
        if self.status is PaymentStatus.CANCELED and self.captures:
            raise rule_error(
                "status", "canceled_after_capture", "a captured payment is refunded, not canceled"
            )
        return self

    # ------------------------------------------------------------------ derived amounts
    @property
    def currency(self) -> Currency:
        """The payment's currency; every amount on it is in this currency."""
        return self.amount.currency

    def amounts(self) -> PaymentAmounts:
        """Every derived amount in one pass over the records, as integer minor units."""
        captured = sum(c.amount.minor for c in self.captures)
        refunded = in_flight = 0
        for r in self.refunds:
            status = r.status
            if status is RefundStatus.SUCCEEDED:
                refunded += r.amount.minor
            elif status.holds_funds:
                in_flight += r.amount.minor
        charged_back = sum(d.amount.minor for d in self.disputes if d.status.funds_lost)
        return PaymentAmounts(
            authorized=self.amount.minor,
            captured=captured,
            refunded=refunded,
            in_flight=in_flight,
            charged_back=charged_back,
            refundable=max(0, captured - refunded - in_flight - charged_back),
        )

    def _money(self, minor: int) -> Money:
        return Money.from_minor(minor, self.amount.currency)

    @property
    def amount_captured(self) -> Money:
        """Sum of all captures."""
        return self._money(sum(c.amount.minor for c in self.captures))

    @property
    def amount_capturable(self) -> Money:
        """What may still be captured: authorized minus captured, while authorized."""
        if self.status not in (PaymentStatus.AUTHORIZED, PaymentStatus.PARTIALLY_CAPTURED):
            return Money.zero(self.amount.currency)
        return self.amount - self.amount_captured

    @property
    def amount_refunded(self) -> Money:
        """Sum of succeeded refunds (reversed refunds no longer count)."""
        return self._money(self.amounts().refunded)

    @property
    def amount_refund_in_flight(self) -> Money:
        """Sum of refunds granted or requested but not settled (pending, unknown, ...)."""
        return self._money(self.amounts().in_flight)

    @property
    def amount_charged_back(self) -> Money:
        """Sum of disputes whose funds the merchant has lost (lost, accepted, expired)."""
        return self._money(self.amounts().charged_back)

    @property
    def amount_refundable(self) -> Money:
        """Captured minus refunded, in-flight refunds and lost chargebacks; never below zero."""
        return self._money(self.amounts().refundable)

    @property
    def open_disputes(self) -> tuple[Dispute, ...]:
        """Disputes that still need a response or are under review."""
        return tuple(d for d in self.disputes if d.is_open)

    @property
    def is_disputed(self) -> bool:
        """True while any dispute on the payment is open."""
        return any(d.is_open for d in self.disputes)

    @property
    def is_fully_refunded(self) -> bool:
        """True when succeeded refunds equal the captured amount (Stripe's ``refunded``)."""
        captured = self.amount_captured
        return captured.is_positive() and self.amount_refunded == captured

    @property
    def captured_at(self) -> datetime | None:
        """When the first capture happened (refund windows count from it)."""
        return min((c.captured_at for c in self.captures), default=None)

    def refund(self, refund_id: str) -> Refund:
        """The refund with this id (KeyError if absent)."""
        for r in self.refunds:
            if r.id == refund_id:
                return r
        raise KeyError(refund_id)

    def dispute(self, dispute_id: str) -> Dispute:
        """The dispute with this id (KeyError if absent)."""
        for d in self.disputes:
            if d.id == dispute_id:
                return d
        raise KeyError(dispute_id)

    def with_refund(self, refund: Refund) -> Payment:
        """A validated copy with ``refund`` added or replacing the one with its id."""
        kept = [r for r in self.refunds if r.id != refund.id]
        pos = next((i for i, r in enumerate(self.refunds) if r.id == refund.id), len(kept))
        kept.insert(pos, refund)
        return self.evolve(refunds=tuple(kept))

    def with_dispute(self, dispute: Dispute) -> Payment:
        """A validated copy with ``dispute`` added or replacing the one with its id."""
        kept = [d for d in self.disputes if d.id != dispute.id]
        pos = next((i for i, d in enumerate(self.disputes) if d.id == dispute.id), len(kept))
        kept.insert(pos, dispute)
        return self.evolve(disputes=tuple(kept))
