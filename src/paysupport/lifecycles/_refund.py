"""The life of a provider refund, from the request to its outcome and a late reversal.

``requested`` and ``awaiting_approval`` come before any provider call. ``pending`` means
the provider accepted the call; a call whose answer never came is ``unknown`` (never
"pending"), settled later from the provider's answer. A succeeded refund can still be
reversed (Stripe ``charge.refund.updated``, Adyen ``REFUND_FAILED`` / ``REFUNDED_REVERSED``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from statemachine import State

from paysupport.lifecycles._engine import Data, Lifecycle, LifecycleMachine, guard
from paysupport.models.refund import Refund, RefundFailureReason, RefundStatus

__all__ = ["RefundMachine", "refund"]

_FAILURE_REASONS = frozenset(r.value for r in RefundFailureReason)


@guard()
def second_person(r: Refund, now: datetime, data: Data) -> str | None:
    """The approver is named and is not the person who requested the refund."""
    approver = data.get("approver")
    if not approver:
        return "event data needs 'approver'"
    if r.requested_by is not None and approver == r.requested_by:
        return "the requester cannot approve their own refund (four eyes)"
    return None


@guard()
def known_failure_reason(r: Refund, now: datetime, data: Data) -> str | None:
    """A failure reason, if given, is one of Stripe's documented values."""
    value = data.get("failure_reason")
    if value and value not in _FAILURE_REASONS:
        return f"unknown failure_reason {value!r}; known: {', '.join(sorted(_FAILURE_REASONS))}"
    return None


class RefundMachine(LifecycleMachine):
    """Provider refund: requested, approved, pending, succeeded, failed, canceled, reversed."""

    requested = State("Requested", value=RefundStatus.REQUESTED.value, initial=True)
    awaiting_approval = State("Awaiting approval", value=RefundStatus.AWAITING_APPROVAL.value)
    pending = State("Pending at provider", value=RefundStatus.PENDING.value)
    requires_action = State("Requires action", value=RefundStatus.REQUIRES_ACTION.value)
    unknown = State("Outcome unknown", value=RefundStatus.UNKNOWN.value)
    succeeded = State("Succeeded", value=RefundStatus.SUCCEEDED.value)
    failed = State("Failed", value=RefundStatus.FAILED.value, final=True)
    canceled = State("Canceled", value=RefundStatus.CANCELED.value, final=True)
    reversed = State("Reversed", value=RefundStatus.REVERSED.value, final=True)

    require_approval = requested.to(awaiting_approval)
    approve = awaiting_approval.to(requested, cond=second_person)
    deny = awaiting_approval.to(canceled, cond=known_failure_reason)
    submit = requested.to(pending)
    submit_timed_out = requested.to(unknown)
    require_action = pending.to(requires_action) | unknown.to(requires_action)
    confirm_pending = unknown.to(pending)
    succeed = (
        requested.to(succeeded)
        | pending.to(succeeded)
        | requires_action.to(succeeded)
        | unknown.to(succeeded)
    )
    fail = (
        pending.to(failed, cond=known_failure_reason)
        | requires_action.to(failed, cond=known_failure_reason)
        | unknown.to(failed, cond=known_failure_reason)
    )
    cancel = requested.to(canceled, cond=known_failure_reason) | requires_action.to(
        canceled, cond=known_failure_reason
    )
    reverse = succeeded.to(reversed, cond=known_failure_reason)


def _approve(r: Refund, now: datetime, data: Data) -> Mapping[str, Any]:
    return {"approved_by": data["approver"]}


def _fail(r: Refund, now: datetime, data: Data) -> Mapping[str, Any]:
    value = data.get("failure_reason")
    changes: dict[str, Any] = {"failure_reason": RefundFailureReason(value) if value else None}
    if data.get("provider_status"):
        changes["provider_status"] = data["provider_status"]
    return changes


def _provider(r: Refund, now: datetime, data: Data) -> Mapping[str, Any]:
    changes: dict[str, Any] = {}
    for key in ("provider", "provider_reference", "provider_status"):
        if data.get(key):
            changes[key] = data[key]
    return changes


#: The compiled refund lifecycle.
refund: Lifecycle[Refund] = Lifecycle(
    RefundMachine,
    name="refund",
    effects={
        "approve": _approve,
        "fail": _fail,
        "reverse": _fail,
        "cancel": _fail,
        "deny": _fail,
        "submit": _provider,
        "succeed": _provider,
        "confirm_pending": _provider,
    },
    state_changes=lambda value: {"status": RefundStatus(value)},
    clock=lambda r: r.created_at,
)
