"""Ports: the `typing.Protocol` s a host implements to carry out effects, and a runner.

Workflows return effects; the host's adapters (a Stripe or Adyen client, a mailer, a ticket
queue, a database) do the work. `EffectRunner` dispatches a list of effects to
handlers by effect type, in order, and stops cleanly at the first failure, reporting what
ran, what failed and why, and what was not attempted (`RunReport`). Effects whose
idempotency key the host has already carried out (``seen``) are skipped. Adapters should
also pass ``effect.idempotency_key`` to the provider, so a crash between the call and the
host's record still never pays twice.

    runner = EffectRunner.from_ports(MyGateway(), MyNotifier())
    report = runner.run(outcome.effects, seen=already_done)
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

import attrs

from paysupport.errors import EffectFailed, NotFound, ValidationFailed
from paysupport.workflows.effects import (
    AcceptDispute,
    AssignCase,
    CancelPayment,
    Effect,
    IssueRefund,
    NotifyCustomer,
    RecordDisputeLoss,
    RequestApproval,
    RequestEvidence,
    RequestNewPaymentMethod,
    ScheduleRetry,
    SubmitEvidence,
)

__all__ = [
    "ApprovalQueue",
    "CaseStore",
    "EffectRunner",
    "EvidenceStore",
    "Handler",
    "Ledger",
    "Notifier",
    "PaymentGateway",
    "RetryScheduler",
    "RunReport",
]

#: A handler carries out one effect; it may return an awaitable (for `run_async`).
Handler = Callable[[Any], Any]


@runtime_checkable
class PaymentGateway(Protocol):
    """The host's payment provider client (Stripe, Adyen, ...)."""

    def issue_refund(self, effect: IssueRefund) -> object:
        """Create the refund at the provider, with ``effect.idempotency_key``."""
        ...

    def cancel_payment(self, effect: CancelPayment) -> object:
        """Void the authorization at the provider."""
        ...

    def submit_evidence(self, effect: SubmitEvidence) -> object:
        """Submit the dispute evidence at the provider."""
        ...

    def accept_dispute(self, effect: AcceptDispute) -> object:
        """Accept the dispute at the provider."""
        ...


@runtime_checkable
class RetryScheduler(Protocol):
    """The host's job scheduler: retries a declined payment at a time."""

    def schedule_retry(self, effect: ScheduleRetry) -> object:
        """Schedule the retry at ``effect.at``."""
        ...


@runtime_checkable
class EvidenceStore(Protocol):
    """Where the host collects dispute evidence (documents, a task for the team)."""

    def request_evidence(self, effect: RequestEvidence) -> object:
        """Ask for the missing evidence by ``effect.submit_by``."""
        ...


@runtime_checkable
class Notifier(Protocol):
    """How the host talks to customers (e-mail, in-app)."""

    def notify_customer(self, effect: NotifyCustomer) -> object:
        """Send the templated message."""
        ...

    def request_new_payment_method(self, effect: RequestNewPaymentMethod) -> object:
        """Ask the customer to update or replace their payment method."""
        ...


@runtime_checkable
class CaseStore(Protocol):
    """The host's ticketing queue."""

    def assign_case(self, effect: AssignCase) -> object:
        """Route the case to the tier (and operator)."""
        ...


@runtime_checkable
class ApprovalQueue(Protocol):
    """Where refunds wait for a second operator."""

    def request_approval(self, effect: RequestApproval) -> object:
        """Queue the refund for an operator of ``effect.tier`` or above."""
        ...


@runtime_checkable
class Ledger(Protocol):
    """The host's books."""

    def record_dispute_loss(self, effect: RecordDisputeLoss) -> object:
        """Book the lost amount."""
        ...


#: Which port method carries out which effect type.
PORT_METHODS: Mapping[type[Effect], str] = {
    IssueRefund: "issue_refund",
    CancelPayment: "cancel_payment",
    SubmitEvidence: "submit_evidence",
    AcceptDispute: "accept_dispute",
    ScheduleRetry: "schedule_retry",
    RequestEvidence: "request_evidence",
    NotifyCustomer: "notify_customer",
    RequestNewPaymentMethod: "request_new_payment_method",
    AssignCase: "assign_case",
    RequestApproval: "request_approval",
    RecordDisputeLoss: "record_dispute_loss",
}


@attrs.frozen
class RunReport:
    """What a run did.

    Attributes:
        ran: the effects carried out, in order.
        skipped: the effects skipped because their key was in ``seen`` (or repeated).
        failed: the effect whose handler raised, if any.
        error: what it raised (an [`EffectFailed`][paysupport.errors.EffectFailed] for a missing
            handler).
        not_run: the effects after the failure, not attempted.
        results: what each handler that ran returned (the gateway's answer, awaited for
            async handlers), in the order of ``ran``: feed them to the settle workflows.
    """

    ran: tuple[Effect, ...] = ()
    skipped: tuple[Effect, ...] = ()
    failed: Effect | None = None
    error: BaseException | None = None
    not_run: tuple[Effect, ...] = ()
    results: tuple[object, ...] = ()

    def result_of(self, effect: Effect) -> object:
        """What the handler of ``effect`` returned.

        Raises:
            NotFound: the effect did not run in this report (field ``effect``).
        """
        for e, r in zip(self.ran, self.results, strict=True):
            if e.idempotency_key == effect.idempotency_key:
                return r
        raise NotFound("effect run", effect.idempotency_key, "effect")

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return self.failed is None

    @property
    def done_keys(self) -> frozenset[str]:
        """The idempotency keys now carried out (ran or skipped): the host's next ``seen``."""
        return frozenset(e.idempotency_key for e in (*self.ran, *self.skipped))


class EffectRunner:
    """Dispatches effects to handlers by type, in order, stopping at the first failure.

    Args:
        handlers: the handler per effect type. A subclass of an effect type uses its
            base's handler when it has none of its own.
    """

    def __init__(self, handlers: Mapping[type[Effect], Handler]) -> None:
        self._handlers: dict[type[Effect], Handler] = dict(handlers)

    @classmethod
    def from_ports(cls, *ports: object, **named: object) -> EffectRunner:
        """A runner whose handlers are the ports' methods (`PORT_METHODS`).

        Pass any objects; each effect type goes to the first one with the matching method.
        """
        handlers: dict[type[Effect], Handler] = {}
        for port in (*ports, *named.values()):
            for effect_type, method in PORT_METHODS.items():
                fn = getattr(port, method, None)
                if callable(fn) and effect_type not in handlers:
                    handlers[effect_type] = fn
        return cls(handlers)

    def handler_for(self, effect: Effect) -> Handler | None:
        """The handler of an effect, or ``None``."""
        for klass in type(effect).__mro__:
            found = self._handlers.get(klass)
            if found is not None:
                return found
        return None

    def _plan(
        self, effects: Iterable[Effect], seen: Iterable[str]
    ) -> tuple[list[Effect], list[Effect]]:
        done = set(seen)
        todo: list[Effect] = []
        skipped: list[Effect] = []
        for i, e in enumerate(effects):
            if not isinstance(e, Effect):
                raise ValidationFailed(
                    f"effects[{i}]", "effect_type", f"{type(e).__name__} is not an Effect"
                )
            if e.idempotency_key in done:
                skipped.append(e)
            else:
                done.add(e.idempotency_key)
                todo.append(e)
        return todo, skipped

    def _missing(self, effect: Effect) -> EffectFailed:
        return EffectFailed(f"no handler for {type(effect).__name__} ({effect.idempotency_key})")

    def run(self, effects: Iterable[Effect], *, seen: Iterable[str] = ()) -> RunReport:
        """Carry out ``effects`` in order; stop at the first failure.

        A handler that returns an awaitable is a failure here (use `run_async`).

        Raises:
            ValidationFailed: an item of ``effects`` is not an `Effect` (nothing ran).
        """
        todo, skipped = self._plan(effects, seen)
        ran: list[Effect] = []
        results: list[object] = []
        for i, e in enumerate(todo):
            handler = self.handler_for(e)
            error: BaseException | None = None
            result: object = None
            if handler is None:
                error = self._missing(e)
            else:
                try:
                    result = handler(e)
                    if inspect.isawaitable(result):
                        if inspect.iscoroutine(result):
                            result.close()
                        error = EffectFailed(
                            f"the handler of {type(e).__name__} is async: use run_async"
                        )
                except Exception as exc:  # the host's adapters may raise anything
                    error = exc
            if error is not None:
                return RunReport(
                    tuple(ran), tuple(skipped), e, error, tuple(todo[i + 1 :]), tuple(results)
                )
            ran.append(e)
            results.append(result)
        return RunReport(tuple(ran), tuple(skipped), results=tuple(results))

    async def run_async(self, effects: Iterable[Effect], *, seen: Iterable[str] = ()) -> RunReport:
        """Like `run`, awaiting handlers that return awaitables (sync ones work too).

        Raises:
            ValidationFailed: an item of ``effects`` is not an `Effect` (nothing ran).
        """
        todo, skipped = self._plan(effects, seen)
        ran: list[Effect] = []
        results: list[object] = []
        for i, e in enumerate(todo):
            handler = self.handler_for(e)
            error: BaseException | None = None
            result: object = None
            if handler is None:
                error = self._missing(e)
            else:
                try:
                    result = handler(e)
                    if inspect.isawaitable(result):
                        result = await _wait(result)
                except Exception as exc:  # the host's adapters may raise anything
                    error = exc
            if error is not None:
                return RunReport(
                    tuple(ran), tuple(skipped), e, error, tuple(todo[i + 1 :]), tuple(results)
                )
            ran.append(e)
            results.append(result)
        return RunReport(tuple(ran), tuple(skipped), results=tuple(results))


async def _wait(result: Awaitable[Any]) -> Any:
    return await result
