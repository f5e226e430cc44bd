"""What a policy looks at: the models of one case, and the facts derived from them once.

A context holds the models (payment, request, customer, merchant, dispute, failure...) and,
computed once at construction, the facts every policy reads (what is still refundable, when
the payment was captured, whether an open dispute blocks a refund...). Building the facts
once means that a notebook sweeping a dozen policies over the same contexts pays for them
once, and that each decision costs only its rules.
"""
# ruff: noqa: RUF009  (param() and derived() are attrs field specifiers, like attrs.field)

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cached_property
from typing import Any

import attrs

from paysupport.models import (
    ClaimKind,
    Customer,
    Dispute,
    Merchant,
    MerchantSegment,
    Payment,
    PaymentAmounts,
    PaymentFailure,
    RefundReason,
    RefundRequest,
    SupportCase,
)
from paysupport.models.purchase import PurchaseRecord
from paysupport.money import Money
from paysupport.networks import DisputeCategory, DisputeStage

from .decision import _slot_setters
from .fx import ExchangeRates

__all__ = [
    "DisputeContext",
    "EscalationContext",
    "RefundContext",
    "ResolutionContext",
    "RetryContext",
]


# Enum members read on every case, bound once: on Python 3.11 reading a member off its
# class goes through EnumType's attribute hook (about 0.2 µs); a module name does not.
_DUPLICATE = RefundReason.DUPLICATE
_UNRECOGNIZED_CHARGE = ClaimKind.UNRECOGNIZED_CHARGE
_FRAUD = DisputeCategory.FRAUD


def _fact(compute: Callable[[Any], Any]) -> Any:
    """A fact derived once, when the context is built, from the fields before it."""
    return attrs.field(
        init=False, eq=False, repr=False, default=attrs.Factory(compute, takes_self=True)
    )


def _history(customer: Customer | None) -> tuple[tuple[datetime, int, str], ...]:
    if customer is None:
        return ()
    past = customer.past_refunds
    if not past:
        return ()
    # Plain ints and codes, in the customer's order: the rules count and sum, never sort.
    # Each refund's fields are read through its ``__dict__`` once: a model's attribute read
    # takes pydantic's ``__getattr__`` hook.
    rows = []
    for r in past:
        values = r.__dict__
        amount = values["amount"]
        rows.append((values["at"], amount.minor, amount.currency.code))
    return tuple(rows)


@attrs.frozen(slots=True, eq=False, init=False)
class RefundContext:
    """A refund request on one payment, with the customer's history and related payments.

    Attributes:
        payment: the payment to refund.
        request: what was asked.
        customer: the customer, with their past refunds (``None`` if unknown).
        merchant: the merchant (``None`` if unknown); its segment routes policies.
        related_payments: the customer's other recent payments, for duplicate detection.
        rates: the day's exchange rates, for limits set in a reference currency (``None``:
            only limits set in the payment's own currency apply).

    Derived facts (read-only, computed once): ``refundable`` (captured minus refunded minus
    in-flight minus lost chargebacks), ``captured``, ``captured_at``, ``currency`` (the
    payment's currency code), ``method``, ``segment``, ``open_dispute`` (an open dispute exists),
    ``blocking_dispute`` (an open dispute forbids a refund: ``Dispute.blocks_refund``),
    ``efw_actionable``, ``history`` (past refunds as ``(at, minor, currency)``, in the
    customer's order).
    """

    payment: Payment
    request: RefundRequest
    customer: Customer | None = None
    merchant: Merchant | None = None
    related_payments: tuple[Payment, ...] = attrs.field(default=(), converter=tuple)
    rates: ExchangeRates | None = None

    _amounts: PaymentAmounts = attrs.field(init=False, eq=False, repr=False)
    refundable: Money = attrs.field(init=False, eq=False, repr=False)
    captured_at: datetime | None = attrs.field(init=False, eq=False, repr=False)
    history: tuple[tuple[datetime, int, str], ...] = attrs.field(init=False, eq=False, repr=False)
    currency: str = attrs.field(init=False, eq=False, repr=False)

    def __init__(
        self,
        payment: Payment,
        request: RefundRequest,
        customer: Customer | None = None,
        merchant: Merchant | None = None,
        related_payments: Iterable[Payment] = (),
        rates: ExchangeRates | None = None,
    ) -> None:
        """The models, then the facts, as attrs' own ``__init__`` would set them.

        Written out (``init=False``) because a refund workflow builds one per request: the
        slots are set through their own setters and the facts computed in line, about a
        third less than the generated ``__init__`` with a factory call per fact.
        """
        (
            set_payment,
            set_request,
            set_customer,
            set_merchant,
            set_related,
            set_rates,
            set_amounts,
            set_refundable,
            set_captured_at,
            set_history,
            set_currency,
        ) = _REFUND_SETTERS
        set_payment(self, payment)
        set_request(self, request)
        set_customer(self, customer)
        set_merchant(self, merchant)
        set_related(
            self, related_payments if type(related_payments) is tuple else tuple(related_payments)
        )
        set_rates(self, rates)
        amounts = payment.amounts()
        set_amounts(self, amounts)
        cur = payment.amount.currency
        set_refundable(self, Money.from_minor(amounts.refundable, cur))
        set_captured_at(self, payment.captured_at)
        set_history(self, _history(customer))
        set_currency(self, cur.code)  # read by several rules per request

    @cached_property
    def captured(self) -> Money:
        """What was captured (computed on first use: few rules read it)."""
        return Money.from_minor(self._amounts.captured, self.refundable.currency)

    # Cheap facts are read through, not stored: building a context stays cheap (issue 13).
    @property
    def method(self) -> str:
        """The payment method type (``"card"``...)."""
        return self.payment.payment_method.type

    @property
    def segment(self) -> MerchantSegment | None:
        """The merchant's segment, if the merchant is known."""
        return self.merchant.segment if self.merchant is not None else None

    @property
    def open_dispute(self) -> bool:
        """An open dispute exists (any stage)."""
        disputes = self.payment.disputes
        return bool(disputes) and any(d.is_open for d in disputes)

    @property
    def blocking_dispute(self) -> bool:
        """An open dispute forbids a refund (``Dispute.blocks_refund``)."""
        disputes = self.payment.disputes
        return bool(disputes) and any(d.blocks_refund for d in disputes)

    @property
    def efw_actionable(self) -> bool:
        """An actionable early fraud warning is on the payment."""
        efw = self.payment.early_fraud_warning
        return efw is not None and efw.actionable

    @property
    def is_duplicate_claim(self) -> bool:
        """True when the request says the payment duplicates another."""
        return self.request.reason is _DUPLICATE or self.request.duplicate_of is not None


#: RefundContext's slots in ``__init__``'s order (its attrs fields, as declared).
_REFUND_SETTERS = _slot_setters(RefundContext)


def _stake(ctx: EscalationContext) -> Money | None:
    if ctx.amount is not None:
        return ctx.amount
    if ctx.dispute is not None:
        return ctx.dispute.amount
    return ctx.payment.amount if ctx.payment is not None else None


def _fraud_signals(ctx: EscalationContext) -> tuple[str, ...]:
    signals: list[str] = []
    if ctx.fraud_signal:
        signals.append("host_signal")
    if ctx.case.claim is _UNRECOGNIZED_CHARGE:
        signals.append("unrecognized_charge")
    if ctx.dispute is not None and ctx.dispute.category is _FRAUD:
        signals.append("fraud_dispute")
    if ctx.payment is not None and ctx.payment.early_fraud_warning is not None:
        signals.append("early_fraud_warning")
    return tuple(signals)


@attrs.frozen(slots=True, eq=False, init=False)
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

    stake: Money | None = attrs.field(init=False, eq=False, repr=False)
    currency: str | None = attrs.field(init=False, eq=False, repr=False)
    segment: MerchantSegment | None = attrs.field(init=False, eq=False, repr=False)
    stage: DisputeStage | None = attrs.field(init=False, eq=False, repr=False)
    fraud: tuple[str, ...] = attrs.field(init=False, eq=False, repr=False)

    def __init__(
        self,
        case: SupportCase,
        amount: Money | None = None,
        dispute: Dispute | None = None,
        payment: Payment | None = None,
        merchant: Merchant | None = None,
        fraud_signal: bool = False,
    ) -> None:
        """The fields, then the facts, as attrs' own ``__init__`` would set them.

        Written out (``init=False``), as RefundContext's is: triage builds one per case; the
        facts are computed in line instead of one factory call each.
        """
        (
            set_case,
            set_amount,
            set_dispute,
            set_payment,
            set_merchant,
            set_fraud_signal,
            set_stake,
            set_currency,
            set_segment,
            set_stage,
            set_fraud,
        ) = _ESCALATION_SETTERS
        set_case(self, case)
        set_amount(self, amount)
        set_dispute(self, dispute)
        set_payment(self, payment)
        set_merchant(self, merchant)
        set_fraud_signal(self, fraud_signal)
        stake = _stake(self)
        set_stake(self, stake)
        set_currency(self, stake.currency.code if stake is not None else None)
        set_segment(self, merchant.segment if merchant is not None else None)
        set_stage(self, dispute.stage if dispute is not None else None)
        set_fraud(self, _fraud_signals(self))


@attrs.frozen(slots=True, eq=False, init=False)
class DisputeContext:
    """A dispute to answer, with the payment and merchant behind it.

    Attributes:
        dispute: the dispute (reason code, stage, amount, evidence on file, ``due_by``).
        payment: the disputed payment, if loaded (a refund already issued counts).
        merchant: the merchant, if known.
        purchase: the disputed payment's buyer identifiers (device, IP, shipping address,
            account), for Visa CE 3.0.
        prior_purchases: the same customer's earlier payments with their identifiers.
    """

    dispute: Dispute
    payment: Payment | None = None
    merchant: Merchant | None = None
    purchase: PurchaseRecord | None = None
    prior_purchases: tuple[PurchaseRecord, ...] = attrs.field(default=(), converter=tuple)

    currency: str = _fact(lambda c: c.dispute.amount.currency.code)
    segment: MerchantSegment | None = _fact(
        lambda c: c.merchant.segment if c.merchant is not None else None
    )

    def __init__(
        self,
        dispute: Dispute,
        payment: Payment | None = None,
        merchant: Merchant | None = None,
        purchase: PurchaseRecord | None = None,
        prior_purchases: Iterable[PurchaseRecord] = (),
    ) -> None:
        """The fields, then the facts, as attrs' own ``__init__`` would set them.

        Written out (``init=False``), as RefundContext's is: a dispute workflow builds one per
        dispute; the facts are computed in line instead of one factory call each.
        """
        (
            set_dispute,
            set_payment,
            set_merchant,
            set_purchase,
            set_prior,
            set_currency,
            set_segment,
        ) = _DISPUTE_SETTERS
        set_dispute(self, dispute)
        set_payment(self, payment)
        set_merchant(self, merchant)
        set_purchase(self, purchase)
        set_prior(self, tuple(prior_purchases))
        set_currency(self, dispute.amount.currency.code)
        set_segment(self, merchant.segment if merchant is not None else None)


@attrs.frozen(slots=True, eq=False, init=False)
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

    currency: str = _fact(lambda c: c.failure.amount.currency.code)
    segment: MerchantSegment | None = _fact(
        lambda c: c.merchant.segment if c.merchant is not None else None
    )

    def __init__(
        self,
        failure: PaymentFailure,
        card_declines: Iterable[datetime] = (),
        merchant: Merchant | None = None,
    ) -> None:
        """The fields, then the facts, as attrs' own ``__init__`` would set them.

        Written out (``init=False``), as RefundContext's is: a decline workflow builds one per
        failure; the facts are computed in line instead of one factory call each.
        """
        set_failure, set_declines, set_merchant, set_currency, set_segment = _RETRY_SETTERS
        set_failure(self, failure)
        set_declines(self, tuple(card_declines))
        set_merchant(self, merchant)
        set_currency(self, failure.amount.currency.code)
        set_segment(self, merchant.segment if merchant is not None else None)


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


_ESCALATION_SETTERS = _slot_setters(EscalationContext)
_DISPUTE_SETTERS = _slot_setters(DisputeContext)
_RETRY_SETTERS = _slot_setters(RetryContext)
