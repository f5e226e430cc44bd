"""The life of a provider refund, from the request to its outcome and a late reversal.

``requested`` and ``awaiting_approval`` come before any provider call. ``pending`` means
the provider accepted the call; a call whose answer never came is ``unknown`` (never
"pending"), settled later from the provider's answer. A succeeded refund can still be
reversed (Stripe ``charge.refund.updated``, Adyen ``REFUND_FAILED`` / ``REFUNDED_REVERSED``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from statemachine import State

from paysupport.lifecycles._engine import Data, Lifecycle, LifecycleMachine, compiled, guard
from paysupport.models.refund import Refund, RefundFailureReason, RefundStatus

__all__ = ["RefundMachine", "refund", "same_person"]

_FAILURE_REASONS = frozenset(r.value for r in RefundFailureReason)


def same_person(a: str | None, b: str | None) -> bool:
    """Whether two operator ids name the same person (compared trimmed and case-folded)."""
    return a is not None and b is not None and a.strip().casefold() == b.strip().casefold()


@guard(code="four_eyes")
def four_eyes(r: Refund, now: datetime, data: Data, actor: str | None) -> str | None:
    """The acting operator approves, and is not the person who requested the refund."""
    if not actor or not actor.strip():
        return "an approval needs the acting operator (actor=)"
    approver = data.get("approver")
    if approver is not None and not same_person(approver, actor):
        return f"the approver is the acting operator {actor!r}, not {approver!r}"
    if same_person(actor, r.requested_by):
        return "the requester cannot approve their own refund (four eyes)"
    return None


@guard()
def known_failure_reason(r: Refund, now: datetime, data: Data, actor: str | None) -> str | None:
    """A failure reason, if given, is one of Stripe's documented values."""
    value = data.get("failure_reason")
    if value and value not in _FAILURE_REASONS:
        return f"unknown failure_reason {value!r}; known: {', '.join(sorted(_FAILURE_REASONS))}"
    return None


# ---------------------------------------------------------------------- effects
def _approve(r: Refund, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
    return {"approved_by": actor}


def _fail(r: Refund, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
    value = data.get("failure_reason")
    changes: dict[str, Any] = {"failure_reason": RefundFailureReason(value) if value else None}
    if data.get("provider_status"):
        changes["provider_status"] = data["provider_status"]
    return changes


def _provider(r: Refund, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
    changes: dict[str, Any] = {}
    for key in ("provider", "provider_reference", "provider_status"):
        if data.get(key):
            changes[key] = data[key]
    return changes


# ---------------------------------------------------------------------- machine
class RefundMachine(LifecycleMachine):
    """Provider refund: requested, approved, pending, succeeded, failed, canceled, reversed."""

    requested = State("Requested", value=RefundStatus.REQUESTED, initial=True)
    awaiting_approval = State("Awaiting approval", value=RefundStatus.AWAITING_APPROVAL)
    pending = State("Pending at provider", value=RefundStatus.PENDING)
    requires_action = State("Requires action", value=RefundStatus.REQUIRES_ACTION)
    unknown = State("Outcome unknown", value=RefundStatus.UNKNOWN)
    succeeded = State("Succeeded", value=RefundStatus.SUCCEEDED)
    failed = State("Failed", value=RefundStatus.FAILED, final=True)
    canceled = State("Canceled", value=RefundStatus.CANCELED, final=True)
    reversed = State("Reversed", value=RefundStatus.REVERSED, final=True)

    require_approval = requested.to(awaiting_approval)
    approve = awaiting_approval.to(requested, cond=four_eyes)
    deny = awaiting_approval.to(canceled, cond=known_failure_reason)
    submit = requested.to(pending)
    submit_timed_out = requested.to(unknown)
    # The provider's answer to the call: from requested when it answered at once.
    require_action = (
        requested.to(requires_action) | pending.to(requires_action) | unknown.to(requires_action)
    )
    confirm_pending = unknown.to(pending)
    succeed = (
        requested.to(succeeded)
        | pending.to(succeeded)
        | requires_action.to(succeeded)
        | unknown.to(succeeded)
    )
    fail = (
        requested.to(failed, cond=known_failure_reason)
        | pending.to(failed, cond=known_failure_reason)
        | requires_action.to(failed, cond=known_failure_reason)
        | unknown.to(failed, cond=known_failure_reason)
    )
    cancel = requested.to(canceled, cond=known_failure_reason) | requires_action.to(
        canceled, cond=known_failure_reason
    )
    reverse = succeeded.to(reversed, cond=known_failure_reason)

    lifecycle_name = "refund"
    started_at = "created_at"
    effects = MappingProxyType(
        {
            "approve": _approve,
            "fail": _fail,
            "reverse": _fail,
            "cancel": _fail,
            "deny": _fail,
            "submit": _provider,
            "succeed": _provider,
            "confirm_pending": _provider,
        }
    )


#: The compiled refund lifecycle.
refund: Lifecycle[Refund] = compiled(RefundMachine)
