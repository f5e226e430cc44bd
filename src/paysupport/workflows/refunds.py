"""Refunds: request → fairness decision → approval (four eyes) → ``IssueRefund`` → settle.

*Refund intent is not refund execution.* :func:`request_refund` records what was granted as
a :class:`~paysupport.models.Refund` in ``requested`` (or ``awaiting_approval``) on the payment
and returns :class:`~paysupport.workflows.effects.IssueRefund`; the refund moves to ``pending``,
``succeeded``, ``failed``, ``requires_action`` or ``unknown`` only when the host feeds the
provider's answer back through :func:`settle_refund`. A call that timed out is ``unknown``,
never "pending".
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from paysupport import lifecycles
from paysupport.errors import InvalidTransition, NotAuthorized, ValidationFailed
from paysupport.models import (
    Customer,
    Merchant,
    Operator,
    Payment,
    PaymentStatus,
    Refund,
    RefundFailureReason,
    RefundRequest,
    RefundStatus,
    RequesterKind,
    Tier,
)
from paysupport.policies import ApprovalContext, RefundContext
from paysupport.policies import Outcome as PolicyOutcome

from ._build import Builder, find_refund
from .effects import CancelPayment, IssueRefund, NotifyCustomer, RequestApproval
from .outcome import Outcome
from .policies import DEFAULTS, PolicySet

__all__ = [
    "REFUND_PATHS",
    "RefundResult",
    "approve_refund",
    "deny_refund",
    "refund_id_for",
    "request_refund",
    "settle_refund",
]

_RS = RefundStatus

#: The refund events that take a refund from its status to the provider's answer.
REFUND_PATHS: Mapping[tuple[RefundStatus, RefundStatus], tuple[str, ...]] = MappingProxyType(
    {
        (_RS.REQUESTED, _RS.PENDING): ("submit",),
        (_RS.REQUESTED, _RS.SUCCEEDED): ("succeed",),
        (_RS.REQUESTED, _RS.FAILED): ("submit", "fail"),
        (_RS.REQUESTED, _RS.UNKNOWN): ("submit_timed_out",),
        (_RS.REQUESTED, _RS.REQUIRES_ACTION): ("submit", "require_action"),
        (_RS.REQUESTED, _RS.CANCELED): ("cancel",),
        (_RS.REQUESTED, _RS.REVERSED): ("succeed", "reverse"),
        (_RS.PENDING, _RS.SUCCEEDED): ("succeed",),
        (_RS.PENDING, _RS.FAILED): ("fail",),
        (_RS.PENDING, _RS.REQUIRES_ACTION): ("require_action",),
        (_RS.PENDING, _RS.REVERSED): ("succeed", "reverse"),
        (_RS.UNKNOWN, _RS.PENDING): ("confirm_pending",),
        (_RS.UNKNOWN, _RS.SUCCEEDED): ("succeed",),
        (_RS.UNKNOWN, _RS.FAILED): ("fail",),
        (_RS.UNKNOWN, _RS.REQUIRES_ACTION): ("require_action",),
        (_RS.UNKNOWN, _RS.REVERSED): ("succeed", "reverse"),
        (_RS.REQUIRES_ACTION, _RS.SUCCEEDED): ("succeed",),
        (_RS.REQUIRES_ACTION, _RS.FAILED): ("fail",),
        (_RS.REQUIRES_ACTION, _RS.CANCELED): ("cancel",),
        (_RS.SUCCEEDED, _RS.REVERSED): ("reverse",),
    }
)

_ANSWERS = frozenset(s for (_, s) in REFUND_PATHS)
_FAILURE_EVENTS = frozenset({"fail", "reverse", "cancel"})
_PROVIDER_EVENTS = frozenset({"submit", "succeed", "confirm_pending"})
_NOTIFY = {
    _RS.SUCCEEDED: "refund_succeeded",
    _RS.FAILED: "refund_failed",
    _RS.REVERSED: "refund_reversed",
    _RS.REQUIRES_ACTION: "refund_requires_action",
    _RS.CANCELED: "refund_canceled",
}


def refund_id_for(request: RefundRequest) -> str:
    """The id of the refund a request leads to: ``"rf_{request.id}"`` (hashed if too long).

    Derived only from the request, so handling the same request twice names the same refund
    and its :class:`IssueRefund` carries the same idempotency key.
    """
    rid = f"rf_{request.id}"
    if len(rid) <= 255:
        return rid
    return "rf_" + hashlib.sha256(request.id.encode("utf-8")).hexdigest()[:40]


def _status(value: RefundStatus | str) -> RefundStatus:
    status = RefundStatus(value)
    if status not in _ANSWERS:
        raise ValueError(f"{status.value!r} is not a provider's answer to a refund")
    return status


@attrs.frozen(kw_only=True)
class RefundResult:
    """The provider's answer to an :class:`IssueRefund`, as the host's adapter reports it.

    Attributes:
        status: ``pending``, ``succeeded``, ``failed``, ``requires_action``, ``canceled``,
            ``reversed`` (a succeeded refund undone later), or ``unknown`` (the call timed
            out: we do not know whether the provider has it).
        failure_reason: for failed, canceled and reversed, Stripe's documented reason.
        provider_reference: the provider's refund id (``re_...``, a pspReference).
        provider_status: the provider's raw status string.
    """

    status: RefundStatus = attrs.field(converter=_status)
    failure_reason: RefundFailureReason | None = attrs.field(
        default=None, converter=attrs.converters.optional(RefundFailureReason)
    )
    provider_reference: str | None = None
    provider_status: str | None = None

    @classmethod
    def succeeded(cls, provider_reference: str | None = None) -> RefundResult:
        """The provider refunded the money."""
        return cls(status=_RS.SUCCEEDED, provider_reference=provider_reference)

    @classmethod
    def pending(cls, provider_reference: str | None = None) -> RefundResult:
        """The provider accepted the call; the outcome comes later."""
        return cls(status=_RS.PENDING, provider_reference=provider_reference)

    @classmethod
    def failed(
        cls,
        reason: RefundFailureReason | str = RefundFailureReason.UNKNOWN,
        provider_reference: str | None = None,
    ) -> RefundResult:
        """The refund failed (lost card, closed account...)."""
        return cls(
            status=_RS.FAILED,
            failure_reason=RefundFailureReason(reason),
            provider_reference=provider_reference,
        )

    @classmethod
    def unknown(cls) -> RefundResult:
        """The call timed out or its answer was lost: neither failed nor pending."""
        return cls(status=_RS.UNKNOWN)


# ---------------------------------------------------------------------- request
def request_refund(
    payment: Payment,
    request: RefundRequest,
    *,
    policies: PolicySet = DEFAULTS,
    customer: Customer | None = None,
    merchant: Merchant | None = None,
    operator: Operator | None = None,
    related_payments: Iterable[Payment] = (),
    now: datetime,
) -> Outcome:
    """Decide a refund request and, if granted, record the refund and ask for its execution.

    The refund-fairness policy decides (approve / partial / review / deny). A review, or an
    amount above the acting ``operator``'s authority, parks the refund in
    ``awaiting_approval`` and returns :class:`RequestApproval` for a tier that may approve
    it (four eyes); otherwise the refund is recorded as ``requested`` and
    :class:`IssueRefund` is returned. A denial changes nothing and tells the customer. An
    uncaptured authorization is voided instead (:class:`CancelPayment`).

    Handling the same request again (same ``request.id``) changes nothing and returns the
    refund's pending effect again, with the same idempotency key.

    Args:
        payment: the payment to refund, as the host has it.
        request: the request (from a customer, an operator or a duplicate-charge finding).
        policies: the policies to consult.
        customer: the customer with their refund history, if loaded.
        merchant: the merchant, if loaded.
        operator: the operator handling the request, if any (their limit applies).
        related_payments: the customer's other recent payments (duplicate detection).
        now: the time of the decision.

    Returns:
        The outcome: the fairness (and authority) decisions, the payment with the new
        refund, and the effects.

    Raises:
        ValidationFailed: the request is for another payment.
    """
    if request.payment_id != payment.id:
        raise ValidationFailed(
            "request.payment_id",
            "request_for_payment",
            f"the request is for payment {request.payment_id!r}, not {payment.id!r}",
        )
    b = Builder()
    rid = refund_id_for(request)
    existing = next((r for r in payment.refunds if r.id == rid), None)
    if existing is not None:
        b.note("already_requested", f"refund {rid} exists ({existing.status.value})")
        _pending_effects(b, payment, existing)
        return b.build()
    if not payment.captures and payment.status is PaymentStatus.AUTHORIZED:
        b.effect(
            CancelPayment(
                payment_id=payment.id,
                reason=request.reason.value,
                provider=payment.provider,
                provider_reference=payment.provider_reference,
            )
        )
        b.note("cancel_instead_of_refund", "nothing is captured: void the authorization")
        return b.build()
    related: Any = tuple(related_payments)
    ctx = RefundContext(payment, request, customer, merchant, related)
    decision = b.decide(policies.refund.decide(ctx, now))
    amount = decision.amount
    if decision.outcome is PolicyOutcome.DENY or amount is None or not amount.is_positive():
        if request.requested_by is RequesterKind.CUSTOMER:
            b.effect(
                NotifyCustomer(
                    customer_id=payment.customer_id,
                    template="refund_denied",
                    subject_id=request.id,
                    params=tuple(("reason", c) for c in decision.codes[:1]),
                )
            )
        b.note("refund_denied", "; ".join(decision.codes))
        return b.build()
    requester = request.requester_id or (operator.id if operator is not None else None)
    needs: Tier | None = None
    reasons = decision.codes
    authority = policies.authority
    if decision.outcome is PolicyOutcome.REVIEW:
        needs = _max_tier(decision.tier or Tier.MIDDLE, authority.tier_needed(amount))
    elif operator is not None:
        auth = b.decide(authority.decide(ApprovalContext(operator, amount, None)))
        if auth.outcome is not PolicyOutcome.APPROVE:
            needs = _max_tier(auth.tier or Tier.SENIOR, authority.tier_needed(amount))
            reasons = auth.codes
    refund = Refund(
        id=rid,
        payment_id=payment.id,
        amount=amount,
        reason=request.reason,
        created_at=now,
        request_id=request.id,
        requested_by=requester,
        provider=payment.provider,
        note=request.note,
    )
    if needs is not None:
        refund = b.fire(
            lifecycles.refund,
            refund,
            "require_approval",
            now=now,
            actor=requester,
            reason=", ".join(reasons),
            tier=needs,
        )
        b.note("awaiting_approval", f"a {needs.value} operator must approve {amount}")
    after = payment.with_refund(refund)
    b.change(payment, after)
    _pending_effects(b, after, refund, needs=needs, reasons=reasons)
    return b.build()


def _max_tier(a: Tier, b: Tier | None) -> Tier:
    if b is None:
        return Tier.SENIOR
    return a if a >= b else b


def _pending_effects(
    b: Builder,
    payment: Payment,
    refund: Refund,
    *,
    needs: Tier | None = None,
    reasons: tuple[str, ...] = (),
) -> None:
    """The effect a refund waits for in its current state (again, with the same key)."""
    if refund.status is RefundStatus.REQUESTED:
        b.effect(IssueRefund.for_refund(payment, refund))
    elif refund.status is RefundStatus.AWAITING_APPROVAL:
        tier = needs
        last = refund.history[-1] if refund.history else None
        if tier is None:
            recorded = last.data.get("tier") if last is not None else None
            tier = Tier(recorded) if recorded else Tier.MIDDLE
        if not reasons and last is not None and last.reason:
            reasons = tuple(last.reason.split(", "))
        b.effect(
            RequestApproval(
                payment_id=payment.id,
                refund_id=refund.id,
                amount=refund.amount,
                tier=tier,
                requested_by=refund.requested_by,
                reasons=reasons,
            )
        )


# ---------------------------------------------------------------------- approval
def approve_refund(
    payment: Payment,
    refund_id: str,
    approver: Operator,
    *,
    policies: PolicySet = DEFAULTS,
    now: datetime,
) -> Outcome:
    """A second operator approves a refund awaiting approval; returns :class:`IssueRefund`.

    Four eyes: the approver may not be the requester, must be active, and the amount must be
    within their authority (:class:`~paysupport.policies.OperatorAuthority`). Approving an
    already approved refund again (same approver) changes nothing and returns the same
    :class:`IssueRefund`.

    Raises:
        KeyError: no such refund on the payment.
        NotAuthorized: four eyes, an inactive approver, or an amount above their limit.
        InvalidTransition: the refund is not awaiting approval.
    """
    refund = find_refund(payment, refund_id)
    b = Builder()
    if refund.status is RefundStatus.REQUESTED and refund.approved_by == approver.id:
        b.note("already_approved", f"refund {refund.id} was approved by {approver.id}")
        _pending_effects(b, payment, refund)
        return b.build()
    auth = b.decide(
        policies.authority.decide(ApprovalContext(approver, refund.amount, refund.requested_by))
    )
    if auth.outcome is not PolicyOutcome.APPROVE:
        raise NotAuthorized(
            approver.id, f"approve refund of {refund.amount}", auth.reasons[0].message
        )
    approved = b.fire(
        lifecycles.refund, refund, "approve", now=now, actor=approver.id, approver=approver.id
    )
    after = payment.with_refund(approved)
    b.change(payment, after)
    _pending_effects(b, after, approved)
    return b.build()


def deny_refund(
    payment: Payment,
    refund_id: str,
    approver: Operator,
    *,
    now: datetime,
    reason: str | None = None,
) -> Outcome:
    """An approver turns down a refund awaiting approval; the customer is told.

    Raises:
        KeyError: no such refund on the payment.
        InvalidTransition: the refund is not awaiting approval.
    """
    refund = find_refund(payment, refund_id)
    b = Builder()
    denied = b.fire(
        lifecycles.refund,
        refund,
        "deny",
        now=now,
        actor=approver.id,
        reason=reason,
        failure_reason=RefundFailureReason.MERCHANT_REQUEST,
    )
    after = payment.with_refund(denied)
    b.change(payment, after)
    b.effect(
        NotifyCustomer(
            customer_id=payment.customer_id,
            template="refund_denied",
            subject_id=refund.request_id or refund.id,
        )
    )
    return b.build()


# ---------------------------------------------------------------------- settlement
def settle_refund(
    payment: Payment,
    refund_id: str,
    result: RefundResult,
    *,
    now: datetime,
    data: Mapping[str, str] | None = None,
) -> Outcome:
    """Feed the provider's answer to an :class:`IssueRefund` back in.

    Moves the refund along :data:`REFUND_PATHS` (``requested`` → ``pending`` /
    ``succeeded`` / ``unknown`` ...; ``succeeded`` → ``reversed`` for a late reversal), marks
    the payment refunded or partially refunded on success (and back on a reversal), and
    tells the customer. The same answer twice changes nothing (note ``already_<status>``);
    an answer the refund cannot take from where it is is recognised and not applied (note
    ``not_applicable``).

    Args:
        payment: the payment holding the refund.
        refund_id: our refund id or the provider's.
        result: the provider's answer.
        now: when the answer arrived.
        data: extra text recorded on the fired events (the provider event id, ...).

    Raises:
        KeyError: no such refund on the payment.
    """
    refund = find_refund(payment, refund_id)
    b = Builder()
    target = result.status
    if refund.status is target:
        b.note(f"already_{target.value}", f"refund {refund.id} is already {target.value}")
        return b.build()
    path = REFUND_PATHS.get((refund.status, target))
    if path is None:
        b.note(
            "not_applicable",
            f"refund {refund.id} is {refund.status.value}; {target.value} cannot follow",
        )
        return b.build()
    extra = dict(data or {})
    p = payment
    r = refund
    for event in path:
        values: dict[str, object] = dict(extra)
        if event in _PROVIDER_EVENTS:
            for key in ("provider_reference", "provider_status"):
                value = getattr(result, key)
                if value:
                    values[key] = value
            if payment.provider:
                values["provider"] = payment.provider
        if event in _FAILURE_EVENTS and result.failure_reason is not None:
            values["failure_reason"] = result.failure_reason
        if event == "succeed":
            p = _payment_step(b, p, "settle_refund", r.id, now)
        elif event == "reverse":
            p = _payment_step(b, p, "reverse_refund", r.id, now)
        r = b.fire(lifecycles.refund, r, event, now=now, data=values)
        p = p.with_refund(r)
    b.change(payment, p)
    template = _NOTIFY.get(target)
    if template is not None:
        b.effect(
            NotifyCustomer(
                customer_id=payment.customer_id,
                template=template,
                subject_id=r.id,
                params=(("amount", str(r.amount)),),
            )
        )
    if target is RefundStatus.UNKNOWN:
        b.note(
            "outcome_unknown",
            "the provider's answer never came: re-send the same IssueRefund (same "
            "idempotency key) or wait for its notification",
        )
    return b.build()


def _payment_step(
    b: Builder, payment: Payment, event: str, refund_id: str, now: datetime
) -> Payment:
    try:
        return b.fire(lifecycles.payment, payment, event, now=now, refund_id=refund_id)
    except InvalidTransition as exc:
        # The provider's answer is a fact; the refund is recorded even when the payment's
        # own status cannot follow.
        b.note("payment_status_not_updated", exc.reason)
        return payment
