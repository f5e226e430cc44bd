"""Support cases: a customer's claim, its routing, tier and SLA clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, NonNegativeInt, PositiveInt

from paysupport.models._base import Identifier, PaysupportModel, SafeText, model_rule, rule_error
from paysupport.models.history import LifecycleEvent
from paysupport.models.parties import Tier

__all__ = ["CaseStatus", "Channel", "ClaimKind", "Priority", "SupportCase"]


class ClaimKind(StrEnum):
    """What the customer says, in the operator's words."""

    REFUND_REQUEST = "refund_request"
    UNRECOGNIZED_CHARGE = "unrecognized_charge"
    DUPLICATE_CHARGE = "duplicate_charge"
    OVERCHARGE = "overcharge"
    FAILED_PAYMENT = "failed_payment"
    DISPUTE_RECEIVED = "dispute_received"


#: Read by `SupportCase`'s rules on every case built (a module name: ``ClaimKind.X`` goes
#: through EnumType's attribute hook).
_DUPLICATE_CHARGE = ClaimKind.DUPLICATE_CHARGE


class Channel(StrEnum):
    """How the claim reached support."""

    EMAIL = "email"
    CHAT = "chat"
    PHONE = "phone"
    WEB_FORM = "web_form"
    API = "api"
    PROVIDER_WEBHOOK = "provider_webhook"


class Priority(StrEnum):
    """How urgent the case is."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class CaseStatus(StrEnum):
    """Where a support case stands."""

    NEW = "new"
    TRIAGED = "triaged"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    WAITING_ON_NETWORK = "waiting_on_network"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


class SupportCase(PaysupportModel):
    """A customer's claim about one or more payments, and its handling.

    The SLA clock runs from ``opened_at`` to ``sla_due_at``; ``contacts`` counts how often
    the customer has been in touch about it (repeat contacts raise the tier).
    """

    id: Identifier
    claim: ClaimKind
    customer_id: Identifier | None = None
    merchant_id: Identifier | None = None
    payment_ids: tuple[Identifier, ...] = ()
    dispute_id: Identifier | None = None
    channel: Channel = Channel.EMAIL
    priority: Priority = Priority.NORMAL
    status: CaseStatus = CaseStatus.NEW
    tier: Tier | None = None
    assignee: Identifier | None = None
    opened_at: AwareDatetime
    sla_due_at: AwareDatetime | None = None
    first_response_at: AwareDatetime | None = None
    resolved_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    contacts: PositiveInt = 1
    description: SafeText = ""
    history: tuple[LifecycleEvent, ...] = ()
    version: NonNegativeInt = 0

    @model_rule
    def _case_rules(self) -> Self:
        # Each time field named (no getattr): the rule's reads can be told from its code, so
        # an event that writes none of them (triage, start) does not run it again.
        opened = self.opened_at
        for name, value in (
            ("sla_due_at", self.sla_due_at),
            ("first_response_at", self.first_response_at),
            ("resolved_at", self.resolved_at),
            ("closed_at", self.closed_at),
        ):
            if value is not None and value < opened:
                raise rule_error(name, "after_opened", f"{name} is before opened_at")
        if (
            self.closed_at is not None
            and self.resolved_at is not None
            and self.closed_at < self.resolved_at
        ):
            raise rule_error(
                "closed_at", "closed_after_resolved", "closed_at is before resolved_at"
            )
        if self.claim is _DUPLICATE_CHARGE and len(set(self.payment_ids)) == 1:
            raise rule_error(
                "payment_ids",
                "duplicate_needs_two_payments",
                "a duplicate-charge claim names both payments (or none yet)",
            )
        return self

    def sla_left(self, now: datetime) -> timedelta | None:
        """Time until the SLA is due at ``now`` (negative once breached), exact."""
        if self.sla_due_at is None:
            return None
        left: timedelta = self.sla_due_at - now
        return left

    def sla_remaining(self, now: datetime) -> float | None:
        """Fraction of the SLA window left at ``now`` (1.0 fresh, 0.0 due, < 0 breached)."""
        if self.sla_due_at is None:
            return None
        window = (self.sla_due_at - self.opened_at).total_seconds()
        if window <= 0:
            return 0.0
        return (self.sla_due_at - now).total_seconds() / window
