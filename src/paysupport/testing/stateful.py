"""Hypothesis state machines for every lifecycle, to subclass with your policies and rules.

Each base drives one compiled lifecycle (:mod:`paysupport.lifecycles`) through random event
sequences on a clock that only moves forward, starting from a model the library's
strategies draw. After every step it checks the lifecycle's promises:

- the state is one the lifecycle declares, and a terminal state stays terminal;
- a refused event (not allowed now, or dated before the last event) changes nothing;
- ``can`` and ``allowed_events`` predict exactly what ``fire`` accepts;
- the history is one event per accepted step, in time order, and replays to the model;
- the model still passes full validation, and its money adds up.

Subclass a base to add your own invariants (:meth:`LifecycleStateMachine.check`,
:meth:`LifecycleStateMachine.on_transition`) and your own policies
(:meth:`PaymentLifecycleMachine.refund_policy`, :meth:`RefundLifecycleMachine.authority`,
:meth:`CaseLifecycleMachine.escalation_policy`): the machine then asks your policy along the
way and checks that what it decides is explained and that the lifecycle can carry it out::

    from paysupport.testing.stateful import PaymentLifecycleMachine

    class OurRefunds(PaymentLifecycleMachine):
        def refund_policy(self):
            return OurRefundPolicy()

        def check(self, payment):
            assert payment.amount_refunded <= payment.amount_captured

    TestOurRefunds = OurRefunds.TestCase

Runs follow the active Hypothesis profile (``max_examples``, ``stateful_step_count``); use
:func:`as_test_case` to give one machine its own settings.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from hypothesis import event as hypothesis_event
from hypothesis import note
from hypothesis import settings as Settings  # noqa: N812  (hypothesis calls it settings)
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from paysupport.errors import InvalidTransition
from paysupport.lifecycles import (
    Lifecycle,
    case,
    dispute,
    hard_decline_reason,
    payment,
    recovery,
    refund,
)
from paysupport.models import (
    Customer,
    Dispute,
    Payment,
    PaymentFailure,
    PaymentStatus,
    Refund,
    RefundFailureReason,
    RefundStatus,
    SupportCase,
    Tier,
)
from paysupport.money import Money
from paysupport.networks import network_rules
from paysupport.policies import (
    ApprovalContext,
    EscalationContext,
    EscalationPolicy,
    RefundContext,
    RefundPolicy,
)
from paysupport.testing import strategies as ps
from paysupport.testing.properties import (
    ApprovalPolicy,
    PropertyViolation,
    describe,
    explanation_problem,
    four_eyes_problem,
    limit_problem,
    refundable_problem,
)

if TYPE_CHECKING:
    from hypothesis.stateful import _StateMachineTestCase

__all__ = [
    "CaseLifecycleMachine",
    "DisputeLifecycleMachine",
    "LifecycleStateMachine",
    "PaymentLifecycleMachine",
    "RecoveryLifecycleMachine",
    "RefundLifecycleMachine",
    "RunStats",
    "as_test_case",
    "run_stats",
]

#: How far the clock may move between two steps: often not at all, sometimes by weeks.
CLOCK_STEPS: st.SearchStrategy[timedelta] = st.sampled_from(
    [timedelta(0), timedelta(minutes=5), timedelta(hours=6), timedelta(days=3), timedelta(days=40)]
)

_ACTORS = ("op_alice", "op_bob")
_NO_DATA: st.SearchStrategy[dict[str, object]] = st.just({})


def _model_time(model: Any) -> datetime | None:
    """When the model's own clock stands: its last event, else when it began."""
    history = getattr(model, "history", ())
    if history:
        at: datetime = history[-1].at
        return at
    for name in ("created_at", "opened_at", "declined_at"):
        value = getattr(model, name, None)
        if isinstance(value, datetime):
            return value
    return None


def _data(**fields: st.SearchStrategy[object]) -> st.SearchStrategy[dict[str, object]]:
    """A dict of event data; a field drawn as ``None`` is left out."""
    return st.fixed_dictionaries(dict(fields)).map(
        lambda d: {k: v for k, v in d.items() if v is not None}
    )


def _maybe(values: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | values


class LifecycleStateMachine(RuleBasedStateMachine):
    """The engine behind every lifecycle machine; subclass one of the five bases instead.

    Attributes:
        lifecycle: the compiled lifecycle driven (set by each base).
        start: the clock's first reading; the strategies date models before it.
        clock_steps: how far the clock moves between steps.
        model: the model after the last accepted event (``None`` before the first step).
        initial: the model the run started from.
        now: the clock's reading; it only moves forward.
        accepted: how many events were accepted so far.
        refused: how many events were refused so far.
        refused_share: of the steps that try an impossible or backdated event, the share
            that goes ahead (the rest do nothing).
    """

    lifecycle: ClassVar[Lifecycle[Any]]
    start: ClassVar[datetime] = ps.DEFAULT_NOW
    clock_steps: ClassVar[st.SearchStrategy[timedelta]] = CLOCK_STEPS
    refused_share: ClassVar[float] = 0.25

    def __init__(self) -> None:
        super().__init__()
        self.model: Any = None
        self.initial: Any = None
        self.now: datetime = self.start
        self.accepted = 0
        self.refused = 0
        self._terminal: str | None = None

    # ------------------------------------------------------------------ hooks
    def initial_models(self) -> st.SearchStrategy[Any]:
        """The models a run starts from; override to narrow them (a strategy)."""
        raise NotImplementedError(f"{type(self).__name__} must define initial_models()")

    def event_data(self, event: str, model: Any, now: datetime) -> st.SearchStrategy[Any]:
        """The event data to send with ``event`` (a strategy of dicts); none by default."""
        return _NO_DATA

    def check(self, model: Any) -> None:
        """Your invariant, checked on the first model and after every step: assert here."""

    def on_transition(self, before: Any, after: Any, event: str) -> None:
        """Called after every accepted event with the models before and after: assert here."""

    def transition_invariants(self, before: Any, after: Any, event: str) -> None:
        """The lifecycle's own rules about one accepted event (the bases add theirs)."""

    # ------------------------------------------------------------------ helpers
    @property
    def state(self) -> str:
        """The lifecycle state of the current model."""
        return str(self.lifecycle.state_of(self.model))

    def _events_from_here(self) -> tuple[str, ...]:
        return tuple(self.lifecycle.table.get(self.state, {}))

    def fire(
        self, event: str, now: datetime, data: dict[str, Any], actor: str | None = None
    ) -> bool:
        """Fire ``event`` at ``now`` and check the outcome; True when it was accepted.

        Checks that ``can`` and ``allowed_events`` predicted the outcome, that a refusal left
        the model untouched, and that an acceptance added exactly one event.
        """
        lc = self.lifecycle
        before = self.model
        predicted = lc.can(before, event, now=now, actor=actor, **data)
        listed = event in lc.allowed_events(before, now=now, actor=actor, **data)
        assert predicted == listed, (
            f"can() says {predicted} but allowed_events() {'lists' if listed else 'omits'} "
            f"{event!r} in state {self.state}"
        )
        snapshot = before.model_dump_json()
        try:
            after = lc.fire(before, event, now=now, actor=actor, **data)
        except InvalidTransition as exc:
            refusal: InvalidTransition | None = exc
        else:
            refusal = None
        if refusal is not None:
            assert not predicted, f"can() allowed {event!r} but fire() refused it: {refusal}"
            assert (refusal.event, refusal.state) == (event, self.state), refusal
            assert before.model_dump_json() == snapshot, f"refusing {event!r} changed the model"
            self.refused += 1
            hypothesis_event(f"{lc.name}: {event} refused")
            note(f"{now:%Y-%m-%d %H:%M} {event} {data or ''} refused in {self.state}: {refusal}")
            return False
        assert predicted, f"can() refused {event!r} but fire() accepted it"
        assert before.model_dump_json() == snapshot, f"firing {event!r} changed the input model"
        assert after.version == before.version + 1
        assert after.history[:-1] == before.history
        last = after.history[-1]
        assert (last.event, last.at, last.actor) == (event, now, actor)
        assert last.source == self.state
        assert last.target == str(lc.state_of(after))
        note(f"{now:%Y-%m-%d %H:%M} {event} {data or ''}: {last.source} -> {last.target}")
        self.model = after
        self.now = now
        self.accepted += 1
        hypothesis_event(f"{lc.name}: {event} accepted")
        self.transition_invariants(before, after, event)
        self.on_transition(before, after, event)
        return True

    # ------------------------------------------------------------------ rules
    @initialize(data=st.data())
    def begin(self, data: st.DataObject) -> None:
        """Draw the first model and set the clock no earlier than the model's own time."""
        model = data.draw(self.initial_models(), label="initial model")
        self.initial = self.model = model
        began = _model_time(model)
        if began is not None and began > self.now:
            self.now = began
        note(f"start: {type(model).__name__} {getattr(model, 'id', '')} in state {self.state}")
        self.check(model)

    @rule(data=st.data(), actor=st.none() | st.sampled_from(_ACTORS))
    def fire_event(self, data: st.DataObject, actor: str | None) -> None:
        """Fire an event ``allowed_events`` offers now; if none is, one the guards refuse.

        Each event the current state has gets its data drawn first, so that events whose
        guards read data (a refund id, a tier, a retry time) are offered too.
        """
        step = data.draw(self.clock_steps, label="clock step")
        now = self.now + step
        candidates = []
        for name in self._events_from_here():
            values = data.draw(self.event_data(name, self.model, now), label=f"{name} data")
            candidates.append((name, values))
        allowed = [
            (name, values)
            for name, values in candidates
            if name in self.lifecycle.allowed_events(self.model, now=now, actor=actor, **values)
        ]
        if not allowed and not candidates:
            return  # a terminal state: fire_refused_event covers it
        pool = allowed or candidates
        event, values = pool[data.draw(st.integers(0, len(pool) - 1), label="event")]
        accepted = self.fire(event, now, values, actor)
        assert accepted == bool(allowed), f"allowed_events() offered {event!r}, fire() refused"

    @rule(data=st.data(), backdated=st.booleans())
    def fire_refused_event(self, data: st.DataObject, backdated: bool) -> None:
        """Fire an event the state does not have, or one dated before the last event.

        Either way the lifecycle refuses it and nothing changes: the clock never runs back.
        One such step in :attr:`refused_share` goes ahead, so runs spend most steps on
        events that can happen and go deep into the lifecycle.
        """
        if data.draw(st.floats(0, 1), label="refused share") >= self.refused_share:
            return
        here = self._events_from_here()
        impossible = sorted(set(self.lifecycle.events) - set(here))
        if backdated and self.model.history and here:
            event = data.draw(st.sampled_from(here), label="backdated event")
            when = self.model.history[-1].at - timedelta(hours=1)
        elif impossible:
            event = data.draw(st.sampled_from(impossible), label="impossible event")
            when = self.now
        else:
            return
        values = data.draw(self.event_data(event, self.model, when), label="event data")
        assert not self.fire(event, when, values), f"{event!r} at {when} was accepted"

    # ------------------------------------------------------------------ invariants
    @invariant()
    def state_is_declared(self) -> None:
        """The model's state is one the lifecycle declares."""
        if self.model is not None:
            assert self.state in self.lifecycle.states, f"undeclared state {self.state!r}"

    @invariant()
    def terminal_stays_terminal(self) -> None:
        """Once terminal, the model stays in that state and allows no event."""
        if self.model is None:
            return
        if self._terminal is not None:
            assert self.state == self._terminal, f"left terminal {self._terminal} for {self.state}"
            assert self.lifecycle.allowed_events(self.model, now=self.now) == ()
        elif self.state in self.lifecycle.terminal_states:
            self._terminal = self.state

    @invariant()
    def history_is_consistent(self) -> None:
        """One event per accepted step, in time order, each leaving where the last arrived."""
        if self.model is None:
            return
        new = self.model.history[len(self.initial.history) :]
        assert len(new) == self.accepted
        assert self.model.version == self.initial.version + self.accepted
        times = [e.at for e in self.model.history]
        assert times == sorted(times), "events are out of time order"
        for earlier, later in itertools.pairwise(new):
            assert later.source == earlier.target
        if new:
            assert new[-1].target == self.state

    @invariant()
    def model_is_valid(self) -> None:
        """The model still passes full validation (fast paths skip it)."""
        if self.model is not None:
            assert type(self.model).model_validate(self.model.model_dump()) == self.model

    @invariant()
    def your_checks_hold(self) -> None:
        """Your :meth:`check` holds on the current model."""
        if self.model is not None:
            self.check(self.model)

    def teardown(self) -> None:
        """Once per run: the history replays to the last model; the run goes in run_stats."""
        if self.model is not None:
            new = self.model.history[len(self.initial.history) :]
            assert self.lifecycle.replay(self.initial, new) == self.model, "replay differs"
            states = {str(self.lifecycle.state_of(self.initial)), *(e.target for e in new)}
            run_stats(type(self)).record(self.accepted, self.refused, states)
        super().teardown()


def _fresh_id(prefix: str, taken: set[str]) -> str:
    n = len(taken) + 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def _violation(message: str, check: str, policy: object) -> PropertyViolation:
    return PropertyViolation(message, check=check, policy=type(policy).__name__)


# ---------------------------------------------------------------------- payment
_CUSTOMERS: dict[tuple[str, datetime], st.SearchStrategy[Customer | None]] = {}


class PaymentLifecycleMachine(LifecycleStateMachine):
    """A card payment: authorize, capture, void, refund and reverse refunds.

    Starts from pending or authorized payments and from whole histories (captures,
    refunds, disputes). Money invariants: captured never exceeds authorized; refunded plus
    in flight never exceeds captured; refundable is never negative; the status agrees
    with the money. Override :meth:`refund_policy` to have your policy decide refund
    requests along the way: every approval must be within what is refundable, explained
    when partial, and accepted by the payment lifecycle.
    """

    lifecycle = payment

    def refund_policy(self) -> RefundPolicy | None:
        """Your refund policy, asked to decide requests along the way (none by default)."""
        return None

    def initial_models(self) -> st.SearchStrategy[Payment]:
        """Pending or authorized payments (multicapture or not), and whole histories."""
        fresh = st.builds(
            lambda p, multi: p.evolve(multicapture=multi),
            ps.payments(now=self.start, statuses=[PaymentStatus.PENDING, PaymentStatus.AUTHORIZED]),
            st.booleans(),
        )
        return fresh | ps.payments(now=self.start)

    def event_data(self, event: str, model: Payment, now: datetime) -> st.SearchStrategy[Any]:
        """Amounts around what is capturable or refundable, and refund ids old and new."""
        cur = model.currency

        def amounts(top: Money) -> st.SearchStrategy[object]:
            cap = max(1, top.minor)
            return st.integers(1, cap + cap // 10 + 1).map(lambda m: Money.from_minor(m, cur))

        ids = [r.id for r in model.refunds]
        if event == "capture":
            return _data(amount=_maybe(amounts(model.amount_capturable)))
        if event == "refund":
            fresh = _fresh_id("re_m", set(ids))
            return _data(
                refund_id=st.sampled_from([fresh, *ids]),
                amount=_maybe(amounts(model.amount_refundable)),
            )
        if event == "reverse_refund":
            return _data(refund_id=st.sampled_from([*ids, "re_missing"]))
        return _NO_DATA

    @invariant()
    def money_adds_up(self) -> None:
        """Captured <= authorized; refunded + in flight <= captured; the status agrees."""
        p: Payment | None = self.model
        if p is None:
            return
        captured = p.amount_captured
        assert captured <= p.amount
        assert p.amount_refunded + p.amount_refund_in_flight <= captured
        assert not p.amount_refundable.is_negative()
        if p.status is PaymentStatus.REFUNDED:
            assert p.amount_refunded == captured
        if p.status is PaymentStatus.PARTIALLY_REFUNDED:
            assert p.amount_refunded.is_positive() and p.amount_refunded < captured
        if p.status in (PaymentStatus.PENDING, PaymentStatus.AUTHORIZED):
            assert not p.captures

    def _customers(self, code: str) -> st.SearchStrategy[Customer | None]:
        """Customers with a refund history in ``code``, or none (built once per currency)."""
        found = _CUSTOMERS.get((code, self.start))
        if found is None:
            found = st.none() | ps.customers(currencies=[code], now=self.start)
            _CUSTOMERS[(code, self.start)] = found
        return found

    @precondition(lambda self: self.refund_policy() is not None)
    @rule(data=st.data())
    def ask_refund_policy(self, data: st.DataObject) -> None:
        """A customer asks for a refund; your policy decides; an approval is carried out."""
        policy = self.refund_policy()
        assert policy is not None
        p: Payment = self.model
        request = data.draw(ps.refund_requests(p, now=self.now), label="refund request")
        customer = data.draw(self._customers(p.currency.code), label="customer")
        ctx = RefundContext(p, request, customer)
        decision = policy.decide(ctx, self.now)
        note(f"{self.now:%Y-%m-%d %H:%M} {type(policy).__name__}: {decision.explain()}")
        for check, problem in (
            ("never_approves_more_than_refundable", refundable_problem(policy, ctx, decision)),
            ("explains_every_deny_and_review", explanation_problem(policy, decision)),
        ):
            if problem is not None:
                raise _violation(f"{problem} {describe(ctx, self.now)}", check, policy)
        if not decision.approved or "refund" not in self._events_from_here():
            return
        grant = decision.amount or request.amount or ctx.refundable
        refund_id = _fresh_id("re_p", {r.id for r in p.refunds})
        if not self.fire("refund", self.now, {"refund_id": refund_id, "amount": grant}):
            why = self.lifecycle.can(p, "refund", now=self.now, refund_id=refund_id, amount=grant)
            raise _violation(
                f"Policy {type(policy).__name__!r} approved {grant} on payment {p.id}, but the "
                f"payment lifecycle refuses that refund (can={why}). {describe(ctx, self.now)}",
                "approval_is_executable",
                policy,
            )


# ---------------------------------------------------------------------- refund
class RefundLifecycleMachine(LifecycleStateMachine):
    """A provider refund: approval, submission, outcome unknown, success, failure, reversal.

    Four eyes holds on every model (the approver is never the requester). Override
    :meth:`authority` to have your operator authority approve refunds awaiting approval:
    it must never let the requester approve, nor anyone above their own limit, and the
    lifecycle must accept every approval it grants.
    """

    lifecycle = refund

    def authority(self) -> ApprovalPolicy | None:
        """Your operator authority, asked to approve refunds (none by default)."""
        return None

    def initial_models(self) -> st.SearchStrategy[Refund]:
        """Refunds in any state, often at the start, requested by an operator or not."""
        early = [RefundStatus.REQUESTED, RefundStatus.AWAITING_APPROVAL]
        # Everyday amounts in currencies operators usually hold limits in, or anything.
        everyday = ps.refunds(
            now=self.start, statuses=early, currencies=["EUR", "USD", "GBP"], max_minor=20_000
        )
        refunds = everyday | ps.refunds(now=self.start)
        return st.builds(
            lambda r, who: r.evolve(requested_by=who),
            refunds,
            st.sampled_from([*_ACTORS, None]),
        )

    def event_data(self, event: str, model: Refund, now: datetime) -> st.SearchStrategy[Any]:
        """Approvers (the requester among them), failure reasons, provider statuses."""
        if event == "approve":
            people = [*_ACTORS, *([model.requested_by] if model.requested_by else [])]
            return _data(approver=_maybe(st.sampled_from(people)))
        if event in ("fail", "reverse", "cancel", "deny"):
            reasons = [r.value for r in RefundFailureReason]
            return _data(failure_reason=_maybe(st.sampled_from([*reasons, "bogus"])))
        if event in ("submit", "succeed", "confirm_pending"):
            return _data(provider_status=_maybe(st.sampled_from(["pending", "succeeded"])))
        return _NO_DATA

    @invariant()
    def four_eyes_holds(self) -> None:
        """Nobody approved a refund they requested; amounts stay positive."""
        r: Refund | None = self.model
        if r is None:
            return
        assert r.amount.is_positive()
        if r.approved_by is not None and r.requested_by is not None:
            assert r.approved_by != r.requested_by

    @precondition(
        lambda self: (
            self.authority() is not None and self.model.status is RefundStatus.AWAITING_APPROVAL
        )
    )
    @rule(data=st.data())
    def ask_authority(self, data: st.DataObject) -> None:
        """An operator tries to approve; your authority decides; an approval is carried out."""
        authority = self.authority()
        assert authority is not None
        r: Refund = self.model
        # The requester (when there is one) is among those who try to approve.
        ids = [r.requested_by, *_ACTORS] if r.requested_by else list(_ACTORS)
        op = data.draw(
            st.builds(
                lambda o, i: o.evolve(id=i),
                ps.operators(currencies=[r.amount.currency.code]),
                st.sampled_from(list(dict.fromkeys(ids))),
            ),
            label="approver",
        )
        ctx = ApprovalContext(op, r.amount, r.requested_by)
        decision = authority.decide(ctx, self.now)
        note(f"{self.now:%Y-%m-%d %H:%M} {type(authority).__name__}: {decision.explain()}")
        for check, problem in (
            ("enforces_four_eyes", four_eyes_problem(authority, ctx, decision)),
            ("respects_operator_limits", limit_problem(authority, ctx, decision)),
            ("explains_every_deny_and_review", explanation_problem(authority, decision)),
        ):
            if problem is not None:
                raise _violation(f"{problem} {describe(ctx, self.now)}", check, authority)
        if decision.approved and not self.fire("approve", self.now, {"approver": op.id}, op.id):
            raise _violation(
                f"Authority {type(authority).__name__!r} let {op.id} approve refund {r.id}, "
                f"but the refund lifecycle refuses the approval. {describe(ctx, self.now)}",
                "approval_is_executable",
                authority,
            )


# ---------------------------------------------------------------------- dispute
class DisputeLifecycleMachine(LifecycleStateMachine):
    """A dispute: network stage x status, response deadlines, stages only moving forward.

    Invariants: the stage is one the network has; a stage never moves back; a response
    after ``due_by`` is refused; evidence is never submitted before the dispute opened.
    """

    lifecycle = dispute

    def initial_models(self) -> st.SearchStrategy[Dispute]:
        """Catalogue disputes of every network, in a state the lifecycle declares."""
        states = set(self.lifecycle.states)
        return ps.disputes(now=self.start).filter(
            lambda d: str(self.lifecycle.state_of(d)) in states
        )

    def event_data(self, event: str, model: Dispute, now: datetime) -> st.SearchStrategy[Any]:
        """A new stage's deadline, sometimes given, sometimes left to the network's rules."""
        if event.startswith("open_"):
            days = st.integers(1, 45).map(lambda d: now + timedelta(days=d))
            return _data(due_by=_maybe(days))
        return _NO_DATA

    @invariant()
    def stage_exists_on_network(self) -> None:
        """The stage is one the dispute's network has."""
        d: Dispute | None = self.model
        if d is not None:
            assert d.stage in network_rules(d.network).stages

    def transition_invariants(self, before: Dispute, after: Dispute, event: str) -> None:
        """Stages only move forward; responses come by ``due_by``."""
        assert after.stage.rank >= before.stage.rank, f"{event} moved the stage back"
        if event in ("submit_evidence", "accept") and before.due_by is not None:
            assert self.now <= before.due_by, f"{event} accepted after due_by"
        if after.evidence_submitted_at is not None:
            assert after.evidence_submitted_at >= after.opened_at


# ---------------------------------------------------------------------- recovery
_DECLINES = ["51", "05", "43", "54", "14", "61", "91"]
_ADVICE = ["01", "02", "03", "21", "24"]


class RecoveryLifecycleMachine(LifecycleStateMachine):
    """Failed-payment recovery: retries scheduled, retried, recovered, or given up.

    Invariants: a hard decline is never scheduled for a retry; attempts only accumulate;
    recovery follows a succeeded attempt.
    """

    lifecycle = recovery

    def initial_models(self) -> st.SearchStrategy[PaymentFailure]:
        """Declines with catalogue codes, in every recovery state."""
        return ps.payment_failures(now=self.start)

    def event_data(
        self, event: str, model: PaymentFailure, now: datetime
    ) -> st.SearchStrategy[Any]:
        """Retry times around the advice code's wait, and the declines a retry brings back."""
        if event == "schedule_retry":
            waits = [timedelta(0), timedelta(hours=1), timedelta(days=1), timedelta(days=3)]
            return _data(retry_at=_maybe(st.sampled_from(waits).map(lambda w: now + w)))
        if event == "retry_failed":
            return _data(
                network_decline_code=_maybe(st.sampled_from(_DECLINES)),
                merchant_advice_code=_maybe(st.sampled_from(_ADVICE)),
            )
        return _NO_DATA

    def transition_invariants(
        self, before: PaymentFailure, after: PaymentFailure, event: str
    ) -> None:
        """No retry for a hard decline; attempts only grow; recovery needs a success."""
        if event == "schedule_retry":
            on = after.history[-1].at.date()
            assert hard_decline_reason(before.decline, before.advice, on) is None
        assert after.attempts[: len(before.attempts)] == before.attempts
        if event == "retry_succeeded":
            assert after.attempts and after.attempts[-1].succeeded


# ---------------------------------------------------------------------- case
class CaseLifecycleMachine(LifecycleStateMachine):
    """A support case: triage, work, waiting, escalation, resolution, reopening, closing.

    Invariants: escalation only raises the tier; the tier never drops. Override
    :meth:`escalation_policy` to have your policy route the case along the way: it must
    name a tier, and the case lifecycle must accept the triage or escalation it implies.
    """

    lifecycle = case

    def escalation_policy(self) -> EscalationPolicy | None:
        """Your escalation policy, asked to route the case (none by default)."""
        return None

    def initial_models(self) -> st.SearchStrategy[SupportCase]:
        """Support cases of every claim kind, in every state."""
        return ps.support_cases(now=self.start)

    def event_data(self, event: str, model: SupportCase, now: datetime) -> st.SearchStrategy[Any]:
        """Tiers (sometimes not a tier at all) and assignees."""
        tiers = st.sampled_from([*(t.value for t in Tier), "bogus"])
        if event == "triage":
            return _data(tier=_maybe(tiers), assignee=_maybe(st.sampled_from(_ACTORS)))
        if event == "escalate":
            return _data(tier=_maybe(tiers))
        if event == "start":
            return _data(assignee=_maybe(st.sampled_from(_ACTORS)))
        return _NO_DATA

    def transition_invariants(self, before: SupportCase, after: SupportCase, event: str) -> None:
        """The tier never drops (triage sets it afresh); escalation raises it."""
        if before.tier is not None and event != "triage":
            assert after.tier is not None and after.tier >= before.tier, f"{event} lowered tier"
        if event == "escalate" and before.tier is not None:
            assert after.tier is not None and after.tier > before.tier

    @precondition(
        lambda self: (
            self.escalation_policy() is not None
            and ("triage" in self._events_from_here() or "escalate" in self._events_from_here())
        )
    )
    @rule()
    def ask_escalation_policy(self) -> None:
        """Your policy routes the case; the triage or escalation it implies is carried out."""
        policy = self.escalation_policy()
        assert policy is not None
        c: SupportCase = self.model
        ctx = EscalationContext(c)
        decision = policy.decide(ctx, self.now)
        note(f"{self.now:%Y-%m-%d %H:%M} {type(policy).__name__}: {decision.explain()}")
        tier = decision.tier
        if tier is None:
            raise _violation(
                f"Policy {type(policy).__name__!r} routed the case without naming a tier. "
                f"{describe(ctx, self.now)}",
                "names_a_tier",
                policy,
            )
        problem = explanation_problem(policy, decision)
        if problem is not None:
            raise _violation(f"{problem} {describe(ctx, self.now)}", "explains", policy)
        if "triage" in self._events_from_here():
            event = "triage"
        elif c.tier is None or tier > c.tier:
            event = "escalate"
        else:
            return
        if not self.fire(event, self.now, {"tier": tier.value}):
            raise _violation(
                f"Policy {type(policy).__name__!r} routed case {c.id} to tier {tier.value}, but "
                f"the case lifecycle refuses to {event} it there. {describe(ctx, self.now)}",
                "routing_is_executable",
                policy,
            )


@dataclass
class RunStats:
    """What the runs of one machine class did: how deep they went and where they reached.

    Attributes:
        runs: runs recorded.
        accepted: events accepted, summed over runs.
        refused: events refused, summed over runs.
        states: every state some run was in.
    """

    runs: int = 0
    accepted: int = 0
    refused: int = 0
    states: set[str] = field(default_factory=set)

    def record(self, accepted: int, refused: int, states: set[str]) -> None:
        """Add one run."""
        self.runs += 1
        self.accepted += accepted
        self.refused += refused
        self.states |= states

    @property
    def mean_accepted(self) -> float:
        """Accepted events per run."""
        return self.accepted / self.runs if self.runs else 0.0

    def unreached(self, lifecycle: Lifecycle[Any]) -> set[str]:
        """The lifecycle's declared states no run was in."""
        return set(lifecycle.states) - self.states

    def __str__(self) -> str:
        return (
            f"{self.runs} runs, {self.mean_accepted:.1f} accepted events per run, "
            f"{len(self.states)} states reached"
        )


_STATS: dict[type[LifecycleStateMachine], RunStats] = {}


def run_stats(machine: type[LifecycleStateMachine]) -> RunStats:
    """The statistics of the runs of ``machine`` so far in this process (see :class:`RunStats`).

    Example: run ``as_test_case(OurRefunds)`` then read ``run_stats(OurRefunds)`` to see
    whether the runs went deep (``mean_accepted``) and reached every state (``unreached``).
    """
    return _STATS.setdefault(machine, RunStats())


def as_test_case(
    machine: type[LifecycleStateMachine], *, settings: Settings | None = None
) -> type[_StateMachineTestCase]:
    """The ``unittest.TestCase`` that runs ``machine``, optionally with its own settings.

    ``TestOurRefunds = as_test_case(OurRefunds)`` is ``OurRefunds.TestCase``; pass
    ``settings=hypothesis.settings(max_examples=500)`` to run this machine harder than the
    profile says.
    """
    test_case = machine.TestCase
    if settings is not None:
        test_case.settings = settings
    return test_case
