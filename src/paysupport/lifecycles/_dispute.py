"""The life of a dispute: network stage x status, with the response deadline.

A state is ``"stage:status"`` (``"chargeback:needs_response"``) and sets both fields of
the :class:`~paysupport.models.Dispute`. Stages only move forward, and only into stages
that both the network (``network_rules(network).stages``) and the reason code
(``reason_code(network, code).stages``) have: Mastercard 4808/4870/4871 go from the
chargeback straight to arbitration; Amex and Discover have no pre-arbitration or
arbitration. A response (evidence or acceptance) after ``due_by`` is refused with
:class:`~paysupport.errors.DeadlinePassed`; after ``due_by`` the dispute can only expire.
Entering a stage sets ``due_by`` from the event data or else from the network's response
window for that stage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from statemachine import State

from paysupport.errors import UnknownCode
from paysupport.lifecycles._data import data_datetime
from paysupport.lifecycles._engine import Cond, Data, Lifecycle, LifecycleMachine, guard
from paysupport.models.dispute import Dispute, DisputeStatus
from paysupport.networks import DisputeStage, network_rules, reason_code

__all__ = ["DisputeMachine", "dispute", "dispute_state"]

_STAGES = {s.value: s for s in DisputeStage}
_STATUSES = {s.value: s for s in DisputeStatus}


def dispute_state(d: Dispute) -> str:
    """The machine state of a dispute: ``"stage:status"``."""
    return f"{d.stage.value}:{d.status.value}"


def _split(value: str) -> Mapping[str, Any]:
    stage, status = value.split(":")
    return {"stage": _STAGES[stage], "status": _STATUSES[status]}


# ---------------------------------------------------------------------- guards
@guard()
def response_possible(d: Dispute, now: datetime, data: Data) -> str | None:
    """The issuer allows a response: the dispute has a ``due_by`` (Stripe: not 0)."""
    if d.due_by is None:
        return "no response is possible for this dispute (no due_by)"
    return None


@guard(deadline=True)
def before_due_by(d: Dispute, now: datetime, data: Data) -> str | None:
    """The response comes no later than ``due_by``."""
    if d.due_by is not None and now > d.due_by:
        return f"the response was due by {d.due_by.isoformat()}; it is {now.isoformat()}"
    return None


@guard()
def past_due_by(d: Dispute, now: datetime, data: Data) -> str | None:
    """``due_by`` has passed (or no response was ever possible)."""
    if d.due_by is not None and now <= d.due_by:
        return f"the response window runs until {d.due_by.isoformat()}"
    return None


def _next_stage_guard(stage: DisputeStage) -> Cond:
    def check(d: Dispute, now: datetime, data: Data) -> str | None:
        code = data.get("reason_code") or d.reason_code
        rules = network_rules(d.network)
        if stage not in rules.stages:
            return f"{d.network.value} disputes have no {stage.value} stage"
        try:
            entry = reason_code(d.network, code)
        except UnknownCode as exc:
            return str(exc)
        path = [s for s in entry.stages if s in rules.stages and s.rank > d.stage.rank]
        if stage not in path:
            return f"{d.network.value} reason code {entry.code} has no {stage.value} stage"
        if path[0] is not stage:
            return f"{d.network.value} reason code {entry.code} goes to {path[0].value} first"
        if "due_by" in data and data_datetime(data["due_by"]) is None:
            return "due_by must be an ISO 8601 timezone-aware datetime"
        return None

    check.__name__ = f"next_stage_is_{stage.value}"
    check.__doc__ = f"The network and the reason code lead next to the {stage.value} stage."
    return guard()(check)


next_stage_is_chargeback = _next_stage_guard(DisputeStage.CHARGEBACK)
next_stage_is_pre_arbitration = _next_stage_guard(DisputeStage.PRE_ARBITRATION)
next_stage_is_arbitration = _next_stage_guard(DisputeStage.ARBITRATION)


# ---------------------------------------------------------------------- machine
class DisputeMachine(LifecycleMachine):
    """Dispute: inquiry, chargeback, pre-arbitration, arbitration; each with its status."""

    # A dispute opens at the inquiry or at the chargeback stage, so the inquiry states are
    # not reachable from the (chargeback) initial state.
    validate_disconnected_states = False

    inquiry_needs_response = State("Inquiry: needs response", value="inquiry:needs_response")
    inquiry_under_review = State("Inquiry: under review", value="inquiry:under_review")
    inquiry_closed = State("Inquiry: closed", value="inquiry:closed", final=True)

    chargeback_needs_response = State(
        "Chargeback: needs response", value="chargeback:needs_response", initial=True
    )
    chargeback_under_review = State("Chargeback: under review", value="chargeback:under_review")
    chargeback_won = State("Chargeback: won", value="chargeback:won")
    chargeback_lost = State("Chargeback: lost", value="chargeback:lost")
    chargeback_accepted = State("Chargeback: accepted", value="chargeback:accepted", final=True)
    chargeback_expired = State("Chargeback: expired", value="chargeback:expired", final=True)

    pre_arbitration_needs_response = State(
        "Pre-arbitration: needs response", value="pre_arbitration:needs_response"
    )
    pre_arbitration_under_review = State(
        "Pre-arbitration: under review", value="pre_arbitration:under_review"
    )
    pre_arbitration_won = State("Pre-arbitration: won", value="pre_arbitration:won")
    pre_arbitration_lost = State("Pre-arbitration: lost", value="pre_arbitration:lost")
    pre_arbitration_accepted = State(
        "Pre-arbitration: accepted", value="pre_arbitration:accepted", final=True
    )
    pre_arbitration_expired = State(
        "Pre-arbitration: expired", value="pre_arbitration:expired", final=True
    )

    arbitration_needs_response = State(
        "Arbitration: needs response", value="arbitration:needs_response"
    )
    arbitration_under_review = State("Arbitration: under review", value="arbitration:under_review")
    arbitration_won = State("Arbitration: won", value="arbitration:won", final=True)
    arbitration_lost = State("Arbitration: lost", value="arbitration:lost", final=True)
    arbitration_accepted = State("Arbitration: accepted", value="arbitration:accepted", final=True)
    arbitration_expired = State("Arbitration: expired", value="arbitration:expired", final=True)

    submit_evidence = (
        inquiry_needs_response.to(inquiry_under_review, cond=[response_possible, before_due_by])
        | chargeback_needs_response.to(
            chargeback_under_review, cond=[response_possible, before_due_by]
        )
        | pre_arbitration_needs_response.to(
            pre_arbitration_under_review, cond=[response_possible, before_due_by]
        )
        | arbitration_needs_response.to(
            arbitration_under_review, cond=[response_possible, before_due_by]
        )
    )
    accept = (
        chargeback_needs_response.to(chargeback_accepted, cond=before_due_by)
        | pre_arbitration_needs_response.to(pre_arbitration_accepted, cond=before_due_by)
        | arbitration_needs_response.to(arbitration_accepted, cond=before_due_by)
    )
    expire = (
        chargeback_needs_response.to(chargeback_expired, cond=past_due_by)
        | pre_arbitration_needs_response.to(pre_arbitration_expired, cond=past_due_by)
        | arbitration_needs_response.to(arbitration_expired, cond=past_due_by)
    )
    win = (
        chargeback_under_review.to(chargeback_won)
        | pre_arbitration_under_review.to(pre_arbitration_won)
        | arbitration_under_review.to(arbitration_won)
    )
    lose = (
        chargeback_under_review.to(chargeback_lost)
        | pre_arbitration_under_review.to(pre_arbitration_lost)
        | arbitration_under_review.to(arbitration_lost)
    )
    reverse = (
        chargeback_needs_response.to(chargeback_won)
        | chargeback_under_review.to(chargeback_won)
        | pre_arbitration_needs_response.to(pre_arbitration_won)
        | pre_arbitration_under_review.to(pre_arbitration_won)
        | arbitration_needs_response.to(arbitration_won)
        | arbitration_under_review.to(arbitration_won)
    )
    close = inquiry_needs_response.to(inquiry_closed) | inquiry_under_review.to(inquiry_closed)
    open_chargeback = inquiry_needs_response.to(
        chargeback_needs_response, cond=next_stage_is_chargeback
    ) | inquiry_under_review.to(chargeback_needs_response, cond=next_stage_is_chargeback)
    open_pre_arbitration = (
        chargeback_under_review.to(
            pre_arbitration_needs_response, cond=next_stage_is_pre_arbitration
        )
        | chargeback_won.to(pre_arbitration_needs_response, cond=next_stage_is_pre_arbitration)
        | chargeback_lost.to(pre_arbitration_needs_response, cond=next_stage_is_pre_arbitration)
    )
    open_arbitration = (
        chargeback_under_review.to(arbitration_needs_response, cond=next_stage_is_arbitration)
        | chargeback_won.to(arbitration_needs_response, cond=next_stage_is_arbitration)
        | chargeback_lost.to(arbitration_needs_response, cond=next_stage_is_arbitration)
        | pre_arbitration_under_review.to(
            arbitration_needs_response, cond=next_stage_is_arbitration
        )
        | pre_arbitration_won.to(arbitration_needs_response, cond=next_stage_is_arbitration)
        | pre_arbitration_lost.to(arbitration_needs_response, cond=next_stage_is_arbitration)
    )


# ---------------------------------------------------------------------- effects
def _submit(d: Dispute, now: datetime, data: Data) -> Mapping[str, Any]:
    return {"evidence_submitted_at": now}


def _enter(stage: DisputeStage) -> Callable[[Dispute, datetime, Data], Mapping[str, Any]]:
    def effect(d: Dispute, now: datetime, data: Data) -> Mapping[str, Any]:
        due_by = data_datetime(data.get("due_by"))
        if due_by is None:
            days = network_rules(d.network).response_days.get(stage)
            due_by = now + timedelta(days=days) if days is not None else None
        changes: dict[str, Any] = {"due_by": due_by, "evidence_submitted_at": None}
        if data.get("reason_code"):
            changes["reason_code"] = data["reason_code"]
        return changes

    return effect


def _clock(d: Dispute) -> datetime:
    return d.opened_at


#: The compiled dispute lifecycle.
dispute: Lifecycle[Dispute] = Lifecycle(
    DisputeMachine,
    name="dispute",
    effects={
        "submit_evidence": _submit,
        "open_chargeback": _enter(DisputeStage.CHARGEBACK),
        "open_pre_arbitration": _enter(DisputeStage.PRE_ARBITRATION),
        "open_arbitration": _enter(DisputeStage.ARBITRATION),
    },
    state_of=dispute_state,
    state_changes=_split,
    clock=_clock,
    # evidence_submitted_at = now, never before opened_at (the clock check)
    trusted=("submit_evidence",),
)
