"""The policies a workflow consults, bundled in one value: ``PolicySet``.

Callers pass one object; every field defaults to the library's built-in policy, and any can
be replaced by a host policy of the same kind. The kind is checked: each field accepts only
a policy that decides that field's context (its ``CONTEXT``, or the annotation of its
``decide``), so ``PolicySet(refund=RetrySchedule())`` is refused with a
``PolicyConfigError`` naming the field. A set builds from a dict or
TOML and dumps back:

    >>> from paysupport.policies import PolicySet
    >>> PolicySet.from_toml('''
    ... [refund]
    ... kind = "refund_fairness"
    ... history_max_count = 5
    ... ''').refund.history_max_count
    5
"""
# ruff: noqa: RUF009  (param() is an attrs field specifier, like attrs.field)

from __future__ import annotations

import inspect
import typing
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from functools import cached_property
from types import MappingProxyType
from typing import Any

import attrs

from paysupport.errors import PolicyConfigError
from paysupport.models import Priority

from .config import Int, NestedPolicy, Table, build, dump_params, param, toml_table
from .context import (
    DisputeContext,
    EscalationContext,
    RefundContext,
    ResolutionContext,
    RetryContext,
)
from .dispute_response import DisputeResponse
from .escalation import DEFAULT_SLA_BUMP_AT, ApprovalContext, EscalationTier, OperatorAuthority
from .protocols import (
    DisputeResponsePolicy,
    EscalationPolicy,
    RefundPolicy,
    ResolutionPolicy,
    RetryPolicy,
)
from .refund_fairness import RefundFairness
from .resolution import DEFAULT_SAFETY_MARGIN_HOURS, Resolution
from .retry import RetrySchedule

__all__ = ["DEFAULTS", "DEFAULT_SLA_HOURS", "PolicySet", "context_of"]

#: Default SLA per case priority, in hours from the case's opening.
DEFAULT_SLA_HOURS: Mapping[Priority, int] = MappingProxyType(
    {Priority.URGENT: 4, Priority.HIGH: 24, Priority.NORMAL: 72, Priority.LOW: 120}
)


def context_of(policy: Any) -> type[Any] | None:
    """The context class ``policy`` decides, or ``None`` when it does not say.

    A policy says it with a ``CONTEXT`` class attribute (``object``: any context, as
    ``Fixed``) or by annotating ``decide`` 's first parameter; a
    combinator decides what all its inner policies decide.
    """
    inner = getattr(policy, "inner", None)
    if callable(inner):
        kinds = {context_of(p) for p in inner()} - {object}
        if None in kinds or len(kinds) > 1:
            return None
        return kinds.pop() if kinds else object
    declared = getattr(policy, "CONTEXT", None)
    if isinstance(declared, type):
        return declared
    decide = getattr(type(policy), "decide", None)
    if decide is None:
        return None
    try:
        hints = typing.get_type_hints(decide)
    except (NameError, TypeError):
        return None
    params = [p for p in inspect.signature(decide).parameters if p != "self"]
    found = hints.get(params[0]) if params else None
    return found if isinstance(found, type) and found is not Any else None


def _kind(expected: type[Any]) -> Any:
    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        decides = context_of(value)
        if decides is object or (decides is not None and issubclass(decides, expected)):
            return
        what = "does not say what it decides" if decides is None else f"decides {decides.__name__}"
        raise PolicyConfigError(
            attribute.name,
            "wrong_policy_kind",
            f"{attribute.name} needs a policy that decides {expected.__name__}; "
            f"{type(value).__name__} {what} (set CONTEXT or annotate decide)",
        )

    return check


def _policy(expected: type[Any], default: type[Any]) -> Any:
    return param(NestedPolicy, factory=default, validator=_kind(expected))


@attrs.frozen(slots=False)
class PolicySet:
    """Every policy the workflows consult, plus the SLA windows.

    Attributes:
        refund: refund fairness (approve / partial / review / deny).
        escalation: which tier handles a support case (its ``sla_bump_at`` is the SLA
            warning threshold).
        authority: what an operator may approve alone (four eyes above it), and which tier
            must approve a refund (``OperatorAuthority.route``).
        resolution: the resolution plan (ordered steps) of a claim or dispute (its
            ``safety_margin_hours`` is the dispute safety margin).
        dispute_response: accept or contest, with the evidence checklist.
        retry: the retry schedule of a declined payment.
        sla_hours: ``(priority, hours)`` pairs (a mapping is accepted): a triaged case
            without ``sla_due_at`` gets one this many hours after its opening.

    Raises:
        PolicyConfigError: a policy of the wrong kind (``field`` names it), or a bad value.
    """

    refund: RefundPolicy = _policy(RefundContext, RefundFairness)
    escalation: EscalationPolicy = _policy(EscalationContext, EscalationTier)
    authority: OperatorAuthority = _policy(ApprovalContext, OperatorAuthority)
    resolution: ResolutionPolicy = _policy(ResolutionContext, Resolution)
    dispute_response: DisputeResponsePolicy = _policy(DisputeContext, DisputeResponse)
    retry: RetryPolicy = _policy(RetryContext, RetrySchedule)
    sla_hours: tuple[tuple[Priority, int], ...] = param(
        Table(Priority, Int(1)), factory=lambda: dict(DEFAULT_SLA_HOURS)
    )

    def __repr__(self) -> str:
        """One line per set, not every parameter: ``help(triage)`` shows it as a default.

        ``to_dict()`` has the parameters; the fingerprint tells two sets apart.
        """
        kinds = ", ".join(
            f"{a.name}={type(getattr(self, a.name)).__name__}(...)"
            for a in attrs.fields(type(self))
            if a.name != "sla_hours"
        )
        return f"PolicySet({kinds})"

    @cached_property
    def dispute_safety_margin(self) -> timedelta:
        """Responses to a dispute are due this long before its ``due_by``.

        The resolution policy's ``safety_margin_hours`` (the one definition).
        """
        hours = getattr(self.resolution, "safety_margin_hours", DEFAULT_SAFETY_MARGIN_HOURS)
        return timedelta(hours=hours)

    @property
    def sla_warning(self) -> Decimal:
        """A case is near SLA breach with this fraction of its window or less left.

        The escalation policy's ``sla_bump_at`` (the one definition).
        """
        value: Decimal = getattr(self.escalation, "sla_bump_at", DEFAULT_SLA_BUMP_AT)
        return value

    @cached_property
    def _sla_windows(self) -> dict[Priority, timedelta]:
        return {priority: timedelta(hours=hours) for priority, hours in self.sla_hours}

    def sla_for(self, priority: Priority) -> timedelta | None:
        """The SLA window of a case of ``priority`` (``None`` when none is set)."""
        return self._sla_windows.get(priority)

    def to_dict(self) -> dict[str, Any]:
        """Every policy (its ``to_dict()``) and setting, as plain data."""
        return dump_params(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "") -> PolicySet:
        """Build from plain data; missing keys keep the defaults.

        Raises:
            PolicyConfigError: an unknown key, a bad value or a policy of the wrong kind
                (``field`` is the dotted path).
        """
        return build(cls, data, path)

    @classmethod
    def from_toml(cls, text: str, table: str | None = None) -> PolicySet:
        """Build from TOML text (or its dotted ``table``); the host reads the file.

        Raises:
            PolicyConfigError: not TOML, a missing table, or an invalid set.
        """
        data, path = toml_table(text, table)
        return cls.from_dict(data, path)


#: The built-in policies with their default parameters.
DEFAULTS = PolicySet()
