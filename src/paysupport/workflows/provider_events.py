"""Provider notifications (webhooks) applied to a payment, its refunds and its disputes.

Webhooks arrive twice and out of order. Every event fired from a notification records the
provider's event id and ordering key in its data (``provider_event_id``,
``provider_occurred_at``, ``provider_sequence``), so :func:`apply_provider_event`

- recognises a redelivery (the event id is already in a history): nothing changes, note
  ``duplicate_event``;
- recognises an older notification after a newer one for the same object (its
  ``ordering_key`` is below the last applied): nothing changes, note ``stale_event``;
- otherwise moves the object to the state the notification implies, through the events its
  lifecycle allows (note ``not_applicable`` when none leads there).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol, TypeVar

from paysupport import lifecycles
from paysupport.errors import InvalidTransition, ValidationFailed
from paysupport.lifecycles import Lifecycle
from paysupport.models import Dispute, DisputeStatus, LifecycleEvent, Payment, RefundStatus
from paysupport.money import Money
from paysupport.networks import DisputeStage, Network

from ._build import Builder
from .disputes import receive_dispute
from .effects import RecordDisputeLoss
from .outcome import Outcome
from .policies import PolicySet
from .refunds import RefundResult, settle_refund

__all__ = ["ProviderNotice", "apply_provider_event"]

_ID = "provider_event_id"
_AT = "provider_occurred_at"
_SEQ = "provider_sequence"
_OPEN_EVENTS = frozenset({"open_chargeback", "open_pre_arbitration", "open_arbitration"})
_PAYMENT_EVENTS = ("authorize", "fail", "cancel", "expire", "capture", "release_remainder")


class ProviderNotice(Protocol):
    """What :func:`apply_provider_event` reads from a notification.

    :class:`paysupport.providers.ProviderEvent` has it (workflows do not import providers).
    """

    @property
    def provider(self) -> str:
        """``"stripe"`` or ``"adyen"``."""

    @property
    def event_id(self) -> str:
        """Stable across redeliveries."""

    @property
    def kind(self) -> Any:
        """The normalised kind (``EventKind``)."""

    @property
    def occurred_at(self) -> datetime:
        """When the provider says it happened."""

    @property
    def sequence(self) -> int:
        """Tie-breaker for the same ``occurred_at``."""

    @property
    def object_id(self) -> str | None:
        """The refund, dispute or payment id at the provider."""

    @property
    def amount(self) -> Money | None:
        """The amount carried."""

    @property
    def payment_status(self) -> Any:
        """The implied payment status, if any."""

    @property
    def refund_status(self) -> RefundStatus | None:
        """The implied refund status, if any."""

    @property
    def refund_failure_reason(self) -> Any:
        """The implied refund failure reason, if any."""

    @property
    def dispute_stage(self) -> DisputeStage | None:
        """The implied dispute stage, if any."""

    @property
    def dispute_status(self) -> DisputeStatus | None:
        """The implied dispute status, if any."""

    @property
    def raw_status(self) -> str | None:
        """The provider's status string."""

    @property
    def raw_reason(self) -> str | None:
        """The provider's reason string."""

    @property
    def reason_code(self) -> str | None:
        """The network's reason code."""

    @property
    def network(self) -> Network | None:
        """The card network."""

    @property
    def due_by(self) -> datetime | None:
        """The response deadline."""

    @property
    def is_charge_refundable(self) -> bool | None:
        """Stripe's dispute flag."""


def _histories(payment: Payment) -> Iterable[tuple[LifecycleEvent, ...]]:
    yield payment.history
    for r in payment.refunds:
        yield r.history
    for d in payment.disputes:
        yield d.history


def _seen(payment: Payment, event_id: str) -> bool:
    return any(e.data.get(_ID) == event_id for h in _histories(payment) for e in h)


def _last_key(history: Iterable[LifecycleEvent]) -> tuple[datetime, int] | None:
    last: tuple[datetime, int] | None = None
    for e in history:
        at = e.data.get(_AT)
        if at:
            key = (datetime.fromisoformat(at), int(e.data.get(_SEQ, "0")))
            if last is None or key > last:
                last = key
    return last


def _stale(history: Iterable[LifecycleEvent], event: ProviderNotice) -> bool:
    last = _last_key(history)
    return last is not None and (event.occurred_at, event.sequence) < last


M = TypeVar("M")


def _path(
    lifecycle: Lifecycle[Any],
    model: M,
    target: str,
    events: Iterable[str],
    now: datetime,
    data_for: Mapping[str, Mapping[str, object]],
    base: Mapping[str, object],
) -> list[str] | None:
    """The shortest list of ``events`` the lifecycle accepts that leads ``model`` to ``target``."""
    allowed = tuple(events)
    queue: deque[tuple[Any, list[str]]] = deque([(model, [])])
    seen = {lifecycle.state_of(model)}
    while queue:
        current, path = queue.popleft()
        if len(path) >= 3:
            continue
        for ev in lifecycle.table.get(lifecycle.state_of(current), {}):
            if ev not in allowed:
                continue
            try:
                values: dict[str, Any] = {**base, **data_for.get(ev, {})}
                nxt = lifecycle.fire(current, ev, now=now, **values)
            except (InvalidTransition, ValidationFailed):
                continue
            state = lifecycle.state_of(nxt)
            if state == target:
                return [*path, ev]
            if state not in seen:
                seen.add(state)
                queue.append((nxt, [*path, ev]))
    return None


def _data(event: ProviderNotice) -> dict[str, str]:
    return {
        _ID: event.event_id,
        _AT: event.occurred_at.isoformat(),
        _SEQ: str(event.sequence),
    }


def apply_provider_event(
    payment: Payment,
    event: ProviderNotice,
    *,
    now: datetime,
    policies: PolicySet | None = None,
) -> Outcome:
    """Apply one provider notification to the payment it concerns.

    Refund notifications settle the refund (:func:`~paysupport.workflows.settle_refund`);
    a succeeded refund the payment does not know (made in the provider's dashboard) is
    recorded as one. Dispute notifications move the dispute to the stage and status they
    imply; a new dispute is recorded (and, with ``policies``, planned as
    :func:`~paysupport.workflows.receive_dispute` does). Payment notifications move the
    payment's status. Duplicates and stale notifications change nothing (see the module).

    Args:
        payment: the payment the notification's ``payment_reference`` names.
        event: the notification (a :class:`paysupport.providers.ProviderEvent`).
        now: when it arrived.
        policies: to plan a dispute the notification opens.
    """
    b = Builder()
    if _seen(payment, event.event_id):
        b.note("duplicate_event", f"{event.event_id} was applied already")
        return b.build()
    kind = getattr(event.kind, "value", str(event.kind))
    if kind == "unknown":
        b.note("unknown_event", f"{event.provider} sent a notification we do not know")
        return b.build()
    data = _data(event)
    if kind.startswith("refund_"):
        return _refund_event(b, payment, event, data, now)
    if getattr(event.kind, "is_dispute", False):
        return _dispute_event(b, payment, event, data, now, policies)
    return _payment_event(b, payment, event, data, now)


def _refund_event(
    b: Builder, payment: Payment, event: ProviderNotice, data: dict[str, str], now: datetime
) -> Outcome:
    oid = event.object_id
    refund = next(
        (r for r in payment.refunds if oid is not None and oid in (r.id, r.provider_reference)),
        None,
    )
    status = event.refund_status
    if refund is None:
        if status is RefundStatus.SUCCEEDED and oid and event.amount is not None:
            after = b.fire(
                lifecycles.payment,
                payment,
                "settle_refund",
                now=now,
                refund_id=oid,
                amount=event.amount,
                data=data,
            )
            b.change(payment, after)
            b.note("refund_made_elsewhere", f"refund {oid} was made at the provider")
            return b.build()
        b.note("unknown_refund", f"no refund {oid!r} on payment {payment.id}")
        return b.build()
    if _stale(refund.history, event):
        b.note("stale_event", f"a newer notification for refund {refund.id} was applied")
        return b.build()
    if status is None:
        b.note("no_status", f"{event.event_id} implies no refund status")
        return b.build()
    try:
        result = RefundResult(
            status=status,
            failure_reason=event.refund_failure_reason,
            provider_reference=oid,
            provider_status=event.raw_status,
        )
    except ValueError as exc:
        b.note("not_applicable", str(exc))
        return b.build()
    return settle_refund(payment, refund.id, result, now=now, data=data)


def _new_dispute(payment: Payment, event: ProviderNotice) -> Dispute | None:
    if not (event.object_id and event.network and event.reason_code and event.amount):
        return None
    return Dispute(
        id=event.object_id,
        payment_id=payment.id,
        network=event.network,
        reason_code=event.reason_code,
        stage=event.dispute_stage or DisputeStage.CHARGEBACK,
        status=event.dispute_status or DisputeStatus.NEEDS_RESPONSE,
        amount=event.amount,
        opened_at=event.occurred_at,
        due_by=event.due_by,
        is_charge_refundable=event.is_charge_refundable,
        provider=event.provider,
        provider_reference=event.object_id,
        provider_status=event.raw_status,
        provider_reason=event.raw_reason,
    )


def _dispute_event(
    b: Builder,
    payment: Payment,
    event: ProviderNotice,
    data: dict[str, str],
    now: datetime,
    policies: PolicySet | None,
) -> Outcome:
    oid = event.object_id
    dispute = next(
        (d for d in payment.disputes if oid is not None and oid in (d.id, d.provider_reference)),
        None,
    )
    if dispute is None:
        new = _new_dispute(payment, event)
        if new is None:
            b.note("unknown_dispute", f"no dispute {oid!r} on payment {payment.id}")
            return b.build()
        if policies is not None:
            return receive_dispute(payment, new, policies=policies, now=now)
        b.change(payment, payment.with_dispute(new))
        b.note("dispute_recorded", f"dispute {new.id}: call receive_dispute for the plan")
        return b.build()
    if _stale(dispute.history, event):
        b.note("stale_event", f"a newer notification for dispute {dispute.id} was applied")
        return b.build()
    stage = event.dispute_stage or dispute.stage
    status = event.dispute_status or dispute.status
    target = f"{stage.value}:{status.value}"
    if target == lifecycles.dispute_state(dispute):
        b.note("no_change", f"dispute {dispute.id} is already {target}")
        return b.build()
    enter: dict[str, object] = {}
    if event.reason_code:
        enter["reason_code"] = event.reason_code
    if event.due_by is not None:
        enter["due_by"] = event.due_by
    data_for = dict.fromkeys(_OPEN_EVENTS, enter)
    events = lifecycles.dispute.events
    path = _path(lifecycles.dispute, dispute, target, events, now, data_for, data)
    if path is None:
        b.note("not_applicable", f"dispute {dispute.id} cannot go to {target}")
        return b.build()
    d = dispute
    for ev in path:
        d = b.fire(lifecycles.dispute, d, ev, now=now, data={**data, **data_for.get(ev, {})})
    b.change(payment, payment.with_dispute(d))
    if d.status.funds_lost:
        b.effect(
            RecordDisputeLoss(
                payment_id=payment.id,
                dispute_id=d.id,
                stage=d.stage,
                amount=d.amount,
                outcome=d.status.value,
            )
        )
    return b.build()


def _payment_event(
    b: Builder, payment: Payment, event: ProviderNotice, data: dict[str, str], now: datetime
) -> Outcome:
    status = event.payment_status
    if status is None:
        b.note("no_status", f"{event.event_id} implies no payment status")
        return b.build()
    if _stale(payment.history, event):
        b.note("stale_event", f"a newer notification for payment {payment.id} was applied")
        return b.build()
    target = getattr(status, "value", str(status))
    if target == lifecycles.payment.state_of(payment):
        b.note("no_change", f"payment {payment.id} is already {target}")
        return b.build()
    path = _path(lifecycles.payment, payment, target, _PAYMENT_EVENTS, now, {}, data)
    if path is None:
        b.note("not_applicable", f"payment {payment.id} cannot go to {target}")
        return b.build()
    p = payment
    for ev in path:
        p = b.fire(lifecycles.payment, p, ev, now=now, data=data)
    b.change(payment, p)
    return b.build()
