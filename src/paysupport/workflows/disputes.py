"""Disputes: notice → plan and accept/contest decision → evidence → response → outcome.

A dispute lives on its payment (the payment's refund guard reads its open disputes). The
response goes in before the network's ``due_by`` minus the policy set's safety margin:
`respond_to_dispute` submits the evidence (`SubmitEvidence`) or accepts
(`AcceptDispute`), and records the response on the dispute at once (``under_review``
or ``accepted``), so two operators answering the same dispute cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum

from paysupport import lifecycles
from paysupport.errors import ValidationFailed
from paysupport.models import (
    ClaimKind,
    Dispute,
    DisputeStatus,
    Evidence,
    Merchant,
    Payment,
    RefundFailureReason,
    RefundStatus,
)
from paysupport.networks import DisputeStage
from paysupport.policies import (
    Checklist,
    Decision,
    DisputeContext,
    ResolutionContext,
    Verdict,
)
from paysupport.policies.policy_set import DEFAULTS, PolicySet

from ._build import Builder, find_dispute
from .effects import AcceptDispute, RecordDisputeLoss, RequestEvidence, SubmitEvidence
from .outcome import Outcome

__all__ = [
    "DisputeResult",
    "receive_and_respond",
    "receive_dispute",
    "respond_to_dispute",
    "settle_dispute",
    "submit_by",
]


# Enum members read on every case, bound once: on Python 3.11 reading a member off its
# class goes through EnumType's attribute hook (about 0.2 µs); a module name does not.
_INQUIRY = DisputeStage.INQUIRY
_CONTEST = Verdict.CONTEST
_REVIEW = Verdict.REVIEW
_UNDER_REVIEW = DisputeStatus.UNDER_REVIEW
_DISPUTE_RECEIVED = ClaimKind.DISPUTE_RECEIVED


class DisputeResult(StrEnum):
    """How a dispute ended at its stage, as the network or provider reports it."""

    WON = "won"
    LOST = "lost"
    REVERSED = "reversed"
    EXPIRED = "expired"


_RESULT_EVENT = {
    DisputeResult.WON: "win",
    DisputeResult.LOST: "lose",
    DisputeResult.REVERSED: "reverse",
    DisputeResult.EXPIRED: "expire",
}


def _result(value: DisputeResult | str) -> DisputeResult:
    try:
        return DisputeResult(value)
    except ValueError:
        known = ", ".join(r.value for r in DisputeResult)
        raise ValidationFailed(
            "result", "dispute_result", f"{value!r} is not how a dispute ends; one of {known}"
        ) from None


def submit_by(dispute: Dispute, policies: PolicySet = DEFAULTS) -> datetime | None:
    """When the response must go in: ``due_by`` minus the safety margin (``None``: no due_by)."""
    if dispute.due_by is None:
        return None
    return dispute.due_by - policies.dispute_safety_margin


#: A response decision and the models it was made on: the payment, then the dispute.
_Decided = tuple[Payment, Dispute, Decision]


def receive_dispute(
    payment: Payment,
    dispute: Dispute,
    *,
    policies: PolicySet = DEFAULTS,
    merchant: Merchant | None = None,
    now: datetime,
) -> Outcome:
    """Record a dispute notice on its payment and plan the response.

    Decisions: the resolution plan (ordered steps with tiers and deadlines) and the
    accept/contest decision with its evidence checklist. Effects: a
    `RequestEvidence` for what the checklist misses when contesting. Follow-up: an
    open chargeback blocks refunds (the payment lifecycle refuses them), and refunds not
    yet sent to the provider are canceled so the customer is not paid twice.

    The same notice again (the dispute is already on the payment in the same state) changes
    nothing (note ``already_received``).

    Raises:
        ValidationFailed: the dispute is for another payment.
        ModelValidationError: the dispute does not fit the payment (currency, amount).
    """
    if dispute.payment_id != payment.id:
        raise ValidationFailed(
            "dispute.payment_id",
            "dispute_for_payment",
            f"the dispute is for payment {dispute.payment_id!r}, not {payment.id!r}",
        )
    b = Builder()
    _receive(b, payment, dispute, policies, merchant, now)
    return b.build()


def _receive(
    b: Builder,
    payment: Payment,
    dispute: Dispute,
    policies: PolicySet,
    merchant: Merchant | None,
    now: datetime,
) -> _Decided:
    """`receive_dispute` into ``b``; the response decision it made, and on which models."""
    known = None
    for d in payment.disputes:  # a loop, not a generator: most payments have none or few
        if d.id == dispute.id:
            known = d
            break
    if known is not None:
        b.note("already_received", f"dispute {dispute.id} is on the payment")
        return _plan(b, payment, known, policies, merchant, now)
    after = payment.with_dispute(dispute)
    if dispute.is_open and dispute.stage is not _INQUIRY and not dispute.is_charge_refundable:
        after = _cancel_unsent_refunds(b, after, now)
    b.change(payment, after)
    return _plan(b, after, dispute, policies, merchant, now)


def receive_and_respond(
    payment: Payment,
    dispute: Dispute,
    *,
    policies: PolicySet = DEFAULTS,
    merchant: Merchant | None = None,
    now: datetime,
) -> Outcome:
    """`receive_dispute` then `respond_to_dispute` at the same ``now``, merged.

    The outcome equals ``received.merge(respond_to_dispute(received payment, dispute.id,
    ...))``; the accept/contest decision is made once when the response would ask it of the
    very models the notice's plan asked it of (the backtests replay a notice this way).

    Raises:
        ValidationFailed: the dispute is for another payment.
        ModelValidationError: the dispute does not fit the payment (currency, amount).
    """
    # One builder for both: what Outcome.merge gives (the first base version, the newest
    # models, effects once per key, decisions, events and notes in order).
    b = Builder()
    # The payment the plan was made on is the newest version the builder holds (the notice
    # changed it, or found the dispute on it already); the response reads it from there.
    current, planned, decision = _receive(b, payment, dispute, policies, merchant, now)
    found = find_dispute(current, dispute.id)
    # ``DisputeResponse.decide`` is a pure function of its frozen policy, the context's
    # immutable models and ``now``: asked of the very same models, it gives the plan's
    # decision (and the plan's evidence request is in ``b``).
    if found is planned:
        _respond(
            b, current, found, policies, merchant, (), None, False, None, None, now, decision, True
        )
    else:
        _respond(b, current, found, policies, merchant, (), None, False, None, None, now)
    return b.build()


def _cancel_unsent_refunds(b: Builder, payment: Payment, now: datetime) -> Payment:
    for r in payment.refunds:
        if r.status in (RefundStatus.REQUESTED, RefundStatus.AWAITING_APPROVAL):
            event = "cancel" if r.status is RefundStatus.REQUESTED else "deny"
            r2 = b.fire(
                lifecycles.refund,
                r,
                event,
                now=now,
                reason="a chargeback opened: the dispute settles the money",
                failure_reason=RefundFailureReason.CHARGE_FOR_PENDING_REFUND_DISPUTED,
            )
            payment = payment.with_refund(r2)
            b.note("refund_canceled_by_dispute", f"refund {r.id} was not sent: {event}")
    return payment


def _plan(
    b: Builder,
    payment: Payment,
    dispute: Dispute,
    policies: PolicySet,
    merchant: Merchant | None,
    now: datetime,
) -> _Decided:
    ctx = ResolutionContext(_DISPUTE_RECEIVED, dispute.opened_at, dispute, merchant)
    b.decide(policies.resolution.decide(ctx, now))
    return payment, dispute, plan_response(b, payment, dispute, policies, merchant, now)


def plan_response(
    b: Builder,
    payment: Payment,
    dispute: Dispute,
    policies: PolicySet,
    merchant: Merchant | None,
    now: datetime,
) -> Decision:
    """Decide accept or contest; ask for the evidence a contest still misses; the decision."""
    decision = b.decide(
        policies.dispute_response.decide(DisputeContext(dispute, payment, merchant), now)
    )
    checklist = decision.detail
    if (
        decision.outcome is _CONTEST
        and isinstance(checklist, Checklist)
        and checklist.missing
        and dispute.is_open
    ):
        b.effect(
            RequestEvidence(
                payment_id=payment.id,
                dispute_id=dispute.id,
                stage=dispute.stage,
                missing=checklist.missing,
                submit_by=submit_by(dispute, policies),
            )
        )
    return decision


def respond_to_dispute(
    payment: Payment,
    dispute_id: str,
    *,
    policies: PolicySet = DEFAULTS,
    merchant: Merchant | None = None,
    evidence: Iterable[Evidence] = (),
    contest: bool | None = None,
    force: bool = False,
    actor: str | None = None,
    due_by: datetime | None = None,
    now: datetime,
) -> Outcome:
    """Decide accept or contest and respond, before ``due_by`` minus the safety margin.

    ``evidence`` is added to the dispute's file first. ``contest`` overrides the policy's
    decision (an operator's call; the decision is still recorded). When contesting with
    evidence missing and time left before `submit_by`, the workflow asks for it
    (`RequestEvidence`, note ``awaiting_evidence``) unless ``force``; from
    [`submit_by`][paysupport.workflows.submit_by] on, it submits what is on file.

    Contest: ``submit_evidence`` (to ``under_review``) and `SubmitEvidence`.
    Accept: ``accept`` and `AcceptDispute` plus `RecordDisputeLoss`. An
    inquiry cannot be accepted (note ``inquiry_not_acceptable``: refund or let it run).
    No response is possible once the deadline has passed (note ``deadline_passed``).

    A dispute at a stage whose deadline neither the network's catalogue nor the provider's
    notice gave (Visa arbitration) is answered against ``due_by``, the provider's deadline,
    which the response records on the dispute; without one nothing changes (note
    ``deadline_unknown``: pass the provider's ``due_by``).

    Raises:
        NotFound: no such dispute on the payment (``dispute_id``).
    """
    dispute = find_dispute(payment, dispute_id)
    added = tuple(evidence)
    b = Builder()
    _respond(b, payment, dispute, policies, merchant, added, contest, force, actor, due_by, now)
    return b.build()


def _respond(
    b: Builder,
    payment: Payment,
    dispute: Dispute,
    policies: PolicySet,
    merchant: Merchant | None,
    added: tuple[Evidence, ...],
    contest: bool | None,
    force: bool,
    actor: str | None,
    due_by: datetime | None,
    now: datetime,
    known: Decision | None = None,
    planned: bool = False,
) -> None:
    """`respond_to_dispute` on the dispute found, into ``b``; ``known``: its decision.

    ``planned``: ``known`` is the decision `plan_response` recorded into ``b`` on these very
    models, with its evidence request if it asked for one.
    """
    if not dispute.is_open or dispute.status is _UNDER_REVIEW:
        b.note("already_answered", f"dispute {dispute.id} is {dispute.status.value}")
        return
    if added:
        have = {(e.kind, e.reference) for e in dispute.evidence}
        new = tuple(e for e in added if (e.kind, e.reference) not in have)
        dispute = dispute.evolve(evidence=(*dispute.evidence, *new))
        known, planned = None, False  # the file changed: decide on it
    if known is None:
        known = policies.dispute_response.decide(DisputeContext(dispute, payment, merchant), now)
    decision = b.decide(known)
    due = dispute.due_by or due_by
    if due is None:
        b.note("deadline_unknown", "no due_by on the dispute: pass the provider's due_by")
        return
    if now > due:
        b.note("deadline_passed", f"the response was due by {due.isoformat()}")
        return
    deadline = due - policies.dispute_safety_margin
    if now > deadline:
        b.note("inside_safety_margin", f"the response was due by {deadline.isoformat()}")
    if decision.outcome is _REVIEW and contest is None:
        b.note("needs_review", "; ".join(decision.codes))
        return
    wants_contest = contest if contest is not None else decision.outcome is _CONTEST
    given = {"due_by": due} if dispute.due_by is None else {}
    checklist = decision.detail
    missing = checklist.missing if isinstance(checklist, Checklist) else ()
    if wants_contest:
        if missing and not force and now < deadline:
            _ask_for_evidence(b, payment, dispute, missing, deadline, asked=planned)
            return
        answered = _contest(b, payment, dispute, actor, now, given)
    else:
        if dispute.stage is _INQUIRY:
            b.note("inquiry_not_acceptable", "an inquiry is not accepted: refund or let it run")
            return
        answered = _accept(b, payment, dispute, actor, now, given)
    b.change(payment, payment.with_dispute(answered))


def _ask_for_evidence(
    b: Builder,
    payment: Payment,
    dispute: Dispute,
    missing: tuple[str, ...],
    deadline: datetime,
    *,
    asked: bool,
) -> None:
    # ``asked``: the plan's request is in ``b`` already, with this one's idempotency key (its
    # cause fields: this dispute, stage and missing groups), so `Builder.effect` keeps that
    # one and would drop this.
    if not asked:
        b.effect(
            RequestEvidence(
                payment_id=payment.id,
                dispute_id=dispute.id,
                stage=dispute.stage,
                missing=missing,
                submit_by=deadline,
            )
        )
    b.note("awaiting_evidence", f"missing: {', '.join(missing)}")


def _contest(
    b: Builder,
    payment: Payment,
    dispute: Dispute,
    actor: str | None,
    now: datetime,
    given: Mapping[str, object],
) -> Dispute:
    answered = b.fire(
        lifecycles.dispute, dispute, "submit_evidence", now=now, actor=actor, data=given
    )
    b.effect(
        SubmitEvidence(
            payment_id=payment.id,
            dispute_id=dispute.id,
            stage=dispute.stage,
            evidence=answered.evidence,
            due_by=answered.due_by,
            provider=dispute.provider,
            provider_reference=dispute.provider_reference,
        )
    )
    return answered


def _accept(
    b: Builder,
    payment: Payment,
    dispute: Dispute,
    actor: str | None,
    now: datetime,
    given: Mapping[str, object],
) -> Dispute:
    answered = b.fire(lifecycles.dispute, dispute, "accept", now=now, actor=actor, data=given)
    b.effect(
        AcceptDispute(
            payment_id=payment.id,
            dispute_id=dispute.id,
            stage=dispute.stage,
            amount=dispute.amount,
            provider=dispute.provider,
            provider_reference=dispute.provider_reference,
        )
    )
    b.effect(_loss(payment, answered, "accepted"))
    return answered


def _loss(payment: Payment, dispute: Dispute, outcome: str) -> RecordDisputeLoss:
    return RecordDisputeLoss(
        payment_id=payment.id,
        dispute_id=dispute.id,
        stage=dispute.stage,
        amount=dispute.amount,
        outcome=outcome,
    )


def settle_dispute(
    payment: Payment,
    dispute_id: str,
    result: DisputeResult | str,
    *,
    now: datetime,
    data: dict[str, str] | None = None,
) -> Outcome:
    """Record how a dispute ended at its stage: won, lost, reversed (withdrawn) or expired.

    A loss or expiry returns `RecordDisputeLoss`. The same result twice changes
    nothing (note ``already_<status>``).

    Raises:
        ValidationFailed: ``result`` is not one of won, lost, reversed, expired.
        NotFound: no such dispute on the payment (``dispute_id``).
        InvalidTransition: the dispute cannot end that way from where it is.
    """
    outcome = _result(result)
    dispute = find_dispute(payment, dispute_id)
    b = Builder()
    status = {
        DisputeResult.WON: DisputeStatus.WON,
        DisputeResult.REVERSED: DisputeStatus.WON,
        DisputeResult.LOST: DisputeStatus.LOST,
        DisputeResult.EXPIRED: DisputeStatus.EXPIRED,
    }[outcome]
    if dispute.status is status:
        b.note(f"already_{status.value}", f"dispute {dispute.id} is already {status.value}")
        return b.build()
    ended = b.fire(lifecycles.dispute, dispute, _RESULT_EVENT[outcome], now=now, data=data)
    b.change(payment, payment.with_dispute(ended))
    if ended.status.funds_lost:
        b.effect(_loss(payment, ended, outcome.value))
    return b.build()
