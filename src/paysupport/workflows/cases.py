"""Support cases: the entry point a support tool calls, `triage`, and the case's life.

[`triage`][paysupport.workflows.triage] takes a customer's claim and what the host loaded around it
(`CaseContext`), identifies the payment(s), assigns a tier and an SLA, plans the
resolution, and routes the case to the matching workflow (refund, dispute, failed payment):
one [`Outcome`][paysupport.workflows.Outcome] with every decision, change and effect.
`escalate_if_sla_near`, `resolve`, `reopen` and `close` follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import attrs

from paysupport import lifecycles
from paysupport.models import (
    CaseStatus,
    ClaimKind,
    Customer,
    Dispute,
    Merchant,
    Operator,
    Payment,
    PaymentFailure,
    RefundReason,
    RefundRequest,
    RequesterKind,
    SupportCase,
    Tier,
)
from paysupport.money import Money
from paysupport.policies import EscalationContext, ExchangeRates, ResolutionContext
from paysupport.policies.policy_set import DEFAULTS, PolicySet

from ._build import Builder
from .disputes import plan_response
from .effects import AssignCase, NotifyCustomer
from .failures import handle_decline_into
from .outcome import Outcome
from .refunds import request_refund_into

__all__ = ["CaseContext", "close", "escalate_if_sla_near", "reopen", "resolve", "triage"]

_US = timedelta(microseconds=1)
_REFUND_CLAIMS = frozenset(
    {ClaimKind.REFUND_REQUEST, ClaimKind.OVERCHARGE, ClaimKind.DUPLICATE_CHARGE}
)
_OPEN = frozenset(
    {
        CaseStatus.TRIAGED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.WAITING_ON_CUSTOMER,
        CaseStatus.WAITING_ON_NETWORK,
        CaseStatus.ESCALATED,
    }
)
# Members read per case, as module names (``Enum.MEMBER`` goes through EnumType's hook).
_DISPUTE_RECEIVED = ClaimKind.DISPUTE_RECEIVED
_DUPLICATE_CHARGE = ClaimKind.DUPLICATE_CHARGE
_OVERCHARGE = ClaimKind.OVERCHARGE
_UNRECOGNIZED = ClaimKind.UNRECOGNIZED_CHARGE
_FAILED_PAYMENT = ClaimKind.FAILED_PAYMENT
_NEW = CaseStatus.NEW
_JUNIOR = Tier.JUNIOR
_CUSTOMER = RequesterKind.CUSTOMER
_REASON_DUPLICATE = RefundReason.DUPLICATE
_REASON_OVERCHARGE = RefundReason.OVERCHARGE
_REASON_FRAUDULENT = RefundReason.FRAUDULENT


def _tuple(value: Sequence[Payment] | None) -> tuple[Payment, ...]:
    return tuple(value or ())


@attrs.frozen(kw_only=True)
class CaseContext:
    """What the host loaded around a case, for [`triage`][paysupport.workflows.triage].

    Attributes:
        payments: the payments the case may be about (those named by the case first).
        customer: the customer with their refund history, if loaded.
        merchant: the merchant, if loaded.
        failure: the declined payment, for a failed-payment claim.
        related_payments: the customer's other recent payments (duplicate detection);
            defaults to ``payments``.
        operator: the operator triaging, if a person does (assigned, and their authority
            applies to refunds).
        refund_request: the refund request, when the host has one; otherwise triage derives
            it from the claim (id ``"{case.id}.refund"``).
        correct_amount: for an overcharge, what the customer should have paid.
        fraud_signal: the host's own fraud signal.
        card_declines: other declines of the card at the merchant (retry limits).
        rates: the day's exchange rates, for refund limits set in a reference currency.
    """

    payments: tuple[Payment, ...] = attrs.field(default=(), converter=_tuple)
    customer: Customer | None = None
    merchant: Merchant | None = None
    failure: PaymentFailure | None = None
    related_payments: tuple[Payment, ...] = attrs.field(default=(), converter=_tuple)
    operator: Operator | None = None
    refund_request: RefundRequest | None = None
    correct_amount: Money | None = None
    fraud_signal: bool = False
    card_declines: tuple[datetime, ...] = attrs.field(default=(), converter=tuple)
    rates: ExchangeRates | None = None


def _loaded(payments: tuple[Payment, ...], payment_id: str) -> Payment | None:
    """The loaded payment with this id (the last, as a dict by id keeps), or ``None``.

    A loop, not a dict: a case names one or two payments and the host loads a few.
    """
    found = None
    for p in payments:
        if p.id == payment_id:
            found = p
    return found


def _identify(case: SupportCase, ctx: CaseContext, b: Builder) -> tuple[Payment, ...]:
    if case.payment_ids:
        found: list[Payment] = []
        missing: list[str] = []
        for i in case.payment_ids:
            p = _loaded(ctx.payments, i)
            if p is None:
                missing.append(i)
            else:
                found.append(p)
        if missing:
            b.note("payment_not_loaded", ", ".join(missing))
        return tuple(found)
    if case.dispute_id is not None:
        holding = tuple(p for p in ctx.payments if any(d.id == case.dispute_id for d in p.disputes))
        if holding:
            return holding
    return ctx.payments


def _dispute_of(case: SupportCase, payments: tuple[Payment, ...]) -> Dispute | None:
    for p in payments:
        for d in p.disputes:
            if case.dispute_id is not None and d.id == case.dispute_id:
                return d
    if case.claim is _DISPUTE_RECEIVED or case.dispute_id is not None:
        for p in payments:
            open_disputes = p.open_disputes
            if open_disputes:
                return open_disputes[0]
    return None


def _holding(payments: tuple[Payment, ...], dispute_id: str) -> Payment:
    """The first payment holding the dispute (one `_dispute_of` found among ``payments``)."""
    for p in payments:
        for d in p.disputes:
            if d.id == dispute_id:
                return p
    raise AssertionError("the dispute was found on one of these payments")  # pragma: no cover


def triage(
    case: SupportCase,
    context: CaseContext | None = None,
    *,
    policies: PolicySet = DEFAULTS,
    now: datetime,
) -> Outcome:
    """Triage a new case and route it: the whole plan in one outcome.

    1. Identify the payment(s): those the case names (loaded in ``context``), else the one
       holding the case's dispute, else every payment in ``context``.
    2. Decide the tier (escalation policy) and the plan (resolution policy); give the case
       an SLA from its priority when it has none; ``triage`` it and `AssignCase`.
    3. Route: a refund, overcharge or duplicate-charge claim to
       `request_refund`; an unrecognised charge to a refund when
       an actionable early fraud warning exists, else to the customer (``identify_charge``);
       a failed payment to [`handle_decline`][paysupport.workflows.handle_decline]; a dispute to the
       accept/contest decision and evidence request. A routed case is ``in_progress``.

    A case that is not new changes nothing; its assignment is returned again.
    """
    ctx = context or CaseContext()
    b = Builder()
    if case.status is not _NEW:
        b.note("already_triaged", f"case {case.id} is {case.status.value}")
        if case.tier is not None:
            b.effect(_assign(case, case.tier, "triage"))
        return b.build()
    payments = _identify(case, ctx, b)
    payment = payments[0] if payments else None
    dispute = _dispute_of(case, payments)
    esc = b.decide(
        policies.escalation.decide(
            EscalationContext(
                case,
                None,
                dispute,
                payment,
                ctx.merchant,
                ctx.fraud_signal,
            ),
            now,
        )
    )
    tier = esc.tier or _JUNIOR
    b.decide(
        policies.resolution.decide(ResolutionContext.for_case(case, dispute, ctx.merchant), now)
    )
    sla = None
    if case.sla_due_at is None:
        window = policies.sla_for(case.priority)
        if window is not None:
            # given in the triage event's own new model (validated and rule-checked as the
            # event's changes, not recorded as event data): one model built, not two
            sla = {"sla_due_at": case.opened_at + window}
    assignee = ctx.operator.id if ctx.operator is not None else None
    extra = {"assignee": assignee} if assignee else {}
    c = b.fire(lifecycles.case, case, "triage", now=now, tier=tier, data=extra, also=sla)
    b.effect(_assign(c, tier, "triage"))
    c = _route(b, c, ctx, payments, dispute, policies, now)
    b.change(case, c)
    return b.build()


def _assign(case: SupportCase, tier: Tier, reason: str) -> AssignCase:
    return AssignCase(
        case_id=case.id,
        tier=tier,
        assignee=case.assignee,
        reason=reason,
        sla_due_at=case.sla_due_at,
    )


def _start(b: Builder, case: SupportCase, now: datetime) -> SupportCase:
    return b.fire(lifecycles.case, case, "start", now=now)


def _refund_request(
    case: SupportCase, ctx: CaseContext, payments: tuple[Payment, ...]
) -> tuple[Payment, RefundRequest] | None:
    if ctx.refund_request is not None:
        target = next((p for p in payments if p.id == ctx.refund_request.payment_id), None)
        return (target, ctx.refund_request) if target is not None else None
    if not payments:
        return None
    payment = payments[0]
    fields: dict[str, object] = {}
    if case.claim is _DUPLICATE_CHARGE:
        if len(payments) >= 2:
            ordered = sorted(payments[:2], key=lambda p: (p.created_at, p.id))
            payment = ordered[1]
            fields["duplicate_of"] = ordered[0].id
        fields["reason"] = _REASON_DUPLICATE
    elif case.claim is _OVERCHARGE:
        fields["reason"] = _REASON_OVERCHARGE
        if ctx.correct_amount is not None:
            fields["correct_amount"] = ctx.correct_amount
    elif case.claim is _UNRECOGNIZED:
        fields["reason"] = _REASON_FRAUDULENT
    request = RefundRequest(
        id=f"{case.id}.refund",
        payment_id=payment.id,
        requested_by=_CUSTOMER,
        requester_id=case.customer_id,
        requested_at=case.opened_at,
        **fields,  # type: ignore[arg-type,unused-ignore]
    )
    return payment, request


def _efw_actionable(payments: tuple[Payment, ...]) -> bool:
    """An actionable early fraud warning is on the case's (first) payment."""
    efw = payments[0].early_fraud_warning if payments else None
    return efw is not None and efw.actionable


def _route(
    b: Builder,
    case: SupportCase,
    ctx: CaseContext,
    payments: tuple[Payment, ...],
    dispute: Dispute | None,
    policies: PolicySet,
    now: datetime,
) -> SupportCase:
    claim = case.claim
    if claim in _REFUND_CLAIMS or (claim is _UNRECOGNIZED and _efw_actionable(payments)):
        found = _refund_request(case, ctx, payments)
        if found is None:
            return _ask_customer(b, case, "identify_payment", now)
        payment, request = found
        related = ctx.related_payments
        if not related:  # the other loaded payments (usually none)
            related = tuple([p for p in ctx.payments if p.id != payment.id])
        request_refund_into(  # into this outcome: no inner outcome built and absorbed
            b,
            payment,
            request,
            policies=policies,
            customer=ctx.customer,
            merchant=ctx.merchant,
            operator=ctx.operator,
            related_payments=related,
            rates=ctx.rates,
            now=now,
        )
        return _start(b, case, now)
    if claim is _UNRECOGNIZED:
        return _ask_customer(b, case, "identify_charge", now)
    if claim is _FAILED_PAYMENT:
        if ctx.failure is None:
            b.note("failure_not_loaded", "load the PaymentFailure to plan the recovery")
            return case
        handle_decline_into(
            b,
            ctx.failure,
            policies=policies,
            merchant=ctx.merchant,
            card_declines=ctx.card_declines,
            now=now,
        )
        return _start(b, case, now)
    if claim is _DISPUTE_RECEIVED:
        if dispute is None:
            b.note("dispute_not_loaded", "load the payment holding the dispute")
            return case
        plan_response(b, _holding(payments, dispute.id), dispute, policies, ctx.merchant, now)
        return _start(b, case, now)
    b.note("no_route", f"no workflow for a {claim.value} claim")  # pragma: no cover
    return case  # pragma: no cover


def _ask_customer(b: Builder, case: SupportCase, template: str, now: datetime) -> SupportCase:
    b.effect(
        NotifyCustomer(
            customer_id=case.customer_id,
            template=template,
            subject_id=case.id,
            params=tuple(("payment_id", p) for p in case.payment_ids),
        )
    )
    c = _start(b, case, now)
    return b.fire(lifecycles.case, c, "wait_on_customer", now=now)


def escalate_if_sla_near(
    case: SupportCase,
    context: CaseContext | None = None,
    *,
    policies: PolicySet = DEFAULTS,
    now: datetime,
) -> Outcome:
    """Escalate an open case whose SLA is near breach (``policies.sla_warning`` or less left).

    The escalation policy names the tier (with its own SLA bump); the case moves at least
    one tier up (``escalate``) and `AssignCase` routes it. A senior case cannot go
    higher: it is re-announced (note ``sla_at_risk_top_tier``). A case with time left,
    no SLA, or not open changes nothing.
    """
    b = Builder()
    left = case.sla_remaining(now)
    if case.status not in _OPEN or left is None or case.sla_due_at is None:
        b.note("not_applicable", f"case {case.id} is {case.status.value} or has no SLA")
        return b.build()
    if not _near_breach(case.opened_at, case.sla_due_at, policies.sla_warning, now):
        b.note("sla_ok", f"{left:.0%} of the SLA window left")
        return b.build()
    ctx = context or CaseContext()
    payments = _identify(case, ctx, Builder())
    decision = b.decide(
        policies.escalation.decide(
            EscalationContext(
                case,
                None,
                _dispute_of(case, payments),
                payments[0] if payments else None,
                ctx.merchant,
                ctx.fraud_signal,
            ),
            now,
        )
    )
    current = case.tier or Tier.JUNIOR
    target = decision.tier or current.bump()
    if case.tier is not None and not target > case.tier:
        target = case.tier.bump()
    if case.tier is not None and not target > case.tier:
        b.note("sla_at_risk_top_tier", f"case {case.id} is already {case.tier.value}")
        b.effect(_assign(case, case.tier, "sla_near_breach"))
        return b.build()
    c = b.fire(lifecycles.case, case, "escalate", now=now, reason="sla_near_breach", tier=target)
    b.effect(_assign(c, target, "sla_near_breach"))
    b.change(case, c)
    return b.build()


def _near_breach(opened_at: datetime, due_at: datetime, warning: Decimal, now: datetime) -> bool:
    """``warning`` of the SLA window or less is left at ``now``, compared exactly (no float)."""
    window = (due_at - opened_at) // _US
    left = (due_at - now) // _US
    share = Fraction(warning)
    return window <= 0 or left * share.denominator <= share.numerator * window


def resolve(
    case: SupportCase, *, now: datetime, resolution: str = "resolved", actor: str | None = None
) -> Outcome:
    """Resolve a case (starting or resuming it first) and tell the customer.

    Raises:
        InvalidTransition: the case is new or closed.
    """
    b = Builder()
    if case.status is CaseStatus.RESOLVED:
        b.note("already_resolved", f"case {case.id} is resolved")
        return b.build()
    c = case
    if c.status in (CaseStatus.TRIAGED, CaseStatus.ESCALATED):
        c = b.fire(lifecycles.case, c, "start", now=now, actor=actor)
    elif c.status in (CaseStatus.WAITING_ON_CUSTOMER, CaseStatus.WAITING_ON_NETWORK):
        c = b.fire(lifecycles.case, c, "resume", now=now, actor=actor)
    c = b.fire(lifecycles.case, c, "resolve", now=now, actor=actor, reason=resolution)
    b.effect(
        NotifyCustomer(
            customer_id=c.customer_id,
            template="case_resolved",
            subject_id=c.id,
            params=(("resolution", resolution),),
        )
    )
    b.change(case, c)
    return b.build()


def close(case: SupportCase, *, now: datetime, actor: str | None = None) -> Outcome:
    """Close a resolved case.

    Raises:
        InvalidTransition: the case is not resolved.
    """
    b = Builder()
    if case.status is CaseStatus.CLOSED:
        b.note("already_closed", f"case {case.id} is closed")
        return b.build()
    c = b.fire(lifecycles.case, case, "close", now=now, actor=actor)
    b.change(case, c)
    return b.build()


def reopen(
    case: SupportCase,
    *,
    now: datetime,
    actor: str | None = None,
    reason: str | None = None,
) -> Outcome:
    """Reopen a resolved case when the customer writes back (within ``REOPEN_WINDOW``).

    The case goes back to ``in_progress`` with its tier and assignee, counts one more
    contact, and `AssignCase` routes it again (reason ``"reopened:<contacts>"``, so
    each reopening is routed once). A case that is already open changes nothing (note
    ``already_open``).

    Args:
        case: the resolved case, as the host has it.
        now: when the customer wrote back.
        actor: who reopened it (an operator id), if a person did.
        reason: why, in words (recorded on the event).

    Raises:
        InvalidTransition: the case is new, closed, or was resolved more than
            `REOPEN_WINDOW` ago (open a new case instead).
    """
    b = Builder()
    if case.status in _OPEN:
        b.note("already_open", f"case {case.id} is {case.status.value}")
        return b.build()
    c = b.fire(lifecycles.case, case, "reopen", now=now, actor=actor, reason=reason)
    b.effect(_assign(c, c.tier or Tier.JUNIOR, f"reopened:{c.contacts}"))
    b.change(case, c)
    return b.build()
