"""Provider notifications (webhooks) applied to a payment, its refunds and its disputes.

Webhooks arrive twice and out of order. Every event fired from a notification records the
provider's event id and ordering key in its data (``provider_event_id``,
``provider_occurred_at``, ``provider_sequence``), and a dispute a notification opens keeps its
id in ``Dispute.opened_by_event``, so `apply_provider_event`

- recognises a redelivery (the event id is already recorded): nothing changes, note
  ``duplicate_event``;
- recognises an older notification after a newer one for the same object (its
  ``ordering_key`` is below the last applied): nothing changes, note ``stale_event``;
- otherwise records what the notification reports with the ONE lifecycle event that says it
  (a refund that fails, a dispute that is lost or expires at the stage the provider names).
  History records what happened: no path of events is made up to reach a state; when the
  lifecycle has no such event the note is ``not_applicable``.

The provider has already moved the money a notification reports. What the library would have
refused had the host asked for it (a second full refund made in the dashboard, a refund in
another currency) is returned as the note ``provider_refund_not_recorded``, for the host to
record and alert on, never raised into its webhook handler.

Every note code, with what the host should do, is listed in `NOTE_CODES`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final, Protocol

from paysupport import lifecycles
from paysupport.errors import CurrencyMismatch, InvalidTransition, ValidationFailed
from paysupport.models import (
    Dispute,
    DisputeStatus,
    EarlyFraudWarning,
    LifecycleEvent,
    Payment,
    PaymentStatus,
    RefundStatus,
)
from paysupport.money import Money
from paysupport.networks import DisputeStage, Network
from paysupport.policies.policy_set import PolicySet

from ._build import Builder
from .disputes import receive_dispute
from .effects import RecordDisputeLoss
from .outcome import Outcome
from .refunds import RefundResult, settle_refund

__all__ = ["NOTE_CODES", "ProviderNotice", "apply_provider_event"]

_ID = "provider_event_id"
_AT = "provider_occurred_at"
_SEQ = "provider_sequence"

#: The notes `apply_provider_event` returns, and what each tells the host.
NOTE_CODES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "duplicate_event": "a redelivery of a notification already applied: nothing to do",
        "stale_event": "older than one already applied to the same object: nothing to do",
        "unknown_event": "a notification the translator did not know (strict=False): log it",
        "no_change": "the object is already in the state the notification reports",
        "no_status": "the notification implies no state (e.g. a refund update without status)",
        "informational": "a dispute notification that changes no state (issuer comments): log it",
        "not_applicable": "the lifecycle has no single event from where the object is to what "
        "the notification reports: review it by hand",
        "unknown_refund": "a refund the payment does not know and the notice does not settle",
        "unknown_dispute": "a dispute the payment does not know, and the notification lacks "
        "what opening it needs (its stage or network): load the dispute from the provider",
        "dispute_recorded": "a new dispute is on the payment: call receive_dispute for the plan",
        "dispute_not_recorded": "a new dispute the models refuse (see the message): alert",
        "refund_made_elsewhere": "a refund made at the provider (dashboard) is now recorded",
        "refunded_elsewhere": "the charge says more was refunded than the payment records; "
        "the rest is recorded as Payment.refunded_unitemised",
        "provider_refund_not_recorded": "the provider moved money the library would have "
        "refused (over-refund, wrong currency): record it and alert a person",
        "fraud_warning_recorded": "an issuer fraud report is now Payment.early_fraud_warning",
    }
)


class ProviderNotice(Protocol):
    """What `apply_provider_event` reads from a notification.

    `paysupport.providers.ProviderEvent` has it (workflows do not import providers).
    """

    @property
    def provider(self) -> str:
        """``"stripe"`` or ``"adyen"``."""

    @property
    def event_id(self) -> str:
        """Stable across redeliveries."""

    @property
    def event_type(self) -> str:
        """The provider's own type or event code."""

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
    def amount_refunded(self) -> Money | None:
        """Everything refunded on the charge so far (Stripe charge notifications)."""

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
        """The card network, when catalogued."""

    @property
    def raw_network(self) -> str | None:
        """The brand, scheme or payment method as the provider spells it."""

    @property
    def catalogued(self) -> bool | None:
        """For disputes: whether network and reason code are in the catalogues."""

    @property
    def due_by(self) -> datetime | None:
        """The response deadline."""

    @property
    def is_charge_refundable(self) -> bool | None:
        """Stripe's dispute flag."""


# --------------------------------------------------------------------------- bookkeeping


def _histories(payment: Payment) -> Iterable[tuple[LifecycleEvent, ...]]:
    yield payment.history
    for r in payment.refunds:
        yield r.history
    for d in payment.disputes:
        yield d.history


def _seen(payment: Payment, event_id: str) -> bool:
    if any(d.opened_by_event == event_id for d in payment.disputes):
        return True
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


def _data(event: ProviderNotice) -> dict[str, str]:
    return {
        _ID: event.event_id,
        _AT: event.occurred_at.isoformat(),
        _SEQ: str(event.sequence),
    }


def _kind(event: ProviderNotice) -> str:
    return str(getattr(event.kind, "value", event.kind))


# --------------------------------------------------------------------------- entry point


def apply_provider_event(
    payment: Payment,
    event: ProviderNotice,
    *,
    now: datetime,
    policies: PolicySet | None = None,
) -> Outcome:
    """Apply one provider notification to the payment it concerns.

    Refund notifications settle the refund (`settle_refund`): a
    failure of a refund that had succeeded is its reversal, and a pending refund that fails
    (Adyen ``REFUND_FAILED``) ends ``failed``; a succeeded refund the payment does not know
    (made in the provider's dashboard) is recorded as one. Dispute notifications move the
    dispute by the one event that says what the provider reports; a new dispute is recorded
    (and, with ``policies``, planned as `receive_dispute` does).
    Fraud warnings set ``Payment.early_fraud_warning``. Payment notifications move the
    payment's status; a charge whose ``amount_refunded`` exceeds what the payment records
    fills ``Payment.refunded_unitemised``. Duplicates and stale notifications change nothing.

    This is a webhook path: what the provider already did is never raised as an
    ``InvalidTransition``; it comes back as a note (see `NOTE_CODES`).

    Args:
        payment: the payment the notification's ``payment_reference`` names.
        event: the notification (a [`ProviderEvent`][paysupport.providers.ProviderEvent]).
        now: when it arrived.
        policies: to plan a dispute the notification opens.

    Returns:
        The outcome: changes, events, effects and notes (codes in `NOTE_CODES`).
    """
    b = Builder()
    if _seen(payment, event.event_id):
        b.note("duplicate_event", f"{event.event_id} was applied already")
        return b.build()
    kind = _kind(event)
    if kind == "unknown":
        b.note("unknown_event", f"{event.provider} sent a notification we do not know")
        return b.build()
    data = _data(event)
    if kind.startswith("fraud_warning"):
        return _fraud_warning(b, payment, event)
    if kind.startswith("refund_"):
        return _refund_event(b, payment, event, data, now)
    if getattr(event.kind, "is_dispute", False):
        return _dispute_event(b, payment, event, data, now, policies)
    return _payment_event(b, payment, event, data, now)


# --------------------------------------------------------------------------- fraud warnings


def _fraud_warning(b: Builder, payment: Payment, event: ProviderNotice) -> Outcome:
    """Stripe's early fraud warning or Adyen's NOTIFICATION_OF_FRAUD, on the payment.

    Stripe sends ``fraud_type`` and ``actionable``; Adyen sends a fraud-notice type code that
    no source maps to Stripe's fraud types, so its warning reads ``misc`` (the raw type stays
    on the event) and is actionable while something is still refundable and undisputed.
    """
    oid = event.object_id or event.event_id
    if event.provider == "stripe" and event.raw_reason:
        fraud_type, actionable = event.raw_reason, event.raw_status == "actionable"
    else:
        fraud_type = "misc"
        actionable = payment.amount_refundable.is_positive() and not payment.disputes
    try:
        warning = EarlyFraudWarning(
            id=oid, fraud_type=fraud_type, actionable=actionable, created_at=event.occurred_at
        )
    except ValidationFailed:
        warning = EarlyFraudWarning(
            id=oid, fraud_type="misc", actionable=actionable, created_at=event.occurred_at
        )
    if payment.early_fraud_warning == warning:
        b.note("no_change", f"fraud warning {oid} is on the payment already")
        return b.build()
    b.change(payment, payment.evolve(early_fraud_warning=warning))
    b.note("fraud_warning_recorded", f"{warning.fraud_type}, actionable={warning.actionable}")
    return b.build()


# --------------------------------------------------------------------------- refunds


def _refund_target(current: RefundStatus, reported: RefundStatus) -> RefundStatus:
    """A reported failure or reversal: reversed only after a success, else failed."""
    if reported in (RefundStatus.FAILED, RefundStatus.REVERSED):
        return RefundStatus.REVERSED if current is RefundStatus.SUCCEEDED else RefundStatus.FAILED
    return reported


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
            return _refund_made_elsewhere(b, payment, oid, event.amount, data, now)
        b.note("unknown_refund", f"no refund {oid!r} on payment {payment.id}")
        return b.build()
    if _stale(refund.history, event):
        b.note("stale_event", f"a newer notification for refund {refund.id} was applied")
        return b.build()
    if status is None:
        b.note("no_status", f"{event.event_id} implies no refund status")
        return b.build()
    result = RefundResult(
        status=_refund_target(refund.status, status),
        failure_reason=event.refund_failure_reason,
        provider_reference=oid,
        provider_status=event.raw_status,
    )
    try:
        return settle_refund(payment, refund.id, result, now=now, data=data)
    except InvalidTransition as exc:
        b.note("provider_refund_not_recorded", f"refund {refund.id}: {exc}")
        return b.build()


def _itemise(payment: Payment, amount: Money) -> Payment:
    """The payment with ``amount`` taken out of ``refunded_unitemised``, where it was counted.

    A charge's ``amount_refunded`` may have counted a refund before its own notification
    arrives; recorded as a refund, it is no longer unitemised (and never counted twice).
    """
    known = payment.refunded_unitemised
    if known is None or known.currency is not amount.currency or amount > known:
        return payment
    rest = known - amount
    return payment.evolve(refunded_unitemised=rest if rest.is_positive() else None)


def _refund_made_elsewhere(
    b: Builder, payment: Payment, oid: str, amount: Money, data: dict[str, str], now: datetime
) -> Outcome:
    before = payment
    try:
        payment = _itemise(payment, amount)
        after = b.fire(
            lifecycles.payment,
            payment,
            "settle_refund",
            now=now,
            refund_id=oid,
            amount=amount,
            data=data,
        )
    except (InvalidTransition, ValidationFailed) as exc:
        why = exc.reason if isinstance(exc, InvalidTransition) and exc.reason else str(exc)
        b.note(
            "provider_refund_not_recorded",
            f"the provider refunded {amount} ({oid}) on payment {payment.id}, which the "
            f"payment cannot take: {why}",
        )
        return b.build()
    b.change(before, after)
    b.note("refund_made_elsewhere", f"refund {oid} was made at the provider")
    return b.build()


# --------------------------------------------------------------------------- disputes


def _find_dispute(payment: Payment, oid: str | None) -> Dispute | None:
    if oid is None:
        return None
    return next((d for d in payment.disputes if oid in (d.id, d.provider_reference)), None)


def _new_dispute(payment: Payment, event: ProviderNotice) -> Dispute | str:
    """The dispute a notification opens, or why it cannot open one."""
    if not (event.object_id and event.amount):
        return "the notification carries no dispute id or amount"
    if event.dispute_stage is None:
        return "the notification does not say the dispute's stage"
    network: Network | str | None = event.network
    catalogued = event.catalogued is not False and network is not None and bool(event.reason_code)
    if network is None:
        raw = event.raw_network
        network = "_".join(raw.strip().lower().split()) if raw else None
    if network is None:
        return "the notification does not say the card network or payment method"
    return Dispute(
        id=event.object_id,
        payment_id=payment.id,
        network=network,
        reason_code=event.reason_code or "unknown",
        catalogued=catalogued,
        stage=event.dispute_stage,
        status=event.dispute_status or DisputeStatus.NEEDS_RESPONSE,
        amount=event.amount,
        opened_at=event.occurred_at,
        due_by=event.due_by,
        is_charge_refundable=event.is_charge_refundable,
        provider=event.provider,
        provider_reference=event.object_id,
        provider_status=event.raw_status or event.event_type,
        provider_reason=event.raw_reason,
        opened_by_event=event.event_id,
    )


def _open_dispute(
    b: Builder,
    payment: Payment,
    event: ProviderNotice,
    now: datetime,
    policies: PolicySet | None,
) -> Outcome:
    try:
        new = _new_dispute(payment, event)
    except ValidationFailed as exc:
        b.note("dispute_not_recorded", f"{event.event_type} {event.object_id}: {exc}")
        return b.build()
    if isinstance(new, str):
        b.note("unknown_dispute", f"no dispute {event.object_id!r} on {payment.id}: {new}")
        return b.build()
    try:
        if policies is not None:
            return receive_dispute(payment, new, policies=policies, now=now)
        after = payment.with_dispute(new)
    except (ValidationFailed, CurrencyMismatch) as exc:
        b.note("dispute_not_recorded", f"{event.event_type} {new.id}: {exc}")
        return b.build()
    b.change(payment, after)
    b.note("dispute_recorded", f"dispute {new.id}: call receive_dispute for the plan")
    return b.build()


#: The dispute event that records a reported status within the stage the provider names.
_DISPUTE_EVENT_FOR_STATUS: Final[Mapping[DisputeStatus, str]] = MappingProxyType(
    {
        DisputeStatus.UNDER_REVIEW: "submit_evidence",
        DisputeStatus.WON: "win",
        DisputeStatus.LOST: "lose",
        DisputeStatus.ACCEPTED: "accept",
        DisputeStatus.EXPIRED: "expire",
        DisputeStatus.CLOSED: "close",
    }
)


def _dispute_transition(
    dispute: Dispute, stage: DisputeStage, status: DisputeStatus, event: ProviderNotice
) -> tuple[str | None, dict[str, Any]]:
    """The one lifecycle event that records ``stage`` × ``status``, and its extra data.

    A later stage opens with ``open_<stage>`` (``status="under_review"`` when the network
    reviews it without asking for a response); an outcome at a later stage is ``win`` /
    ``lose`` with ``stage=``; an expiry the provider reports carries ``reported_by``.
    """
    if stage.rank < dispute.stage.rank:
        return None, {}
    extra: dict[str, Any] = {}
    if stage is not dispute.stage and status in (
        DisputeStatus.NEEDS_RESPONSE,
        DisputeStatus.UNDER_REVIEW,
    ):
        if status is DisputeStatus.UNDER_REVIEW:
            extra["status"] = status.value
        if event.reason_code:
            extra["reason_code"] = event.reason_code
        return f"open_{stage.value}", extra
    name = _DISPUTE_EVENT_FOR_STATUS.get(status)
    if stage is not dispute.stage and name in ("win", "lose"):
        extra["stage"] = stage.value
    if name == "expire":
        extra["reported_by"] = event.provider
    return name, extra


def _dispute_event(
    b: Builder,
    payment: Payment,
    event: ProviderNotice,
    data: dict[str, str],
    now: datetime,
    policies: PolicySet | None,
) -> Outcome:
    dispute = _find_dispute(payment, event.object_id)
    if dispute is None:
        return _open_dispute(b, payment, event, now, policies)
    if _stale(dispute.history, event):
        b.note("stale_event", f"a newer notification for dispute {dispute.id} was applied")
        return b.build()
    if event.dispute_stage is None and event.dispute_status is None:
        b.note("informational", f"{event.event_type} for dispute {dispute.id}: no state change")
        return b.build()
    stage = event.dispute_stage or dispute.stage
    status = event.dispute_status or dispute.status
    target = f"{stage.value}:{status.value}"
    if target == lifecycles.dispute_state(dispute):
        b.note("no_change", f"dispute {dispute.id} is already {target}")
        return b.build()
    name, extra = _dispute_transition(dispute, stage, status, event)
    values: dict[str, Any] = {**data, **extra}
    if event.due_by is not None:
        values["due_by"] = event.due_by
    after = _try_fire(dispute, name, values, now)
    if after is None or lifecycles.dispute_state(after) != target:
        b.note("not_applicable", f"dispute {dispute.id} has no event to {target} ({name})")
        return b.build()
    d = b.fire(lifecycles.dispute, dispute, str(name), now=now, data=values)
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


def _try_fire(
    dispute: Dispute, name: str | None, values: dict[str, Any], now: datetime
) -> Dispute | None:
    """The dispute after ``name``, or ``None`` when the lifecycle refuses it (nothing kept)."""
    if name is None or name not in lifecycles.dispute.events:
        return None
    try:
        return lifecycles.dispute.fire(dispute, name, now=now, actor=None, reason=None, **values)
    except (InvalidTransition, ValidationFailed):
        return None


# --------------------------------------------------------------------------- payments

#: The payment event that records each reported status (the lifecycle picks the source).
_PAYMENT_EVENT_FOR_STATUS: Final[Mapping[PaymentStatus, tuple[str, ...]]] = MappingProxyType(
    {
        PaymentStatus.AUTHORIZED: ("authorize",),
        PaymentStatus.FAILED: ("fail",),
        PaymentStatus.CANCELED: ("cancel", "expire"),
        PaymentStatus.PARTIALLY_CAPTURED: ("capture",),
        PaymentStatus.CAPTURED: ("capture", "release_remainder"),
    }
)


def _payment_event(
    b: Builder, payment: Payment, event: ProviderNotice, data: dict[str, str], now: datetime
) -> Outcome:
    if _stale(payment.history, event):
        b.note("stale_event", f"a newer notification for payment {payment.id} was applied")
        return b.build()
    payment = _refunded_elsewhere(b, payment, event)
    status = event.payment_status
    if status is None:
        b.note("no_status", f"{event.event_id} implies no payment status")
        return b.build()
    target = getattr(status, "value", str(status))
    if target == lifecycles.payment.state_of(payment) or target in (
        "refunded",
        "partially_refunded",
    ):
        # Refunds move the payment through their own notifications (or refunded_unitemised).
        b.note("no_change", f"payment {payment.id} is already {target}")
        return b.build()
    # The notice's data (`_data`: its id, time and sequence) as the event's data keywords.
    recorded: dict[str, Any] = dict(data)
    for name in _PAYMENT_EVENT_FOR_STATUS.get(PaymentStatus(target), ()):
        try:
            after = lifecycles.payment.fire(payment, name, now=now, **recorded)
        except (InvalidTransition, ValidationFailed):
            continue
        if lifecycles.payment.state_of(after) == target:
            p = b.fire(lifecycles.payment, payment, name, now=now, data=data)
            b.change(payment, p)
            return b.build()
    b.note("not_applicable", f"payment {payment.id} has no event to {target}")
    return b.build()


def _refunded_elsewhere(b: Builder, payment: Payment, event: ProviderNotice) -> Payment:
    """Record what a charge says was refunded beyond the payment's own refunds.

    ``amount_refunded`` counts every refund made, pending ones included; whatever the
    payment's refunds do not explain becomes ``Payment.refunded_unitemised``.
    """
    total = event.amount_refunded
    if total is None or not total.is_positive():
        return payment
    try:
        known = payment.refunded_unitemised or Money.zero(total.currency)
        itemised = payment.amount_refunded + payment.amount_refund_in_flight - known
        rest = total - itemised
        if not rest.is_positive() or rest == known:
            return payment
        after = payment.evolve(refunded_unitemised=rest)
    except (ValidationFailed, CurrencyMismatch) as exc:
        b.note("provider_refund_not_recorded", f"amount_refunded {total}: {exc}")
        return payment
    b.change(payment, after)
    b.note("refunded_elsewhere", f"{rest} refunded outside the payment's refunds")
    return after
