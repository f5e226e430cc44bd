"""The lifecycle engine: a python-statemachine class compiled into a transition table.

A lifecycle is declared once, as a `LifecycleMachine` subclass: its states,
transitions and guards (``cond=``, made with `guard`), and in `effects` the
fields each event changes besides the state. `Lifecycle` compiles that class into a
plain table ``{state: {event: (transition, ...)}}``; anything the class declares that the
table could not honour (``validators=``, ``unless=``, ``on=``/``before=``/``after=``
callbacks, ``on_<event>``-style methods, state ``enter``/``exit`` actions) is refused when
the class is compiled, at import.

`Lifecycle.fire` returns a *new* model with the state, the event's field changes, one
more [`LifecycleEvent`][paysupport.models.LifecycleEvent] in its history and ``version + 1``; the
input model is never touched, so a refused event changes nothing. `Lifecycle.advance`
does the same on a mutable record (the batch route); both run one set of checks
(`Lifecycle.step`). ``PaymentMachine(payment)`` binds a python-statemachine instance
to one model (slow to build: for notebooks and diagrams); it builds every next model through
the same compiled lifecycle, so the routes cannot disagree.

Why compile: a python-statemachine instance costs about a millisecond to build, too slow for
batch work over millions of aggregates; a dict lookup and a few function calls are not.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from enum import Enum
from functools import cache
from types import MappingProxyType
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Generic,
    NoReturn,
    Protocol,
    TypeVar,
    cast,
)

import pydantic
from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from paysupport.errors import (
    DeadlinePassed,
    InvalidTransition,
    ModelValidationError,
    ValidationFailed,
)
from paysupport.lifecycles._build import broken_rules, build
from paysupport.lifecycles._compile import CompiledTransition, compile_class, events_of
from paysupport.models.history import LifecycleEvent
from paysupport.money import Money

if TYPE_CHECKING:
    pass

__all__ = [
    "Versioned",
    "Check",
    "CompiledTransition",
    "Cond",
    "Data",
    "FieldUpdate",
    "Lifecycle",
    "LifecycleMachine",
    "guard",
    "stringify",
]

#: Event data as recorded in the history: text keys and text values, so it stores anywhere.
Data = Mapping[str, str]

#: A guard's check ``(model, now, data, actor)``: ``None`` when the transition may happen,
#: else the refusal in words. ``actor`` is the acting operator (or ``None``).
Check = Callable[[Any, datetime, Data, "str | None"], "str | None"]

#: A field update ``(model, now, data, actor)``: the model fields an accepted event changes,
#: besides its state and history (named apart from the host `Effect` of the workflows).
FieldUpdate = Callable[[Any, datetime, Data, "str | None"], Mapping[str, Any]]

#: Refusal codes the engine itself gives (guards give their own, see `guard`).
UNKNOWN_EVENT = "unknown_event"
NOT_FROM_STATE = "not_allowed"
FINAL_STATE = "final_state"
OUT_OF_ORDER = "out_of_order"
MODEL_RULE = "model_rule"


class Versioned(Protocol):
    """What a lifecycle needs from a model: a history, a version and ``evolve``."""

    @property
    def history(self) -> tuple[LifecycleEvent, ...]:
        """The accepted events so far."""

    @property
    def version(self) -> int:
        """How many events were accepted."""

    def evolve(self, **changes: Any) -> Any:
        """A validated copy with ``changes``."""


M = TypeVar("M", bound=Versioned)


class Cond(Protocol):
    """A guard as python-statemachine sees it: a function of ``(aggregate, now, data, actor)``.

    ``check`` returns the refusal reason (or ``None``); ``code`` is the machine-readable
    code of the rule it enforces; ``deadline`` marks guards whose refusal is a
    [`DeadlinePassed`][paysupport.errors.DeadlinePassed].
    """

    __name__: str
    check: Check
    code: str
    deadline: bool

    def __call__(self, aggregate: Any, now: datetime, data: Data, actor: str | None) -> bool:
        """True when the guard lets the transition happen."""


def guard(*, code: str | None = None, deadline: bool = False) -> Callable[[Check], Cond]:
    """Turn a check ``(model, now, data, actor) -> reason | None`` into a machine guard.

    The result is what ``cond=`` takes in the machine class, named after the check so that
    diagrams show ``[within_capturable]``. A refusal raises
    `InvalidTransition` whose ``code`` is ``code`` (default: the
    check's name) and whose ``reason`` is the sentence the check returned.
    """

    def wrap(check: Check) -> Cond:
        def cond(aggregate: Any, now: datetime, data: Data, actor: str | None = None) -> bool:
            return check(aggregate, now, data, actor) is None

        cond.__name__ = check.__name__
        cond.__qualname__ = check.__name__
        cond.__doc__ = check.__doc__
        out = cast(Cond, cond)
        out.check = check
        out.code = code or check.__name__
        out.deadline = deadline
        return out

    return wrap


def stringify(data: Mapping[str, object]) -> dict[str, str]:
    """Event data as text: Money as ``"12.34 EUR"``, datetimes in ISO 8601, enums by value.

    Raises:
        ValidationFailed: a value of another type, or a naive datetime.
    """
    out: dict[str, str] = {}
    for key, value in data.items():
        # An enum's value is read as ``_value_`` (what the ``value`` property returns).
        if type(value) is str:
            out[key] = value
        elif isinstance(value, str):
            out[key] = value._value_ if isinstance(value, Enum) else value
        elif isinstance(value, Money):
            out[key] = str(value)
        elif isinstance(value, datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValidationFailed(key, "timezone_aware", f"{key} must be timezone-aware")
            out[key] = value.isoformat()
        elif isinstance(value, Enum):
            out[key] = str(value._value_)
        elif isinstance(value, bool | int):
            out[key] = str(value).lower() if isinstance(value, bool) else str(value)
        else:
            raise ValidationFailed(
                key, "event_data_type", f"{key}: event data is text, Money, datetime, enum or int"
            )
    return out


_NO_DATA: Data = MappingProxyType({})
_NO_ROWS: Mapping[str, tuple[Any, ...]] = MappingProxyType({})


def _status(model: Any) -> str:
    status: str = model.status
    return status


#: `_status` as one C call (what `Lifecycle` reads for a machine keeping the default).
_STATUS: Callable[[Any], str] = operator.attrgetter("status")


class LifecycleMachine(StateMachine):
    """Base of every lifecycle definition: a python-statemachine ``StateMachine``.

    Subclasses declare states (a state's ``value`` is what the model stores, e.g. a
    ``PaymentStatus``), transitions with their guards, and these class attributes:

    Attributes:
        lifecycle_name: the lifecycle's name in errors (``"payment"``).
        effects: per event, the function giving the fields it changes besides the state.
        started_at: the model field holding when the aggregate began (no event may be
            dated before it), or ``None``.

    An instance is bound to one model: ``PaymentMachine(payment)``; its state is the model's
    state, `aggregate` is the model after the last accepted event, and `fire` is
    all-or-nothing.
    """

    lifecycle_name: ClassVar[str] = ""
    effects: ClassVar[Mapping[str, FieldUpdate]] = MappingProxyType({})
    started_at: ClassVar[str | None] = None

    @staticmethod
    def state_of(model: Any) -> str:
        """The state value of a model (default: its ``status``)."""
        return _status(model)

    @staticmethod
    def state_fields(state: State) -> Mapping[str, Any]:
        """The model fields a state sets (default: ``{"status": state.value}``)."""
        return {"status": state.value}

    def __init__(self, aggregate: Any, lifecycle: Lifecycle[Any] | None = None) -> None:
        self._lifecycle: Lifecycle[Any] = lifecycle or compiled(type(self))
        self._binding = _Binding(self._lifecycle, aggregate)
        self._pending: tuple[str | None, str | None] = (None, None)
        super().__init__(model=self._binding, state_field="state")

    @property
    def aggregate(self) -> Any:
        """The model after the last accepted event."""
        return self._binding.aggregate

    def fire(
        self,
        event: str,
        *,
        now: datetime,
        actor: str | None = None,
        reason: str | None = None,
        **data: object,
    ) -> Any:
        """Send ``event`` through python-statemachine; return the new model.

        Raises:
            InvalidTransition: the event is not allowed now (``DeadlinePassed`` after a
                deadline); nothing changed.
            ValidationFailed: ``now`` is naive, or a data value has an unsupported type.
        """
        lc = self._lifecycle
        values = stringify(data)
        before = self._binding.aggregate
        lc.check_time(before, event, now)
        self._pending = (actor, reason)
        try:
            self.send(event, aggregate=before, now=now, data=values, actor=actor)
        except TransitionNotAllowed:
            lc.select(before, event, now, values, actor)  # raises the precise refusal
            raise InvalidTransition(  # pragma: no cover - the routes disagree
                lc.name, str(lc.state_of(before)), event, "refused by python-statemachine"
            ) from None
        finally:
            self._pending = (None, None)
        return self._binding.aggregate

    def on_transition(
        self, event: str, source: State, target: State, now: datetime, data: Data
    ) -> None:
        """Build the next model (python-statemachine calls this before it moves the state)."""
        lc = self._lifecycle
        actor, reason = self._pending
        model = self._binding.aggregate
        tr = next(t for t in lc.table[str(source.value)][event] if t.target == str(target.value))
        self._binding.aggregate = lc.apply(model, tr, now, data, actor, reason)


class _Binding:
    """The object python-statemachine holds as its model: the state reads the aggregate."""

    __slots__ = ("_lifecycle", "aggregate")

    def __init__(self, lifecycle: Lifecycle[Any], aggregate: Any) -> None:
        self._lifecycle = lifecycle
        self.aggregate = aggregate

    @property
    def state(self) -> str:
        """The machine state of the bound aggregate."""
        return self._lifecycle.state_of(self.aggregate)

    @state.setter
    def state(self, value: str) -> None:
        if value != self._lifecycle.state_of(self.aggregate):  # pragma: no cover
            raise RuntimeError("the state follows the aggregate; fire an event to change it")


class Lifecycle(Generic[M]):
    """A compiled lifecycle: the table derived from one `LifecycleMachine` class.

    Compiling reads the class and changes nothing on it; a subclass compiles to its own
    lifecycle. Everything the class declares is compiled (guards, effects, the clock) or
    refused with ``InvalidDefinition``.

    Building the next model: the state fields come from the table and the history entry is
    built by the engine, so neither is re-parsed; a field an effect changes is validated
    with the model's own rules (one field: pydantic's assignment validation, which re-runs
    the model's cross-field rules; several: a full ``evolve``). The property tests
    re-validate every model they reach.
    """

    def __init__(self, machine_class: type[LifecycleMachine]) -> None:
        self.machine_class = machine_class
        self.name: str = machine_class.lifecycle_name or machine_class.__name__
        state_of = machine_class.state_of
        # The default state (the model's ``status``) is read in C: every event reads it.
        self.state_of: Callable[[Any], str] = (
            _STATUS if state_of is LifecycleMachine.state_of else state_of
        )
        self._started_at = machine_class.started_at
        self.states: tuple[str, ...] = tuple(str(s.value) for s in machine_class.states)
        self.terminal_states: frozenset[str] = frozenset(
            str(s.value) for s in machine_class.states if s.final
        )
        initial = machine_class.initial_state
        self.initial_state: str | None = str(initial.value) if initial is not None else None
        self.events: tuple[str, ...] = events_of(machine_class)
        self._table = compile_class(machine_class, self.events)

    # ------------------------------------------------------------------ the table
    @property
    def table(self) -> Mapping[str, Mapping[str, tuple[CompiledTransition, ...]]]:
        """The compiled table ``{state: {event: (transition, ...)}}``, in declaration order."""
        return self._table

    def transitions(self) -> Iterable[CompiledTransition]:
        """Every compiled transition, state by state."""
        for rows in self._table.values():
            for ts in rows.values():
                yield from ts

    def is_terminal(self, model: Any) -> bool:
        """Whether the model is in a state nothing can leave."""
        return self.state_of(model) in self.terminal_states

    # ------------------------------------------------------------------ the checks
    def check_time(self, model: Any, event: str, now: datetime) -> None:
        """Refuse a naive ``now``, or one before the model began or before its last event.

        Raises:
            ValidationFailed: ``now`` is not a timezone-aware datetime (rule
                ``timezone_aware``).
            InvalidTransition: ``now`` comes before the last recorded event (code
                ``out_of_order``).
        """
        if not isinstance(now, datetime) or (
            type(tz := now.tzinfo) is not timezone and (tz is None or now.utcoffset() is None)
        ):
            raise ValidationFailed("now", "timezone_aware", "now must be a timezone-aware datetime")
        history = model.history
        if history:
            entry = history[-1]  # a LifecycleEvent, or the batch route's tuple
            last: datetime | None = entry[3] if isinstance(entry, tuple) else entry.at
        elif self._started_at is not None:
            last = getattr(model, self._started_at)
        else:
            last = None
        if last is not None and now < last:
            raise InvalidTransition(
                self.name,
                str(self.state_of(model)),
                event,
                f"it is dated {now.isoformat()}, before the last recorded {last.isoformat()}",
                code=OUT_OF_ORDER,
            )

    def step(
        self,
        model: Any,
        event: str,
        now: datetime,
        data: Data = _NO_DATA,
        actor: str | None = None,
    ) -> tuple[CompiledTransition, Mapping[str, Any]]:
        """Every check an event goes through, then its field changes; nothing is built.

        The one route `fire`, `advance`, `can` and [`replay`][paysupport.lifecycles.replay] share:
        the time checks (`check_time`), then the first transition whose guards pass.

        Returns:
            The transition taken (its ``changes`` are the state fields), and the other
            fields its effect changes.

        Raises:
            ValidationFailed: ``now`` is naive.
            InvalidTransition: out of order, no transition, or the guards refused
                (``DeadlinePassed`` when a deadline guard refused).
        """
        # The common case first, without raising: a UTC or fixed-offset ``now`` in order.
        # Otherwise `check_time` raises the exact refusal (or, for another kind of
        # timezone, checks the order itself).
        if type(now) is datetime and type(now.tzinfo) is timezone:
            history = model.history
            if history:
                entry = history[-1]  # a LifecycleEvent, or the batch route's tuple
                last = entry[3] if type(entry) is tuple else entry.at
            elif self._started_at is not None:
                last = getattr(model, self._started_at)
            else:
                last = None
            if last is not None and now < last:
                self.check_time(model, event, now)
        else:
            self.check_time(model, event, now)
        tr = self._choose(self.state_of(model), event, model, now, data, actor)
        effect = tr.effect
        return tr, (_NO_DATA if effect is None else effect(model, now, data, actor))

    def select(
        self,
        model: Any,
        event: str,
        now: datetime,
        data: Data = _NO_DATA,
        actor: str | None = None,
    ) -> CompiledTransition:
        """The transition ``event`` takes from the model's state; raise if none may.

        Raises:
            InvalidTransition: no transition for the event here, or every guard refused
                (``DeadlinePassed`` when a deadline guard refused).
        """
        return self._choose(self.state_of(model), event, model, now, data, actor)

    def _choose(
        self,
        state: str,
        event: str,
        model: Any,
        now: datetime,
        data: Data,
        actor: str | None,
    ) -> CompiledTransition:
        """The first transition from ``state`` on ``event`` whose guards all pass."""
        candidates = self._table.get(state, _NO_ROWS).get(event)
        if candidates:
            for tr in candidates:
                for check in tr.checks:
                    if check(model, now, data, actor) is not None:
                        break
                else:
                    return tr
        return self._refuse(state, event, model, now, data, actor, candidates)

    def _refuse(
        self,
        state: str,
        event: str,
        model: Any,
        now: datetime,
        data: Data,
        actor: str | None,
        candidates: tuple[CompiledTransition, ...] | None,
    ) -> NoReturn:
        if not candidates:
            if event not in self.events:
                why, code = f"{self.name} has no event {event!r}", UNKNOWN_EVENT
            elif state in self.terminal_states:
                why, code = f"{event!r} is not possible from {state!s} (a final state)", FINAL_STATE
            else:
                why, code = f"{event!r} is not possible from {state!s}", NOT_FROM_STATE
            raise InvalidTransition(self.name, str(state), event, why, code=code)
        refusals: list[str] = []
        codes: list[str] = []
        deadline = False
        for tr in candidates:
            for g in tr.guards:
                why_not = g.check(model, now, data, actor)
                if why_not is not None:
                    if why_not not in refusals:
                        refusals.append(why_not)
                        codes.append(g.code)
                    deadline = deadline or g.deadline
                    break
        error = DeadlinePassed if deadline else InvalidTransition
        raise error(self.name, str(state), event, "; ".join(refusals), code=codes[0])

    # ------------------------------------------------------------------ the routes
    def fire(
        self,
        model: M,
        event: str,
        *,
        now: datetime,
        actor: str | None = None,
        reason: str | None = None,
        also: Mapping[str, Any] | None = None,
        **data: object,
    ) -> M:
        """Apply ``event`` to ``model`` at ``now``; return the new model, leave ``model`` as is.

        ``actor`` is the acting operator (guards such as four eyes read it); ``data`` is
        recorded in the history as text (Money as ``"12.34 EUR"``, datetimes in ISO 8601),
        so that replaying the history takes the same decisions. ``also``: the caller's own
        field changes, made in the same new model as the event's (validated and checked by
        the model's rules as the event's are; not recorded in the event's data), so a
        workflow changing a field beside an event builds one model, not two.

        Raises:
            InvalidTransition: the event is not allowed now; nothing changed. ``code`` says
                which rule refused it (a guard's code, ``out_of_order``, ``not_allowed``...).
            DeadlinePassed: the event came after its deadline; nothing changed.
            ValidationFailed: ``now`` is naive, a data value has an unsupported type, or
                ``also`` names a field the event sets itself (rule ``event_field``).
        """
        values = stringify(data) if data else _NO_DATA
        tr, changes = self.step(model, event, now, values, actor)
        if also is not None:
            changes = self._with_also(tr, changes, also)
        try:
            return build(model, tr, changes, now, values, actor, reason)
        except (pydantic.ValidationError, ModelValidationError) as exc:
            raise self._refused(model, tr, changes, exc) from exc

    def _with_also(
        self, tr: CompiledTransition, changes: Mapping[str, Any], also: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The event's field ``changes`` and the caller's (``also``), which may not overlap.

        Raises:
            ValidationFailed: ``also`` is not a mapping (rule ``field_changes``: ``also`` is
                fire's keyword, not an event data name, as ``now``, ``actor`` and ``reason``
                are), or names a state field, history, version or a field the event's effect
                changes (rule ``event_field``); the field is ``also``.
        """
        if not isinstance(also, Mapping):
            raise ValidationFailed(
                "also",
                "field_changes",
                f"also takes field changes as a mapping, got {type(also).__name__}: 'also' is "
                "a keyword of fire, not an event data name",
            )
        taken = also.keys() & {*tr.changes, *changes, "history", "version"}
        if taken:
            raise ValidationFailed(
                "also",
                "event_field",
                f"{self.name} {tr.event!r} sets {sorted(taken)} itself; it cannot be given",
            )
        return {**changes, **also}

    def apply(
        self,
        model: M,
        tr: CompiledTransition,
        now: datetime,
        data: Data,
        actor: str | None,
        reason: str | None,
    ) -> M:
        """Build the model after ``tr`` was chosen for it (the guards have passed)."""
        extra = _NO_DATA if tr.effect is None else tr.effect(model, now, data, actor)
        return self._build(model, tr, extra, now, data, actor, reason)

    def _build(
        self,
        model: M,
        tr: CompiledTransition,
        changes: Mapping[str, Any],
        now: datetime,
        data: Data,
        actor: str | None,
        reason: str | None,
    ) -> M:
        try:
            return build(model, tr, changes, now, data, actor, reason)
        except (pydantic.ValidationError, ModelValidationError) as exc:
            raise self._refused(model, tr, changes, exc) from exc

    def _refused(
        self,
        model: Any,
        tr: CompiledTransition,
        changes: Mapping[str, Any],
        exc: pydantic.ValidationError | ModelValidationError,
    ) -> InvalidTransition:
        """The refusal of an event whose result breaks a model rule (``exc``)."""
        rules = broken_rules(model, tr, changes, exc)
        return InvalidTransition(
            self.name, tr.source, tr.event, f"the result would break {rules}", code=MODEL_RULE
        )

    def advance(
        self,
        record: Any,
        event: str,
        *,
        now: datetime,
        actor: str | None = None,
        reason: str | None = None,
        data: Data = _NO_DATA,
    ) -> str:
        """The batch route: move a mutable record, apply the event's changes, log it.

        ``record`` is any mutable object (a slotted class or a dataclass, not a pydantic
        model) with the model's fields the lifecycle reads and writes (e.g. ``stage``,
        ``status``, ``due_by`` and ``opened_at`` for a dispute), plus ``history`` (a list)
        and ``version`` (an int). The same checks as `fire` run (`step`: time
        order, a timezone-aware ``now``, the guards); on success the same field changes are
        set on the record, the tuple ``(event, source, target, now, actor, reason)`` is
        appended to its history, its version goes up by one, and the target state is
        returned. On refusal nothing changes. What is skipped is building and validating
        models, the cost a simulation over millions of records cannot pay.

        Raises:
            InvalidTransition: as `fire`; nothing changed.
            ValidationFailed: ``now`` is naive.
        """
        tr, changes = self.step(record, event, now, data, actor)
        for name, value in tr.assign:
            setattr(record, name, value)
        if changes:
            for name, value in changes.items():
                setattr(record, name, value)
        record.history.append((event, tr.source, tr.target, now, actor, reason))
        record.version += 1
        return tr.target

    def can(
        self, model: Any, event: str, *, now: datetime, actor: str | None = None, **data: object
    ) -> bool:
        """Whether `fire` would accept ``event`` now with ``data`` from ``actor``."""
        try:
            self.step(model, event, now, stringify(data), actor)
        except (InvalidTransition, ValidationFailed):
            return False
        return True

    def allowed_events(
        self, model: Any, *, now: datetime, actor: str | None = None, **data: object
    ) -> tuple[str, ...]:
        """The events `fire` would accept now with ``data``, in declaration order."""
        rows = self._table.get(self.state_of(model), {})
        return tuple(ev for ev in rows if self.can(model, ev, now=now, actor=actor, **data))

    def bind(self, model: M) -> LifecycleMachine:
        """A python-statemachine instance bound to ``model`` (slow to build; for people)."""
        return self.machine_class(model, self)

    def replay(self, initial: M, history: Iterable[LifecycleEvent]) -> M:
        """Fire every recorded event again, from ``initial``; return the rebuilt model.

        Raises:
            InvalidTransition: an event is refused, or lands elsewhere than recorded.
        """
        model = initial
        for ev in history:
            state = self.state_of(model)
            if str(state) != ev.source:
                raise InvalidTransition(
                    self.name, str(state), ev.event, f"the history says it left {ev.source!r}"
                )
            tr, changes = self.step(model, ev.event, ev.at, ev.data, ev.actor)
            if tr.target != ev.target:
                raise InvalidTransition(
                    self.name,
                    str(state),
                    ev.event,
                    f"replay reaches {tr.target!r}, the history says {ev.target!r}",
                )
            model = self._build(model, tr, changes, ev.at, ev.data, ev.actor, ev.reason)
        return model

    def diagram(self, fmt: str = "mermaid", stage: str | None = None) -> str:
        """This lifecycle drawn from its table: see [`diagram`][paysupport.lifecycles.diagram]."""
        from paysupport.lifecycles._diagram import render  # the renderer reads this module

        return render(self, fmt, stage)

    def __repr__(self) -> str:
        return f"<Lifecycle {self.name}: {len(self.states)} states, {len(self.events)} events>"


@cache
def compiled(machine_class: type[LifecycleMachine]) -> Lifecycle[Any]:
    """The lifecycle compiled from ``machine_class`` (once per class, then cached)."""
    return Lifecycle(machine_class)
