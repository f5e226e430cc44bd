"""The policies a workflow consults, bundled in one value: :class:`PolicySet`.

Callers pass one object; every field defaults to the library's built-in policy, and any can
be replaced by a host policy that follows the same protocol (see :mod:`paysupport.policies`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from paysupport.models import Priority
from paysupport.policies import (
    DisputeResponse,
    DisputeResponsePolicy,
    EscalationPolicy,
    EscalationTier,
    OperatorAuthority,
    RefundFairness,
    RefundPolicy,
    Resolution,
    ResolutionPolicy,
    RetryPolicy,
    RetrySchedule,
)

__all__ = ["DEFAULT_SLA_HOURS", "PolicySet"]

#: Default SLA per case priority, in hours from the case's opening.
DEFAULT_SLA_HOURS: Mapping[Priority, int] = MappingProxyType(
    {Priority.URGENT: 4, Priority.HIGH: 24, Priority.NORMAL: 72, Priority.LOW: 120}
)


def _sla(
    value: Mapping[Any, int] | tuple[tuple[Any, int], ...],
) -> tuple[tuple[Priority, int], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted(((Priority(k), int(v)) for k, v in items), key=lambda kv: kv[0].value))


@attrs.frozen
class PolicySet:
    """Every policy the workflows consult, plus the few workflow settings.

    Attributes:
        refund: refund fairness (approve / partial / review / deny).
        escalation: which tier handles a support case.
        authority: what an operator may approve alone (four eyes above it).
        resolution: the resolution plan (ordered steps) of a claim or dispute.
        dispute_response: accept or contest, with the evidence checklist.
        retry: the retry schedule of a declined payment.
        dispute_safety_margin: responses to a dispute are due this long before the network's
            ``due_by`` (evidence goes in before the deadline, never on it).
        sla_hours: ``(priority, hours)`` pairs (a mapping is accepted): a triaged case
            without ``sla_due_at`` gets one this many hours after its opening.
        sla_warning: :func:`~paysupport.workflows.escalate_if_sla_near` escalates when this
            fraction of the SLA window or less is left.
    """

    refund: RefundPolicy = attrs.field(factory=RefundFairness)
    escalation: EscalationPolicy = attrs.field(factory=EscalationTier)
    authority: OperatorAuthority = attrs.field(factory=OperatorAuthority)
    resolution: ResolutionPolicy = attrs.field(factory=Resolution)
    dispute_response: DisputeResponsePolicy = attrs.field(factory=DisputeResponse)
    retry: RetryPolicy = attrs.field(factory=RetrySchedule)
    dispute_safety_margin: timedelta = timedelta(hours=48)
    sla_hours: tuple[tuple[Priority, int], ...] = attrs.field(
        factory=lambda: _sla(DEFAULT_SLA_HOURS), converter=_sla
    )
    sla_warning: Decimal = Decimal("0.25")

    def sla_for(self, priority: Priority) -> timedelta | None:
        """The SLA window of a case of ``priority`` (``None`` when none is set)."""
        hours = dict(self.sla_hours).get(priority)
        return timedelta(hours=hours) if hours is not None else None

    def to_dict(self) -> dict[str, Any]:
        """The configuration of every policy and setting, as plain data."""
        return {
            "refund": self.refund.to_dict(),
            "escalation": self.escalation.to_dict(),
            "authority": self.authority.to_dict(),
            "resolution": self.resolution.to_dict(),
            "dispute_response": self.dispute_response.to_dict(),
            "retry": self.retry.to_dict(),
            "dispute_safety_margin_hours": self.dispute_safety_margin.total_seconds() / 3600,
            "sla_hours": {p.value: h for p, h in self.sla_hours},
            "sla_warning": str(self.sla_warning),
        }


#: The built-in policies with their default parameters.
DEFAULTS = PolicySet()
__all__ += ["DEFAULTS"]
