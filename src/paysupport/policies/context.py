"""What a policy looks at: the models of one case, and the facts derived from them once.

A context holds the models (payment, request, customer, merchant, dispute, failure...) and,
computed once at construction, the facts every policy reads (what is still refundable, when
the payment was captured, whether an open dispute blocks a refund...). Building the facts
once means that a notebook sweeping a dozen policies over the same contexts pays for them
once, and that each decision costs only its rules.
"""
# ruff: noqa: RUF009  (param() and derived() are attrs field specifiers, like attrs.field)

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from paysupport.models import (
    ClaimKind,
    Customer,
    Dispute,
    Merchant,
    MerchantSegment,
    Payment,
    PaymentFailure,
    RefundReason,
    RefundRequest,
    SupportCase,
)
from paysupport.money import Money
from paysupport.networks import DisputeCategory, DisputeStage

__all__ = [
    "DisputeContext",
    "EscalationContext",
    "RefundContext",
    "ResolutionContext",
    "RetryContext",
]


def _derived() -> object:
    return attrs.field(init=False, eq=False, hash=False, repr=False)


@attrs.frozen(slots=True, eq=False)
class RefundContext:
    """A refund request on one payment, with the customer's history and related payments.

    Attributes:
        payment: the payment to refund.
        request: what was asked.
        customer: the customer, with their past refunds (``None`` if unknown).
        merchant: the merchant (``None`` if unknown); its segment routes policies.
        related_payments: the customer's other recent payments, for duplicate detection.

    Derived facts (read-only): ``refundable`` (captured minus refunded minus in-flight minus
    lost chargebacks), ``captured_at``, ``method``, ``open_dispute`` (an open dispute exists),
    ``dispute_refundable`` (every open dispute allows a refund), ``efw_actionable``,
    ``duplicate_gap`` (the smallest time between this payment and a related payment with the
    same card fingerprint, amount and merchant), ``history`` (past refunds as
    ``(at, minor, currency)``), ``segment`` and ``currency``.
    """

    payment: Payment
    request: RefundRequest
    customer: Customer | None = None
    merchant: Merchant | None = None
    related_payments: tuple[Payment, ...] = attrs.field(default=(), converter=tuple)

    refundable: Money = _derived()  # type: ignore[assignment]
    captured: Money = _derived()  # type: ignore[assignment]
    captured_at: datetime | None = _derived()  # type: ignore[assignment]
    method: str = _derived()  # type: ignore[assignment]
    currency: str = _derived()  # type: ignore[assignment]
    segment: MerchantSegment | None = _derived()  # type: ignore[assignment]
    open_dispute: bool = _derived()  # type: ignore[assignment]
    dispute_refundable: bool = _derived()  # type: ignore[assignment]
    efw_actionable: bool = _derived()  # type: ignore[assignment]
    duplicate_gap: timedelta | None = _derived()  # type: ignore[assignment]
    duplicate_id: str | None = _derived()  # type: ignore[assignment]
    history: tuple[tuple[datetime, int, str], ...] = _derived()  # type: ignore[assignment]

    def __attrs_post_init__(self) -> None:
        p = self.payment
        s = object.__setattr__
        s(self, "refundable", p.amount_refundable)
        s(self, "captured", p.amount_captured)
        s(self, "captured_at", p.captured_at)
        s(self, "method", p.payment_method.type)
        s(self, "currency", p.amount.currency.code)
        s(self, "segment", self.merchant.segment if self.merchant is not None else None)
        open_disputes = p.open_disputes
        s(self, "open_dispute", bool(open_disputes))
        s(self, "dispute_refundable", all(d.is_charge_refundable for d in open_disputes))
        efw = p.early_fraud_warning
        s(self, "efw_actionable", efw is not None and efw.actionable)
        gap: timedelta | None = None
        dup: str | None = None
        fp = p.payment_method.fingerprint
        wanted = self.request.duplicate_of
        if fp is not None:
            for other in self.related_payments:
                if other.id == p.id or (wanted is not None and other.id != wanted):
                    continue
                if (
                    other.payment_method.fingerprint == fp
                    and other.merchant_id == p.merchant_id
                    and other.amount == p.amount
                ):
                    g = abs(p.created_at - other.created_at)
                    if gap is None or g < gap:
                        gap, dup = g, other.id
        s(self, "duplicate_gap", gap)
        s(self, "duplicate_id", dup)
        past = self.customer.past_refunds if self.customer is not None else ()
        s(
            self,
            "history",
            tuple(sorted((r.at, r.amount.minor, r.amount.currency.code) for r in past)),
        )

    @property
    def is_duplicate_claim(self) -> bool:
        """True when the request says the payment duplicates another."""
        return (
            self.request.reason is RefundReason.DUPLICATE or self.request.duplicate_of is not None
        )


@attrs.frozen(slots=True, eq=False)
class EscalationContext:
    """A support case to route to a tier, with what is known about its stakes.

    Attributes:
        case: the support case (claim kind, contacts, SLA clock).
        amount: the amount at stake; defaults to the dispute's, then the payment's amount.
        dispute: the dispute the case is about, if any (its stage and category count).
        payment: the payment the case is about, if any (an early fraud warning counts).
        merchant: the merchant, if known (its segment counts).
        fraud_signal: the host's own fraud signal (risk score over its threshold...).
    """

    case: SupportCase
    amount: Money | None = None
    dispute: Dispute | None = None
    payment: Payment | None = None
    merchant: Merchant | None = None
    fraud_signal: bool = False

    stake: Money | None = _derived()  # type: ignore[assignment]
    currency: str | None = _derived()  # type: ignore[assignment]
    segment: MerchantSegment | None = _derived()  # type: ignore[assignment]
    stage: DisputeStage | None = _derived()  # type: ignore[assignment]
    fraud: tuple[str, ...] = _derived()  # type: ignore[assignment]

    def __attrs_post_init__(self) -> None:
        s = object.__setattr__
        stake = self.amount
        if stake is None and self.dispute is not None:
            stake = self.dispute.amount
        if stake is None and self.payment is not None:
            stake = self.payment.amount
        s(self, "stake", stake)
        s(self, "currency", stake.currency.code if stake is not None else None)
        s(self, "segment", self.merchant.segment if self.merchant is not None else None)
        s(self, "stage", self.dispute.stage if self.dispute is not None else None)
        signals: list[str] = []
        if self.fraud_signal:
            signals.append("host_signal")
        if self.case.claim is ClaimKind.UNRECOGNIZED_CHARGE:
            signals.append("unrecognized_charge")
        if self.dispute is not None and self.dispute.category is DisputeCategory.FRAUD:
            signals.append("fraud_dispute")
        if self.payment is not None and self.payment.early_fraud_warning is not None:
            signals.append("early_fraud_warning")
        s(self, "fraud", tuple(signals))


@attrs.frozen(slots=True, eq=False)
class DisputeContext:
    """A dispute to answer, with the payment and merchant behind it.

    Attributes:
        dispute: the dispute (reason code, stage, amount, evidence on file, ``due_by``).
        payment: the disputed payment, if loaded (a refund already issued counts).
        merchant: the merchant, if known.
    """

    dispute: Dispute
    payment: Payment | None = None
    merchant: Merchant | None = None

    currency: str = _derived()  # type: ignore[assignment]
    segment: MerchantSegment | None = _derived()  # type: ignore[assignment]

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "currency", self.dispute.amount.currency.code)
        object.__setattr__(
            self, "segment", self.merchant.segment if self.merchant is not None else None
        )


@attrs.frozen(slots=True, eq=False)
class RetryContext:
    """A declined payment to recover, with the card's recent declines at this merchant.

    Attributes:
        failure: the declined payment and its reattempts so far.
        card_declines: other declines of the same card at the same merchant (any amount),
            for Mastercard's 24-hour rule; the failure's own attempts need not be repeated.
        merchant: the merchant, if known.
    """

    failure: PaymentFailure
    card_declines: tuple[datetime, ...] = attrs.field(default=(), converter=tuple)
    merchant: Merchant | None = None

    currency: str = _derived()  # type: ignore[assignment]
    segment: MerchantSegment | None = _derived()  # type: ignore[assignment]

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "currency", self.failure.amount.currency.code)
        object.__setattr__(
            self, "segment", self.merchant.segment if self.merchant is not None else None
        )


@attrs.frozen(slots=True, eq=False)
class ResolutionContext:
    """A claim to plan the resolution of, with the dispute behind it if there is one.

    Attributes:
        claim: what the customer says (or ``dispute_received``).
        opened_at: when the case was opened (plans count from it, or from ``now``).
        dispute: the dispute, if the case is about one (its reason code picks the plan and
            its ``due_by`` sets the deadlines).
        merchant: the merchant, if known.
    """

    claim: ClaimKind
    opened_at: datetime | None = None
    dispute: Dispute | None = None
    merchant: Merchant | None = None

    @classmethod
    def for_case(
        cls, case: SupportCase, dispute: Dispute | None = None, merchant: Merchant | None = None
    ) -> ResolutionContext:
        """The context of a support case."""
        return cls(case.claim, case.opened_at, dispute, merchant)

    @property
    def currency(self) -> str | None:
        """The dispute's currency code, if any."""
        return self.dispute.amount.currency.code if self.dispute is not None else None

    @property
    def segment(self) -> MerchantSegment | None:
        """The merchant's segment, if known."""
        return self.merchant.segment if self.merchant is not None else None
