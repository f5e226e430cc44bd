"""The service layer: one function per use case, each the same rhythm.

1. In one unit of work: load the aggregates, call the pure workflow (it returns an
   :class:`~paysupport.workflows.Outcome`), check it against the stored versions
   (:func:`~paysupport.workflows.commit`), save the new aggregates and their events, and plan
   the outcome's effects by idempotency key (a key seen before is not planned again). Commit.
2. Run each planned effect through its adapter: claim it (``planned`` → ``running``, one
   winner), call the gateway or notifier, then in one transaction record the result and feed
   it back through the matching settle workflow (whose effects run in turn).

A replayed request therefore never pays twice: the workflow derives the same idempotency
key, the ``effects`` table already has it, and the gateway sees the key at most once more
(after a crash between the call and its record, when the provider's own idempotency answers).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from examples.support_desk.gateway import FakeGateway, GatewayAnswer, GatewayTimeout
from examples.support_desk.repository import NotFound, UnitOfWork
from examples.support_desk.seed import sample_portfolio, seed
from sqlalchemy.orm import Session

from paysupport.models import (
    Customer,
    Dispute,
    Evidence,
    Merchant,
    Operator,
    Payment,
    PaymentFailure,
    PaysupportModel,
    RefundRequest,
    RefundStatus,
    SupportCase,
)
from paysupport.policies import PolicySet
from paysupport.policies.policy_set import DEFAULTS
from paysupport.ports import PORT_METHODS, EffectRunner, Handler
from paysupport.providers import ProviderEvent
from paysupport.workflows import (
    Aggregate,
    AggregateKey,
    AssignCase,
    CaseContext,
    Effect,
    IssueRefund,
    Note,
    NotifyCustomer,
    Outcome,
    RecordDisputeLoss,
    RefundResult,
    RequestApproval,
    RequestEvidence,
    RequestNewPaymentMethod,
    RetryResult,
    ScheduleRetry,
    apply_provider_event,
    approve_refund,
    commit,
    deny_refund,
    handle_decline,
    receive_dispute,
    record_retry_result,
    reopen,
    request_refund,
    resolve,
    respond_to_dispute,
    settle_refund,
    triage,
)

Clock = Callable[[], datetime]

_TYPES: dict[str, type[Payment | PaymentFailure | SupportCase]] = {
    "payment": Payment,
    "failure": PaymentFailure,
    "case": SupportCase,
}


@dataclass
class Handled:
    """What a use case did: the workflow's outcome and the effects run because of it."""

    outcome: Outcome
    executed: list[dict[str, Any]] = field(default_factory=list)
    subject: Any = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly summary for API responses."""
        out = self.outcome.to_dict()
        out.pop("changes", None)
        out["executed"] = self.executed
        return out


@dataclass
class Outbox:
    """The desk's own adapters in one place: mail, approval queue, case queue, ledger.

    Implements the library's ``Notifier``, ``ApprovalQueue``, ``CaseStore``, ``Ledger`` and
    ``EvidenceStore`` ports by keeping what it was asked to do (the ``effects`` table keeps
    it durably); a real desk sends the e-mails and creates the tickets here.
    """

    sent: list[Effect] = field(default_factory=list)

    def _keep(self, effect: Effect) -> str:
        self.sent.append(effect)
        return "done"

    def notify_customer(self, effect: NotifyCustomer) -> str:
        """Send the templated message (kept here)."""
        return self._keep(effect)

    def request_new_payment_method(self, effect: RequestNewPaymentMethod) -> str:
        """Ask the customer for a new payment method (kept here)."""
        return self._keep(effect)

    def request_approval(self, effect: RequestApproval) -> str:
        """Queue a refund for a second operator (kept here; see ``GET /approvals``)."""
        return self._keep(effect)

    def assign_case(self, effect: AssignCase) -> str:
        """Route a case (the ``cases`` table holds its tier and assignee)."""
        return self._keep(effect)

    def record_dispute_loss(self, effect: RecordDisputeLoss) -> str:
        """Book a dispute loss (kept here)."""
        return self._keep(effect)

    def request_evidence(self, effect: RequestEvidence) -> str:
        """Ask the merchant's team for missing evidence (kept here)."""
        return self._keep(effect)

    def of(self, kind: str) -> list[Effect]:
        """What was sent of one effect kind, in order."""
        return [e for e in self.sent if e.kind == kind]


class _Scheduler:
    """The ``RetryScheduler`` port: the ``effects`` row with its ``due_at`` *is* the job."""

    def schedule_retry(self, effect: ScheduleRetry) -> str:
        return "scheduled"


def _handlers(*ports: object) -> dict[type[Effect], Handler]:
    """Each effect type's handler: the first port with the method ``PORT_METHODS`` names."""
    out: dict[type[Effect], Handler] = {}
    for effect_type, method in PORT_METHODS.items():
        for port in ports:
            fn = getattr(port, method, None)
            if callable(fn):
                out[effect_type] = fn
                break
    return out


class SupportDesk:
    """The use cases of the support desk over a database, a gateway and a clock."""

    def __init__(
        self,
        session_factory: Callable[[], Session],
        gateway: FakeGateway,
        clock: Clock,
        policies: PolicySet = DEFAULTS,
        outbox: Outbox | None = None,
    ) -> None:
        self._sessions = session_factory
        self.gateway = gateway
        self.clock = clock
        self.policies = policies
        self.outbox = outbox if outbox is not None else Outbox()
        self._handlers = _handlers(self.gateway, _Scheduler(), self.outbox)

    def uow(self) -> UnitOfWork:
        """A new unit of work (one transaction)."""
        return UnitOfWork(self._sessions, self.clock)

    # ------------------------------------------------------------------ the rhythm
    def _handle(self, decide: Callable[[UnitOfWork], Outcome]) -> Handled:
        with self.uow() as uow:
            outcome = decide(uow)
            self._commit(uow, outcome)
            uow.commit()
        return Handled(outcome, self._run(outcome.effects))

    def _commit(self, uow: UnitOfWork, outcome: Outcome) -> None:
        current: dict[AggregateKey, Aggregate] = {}
        for change in outcome.changes:
            kind, id = change.key
            stored = uow.aggregates.find(_TYPES[kind], id)
            if stored is not None:
                current[change.key] = stored
        commit(outcome, current)  # ConflictError if another request moved an aggregate
        for change in outcome.changes:
            if current.get(change.key) != change.after:
                uow.aggregates.save(change.after)
        for effect in outcome.effects:
            due = effect.at if isinstance(effect, ScheduleRetry) else None
            uow.effects.plan(effect.idempotency_key, effect.kind, _dump(effect), due_at=due)

    def _run(
        self,
        effects: Iterable[Effect],
        *,
        from_status: str = "planned",
        execute: Callable[[Effect], tuple[str, GatewayAnswer | None]] | None = None,
    ) -> list[dict[str, Any]]:
        report: list[dict[str, Any]] = []
        for effect in effects:
            key = effect.idempotency_key
            with self.uow() as uow:
                claimed = uow.effects.claim(key, from_status=from_status)
                uow.commit()
            if not claimed:
                continue
            try:
                status, answer = (execute or self._execute)(effect)
            except ConnectionError:
                with self.uow() as uow:
                    uow.effects.release(key)
                    uow.commit()
                report.append({"kind": effect.kind, "key": key, "status": "planned"})
                continue
            follow = self._feed_back(effect, status, answer)
            report.append({"kind": effect.kind, "key": key, "status": status})
            report.extend(self._run(follow.effects))
        return report

    def _execute(self, effect: Effect) -> tuple[str, GatewayAnswer | None]:
        """Carry out one effect through the ports; ``(status, the gateway's answer)``.

        The status is ``done``, ``failed`` (the provider said no), ``unknown`` (no answer
        came: a timeout), or ``scheduled`` (a retry waiting for its time). A connection
        error propagates: the effect goes back to ``planned`` for a later attempt.
        """
        answers: dict[str, object] = {}

        def keep(handler: Handler) -> Handler:
            def call(e: Effect) -> object:
                answers[e.idempotency_key] = result = handler(e)
                return result

            return call

        runner = EffectRunner({t: keep(h) for t, h in self._handlers.items()})
        report = runner.run([effect])
        if not report.ok:
            if isinstance(report.error, GatewayTimeout):
                return "unknown", None
            if isinstance(report.error, ConnectionError):
                raise report.error
            return "failed", None
        answer = answers.get(effect.idempotency_key)
        if isinstance(answer, GatewayAnswer):
            return ("failed" if answer.outcome == "failed" else "done"), answer
        if answer == "scheduled":
            return "scheduled", None
        return "done", None

    def _feed_back(self, effect: Effect, status: str, answer: GatewayAnswer | None) -> Outcome:
        """Record an effect's result and settle the aggregate it was for, atomically."""
        result = json.dumps(
            None
            if answer is None
            else {
                "outcome": answer.outcome,
                "reference": answer.reference,
                "failure_reason": answer.failure_reason,
                "raw_status": answer.raw_status,
            }
        )
        with self.uow() as uow:
            outcome = Outcome()
            now = self.clock()
            if isinstance(effect, IssueRefund):
                payment = uow.aggregates.get(Payment, effect.payment_id)
                outcome = settle_refund(
                    payment, effect.refund_id, _refund_result(status, answer), now=now
                )
            elif isinstance(effect, ScheduleRetry) and answer is not None:
                failure = uow.aggregates.get(PaymentFailure, effect.failure_id)
                outcome = record_retry_result(
                    failure,
                    RetryResult(succeeded=True)
                    if answer.outcome == "succeeded"
                    else RetryResult(
                        succeeded=False,
                        decline_code=answer.failure_reason,
                        network_decline_code=answer.raw_status or None,
                    ),
                    policies=self.policies,
                    now=now,
                )
            self._commit(uow, outcome)
            uow.effects.finish(effect.idempotency_key, status, result)
            uow.commit()
        return outcome

    # ------------------------------------------------------------------ reference data
    def register(self, model: PaysupportModel) -> None:
        """Store a new operator, merchant, customer, payment, failure or case as it is.

        Raises:
            ConflictError: one with that id exists already.
        """
        with self.uow() as uow:
            uow.aggregates.save(model)
            uow.commit()

    def seed_sample(self) -> int:
        """Load the bundled sample portfolio and default operators (idempotent)."""
        portfolio, _ = sample_portfolio()
        return seed(self.uow(), portfolio)

    def get(self, model_type: type[Any], id: str) -> Any:
        """One stored record (``NotFound`` if absent)."""
        with self.uow() as uow:
            return uow.aggregates.get(model_type, id)

    def history(self, kind: str, id: str) -> list[dict[str, Any]]:
        """The stored event log of one aggregate (or embedded refund / dispute)."""
        with self.uow() as uow:
            return [e.model_dump(mode="json") for e in uow.aggregates.events(kind, id)]

    def effects(self, kind: str | None = None) -> list[dict[str, Any]]:
        """The effect log, optionally of one kind."""
        with self.uow() as uow:
            return [
                {
                    "idempotency_key": r.idempotency_key,
                    "kind": r.kind,
                    "status": r.status,
                    "effect": json.loads(r.json),
                    "result": json.loads(r.result) if r.result else None,
                }
                for r in uow.effects.all()
                if kind is None or r.kind == kind
            ]

    # ------------------------------------------------------------------ refunds
    def request_refund(self, request: RefundRequest, operator_id: str | None = None) -> Handled:
        """Decide a refund request; issue the refund or park it for approval."""

        def decide(uow: UnitOfWork) -> Outcome:
            stored = uow.aggregates.find(RefundRequest, request.id)
            if stored is None:
                uow.aggregates.save(request)
                req = request
            else:
                _same_request(stored, request)
                req = stored  # a replay is decided on the request as first received
            payment = uow.aggregates.get(Payment, req.payment_id)
            operator = uow.aggregates.get(Operator, operator_id) if operator_id else None
            # the requesting operator, looked up so that their authority is checked; an
            # unknown one is refused by the library (never treated as unlimited)
            requester = _maybe(uow, Operator, req.requester_id)
            directory = {requester.id: requester} if requester is not None else {}
            related = []
            if req.duplicate_of is not None:
                related.append(uow.aggregates.get(Payment, req.duplicate_of))
            return request_refund(
                payment,
                req,
                policies=self.policies,
                customer=_maybe(uow, Customer, payment.customer_id),
                merchant=_maybe(uow, Merchant, payment.merchant_id),
                operator=operator,
                operators=directory,
                related_payments=related,
                now=self.clock(),
            )

        return self._handle(decide)

    def _payment_of(self, uow: UnitOfWork, key: str, kind: str) -> tuple[str, Payment]:
        found = uow.aggregates.locate(key, kind)
        if found is None:
            raise NotFound(kind, key, f"{kind}_id")
        our_id, payment_id = found
        return our_id, uow.aggregates.get(Payment, payment_id)

    def approve_refund(self, refund_id: str, operator_id: str) -> Handled:
        """A second operator approves a refund awaiting approval (four eyes)."""

        def decide(uow: UnitOfWork) -> Outcome:
            rid, payment = self._payment_of(uow, refund_id, "refund")
            approver = uow.aggregates.get(Operator, operator_id)
            return approve_refund(payment, rid, approver, policies=self.policies, now=self.clock())

        return self._handle(decide)

    def deny_refund(self, refund_id: str, operator_id: str, reason: str | None) -> Handled:
        """An approver turns a refund down."""

        def decide(uow: UnitOfWork) -> Outcome:
            rid, payment = self._payment_of(uow, refund_id, "refund")
            approver = uow.aggregates.get(Operator, operator_id)
            return deny_refund(payment, rid, approver, now=self.clock(), reason=reason)

        return self._handle(decide)

    def refund(self, refund_id: str) -> tuple[Payment, str]:
        """The payment holding a refund, and the refund's id."""
        with self.uow() as uow:
            rid, payment = self._payment_of(uow, refund_id, "refund")
            return payment, rid

    def reconcile_refund(self, refund_id: str) -> Handled:
        """Ask the provider again about a refund whose outcome is unknown (same key)."""
        with self.uow() as uow:
            rid, payment = self._payment_of(uow, refund_id, "refund")
            refund = payment.refund(rid)
            if refund.status is not RefundStatus.UNKNOWN:
                return Handled(Outcome(notes=(Note("not_unknown", refund.status.value),)))
            effect = IssueRefund.for_refund(payment, refund)
        return Handled(Outcome(effects=(effect,)), self._run([effect], from_status="unknown"))

    # ------------------------------------------------------------------ disputes
    def receive_dispute(self, dispute: Dispute) -> Handled:
        """Record a dispute notice on its payment and plan the response."""

        def decide(uow: UnitOfWork) -> Outcome:
            payment = uow.aggregates.get(Payment, dispute.payment_id)
            return receive_dispute(
                payment,
                dispute,
                policies=self.policies,
                merchant=_maybe(uow, Merchant, payment.merchant_id),
                now=self.clock(),
            )

        return self._handle(decide)

    def add_evidence(self, dispute_id: str, evidence: Sequence[Evidence]) -> list[Evidence]:
        """File documents for a dispute in the evidence store; returns all on file."""
        with self.uow() as uow:
            rid, _ = self._payment_of(uow, dispute_id, "dispute")
            for item in evidence:
                uow.evidence.add(rid, item)
            uow.commit()
            return uow.evidence.for_dispute(rid)

    def respond_to_dispute(
        self,
        dispute_id: str,
        *,
        operator_id: str | None = None,
        contest: bool | None = None,
        force: bool = False,
        due_by: datetime | None = None,
    ) -> Handled:
        """Contest (submit the evidence on file) or accept a dispute."""

        def decide(uow: UnitOfWork) -> Outcome:
            did, payment = self._payment_of(uow, dispute_id, "dispute")
            return respond_to_dispute(
                payment,
                did,
                policies=self.policies,
                merchant=_maybe(uow, Merchant, payment.merchant_id),
                evidence=uow.evidence.for_dispute(did),
                contest=contest,
                force=force,
                actor=operator_id,
                due_by=due_by,
                now=self.clock(),
            )

        return self._handle(decide)

    # ------------------------------------------------------------------ webhooks
    def apply_provider_event(self, event: ProviderEvent) -> Handled:
        """Apply one provider notification, once (a redelivery is recognised and skipped).

        The desk's inbox drops a redelivered event id before any work; the library also
        recognises redeliveries and stale (out-of-order) notifications from the histories.
        """

        def decide(uow: UnitOfWork) -> Outcome:
            if uow.inbox.seen(event.event_id):
                return Outcome(notes=(Note("duplicate_event", event.event_id),))
            uow.inbox.remember(event.event_id, event.provider, event.object_id)
            payment = None
            for ref in (event.object_id, event.payment_reference):
                found = uow.aggregates.locate(ref) if ref else None
                if found is not None:
                    payment = uow.aggregates.get(Payment, found[1])
                    break
            if payment is None:
                return Outcome(notes=(Note("unknown_payment", str(event.payment_reference)),))
            return apply_provider_event(payment, event, now=self.clock(), policies=self.policies)

        return self._handle(decide)

    # ------------------------------------------------------------------ failed payments
    def handle_decline(self, failure: PaymentFailure) -> Handled:
        """Record a declined payment and plan its recovery (retry or ask the customer)."""

        def decide(uow: UnitOfWork) -> Outcome:
            stored = uow.aggregates.find(PaymentFailure, failure.id)
            if stored is None:
                uow.aggregates.save(failure)
                stored = failure
            return handle_decline(
                stored,
                policies=self.policies,
                merchant=_maybe(uow, Merchant, stored.merchant_id),
                now=self.clock(),
            )

        return self._handle(decide)

    def record_retry_result(self, failure_id: str, result: RetryResult) -> Handled:
        """Record the result of a retry the host ran elsewhere (a billing system)."""

        def decide(uow: UnitOfWork) -> Outcome:
            failure = uow.aggregates.get(PaymentFailure, failure_id)
            return record_retry_result(
                failure,
                result,
                policies=self.policies,
                merchant=_maybe(uow, Merchant, failure.merchant_id),
                now=self.clock(),
            )

        return self._handle(decide)

    def run_due_retries(self) -> list[dict[str, Any]]:
        """The scheduler's tick: charge again every retry that is due now."""
        now = self.clock()
        with self.uow() as uow:
            due = [
                _load_effect(r.json)
                for r in uow.effects.by_status("scheduled")
                if r.due_at is not None and _aware(r.due_at) <= now
            ]
        return self._run(due, from_status="scheduled", execute=self._charge_again)

    def _charge_again(self, effect: Effect) -> tuple[str, GatewayAnswer | None]:
        assert isinstance(effect, ScheduleRetry)
        answer = self.gateway.retry_payment(
            payment_reference=effect.payment_id or effect.failure_id,
            amount=effect.amount,
            idempotency_key=effect.idempotency_key,
        )
        return "done", answer

    # ------------------------------------------------------------------ cases
    def open_case(
        self, case: SupportCase, *, operator_id: str | None = None, failure_id: str | None = None
    ) -> Handled:
        """Store a new case and triage it: tier, SLA, plan, and the routed workflow."""

        def decide(uow: UnitOfWork) -> Outcome:
            stored = uow.aggregates.find(SupportCase, case.id)
            if stored is None:
                uow.aggregates.save(case)
                stored = case
            payments = [uow.aggregates.get(Payment, pid) for pid in stored.payment_ids]
            if stored.dispute_id is not None and not payments:
                found = uow.aggregates.locate(stored.dispute_id, "dispute")
                if found is not None:
                    payments.append(uow.aggregates.get(Payment, found[1]))
            first = payments[0] if payments else None
            context = CaseContext(
                payments=payments,
                customer=_maybe(uow, Customer, stored.customer_id),
                merchant=_maybe(
                    uow, Merchant, stored.merchant_id or (first.merchant_id if first else None)
                ),
                failure=_maybe(uow, PaymentFailure, failure_id),
                operator=_maybe(uow, Operator, operator_id),
            )
            return triage(stored, context, policies=self.policies, now=self.clock())

        return self._handle(decide)

    def resolve_case(
        self, case_id: str, *, operator_id: str | None = None, note: str | None = None
    ) -> Handled:
        """Resolve a case and tell the customer."""

        def decide(uow: UnitOfWork) -> Outcome:
            case = uow.aggregates.get(SupportCase, case_id)
            return resolve(case, now=self.clock(), resolution=note or "resolved", actor=operator_id)

        return self._handle(decide)

    def reopen_case(
        self, case_id: str, *, operator_id: str | None = None, note: str | None = None
    ) -> Handled:
        """Reopen a resolved case (the customer wrote back within the reopen window)."""

        def decide(uow: UnitOfWork) -> Outcome:
            case = uow.aggregates.get(SupportCase, case_id)
            return reopen(case, now=self.clock(), actor=operator_id, reason=note)

        return self._handle(decide)

    def case_queue(self, status: str | None = None) -> list[dict[str, Any]]:
        """The case projection: id, claim, status, tier, assignee, payment."""
        with self.uow() as uow:
            return [
                {
                    "id": r.id,
                    "claim": r.claim,
                    "status": r.status,
                    "tier": r.tier,
                    "assignee": r.assignee,
                    "payment_id": r.payment_id,
                }
                for r in uow.aggregates.cases(status)
            ]

    def dispute(self, dispute_id: str) -> tuple[Payment, str]:
        """The payment holding a dispute, and the dispute's id."""
        with self.uow() as uow:
            did, payment = self._payment_of(uow, dispute_id, "dispute")
            return payment, did

    # ------------------------------------------------------------------ recovery
    def resume(self) -> list[dict[str, Any]]:
        """Run effects a previous process planned but never finished (call at start-up).

        ``planned`` effects never reached an adapter; ``running`` ones may have: they are
        sent again with the same idempotency key, which the provider answers without
        acting twice.
        """
        with self.uow() as uow:
            planned = [_load_effect(r.json) for r in uow.effects.by_status("planned")]
            running = [_load_effect(r.json) for r in uow.effects.by_status("running")]
        return self._run(planned) + self._run(running, from_status="running")


# ---------------------------------------------------------------------- helpers
def _maybe(uow: UnitOfWork, model_type: type[Any], id: str | None) -> Any:
    return uow.aggregates.find(model_type, id) if id else None


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _same_request(stored: RefundRequest, new: RefundRequest) -> None:
    """A request id reused for a different request is a client error (409)."""
    from paysupport.errors import ConflictError

    keep = ("payment_id", "amount", "reason", "duplicate_of", "correct_amount")
    if any(getattr(stored, k) != getattr(new, k) for k in keep):
        raise ConflictError(f"refund request {new.id} (reused for a different request)", 0, 0)


def _dump(effect: Effect) -> str:
    return json.dumps(effect.to_dict(), sort_keys=True)


def _refund_result(status: str, answer: GatewayAnswer | None) -> RefundResult:
    if status == "unknown" or answer is None:
        return RefundResult.unknown()
    if answer.outcome == "failed":
        return RefundResult.failed(answer.failure_reason or "unknown", answer.reference)
    if answer.outcome == "pending":
        return RefundResult.pending(answer.reference)
    return RefundResult(
        status=RefundStatus.SUCCEEDED,
        provider_reference=answer.reference,
        provider_status=answer.raw_status,
    )


def _load_effect(text: str) -> Effect:
    """Rebuild a stored effect; the library checks that its key still matches its cause."""
    return Effect.from_dict(json.loads(text))
