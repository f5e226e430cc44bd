"""The life of a dispute: network stage x status, with the response deadline.

A state is ``"stage:status"`` (``"chargeback:needs_response"``) and sets both fields of the
[`Dispute`][paysupport.models.Dispute]. The states are the rows of
[`DISPUTE_STATES`][paysupport.models.dispute.DISPUTE_STATES], the one table the model validates
against too. Stages only move forward, and only into stages that both the network
(``network_rules(network).stages``) and the reason code (``reason_code(network,
code).stages``) have: Mastercard 4808/4870/4871 go from the chargeback straight to
arbitration; Amex and Discover have no pre-arbitration or arbitration.

A response (evidence or acceptance) after ``due_by`` is refused with
[`DeadlinePassed`][paysupport.errors.DeadlinePassed]; after ``due_by`` (or when the provider reports
it with ``reported_by``) the dispute expires at its stage. Entering a stage sets ``due_by``
from the event data (the provider's deadline) or else from the network's response window
for that stage. What providers report moves the dispute directly, never along an invented
path: ``win``/``lose`` take ``stage=`` for an outcome at a later stage (a Mastercard second
chargeback is ``lose`` with ``stage="pre_arbitration"``), and ``open_*`` take
``status="under_review"`` when the network reviews the case without asking for a response.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from types import MappingProxyType
from typing import Any, cast

from statemachine import State
from statemachine.factory import StateMachineMetaclass
from statemachine.transition_list import TransitionList

from paysupport.errors import InvalidTransition, UnknownCode
from paysupport.lifecycles._data import data_datetime
from paysupport.lifecycles._engine import Cond, Data, Lifecycle, LifecycleMachine, compiled, guard
from paysupport.models.dispute import DISPUTE_STATES, Dispute, DisputeState, DisputeStatus
from paysupport.networks import DisputeStage, network_rules, reason_code

__all__ = ["DisputeMachine", "dispute", "dispute_event_for", "dispute_state"]

_STAGES = {s.value: s for s in DisputeStage}
_ROWS: Mapping[str, DisputeState] = MappingProxyType({s.value: s for s in DISPUTE_STATES})
_VALUE: Mapping[tuple[DisputeStage, DisputeStatus], str] = MappingProxyType(
    {(s.stage, s.status): s.value for s in DISPUTE_STATES}
)
_NR, _UR = DisputeStatus.NEEDS_RESPONSE, DisputeStatus.UNDER_REVIEW
_WON, _LOST = DisputeStatus.WON, DisputeStatus.LOST
_ACCEPTED, _CLOSED, _EXPIRED = DisputeStatus.ACCEPTED, DisputeStatus.CLOSED, DisputeStatus.EXPIRED


#: ``{stage value: {status value: state}}``: looked up by the members' ``_value_`` strings,
#: whose hashes are cached (an enum member's own ``__hash__`` runs Python code).
#: A plain dict (read, never written): a mapping proxy costs one more lookup per event.
_BY_VALUES: dict[str, dict[str, str]] = {
    stage.value: {row.status.value: row.value for row in DISPUTE_STATES if row.stage is stage}
    for stage in DisputeStage
}


def dispute_state(d: Any) -> str:
    """The machine state of a dispute (or a record with ``stage`` and ``status``)."""
    stage: str = d.stage._value_
    status: str = d.status._value_
    found = _BY_VALUES[stage].get(status)
    return found if found is not None else f"{stage}:{status}"


def _fields(state: State) -> Mapping[str, Any]:
    row = _ROWS[str(state.value)]
    return {"stage": row.stage, "status": row.status}


# ---------------------------------------------------------------------- guards
def _deadline(d: Dispute, data: Data) -> datetime | None:
    """The response deadline: the dispute's, else the provider's given with the answer."""
    return d.due_by if d.due_by is not None else data_datetime(data.get("due_by"))


@guard()
def response_possible(d: Dispute, now: datetime, data: Data, actor: str | None) -> str | None:
    """A response deadline is known: the dispute's ``due_by``, or the provider's ``due_by``."""
    if d.due_by is None and data_datetime(data.get("due_by")) is None:
        return (
            f"no response deadline is known at the {d.stage.value} stage (the catalogue has "
            "none and the provider gave none): pass the provider's due_by"
        )
    return None


@guard(deadline=True)
def before_due_by(d: Dispute, now: datetime, data: Data, actor: str | None) -> str | None:
    """The response comes no later than the deadline."""
    due_by = d.due_by
    if due_by is None:
        due_by = data_datetime(data.get("due_by"))
    if due_by is not None and now > due_by:
        return f"the response was due by {due_by.isoformat()}; it is {now.isoformat()}"
    return None


@guard()
def past_due_by(d: Dispute, now: datetime, data: Data, actor: str | None) -> str | None:
    """``due_by`` has passed (or no response was possible), or the provider reports it."""
    if d.due_by is not None and now <= d.due_by and not data.get("reported_by"):
        return f"the response window runs until {d.due_by.isoformat()}"
    return None


def _stage_problem(d: Any, stage: DisputeStage, data: Data, *, first: bool) -> str | None:
    """Why the dispute cannot move on to ``stage`` (``first``: it must be the next one)."""
    if not getattr(d, "catalogued", True):
        return None  # no catalogue facts apply; the provider's word is all there is
    rules = network_rules(d.network)
    if stage not in rules.stages:
        return f"{d.network.value} disputes have no {stage.value} stage"
    code = data.get("reason_code") or d.reason_code
    try:
        entry = reason_code(d.network, code)
    except UnknownCode as exc:
        return str(exc)
    path = [s for s in entry.stages if s in rules.stages and s.rank > d.stage.rank]
    if stage not in path:
        return f"{d.network.value} reason code {entry.code} has no {stage.value} stage"
    if first and path[0] is not stage:
        return f"{d.network.value} reason code {entry.code} goes to {path[0].value} first"
    return None


def _next_stage_guard(stage: DisputeStage) -> Cond:
    def check(d: Dispute, now: datetime, data: Data, actor: str | None) -> str | None:
        if why := _stage_problem(d, stage, data, first=True):
            return why
        if "due_by" in data and data_datetime(data["due_by"]) is None:
            return "due_by must be an ISO 8601 timezone-aware datetime"
        return None

    check.__name__ = f"next_stage_is_{stage.value}"
    check.__doc__ = f"The network and the reason code lead next to the {stage.value} stage."
    return guard(code="stage_not_next")(check)


def _opens_as(status: DisputeStatus) -> Cond:
    def check(d: Dispute, now: datetime, data: Data, actor: str | None) -> str | None:
        asked = data.get("status") or _NR.value
        if asked not in (_NR.value, _UR.value):
            return f"a stage opens as needs_response or under_review, not {asked!r}"
        return None if asked == status.value else f"the stage opens as {asked}"

    check.__name__ = f"opens_{status.value}"
    check.__doc__ = f"The new stage opens {status.value} (event data ``status``)."
    return guard(code="opening_status")(check)


def _outcome_at(stage: DisputeStage) -> Cond:
    def check(d: Dispute, now: datetime, data: Data, actor: str | None) -> str | None:
        asked = data.get("stage")
        if not asked:
            return None if stage is d.stage else f"the outcome is at the {d.stage.value} stage"
        if asked not in _STAGES:
            return f"unknown stage {asked!r}; known: {', '.join(_STAGES)}"
        if asked != stage.value:
            return f"the outcome is at the {asked} stage"
        if stage is d.stage:
            return None
        return _stage_problem(d, stage, data, first=False)

    check.__name__ = f"outcome_at_{stage.value}"
    check.__doc__ = f"The reported outcome is at the {stage.value} stage (event data ``stage``)."
    return guard(code="outcome_stage")(check)


# ---------------------------------------------------------------------- effects
def _submit(d: Dispute, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
    if d.due_by is None:
        return {"evidence_submitted_at": now, "due_by": _deadline(d, data)}
    return {"evidence_submitted_at": now}


def _accept(d: Dispute, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
    due_by = _deadline(d, data)
    return {"due_by": due_by} if due_by != d.due_by else {}


def _enter(
    stage: DisputeStage,
) -> Callable[[Dispute, datetime, Data, str | None], Mapping[str, Any]]:
    def effect(d: Dispute, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
        due_by = data_datetime(data.get("due_by"))
        if due_by is None and getattr(d, "catalogued", True):
            days = network_rules(d.network).response_days.get(stage)
            due_by = now + timedelta(days=days) if days is not None else None
        changes: dict[str, Any] = {"due_by": due_by, "evidence_submitted_at": None}
        if data.get("reason_code"):
            changes["reason_code"] = data["reason_code"]
        return changes

    return effect


def _outcome(d: Dispute, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
    code = data.get("reason_code")
    return {"reason_code": code} if code and code != d.reason_code else {}


# ---------------------------------------------------------------------- machine
def _label(row: DisputeState) -> str:
    stage = row.stage.value.replace("_", "-").capitalize()
    return f"{stage}: {row.status.value.replace('_', ' ')}"


def _join(transitions: Iterable[TransitionList]) -> TransitionList:
    joined: TransitionList = reduce(or_, transitions)
    return joined


def _namespace() -> dict[str, Any]:
    """States from the table, and every transition between them, as a class namespace."""
    st = {
        value: State(
            _label(row),
            value=value,
            initial=(row.stage, row.status) == (DisputeStage.CHARGEBACK, _NR),
            final=row.final,
        )
        for value, row in _ROWS.items()
    }

    def has(stage: DisputeStage, status: DisputeStatus) -> bool:
        return (stage, status) in _VALUE

    def s(stage: DisputeStage, status: DisputeStatus) -> State:
        return st[_VALUE[(stage, status)]]

    stages = list(DisputeStage)
    inq, cb = DisputeStage.INQUIRY, DisputeStage.CHARGEBACK
    acc, exp, closed = DisputeStatus.ACCEPTED, DisputeStatus.EXPIRED, DisputeStatus.CLOSED
    ns: dict[str, Any] = {f"{v.replace(':', '_')}": state for v, state in st.items()}
    ns["submit_evidence"] = _join(
        s(x, _NR).to(s(x, _UR), cond=[response_possible, before_due_by]) for x in stages
    )
    ns["accept"] = _join(s(x, _NR).to(s(x, acc), cond=before_due_by) for x in stages if has(x, acc))
    ns["expire"] = _join(s(x, _NR).to(s(x, exp), cond=past_due_by) for x in stages)
    ns["reverse"] = _join(
        s(x, o).to(s(x, _WON)) for x in stages if has(x, _WON) for o in (_NR, _UR)
    )
    ns["close"] = _join(
        s(x, o).to(s(x, closed))
        for x in stages
        if has(x, closed)
        for o in (_NR, _UR, exp)
        if has(x, o) and not st[_VALUE[(x, o)]].final
    )
    for outcome, event in ((_WON, "win"), (_LOST, "lose")):
        ns[event] = _join(
            s(x, o).to(s(y, outcome), cond=_outcome_at(y))
            for x in stages
            for o in (_NR, _UR, exp, _WON, _LOST)
            if has(x, o) and not st[_VALUE[(x, o)]].final
            for y in stages
            if has(y, outcome) and (y.rank > x.rank or (y is x and o in (_NR, _UR)))
        )
    for target in stages[1:]:
        sources = (
            [(inq, o) for o in (_NR, _UR, exp)]
            if target is cb
            else [
                (x, o)
                for x in stages
                if cb.rank <= x.rank < target.rank
                for o in (_UR, _WON, _LOST)
            ]
        )
        enter = _next_stage_guard(target)
        ns[f"open_{target.value}"] = _join(
            s(*src).to(s(target, opened), cond=[enter, _opens_as(opened)])
            for src in sources
            for opened in (_NR, _UR)
        )
    return ns


_EFFECTS = {
    "submit_evidence": _submit,
    "accept": _accept,
    "open_chargeback": _enter(DisputeStage.CHARGEBACK),
    "open_pre_arbitration": _enter(DisputeStage.PRE_ARBITRATION),
    "open_arbitration": _enter(DisputeStage.ARBITRATION),
    "win": _outcome,
    "lose": _outcome,
}

#: The dispute machine: states from ``DISPUTE_STATES``, transitions generated per stage
#: (submit_evidence, accept, expire, reverse, close, win, lose, open_<stage>).
DisputeMachine: type[LifecycleMachine] = cast(
    "type[LifecycleMachine]",
    StateMachineMetaclass(
        "DisputeMachine",
        (LifecycleMachine,),
        {
            "__module__": __name__,
            "__qualname__": "DisputeMachine",
            "__doc__": "Dispute: inquiry, chargeback, pre-arbitration, arbitration; each "
            "with its status (states from DISPUTE_STATES).",
            # A dispute opens at the inquiry or at the chargeback stage, so the inquiry
            # states are not reachable from the (chargeback) initial state.
            "validate_disconnected_states": False,
            "lifecycle_name": "dispute",
            "started_at": "opened_at",
            "effects": MappingProxyType(_EFFECTS),
            "state_of": staticmethod(dispute_state),
            "state_fields": staticmethod(_fields),
            **_namespace(),
        },
    ),
)

#: The compiled dispute lifecycle.
dispute: Lifecycle[Dispute] = compiled(DisputeMachine)


def dispute_event_for(
    d: Dispute, stage: DisputeStage, status: DisputeStatus
) -> tuple[str, dict[str, str]] | None:
    """The one event (and its data) that records a provider reporting ``stage:status``.

    ``None`` when the dispute is already there. Which event: a later stage's opening
    (``open_<stage>``, with ``status`` when it opens under review), ``win``/``lose`` (with
    ``stage`` when the outcome is at a later stage), ``submit_evidence``, ``accept``,
    ``expire`` (with ``reported_by``), or ``close``. The caller adds its own data (the
    provider's deadline as ``due_by``, a new ``reason_code``) and fires it; the lifecycle
    refuses what the network or the state does not allow.

    Raises:
        InvalidTransition: no event records the report (an earlier stage, or back to
            ``needs_response`` within a stage; code ``not_reportable``).
    """
    if (stage, status) == (d.stage, d.status):
        return None
    if stage.rank < d.stage.rank:
        raise InvalidTransition(
            "dispute",
            dispute_state(d),
            "report",
            f"stages only move forward: {d.stage.value} cannot go back to {stage.value}",
            code="not_reportable",
        )
    if status in (_WON, _LOST):
        event = "win" if status is _WON else "lose"
        return event, ({} if stage is d.stage else {"stage": stage.value})
    if stage is not d.stage:
        return f"open_{stage.value}", ({} if status is _NR else {"status": status.value})
    simple = {_UR: "submit_evidence", _ACCEPTED: "accept", _CLOSED: "close"}
    if status is _EXPIRED:
        return "expire", {"reported_by": d.provider or "provider"}
    same_stage = simple.get(status)
    if same_stage is None:
        raise InvalidTransition(
            "dispute",
            dispute_state(d),
            "report",
            f"no event moves a dispute back to {status.value} within its stage",
            code="not_reportable",
        )
    return same_stage, {}
