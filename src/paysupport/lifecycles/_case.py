"""The life of a support case: triage, work, waiting, escalation, resolution, closing.

A resolved case can be reopened within `REOPEN_WINDOW` of its resolution (the
customer writes back); after that, or once closed, a new case is opened instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from statemachine import State

from paysupport.lifecycles._engine import Data, Lifecycle, LifecycleMachine, compiled, guard
from paysupport.models.case import CaseStatus, SupportCase
from paysupport.models.parties import Tier

__all__ = ["REOPEN_WINDOW", "CaseMachine", "case"]

#: How long after its resolution a case can be reopened.
REOPEN_WINDOW = timedelta(days=14)

_TIERS = {t.value: t for t in Tier}


def _tier(data: Data) -> Tier | None:
    return _TIERS.get(data.get("tier", ""))


@guard()
def tier_given(c: SupportCase, now: datetime, data: Data, actor: str | None) -> str | None:
    """Triage names the tier that handles the case (junior, middle, senior)."""
    if _tier(data) is None:
        return f"event data needs 'tier', one of {', '.join(_TIERS)}"
    return None


def _escalated_tier(c: SupportCase, data: Data) -> Tier | None:
    if "tier" in data:
        return _tier(data)
    return c.tier.bump() if c.tier is not None else Tier.MIDDLE


@guard()
def higher_tier(c: SupportCase, now: datetime, data: Data, actor: str | None) -> str | None:
    """The case goes to a tier above its current one (the next one if none is named)."""
    target = _escalated_tier(c, data)
    if target is None:
        return f"tier {data.get('tier')!r} is not one of {', '.join(_TIERS)}"
    if c.tier is not None and not target > c.tier:
        return f"tier {target.value} is not above the case's tier {c.tier.value}"
    return None


@guard()
def within_reopen_window(
    c: SupportCase, now: datetime, data: Data, actor: str | None
) -> str | None:
    """The case was resolved no longer than the reopen window ago."""
    if c.resolved_at is not None and now - c.resolved_at > REOPEN_WINDOW:
        days = REOPEN_WINDOW.days
        return (
            f"resolved on {c.resolved_at.isoformat()}, more than {days} days ago: open a new case"
        )
    return None


# ---------------------------------------------------------------------- effects
def _assignee(data: Data) -> dict[str, Any]:
    return {"assignee": data["assignee"]} if data.get("assignee") else {}


def _triage(c: SupportCase, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
    return {"tier": _tier(data), **_assignee(data)}


def _start(c: SupportCase, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
    return _assignee(data)


def _first_response(c: SupportCase, now: datetime) -> dict[str, Any]:
    return {"first_response_at": now} if c.first_response_at is None else {}


def _wait_on_customer(
    c: SupportCase, now: datetime, data: Data, actor: str | None
) -> Mapping[str, Any]:
    return _first_response(c, now)


def _escalate(c: SupportCase, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
    return {"tier": _escalated_tier(c, data), "assignee": data.get("assignee") or None}


def _resolve(c: SupportCase, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
    return {"resolved_at": now, **_first_response(c, now)}


def _close(c: SupportCase, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
    return {"closed_at": now}


def _reopen(c: SupportCase, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
    return {"resolved_at": None, "contacts": c.contacts + 1}


# ---------------------------------------------------------------------- machine
class CaseMachine(LifecycleMachine):
    """Support case: new, triaged, in progress, waiting, escalated, resolved, closed."""

    new = State("New", value=CaseStatus.NEW, initial=True)
    triaged = State("Triaged", value=CaseStatus.TRIAGED)
    in_progress = State("In progress", value=CaseStatus.IN_PROGRESS)
    waiting_on_customer = State("Waiting on customer", value=CaseStatus.WAITING_ON_CUSTOMER)
    waiting_on_network = State("Waiting on network", value=CaseStatus.WAITING_ON_NETWORK)
    escalated = State("Escalated", value=CaseStatus.ESCALATED)
    resolved = State("Resolved", value=CaseStatus.RESOLVED)
    closed = State("Closed", value=CaseStatus.CLOSED, final=True)

    triage = new.to(triaged, cond=tier_given)
    start = triaged.to(in_progress) | escalated.to(in_progress)
    wait_on_customer = in_progress.to(waiting_on_customer)
    wait_on_network = in_progress.to(waiting_on_network)
    resume = waiting_on_customer.to(in_progress) | waiting_on_network.to(in_progress)
    escalate = (
        triaged.to(escalated, cond=higher_tier)
        | in_progress.to(escalated, cond=higher_tier)
        | waiting_on_customer.to(escalated, cond=higher_tier)
        | waiting_on_network.to(escalated, cond=higher_tier)
        | escalated.to(escalated, cond=higher_tier)
    )
    resolve = in_progress.to(resolved)
    close = resolved.to(closed)
    reopen = resolved.to(in_progress, cond=within_reopen_window)

    lifecycle_name = "case"
    started_at = "opened_at"
    effects = MappingProxyType(
        {
            "triage": _triage,
            "start": _start,
            "wait_on_customer": _wait_on_customer,
            "escalate": _escalate,
            "resolve": _resolve,
            "close": _close,
            "reopen": _reopen,
        }
    )


#: The compiled support-case lifecycle.
case: Lifecycle[SupportCase] = compiled(CaseMachine)
