"""Refunds: request → fairness decision → approval (four eyes) → ``IssueRefund`` → settle.

*Refund intent is not refund execution.* `request_refund` records what was granted as
a [`Refund`][paysupport.models.Refund] in ``requested`` (or ``awaiting_approval``) on the payment
and returns `IssueRefund`; the refund moves to ``pending``,
``succeeded``, ``failed``, ``requires_action`` or ``unknown`` only when the host feeds the
provider's answer back through `settle_refund`. A call that timed out is ``unknown``,
never "pending".
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from paysupport import lifecycles
from paysupport.errors import InvalidTransition, NotAuthorized, ValidationFailed
from paysupport.lifecycles import same_person
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
from paysupport.money import Money
from paysupport.policies import ApprovalContext, Decision, ExchangeRates, RefundContext, Verdict
from paysupport.policies.policy_set import DEFAULTS, PolicySet

from ._build import Builder, find_refund
from .effects import CancelPayment, IssueRefund, NotifyCustomer, RequestApproval
from .outcome import Outcome

__all__ = [
    "RefundResult",
    "approve_refund",
    "deny_refund",
    "refund_id_for",
    "request_refund",
    "settle_refund",
]

_RS = RefundStatus

# Enum members read on every case, bound once: on Python 3.11 reading a member off its
# class goes through EnumType's attribute hook (about 0.2 µs); a module name does not.
_DENY, _REVIEW = Verdict.DENY, Verdict.REVIEW
_OPERATOR, _CUSTOMER = RequesterKind.OPERATOR, RequesterKind.CUSTOMER
_REQUESTED, _AWAITING = RefundStatus.REQUESTED, RefundStatus.AWAITING_APPROVAL
_AUTHORIZED = PaymentStatus.AUTHORIZED

#: The refund events that record a provider's answer (never an approval step). Which one
#: records an answer is read from the refund lifecycle: the event that leads from the
#: refund's status to the answer's status. One answer, one event: history records what
#: happened, never a path synthesised to reach a state.
_PROVIDER_EVENTS = frozenset(
    {
        "submit",
        "submit_timed_out",
        "confirm_pending",
        "require_action",
        "succeed",
        "fail",
        "cancel",
        "reverse",
    }
)
#: The provider's possible answers (what `RefundResult` accepts).
_ANSWERS = frozenset(
    RefundStatus(t.target) for t in lifecycles.refund.transitions() if t.event in _PROVIDER_EVENTS
)
_FAILURE_EVENTS = frozenset({"fail", "reverse", "cancel"})
_REFERENCE_EVENTS = frozenset({"submit", "succeed", "confirm_pending"})
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
    and its [`IssueRefund`][paysupport.workflows.IssueRefund] carries the same idempotency key.
    """
    rid = f"rf_{request.id}"
    if len(rid) <= 255:
        return rid
    return "rf_" + hashlib.sha256(request.id.encode("utf-8")).hexdigest()[:40]


def _status(value: RefundStatus | str) -> RefundStatus:
    try:
        status = RefundStatus(value)
    except ValueError:
        status = None
    if status is None or status not in _ANSWERS:
        known = ", ".join(sorted(a.value for a in _ANSWERS))
        raise ValidationFailed(
            "status",
            "refund_answer",
            f"{value!r} is not a provider's answer to a refund; one of {known}",
        )
    return status


def _failure_reason(value: RefundFailureReason | str | None) -> RefundFailureReason | None:
    if value is None:
        return None
    try:
        return RefundFailureReason(value)
    except ValueError:
        known = ", ".join(r.value for r in RefundFailureReason)
        raise ValidationFailed(
            "failure_reason",
            "refund_failure_reason",
            f"{value!r} is not a documented refund failure reason; one of {known}",
        ) from None


@attrs.frozen(kw_only=True)
class RefundResult:
    """The provider's answer to an `IssueRefund`, as the host's adapter reports it.

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
        default=None, converter=_failure_reason
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
        return cls(status=_RS.FAILED, failure_reason=reason, provider_reference=provider_reference)

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
    operators: Mapping[str, Operator] | None = None,
    related_payments: Iterable[Payment] = (),
    rates: ExchangeRates | None = None,
    now: datetime,
) -> Outcome:
    """Decide a refund request and, if granted, record the refund and ask for its execution.

    The refund-fairness policy decides; the authority policy routes it. A review, or an
    amount above the acting operator's authority, parks the refund in ``awaiting_approval``
    with `RequestApproval` for the tier the routed decision names (four eyes); else
    the refund is ``requested`` with `IssueRefund`. A denial changes nothing and
    tells the customer. An uncaptured authorization is voided (`CancelPayment`).

    Authority is never granted by omission: a request made by an operator
    (``requested_by="operator"``) is checked against *that* operator's authority, found as
    ``operator`` (when it is the requester, or the request names nobody) or in
    ``operators``; an operator the host cannot name is refused.

    Handling the same request again (same ``request.id``) changes nothing and returns the
    refund's pending effect again, with the same idempotency key.

    Args:
        payment: the payment to refund, as the host has it.
        request: the request (from a customer, an operator or a duplicate-charge finding).
        policies: the policies to consult.
        customer: the customer with their refund history, if loaded.
        merchant: the merchant, if loaded.
        operator: the operator handling the request, if any (their limit applies).
        operators: the host's operator directory by id, where the requesting operator is
            looked up when ``operator`` is not them.
        related_payments: the customer's other recent payments (duplicate detection).
        rates: the day's exchange rates, for limits set in a reference currency.
        now: the time of the decision.

    Returns:
        The outcome: the refund decision (the fairness decision, or the authority's routing
        of it, with the fairness decision in ``parts``), the payment, the effects.

    Raises:
        ValidationFailed: the request is for another payment.
        NotAuthorized: an operator's request names an operator the host did not pass.
    """
    b = Builder()
    request_refund_into(
        b,
        payment,
        request,
        policies=policies,
        customer=customer,
        merchant=merchant,
        operator=operator,
        operators=operators,
        related_payments=related_payments,
        rates=rates,
        now=now,
    )
    return b.build()


def request_refund_into(
    b: Builder,
    payment: Payment,
    request: RefundRequest,
    *,
    policies: PolicySet = DEFAULTS,
    customer: Customer | None = None,
    merchant: Merchant | None = None,
    operator: Operator | None = None,
    operators: Mapping[str, Operator] | None = None,
    related_payments: Iterable[Payment] = (),
    rates: ExchangeRates | None = None,
    now: datetime,
) -> None:
    """`request_refund`, writing its records into ``b`` (a workflow that goes on after it).

    The same decisions, notes, changes and effects in the same order as `request_refund`
    returns them, without building an outcome the caller would only take apart again.

    Raises:
        ValidationFailed: the request is for another payment.
        NotAuthorized: an operator's request names an operator the host did not pass.
    """
    if request.payment_id != payment.id:
        raise ValidationFailed(
            "request.payment_id",
            "request_for_payment",
            f"the request is for payment {request.payment_id!r}, not {payment.id!r}",
        )
    rid = refund_id_for(request)
    existing = None
    for r in payment.refunds:  # a loop, not a generator: most payments have none or few
        if r.id == rid:
            existing = r
            break
    if existing is not None:
        b.note("already_requested", f"refund {rid} exists ({existing.status.value})")
        _pending_effects(b, payment, existing)
        return
    if not payment.captures and payment.status is _AUTHORIZED:
        _void_instead(b, payment, request)
        return
    acting = _acting_operator(request, operator, operators)
    related: Any = tuple(related_payments)
    context = RefundContext(payment, request, customer, merchant, related, rates=rates)
    decision = b.decide(
        _route(policies, policies.refund.decide(context, now), request, acting, rates)
    )
    amount = decision.amount
    if decision.outcome is _DENY or amount is None or not amount.is_positive():
        _denied(b, payment, request, decision.codes)
        return
    needs = decision.tier if decision.outcome is _REVIEW else None
    requester = request.requester_id or (acting.id if acting is not None else None)
    _record(b, payment, request, rid, amount, requester, needs, decision.codes, now)


def _void_instead(b: Builder, payment: Payment, request: RefundRequest) -> None:
    b.effect(
        CancelPayment(
            payment_id=payment.id,
            reason=request.reason.value,
            provider=payment.provider,
            provider_reference=payment.provider_reference,
        )
    )
    b.note("cancel_instead_of_refund", "nothing is captured: void the authorization")


def _new_refund(
    payment: Payment,
    request: RefundRequest,
    rid: str,
    amount: Money,
    requester: str | None,
    now: datetime,
) -> Refund:
    """The refund a granted request creates on ``payment`` (validated, not yet recorded).

    The payment's id and provider and the request's id, reason and note are fields of
    validated models of the library's own classes, declared with the same types on `Refund`
    (`_COPIED`): copied as they are (`Refund.from_parts`). The id, amount, time and
    requester are validated (taken as they are when their fields take them so).
    """
    if type(payment) is Payment and type(request) is RefundRequest:
        # One read of each model's fields, not one attribute read per field.
        sources = {Payment: payment.__dict__, RefundRequest: request.__dict__}
        trusted = {field: sources[model][name] for field, model, name in _COPIED}
        return Refund.from_parts(
            trusted, id=rid, amount=amount, created_at=now, requested_by=requester
        )
    return Refund(
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


#: The fields `_new_refund` copies: (refund field, model, its field holding the value).
_COPIED = (
    ("payment_id", Payment, "id"),
    ("reason", RefundRequest, "reason"),
    ("request_id", RefundRequest, "id"),
    ("provider", Payment, "provider"),
    ("note", RefundRequest, "note"),
)


def _record(
    b: Builder,
    payment: Payment,
    request: RefundRequest,
    rid: str,
    amount: Money,
    requester: str | None,
    needs: Tier | None,
    reasons: tuple[str, ...],
    now: datetime,
) -> None:
    """Record the granted refund on the payment (parked when a tier must approve it)."""
    refund = _new_refund(payment, request, rid, amount, requester, now)
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
        b.note("awaiting_approval", f"a {needs} operator must approve {amount}")
    after = payment.with_refund(refund)
    b.change(payment, after)
    _pending_effects(b, after, refund, needs=needs, reasons=reasons)


def _acting_operator(
    request: RefundRequest,
    operator: Operator | None,
    operators: Mapping[str, Operator] | None,
) -> Operator | None:
    """The operator whose authority applies to the request (``None``: nobody's).

    Raises:
        NotAuthorized: an operator's request whose operator the host did not pass.
    """
    if request.requested_by is not _OPERATOR:
        return operator
    wanted = request.requester_id
    if wanted is None or (operator is not None and same_person(operator.id, wanted)):
        if operator is not None:
            return operator
    else:
        directory = operators or {}
        found = directory.get(wanted)
        if found is None:
            found = next((o for k, o in directory.items() if same_person(k, wanted)), None)
        if found is not None:
            return found
    raise NotAuthorized(
        wanted or "(unnamed)",
        f"request a refund on payment {request.payment_id}",
        "the requesting operator is unknown: pass them as operator= or in operators=, "
        "so that their authority is checked",
    )


def _denied(b: Builder, payment: Payment, request: RefundRequest, codes: tuple[str, ...]) -> None:
    if request.requested_by is _CUSTOMER:
        b.effect(
            NotifyCustomer(
                customer_id=payment.customer_id,
                template="refund_denied",
                subject_id=request.id,
                params=(("reason", codes[0]),) if codes else (),
            )
        )
    b.note("refund_denied", "; ".join(codes))


def _route(
    policies: PolicySet,
    decision: Decision,
    request: RefundRequest,
    acting: Operator | None,
    rates: ExchangeRates | None,
) -> Decision:
    """The refund decision the workflow acts on: the fairness decision routed by authority.

    ``OperatorAuthority.route`` is the one place that names the approving tier: the
    decision it returns (review, with that tier) is recorded, and `RequestApproval`
    asks for the same tier. A plain approval nobody's authority had to check is the fairness
    decision itself.
    """
    outcome = decision.outcome
    if outcome is _DENY or decision.amount is None:
        return decision
    operator_request = request.requested_by is _OPERATOR
    if acting is None and not operator_request and outcome is not _REVIEW:
        # Nobody's authority to check and nothing to route: ``route`` would hand back the
        # same outcome with the fairness decision as its only part, which is not kept.
        return decision
    routed = policies.authority.route(
        decision,
        operator=acting,
        operator_request=operator_request,
        requester_id=(request.requester_id or acting.id) if acting is not None else None,
        rates=rates,
    )
    if routed.outcome is decision.outcome is not _REVIEW and len(routed.parts) < 2:
        return decision
    return routed


def _pending_effects(
    b: Builder,
    payment: Payment,
    refund: Refund,
    *,
    needs: Tier | None = None,
    reasons: tuple[str, ...] = (),
) -> None:
    """The effect a refund waits for in its current state (again, with the same key)."""
    status = refund.status
    if status is _REQUESTED:
        b.effect(IssueRefund.for_refund(payment, refund))
    elif status is _AWAITING:
        tier = needs
        if tier is None or not reasons:  # asked again: read what the parking event recorded
            history = refund.history
            last = history[-1] if history else None
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
    rates: ExchangeRates | None = None,
    now: datetime,
) -> Outcome:
    """A second operator approves a refund awaiting approval; returns `IssueRefund`.

    The acting operator is the approver. Four eyes: the approver may not be the requester
    (ids compared trimmed and case-folded), must be active, and the amount must be within
    their authority (`OperatorAuthority`, with ``rates`` for limits
    set in a reference currency). The refund lifecycle's guard checks four eyes on the actor
    again. Approving an already approved refund again (same approver) changes nothing and
    returns the same [`IssueRefund`][paysupport.workflows.IssueRefund].

    Raises:
        NotFound: no such refund on the payment (``refund_id``).
        NotAuthorized: four eyes, an inactive approver, or an amount above their limit.
        InvalidTransition: the refund is not awaiting approval.
    """
    refund = find_refund(payment, refund_id)
    b = Builder()
    if refund.status is RefundStatus.REQUESTED and same_person(refund.approved_by, approver.id):
        b.note("already_approved", f"refund {refund.id} was approved by {approver.id}")
        _pending_effects(b, payment, refund)
        return b.build()
    auth = b.decide(
        policies.authority.decide(
            ApprovalContext(approver, refund.amount, refund.requested_by, rates=rates)
        )
    )
    if auth.outcome is not Verdict.APPROVE:
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
        NotFound: no such refund on the payment (``refund_id``).
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
def _answer_event(refund: Refund, answer: RefundStatus) -> str | None:
    """The one refund event that records ``answer`` from the refund's status, or ``None``.

    Read from the refund lifecycle's table. A ``reversed`` answer for a refund that never
    succeeded is recorded as a failure: the money never reached the customer, and
    ``reversed`` only ever follows a success.
    """
    target = answer
    if answer is RefundStatus.REVERSED and refund.status is not RefundStatus.SUCCEEDED:
        target = RefundStatus.FAILED
    rows = lifecycles.refund.table.get(refund.status.value, {})
    for event, transitions in rows.items():
        if event in _PROVIDER_EVENTS and any(t.target == target.value for t in transitions):
            return event
    return None


def settle_refund(
    payment: Payment,
    refund_id: str,
    result: RefundResult,
    *,
    now: datetime,
    data: Mapping[str, str] | None = None,
) -> Outcome:
    """Feed the provider's answer to an [`IssueRefund`][paysupport.workflows.IssueRefund] back in.

    Records the answer as ONE refund event, the one the refund lifecycle has from the
    refund's status to the answer (``requested`` → ``pending`` / ``succeeded`` /
    ``unknown``; ``pending`` → ``failed``; ``succeeded`` → ``reversed`` for a late
    reversal...). A reversal of a refund that never succeeded ends it ``failed``. The
    payment is marked refunded or partially refunded on success (and back on a reversal),
    and the customer is told. The same answer twice changes nothing (note
    ``already_<status>``); an answer the refund cannot take from where it is is recognised
    and not applied (note ``not_applicable``).

    Args:
        payment: the payment holding the refund.
        refund_id: our refund id or the provider's.
        result: the provider's answer.
        now: when the answer arrived.
        data: extra text recorded on the fired event (the provider event id, ...).

    Raises:
        NotFound: no such refund on the payment (``refund_id``).
    """
    refund = find_refund(payment, refund_id)
    b = Builder()
    target = result.status
    if refund.status is target:
        b.note(f"already_{target.value}", f"refund {refund.id} is already {target.value}")
        return b.build()
    event = _answer_event(refund, target)
    if event is None:
        b.note(
            "not_applicable",
            f"refund {refund.id} is {refund.status.value}; {target.value} cannot follow",
        )
        return b.build()
    values: dict[str, object] = dict(data or {})
    if event in _REFERENCE_EVENTS:
        for key in ("provider_reference", "provider_status"):
            value = getattr(result, key)
            if value:
                values[key] = value
        if payment.provider:
            values["provider"] = payment.provider
    if event in _FAILURE_EVENTS and result.failure_reason is not None:
        values["failure_reason"] = result.failure_reason
    p = payment
    if event == "succeed":
        p = _payment_step(b, p, "settle_refund", refund.id, now)
    elif event == "reverse":
        p = _payment_step(b, p, "reverse_refund", refund.id, now)
    r = b.fire(lifecycles.refund, refund, event, now=now, data=values)
    b.change(payment, p.with_refund(r))
    template = _NOTIFY.get(r.status)
    if template is not None:
        b.effect(
            NotifyCustomer(
                customer_id=payment.customer_id,
                template=template,
                subject_id=r.id,
                params=(("amount", str(r.amount)),),
            )
        )
    if r.status is RefundStatus.UNKNOWN:
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
