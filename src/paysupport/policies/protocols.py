"""The kinds of policy, as ``typing.Protocol`` s a host can implement.

A host policy needs ``decide`` and ``to_dict``, and says which context it decides (a
``CONTEXT`` class attribute, or an annotated ``decide``) so that
``PolicySet`` can refuse a policy of the wrong kind; deriving from
``PolicyBase`` gives the rest (dict and TOML round trip, batches,
fingerprint). Policies are pure: models and an injected ``now`` in, a
``Decision`` out. Protocols check the shape only;
``context_of`` tells the kinds apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

from .context import (
    DisputeContext,
    EscalationContext,
    RefundContext,
    ResolutionContext,
    RetryContext,
)
from .decision import Decision

__all__ = [
    "DisputeResponsePolicy",
    "EscalationPolicy",
    "Policy",
    "RefundPolicy",
    "ResolutionPolicy",
    "RetryPolicy",
]

C_contra = TypeVar("C_contra", contravariant=True)


@runtime_checkable
class Policy(Protocol[C_contra]):
    """Any policy: one context and ``now`` in, one decision out."""

    def decide(self, ctx: C_contra, now: datetime) -> Decision:
        """Decide one case at ``now``."""
        ...

    def to_dict(self) -> dict[str, Any]:
        """The policy's configuration, with its ``kind`` (fingerprinted for audit)."""
        ...


@runtime_checkable
class RefundPolicy(Policy[RefundContext], Protocol):
    """Refund fairness: approve, approve partially, review (with the tier) or deny.

    An approval never exceeds what is refundable.
    """


@runtime_checkable
class EscalationPolicy(Policy[EscalationContext], Protocol):
    """Escalation: outcome ``assign`` with the tier that must handle the case."""


@runtime_checkable
class ResolutionPolicy(Policy[ResolutionContext], Protocol):
    """Resolution: outcome ``plan`` with ordered steps (action, tier, due, effect)."""


@runtime_checkable
class DisputeResponsePolicy(Policy[DisputeContext], Protocol):
    """Dispute response: ``accept`` or ``contest``, with the evidence checklist."""


@runtime_checkable
class RetryPolicy(Policy[RetryContext], Protocol):
    """Failed-payment retry: ``retry`` (with a schedule), ``ask_customer`` or ``stop``."""
