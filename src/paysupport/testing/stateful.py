"""Hypothesis state machines for every lifecycle, to subclass with your policies and rules.

Each base drives one compiled lifecycle ([`lifecycles`][paysupport.lifecycles]) through random event
sequences on a clock that only moves forward, starting from a model the library's
strategies draw. After every step it checks the lifecycle's promises:

- the state is one the lifecycle declares, and a terminal state stays terminal;
- a refused event (not allowed now, or dated before the last event) changes nothing;
- ``can`` and ``allowed_events`` predict exactly what ``fire`` accepts;
- the history is one event per accepted step, in time order, and replays to the model;
- the model still passes full validation, and its money adds up.

Subclass a base to add your own invariants (`LifecycleStateMachine.check`,
`LifecycleStateMachine.on_transition`) and your own policies
(`PaymentLifecycleMachine.refund_policy`, `RefundLifecycleMachine.authority`,
`CaseLifecycleMachine.escalation_policy`): the machine then asks your policy along the
way and checks that what it decides is explained and that the lifecycle can carry it out::

    from paysupport.testing.stateful import PaymentLifecycleMachine

    class OurRefunds(PaymentLifecycleMachine):
        def refund_policy(self):
            return OurRefundPolicy()

        def check(self, payment):
            assert payment.amount_refunded <= payment.amount_captured

    TestOurRefunds = OurRefunds.TestCase

Runs follow the active Hypothesis profile (``max_examples``, ``stateful_step_count``); use
[`as_test_case`][paysupport.testing.stateful.as_test_case] to give one machine its own settings.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from hypothesis import event as hypothesis_event
from hypothesis import note
from hypothesis import settings as Settings  # noqa: N812  (hypothesis calls it settings)
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
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
    CaseStatus,
    Customer,
    Dispute,
    DisputeStatus,
    Payment,
    PaymentFailure,
    PaymentStatus,
    RecoveryStatus,
    Refund,
    RefundFailureReason,
    RefundStatus,
    SupportCase,
    Tier,
)
from paysupport.models.dispute import DISPUTE_STATES, DisputeState
from paysupport.money import Money
from paysupport.networks import DisputeStage, Network, network_rules, reason_codes
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

_MINUTE, _HOUR, _DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)

#: How far the clock may move between two steps: mostly minutes to a day, sometimes days,
#: rarely weeks (a jump that blows every deadline is one step in twenty).
CLOCK_STEPS: st.SearchStrategy[timedelta] = st.sampled_from(
    [
        *[timedelta(0)] * 3,
        *[5 * _MINUTE] * 4,
        *[6 * _HOUR] * 4,
        *[_DAY] * 4,
        *[3 * _DAY] * 3,
        *[10 * _DAY] * 1,
        *[40 * _DAY] * 1,
    ]
)

_ACTORS = ("op_alice", "op_bob")
_NO_DATA: st.SearchStrategy[dict[str, object]] = st.just({})
_ANY_ACTOR: st.SearchStrategy[str | None] = st.none() | st.sampled_from(_ACTORS)


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


def _mostly(
    usual: st.SearchStrategy[Any], rare: st.SearchStrategy[Any], times: int = 4
) -> st.SearchStrategy[Any]:
    """``usual`` ``times`` draws in ``times + 1``, else ``rare``."""
    return st.sampled_from(range(times + 1)).flatmap(lambda i: rare if i == times else usual)


def _chance(data: st.DataObject, share: float, label: str) -> bool:
    """True in about ``share`` of draws (shrinks towards False)."""
    return data.draw(st.integers(0, 999), label=label) >= 1000 - round(share * 1000)


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
        steps: how many rules ran so far.
        refused: how many events were refused so far.
        refused_share: the share of steps that try an impossible or backdated event (the
            rest fire an event that can happen now, when there is one).
        ending_share: when an event that ends the lifecycle (every transition it takes
            from here leads to a final state) can happen, the share of steps that take it.
        event_weights: how often an event is picked among those that can happen, relative
            to the others (default 1 each).
        policy_share: the share of steps that ask your policy, when you gave one.
    """

    lifecycle: ClassVar[Lifecycle[Any]]
    start: ClassVar[datetime] = ps.DEFAULT_NOW
    clock_steps: ClassVar[st.SearchStrategy[timedelta]] = CLOCK_STEPS
    refused_share: ClassVar[float] = 0.25
    ending_share: ClassVar[float] = 0.05
    policy_share: ClassVar[float] = 0.5
    event_weights: ClassVar[Mapping[str, int]] = MappingProxyType({})

    def __init__(self) -> None:
        super().__init__()
        self.model: Any = None
        self.initial: Any = None
        self.now: datetime = self.start
        self.accepted = 0
        self.steps = 0
        self.refused = 0
        self._terminal: str | None = None

    # ------------------------------------------------------------------ hooks
    def initial_models(self) -> st.SearchStrategy[Any]:
        """The models a run starts from; override to narrow them (a strategy)."""
        raise NotImplementedError(f"{type(self).__name__} must define initial_models()")

    def event_data(self, event: str, model: Any, now: datetime) -> st.SearchStrategy[Any]:
        """The event data to send with ``event`` (a strategy of dicts); none by default."""
        return _NO_DATA

    def event_actor(self, event: str, model: Any) -> st.SearchStrategy[str | None]:
        """The operator who fires ``event`` (a strategy): nobody, or one of two operators."""
        return _ANY_ACTOR

    def check(self, model: Any) -> None:
        """Your invariant, checked on the first model and after every step: assert here."""

    def on_transition(self, before: Any, after: Any, event: str) -> None:
        """Called after every accepted event with the models before and after: assert here."""

    def on_refusal(
        self,
        model: Any,
        event: str,
        now: datetime,
        data: dict[str, Any],
        actor: str | None,
        error: InvalidTransition,
    ) -> None:
        """Called after every refused event with the (unchanged) model and the error."""

    def transition_invariants(self, before: Any, after: Any, event: str) -> None:
        """The lifecycle's own rules about one accepted event (the bases add theirs)."""

    # ------------------------------------------------------------------ helpers
    @property
    def state(self) -> str:
        """The lifecycle state of the current model."""
        return str(self.lifecycle.state_of(self.model))

    def _events_from_here(self) -> tuple[str, ...]:
        return tuple(self.lifecycle.table.get(self.state, {}))

    def _ends(self, candidate: tuple[str, dict[str, Any], str | None], now: datetime) -> bool:
        """Whether the candidate event (name, data, actor) leads to a final state from here."""
        lc = self.lifecycle
        event, values, actor = candidate
        final = {tr.target in lc.terminal_states for tr in lc.table[self.state][event]}
        if len(final) == 1:
            return final.pop()
        # Transitions to final and other states (a dispute outcome here or at a later stage).
        after = lc.fire(self.model, event, now=now, actor=actor, **values)
        return lc.state_of(after) in lc.terminal_states

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
            self.on_refusal(before, event, now, data, actor, refusal)
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

    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        """One step: mostly an event that can happen now, in `refused_share` a refused one.

        In `policy_share` of the steps your policy, when you gave one, is asked instead
        (`ask_policy`). One rule rather than several: Hypothesis switches rules off at random
        per run (swarm testing), and a run left with only refused events, or only a policy
        rule that has nothing to ask, would go nowhere.
        """
        self.steps += 1
        if _chance(data, self.refused_share, "refused share"):
            self.fire_refused_event(data)
        elif not (_chance(data, self.policy_share, "policy share") and self.ask_policy(data)):
            self.fire_event(data)

    def ask_policy(self, data: st.DataObject) -> bool:
        """Ask your policy along the way (the bases that take one override this).

        Returns:
            Whether a policy was asked (False: no policy, or nothing to ask it now).
        """
        return False

    def ending_chance(self) -> float:
        """The share of steps that end the lifecycle when they can (default `ending_share`).

        Override it to end more often in some states, e.g. late in a dispute.
        """
        return self.ending_share

    def fire_event(self, data: st.DataObject) -> None:
        """Move the clock on and fire an event that ``can`` accepts now, if there is one.

        Each event of the current state gets its data (and actor) drawn first, so events whose
        guards read data are offered too. Events that end the lifecycle are taken in
        `ending_share` of the steps that could take one (even when nothing else can
        happen now: a later step may draw data that lets the lifecycle go on), so runs go
        deep before they end. When nothing is taken, time passes and nothing else happens.
        """
        lc = self.lifecycle
        now = self.now + data.draw(self.clock_steps, label="clock step")
        allowed: list[tuple[str, dict[str, Any], str | None]] = []
        for name in self._events_from_here():
            values = data.draw(self.event_data(name, self.model, now), label=f"{name} data")
            actor = data.draw(self.event_actor(name, self.model), label=f"{name} actor")
            if lc.can(self.model, name, now=now, actor=actor, **values):
                allowed.append((name, values, actor))
            else:
                hypothesis_event(f"{lc.name}: {name} not possible from {self.state}")
        ends = [self._ends(c, now) for c in allowed]
        ending = [c for c, end in zip(allowed, ends, strict=True) if end]
        going_on = [c for c, end in zip(allowed, ends, strict=True) if not end]
        if ending and _chance(data, self.ending_chance(), "ending share"):
            pool = ending
        elif going_on:
            pool = going_on
        else:
            self.now = now  # nothing can happen now: time passes
            return
        weighted = [c for c in pool for _ in range(self.event_weights.get(c[0], 1))]
        event, values, actor = weighted[data.draw(st.integers(0, len(weighted) - 1), label="event")]
        assert self.fire(event, now, values, actor), f"can() offered {event!r}, fire() refused"

    def fire_refused_event(self, data: st.DataObject) -> None:
        """Fire an event the state does not have, or one dated before the last event.

        Either way the lifecycle refuses it and nothing changes: the clock never runs back.
        """
        here = self._events_from_here()
        impossible = sorted(set(self.lifecycle.events) - set(here))
        backdated = data.draw(st.booleans(), label="backdated")
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
        """Your `check` holds on the current model."""
        if self.model is not None:
            self.check(self.model)

    def teardown(self) -> None:
        """Once per run: the history replays to the last model; the run goes in run_stats.

        A run Hypothesis abandons before its first step (its swarm testing switched off
        every rule that could run) is not a run and is not recorded.
        """
        if self.model is not None:
            new = self.model.history[len(self.initial.history) :]
            assert self.lifecycle.replay(self.initial, new) == self.model, "replay differs"
            states = {str(self.lifecycle.state_of(self.initial)), *(e.target for e in new)}
            if self.steps:
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
    with the money. Override `refund_policy` to have your policy decide refund
    requests along the way: every approval must be within what is refundable, explained
    when partial, and accepted by the payment lifecycle.
    """

    lifecycle = payment

    def refund_policy(self) -> RefundPolicy | None:
        """Your refund policy, asked to decide requests along the way (none by default)."""
        return None

    def initial_models(self) -> st.SearchStrategy[Payment]:
        """Mostly pending or authorized payments (multicapture or not); whole histories too."""
        fresh = st.builds(
            lambda p, multi: p.evolve(multicapture=multi),
            ps.payments(now=self.start, statuses=[PaymentStatus.PENDING, PaymentStatus.AUTHORIZED]),
            st.booleans(),
        )
        return _mostly(fresh, ps.payments(now=self.start), times=3)

    def event_data(self, event: str, model: Payment, now: datetime) -> st.SearchStrategy[Any]:
        """Amounts mostly within what is capturable or refundable, ids mostly the right ones.

        A capture or refund is usually a part (or, without an amount, all) of what is left,
        sometimes more than that; a refund usually gets a new id, sometimes one the payment
        already has (an in-flight refund settles; a settled one is refused); a reversal
        usually names a succeeded refund, sometimes a missing one.
        """
        cur = model.currency

        def amounts(top: Money) -> st.SearchStrategy[object]:
            cap = top.minor
            over = st.integers(cap + 1, cap + cap // 10 + 2).map(lambda m: Money.from_minor(m, cur))
            if cap < 1:
                return over
            within = st.integers(1, cap).map(lambda m: Money.from_minor(m, cur))
            return _mostly(st.one_of(within, within, st.none()), over)

        ids = [r.id for r in model.refunds]
        if event == "capture":
            return _data(amount=amounts(model.amount_capturable))
        if event in ("refund", "settle_refund"):
            fresh = _data(
                refund_id=st.just(_fresh_id("re_m", set(ids))),
                amount=amounts(model.amount_refundable),
            )
            if not ids:
                return fresh
            # An id the payment has: an in-flight refund settles for its own amount.
            known = _data(refund_id=st.sampled_from(ids), amount=_maybe(amounts(model.amount)))
            return _mostly(fresh, known)
        if event == "reverse_refund":
            done = [r.id for r in model.refunds if r.status is RefundStatus.SUCCEEDED]
            named = st.sampled_from(done) if done else st.just("re_missing")
            return _data(refund_id=_mostly(named, st.just("re_missing")))
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

    def ask_policy(self, data: st.DataObject) -> bool:
        """With your refund policy, a customer asks for a refund (see `ask_refund_policy`)."""
        if self.refund_policy() is None:
            return False
        self.ask_refund_policy(data)
        return True

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
    `authority` to have your operator authority approve refunds awaiting approval:
    it must never let the requester approve, nor anyone above their own limit, and the
    lifecycle must accept every approval it grants.
    """

    lifecycle = refund
    # Approval rounds and the provider's intermediate answers before the outcome.
    event_weights = MappingProxyType(
        {
            "require_approval": 6,
            "submit": 3,
            "submit_timed_out": 3,
            "confirm_pending": 3,
            "require_action": 2,
        }
    )

    def authority(self) -> ApprovalPolicy | None:
        """Your operator authority, asked to approve refunds (none by default)."""
        return None

    def initial_models(self) -> st.SearchStrategy[Refund]:
        """Refunds mostly at the start (requested, awaiting approval), sometimes elsewhere.

        Starts elsewhere are in states something can follow (not final ones).
        """
        early = [RefundStatus.REQUESTED, RefundStatus.AWAITING_APPROVAL]
        # Everyday amounts in currencies operators usually hold limits in, or anything.
        everyday = ps.refunds(
            now=self.start, statuses=early, currencies=["EUR", "USD", "GBP"], max_minor=20_000
        )
        # Starts anywhere are in states something can follow: a final state is reached by
        # the events that end a refund, not drawn as a start.
        going_on = [s for s in RefundStatus if s.value not in self.lifecycle.terminal_states]
        refunds = _mostly(everyday, ps.refunds(now=self.start, statuses=going_on), times=5)
        return st.builds(
            lambda r, who: r.evolve(requested_by=who),
            refunds,
            st.sampled_from([*_ACTORS, None]),
        )

    def event_actor(self, event: str, model: Refund) -> st.SearchStrategy[str | None]:
        """Approvals mostly by someone other than the requester, sometimes by the requester."""
        if event != "approve":
            return _ANY_ACTOR
        others = [a for a in (*_ACTORS, "op_carol") if a != model.requested_by]
        wrong = st.sampled_from([model.requested_by]) if model.requested_by else st.none()
        return _mostly(st.sampled_from(others), st.none() | wrong)

    def event_data(self, event: str, model: Refund, now: datetime) -> st.SearchStrategy[Any]:
        """Failure reasons (rarely not one), provider statuses; the approver is the actor."""
        if event in ("fail", "reverse", "cancel", "deny"):
            reasons = st.sampled_from([r.value for r in RefundFailureReason])
            return _data(failure_reason=_mostly(_maybe(reasons), st.just("bogus")))
        if event == "approve":  # rarely names someone other than the actor
            return _data(approver=_mostly(st.none(), st.sampled_from(_ACTORS)))
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

    def ask_policy(self, data: st.DataObject) -> bool:
        """With your authority, a refund awaiting approval is approved (`ask_authority`)."""
        if self.authority() is None or self.model.status is not RefundStatus.AWAITING_APPROVAL:
            return False
        self.ask_authority(data)
        return True

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
def _codes_with(network: Any, stage: DisputeStage) -> list[str]:
    """The network's reason codes that have ``stage`` (the network must have it too)."""
    if not isinstance(network, Network) or stage not in network_rules(network).stages:
        return []
    return [rc.code for rc in reason_codes(network) if stage in rc.stages]


class DisputeLifecycleMachine(LifecycleStateMachine):
    """A dispute: network stage x status, response deadlines, stages only moving forward.

    Invariants: the stage is one the network has; a stage never moves back; a response
    after ``due_by`` is refused; evidence is never submitted before the dispute opened.
    """

    lifecycle = dispute
    # Fewer endings than the default early on: a dispute can end at almost every step
    # (accept, win, lose, expire), and runs should walk through the stages before they end.
    ending_share = 0.04
    #: The share of steps that end a dispute once it reached pre-arbitration or arbitration,
    #: so their acceptances and expiries are reached too.
    late_ending_share = 0.2
    #: The share of steps that close an inquiry (a retrieval request often ends there).
    inquiry_ending_share = 0.15
    # A dispute state has few events, so a smaller share of refused tries than the default
    # still tries each refusal often (backdated tries come on top), and leaves more steps
    # for the stages.
    refused_share = 0.05
    # Responses and outcomes that lead on to the next stage, before the shortcuts; among the
    # endings, an expiry as often as an outcome (it needs a passed deadline or the
    # provider's word, so it is offered less often than the others).
    event_weights = MappingProxyType(
        {
            "submit_evidence": 6,
            "win": 2,
            "lose": 2,
            "accept": 3,
            "expire": 3,
            "close": 2,
            "open_chargeback": 2,
            "open_pre_arbitration": 2,
            "open_arbitration": 2,
        }
    )

    def ending_chance(self) -> float:
        """`late_ending_share` from pre-arbitration on or once the response is overdue.

        Before that, `inquiry_ending_share` for an inquiry and `ending_share` for a
        chargeback. A dispute whose deadline passed without a response mostly expires; it
        is where the expiries are reached.
        """
        d: Dispute | None = self.model
        if d is None:
            return self.ending_share
        late = d.stage.rank >= DisputeStage.PRE_ARBITRATION.rank
        overdue = d.due_by is not None and self.now > d.due_by
        if late or overdue:
            return self.late_ending_share
        return self.inquiry_ending_share if d.stage is DisputeStage.INQUIRY else self.ending_share

    def initial_models(self) -> st.SearchStrategy[Dispute]:
        """Disputes mostly just opened (inquiry or chargeback, response due), or in a later state.

        Fresh disputes opened hours before the clock starts, with their deadline ahead (or
        none: the network's window applies), mostly Visa and Mastercard, whose disputes can
        go all the way to arbitration.
        """
        stages = [DisputeStage.INQUIRY, DisputeStage.CHARGEBACK]
        due = [DisputeStatus.NEEDS_RESPONSE]
        opened = _mostly(
            ps.disputes(
                now=self.start, networks=["visa", "mastercard"], stages=stages, statuses=due
            ),
            ps.disputes(now=self.start, stages=stages, statuses=due),
            times=6,
        )
        fresh = st.builds(
            lambda d, hours, days: d.evolve(
                opened_at=self.start - timedelta(hours=hours),
                due_by=None if days is None else self.start + timedelta(days=days),
            ),
            opened,
            st.integers(1, 48),
            _maybe(st.integers(5, 45)),
        )
        # Starts anywhere are in states something can follow: a final state is reached by
        # the events that end a dispute, not drawn as a start.
        going_on = [row for row in DISPUTE_STATES if not row.final]
        return _mostly(fresh, st.sampled_from(going_on).flatmap(self._disputes_in), times=7)

    def _disputes_in(self, row: DisputeState) -> st.SearchStrategy[Dispute]:
        """Disputes in one declared state (networks whose codes have its stage, mostly)."""
        network = "amex" if row.stage is DisputeStage.INQUIRY else "visa"
        return ps.disputes(
            now=self.start, networks=[network], stages=[row.stage], statuses=[row.status]
        ).filter(lambda d: d.stage is row.stage)

    def event_data(self, event: str, model: Dispute, now: datetime) -> st.SearchStrategy[Any]:
        """Deadlines ahead, outcomes mostly at the current stage, sometimes a provider's word.

        A new stage's deadline is given or left to the network's window and the stage
        opens needing a response or (sometimes) under review; a response carries the
        provider's deadline for a stage without one; an outcome is sometimes reported at a
        later stage; an expiry is sometimes reported by the provider before ``due_by``.
        """
        ahead = st.integers(5, 45).map(lambda d: now + timedelta(days=d))
        if event.startswith("open_"):
            opened = _mostly(st.none(), st.just(DisputeStatus.UNDER_REVIEW.value), times=6)
            codes = _codes_with(model.network, DisputeStage(event.removeprefix("open_")))
            # An inquiry's code has no chargeback: the chargeback comes with its own code.
            code = st.sampled_from(codes) if codes else st.none()
            if event != "open_chargeback":
                code = _mostly(st.none(), code, times=6)
            return _data(due_by=_maybe(ahead), status=opened, reason_code=code)
        if event in ("submit_evidence", "accept"):
            return _data(due_by=_mostly(ahead, st.none()))
        if event == "expire":
            return _data(reported_by=_maybe(st.just("stripe")))
        if event in ("win", "lose"):
            later = [s.value for s in DisputeStage if s.rank > model.stage.rank]
            stage = _mostly(st.none(), st.sampled_from(later), times=6) if later else st.none()
            return _data(stage=stage)
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
#: Declines a plain retry can cure (Visa category 2/3, no customer action) ...
_SOFT_DECLINES = ["51", "61", "65", "91", "96"]
#: ... and declines that stop retries (hard, or the customer must act).
_STOPPING_DECLINES = ["54", "14", "04", "43"]
#: Mastercard advice codes: retry later (some after a wait), never retry, update the card.
_ADVICE = ["02", "24", "25", "03", "21", "01"]


class RecoveryLifecycleMachine(LifecycleStateMachine):
    """Failed-payment recovery: retries scheduled, retried, recovered, or given up.

    Invariants: a hard decline is never scheduled for a retry; attempts only accumulate;
    recovery follows a succeeded attempt.
    """

    lifecycle = recovery

    def initial_models(self) -> st.SearchStrategy[PaymentFailure]:
        """Mostly fresh soft declines (a retry can cure them); declines of every kind too."""
        fresh = st.builds(
            lambda f, code, advice: f.evolve(
                network_decline_code=code,
                decline_code=None,
                provider_decline=None,
                merchant_advice_code=advice if f.network is Network.MASTERCARD else None,
            ),
            ps.payment_failures(now=self.start, statuses=[RecoveryStatus.DECLINED]),
            st.sampled_from(_SOFT_DECLINES),
            _maybe(st.sampled_from(["02", "24", "25"])),
        )
        return _mostly(fresh, ps.payment_failures(now=self.start), times=3)

    def event_data(
        self, event: str, model: PaymentFailure, now: datetime
    ) -> st.SearchStrategy[Any]:
        """Retry times after the advice code's wait, and the declines a retry brings back.

        A retry is mostly scheduled after the earliest time the advice allows (sometimes
        before it, or with no time); a failed retry mostly brings back a soft decline
        (sometimes one that stops retries, rarely no code at all).
        """
        if event == "schedule_retry":
            advice = model.advice
            earliest = now
            if advice is not None and advice.retry_after is not None:
                earliest = max(now, model.last_attempt_at + advice.retry_after)
            waits = st.sampled_from([timedelta(0), _HOUR, 6 * _HOUR, _DAY])
            good = waits.map(lambda w: earliest + w)
            early = st.none() | st.just(now - _MINUTE)
            return _data(retry_at=_mostly(good, early))
        if event == "retry_failed":
            soft = _data(
                network_decline_code=st.sampled_from(_SOFT_DECLINES),
                merchant_advice_code=_maybe(st.sampled_from(_ADVICE)),
            )
            stopping = _data(network_decline_code=st.sampled_from(_STOPPING_DECLINES))
            return st.one_of(soft, soft, soft, stopping, st.just({}))
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
_TIER_VALUES = [t.value for t in Tier]


class CaseLifecycleMachine(LifecycleStateMachine):
    """A support case: triage, work, waiting, escalation, resolution, reopening, closing.

    Invariants: escalation only raises the tier; the tier never drops. Override
    `escalation_policy` to have your policy route the case along the way: it must
    name a tier, and the case lifecycle must accept the triage or escalation it implies.
    """

    lifecycle = case

    def escalation_policy(self) -> EscalationPolicy | None:
        """Your escalation policy, asked to route the case (none by default)."""
        return None

    def initial_models(self) -> st.SearchStrategy[SupportCase]:
        """Mostly new or triaged cases, sometimes cases in any state."""
        early = ps.support_cases(now=self.start, statuses=[CaseStatus.NEW, CaseStatus.TRIAGED])
        return _mostly(early, ps.support_cases(now=self.start), times=3)

    def event_data(self, event: str, model: SupportCase, now: datetime) -> st.SearchStrategy[Any]:
        """Tiers (mostly one that exists and is above the case's, rarely not a tier), assignees."""
        tiers = st.sampled_from([t.value for t in Tier])
        if event == "triage":
            return _data(
                tier=_mostly(tiers, st.sampled_from([None, "bogus"])),
                assignee=_maybe(st.sampled_from(_ACTORS)),
            )
        if event == "escalate":
            above = [t.value for t in Tier if model.tier is None or t > model.tier]
            higher = st.sampled_from(above) if above else tiers
            return _data(tier=_mostly(_maybe(higher), st.sampled_from([*_TIER_VALUES, "bogus"])))
        if event == "start":
            return _data(assignee=_maybe(st.sampled_from(_ACTORS)))
        return _NO_DATA

    def transition_invariants(self, before: SupportCase, after: SupportCase, event: str) -> None:
        """The tier never drops (triage sets it afresh); escalation raises it."""
        if before.tier is not None and event != "triage":
            assert after.tier is not None and after.tier >= before.tier, f"{event} lowered tier"
        if event == "escalate" and before.tier is not None:
            assert after.tier is not None and after.tier > before.tier

    def ask_policy(self, data: st.DataObject) -> bool:
        """With your escalation policy, a case to triage or escalate is routed."""
        here = self._events_from_here()
        if self.escalation_policy() is None or ("triage" not in here and "escalate" not in here):
            return False
        self.ask_escalation_policy()
        return True

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
    """The statistics of the runs of ``machine`` so far in this process (see `RunStats`).

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
