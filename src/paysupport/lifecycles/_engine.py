"""The lifecycle engine: a python-statemachine class compiled once into a transition table.

A lifecycle is declared once, as a python-statemachine :class:`LifecycleMachine` subclass:
states, transitions and guards. :class:`Lifecycle` reads that class at import and compiles
a plain table ``{state: {event: (transition, ...)}}``; :meth:`Lifecycle.fire` walks the
table, evaluates the same guard functions, and returns a *new* model with the status, one
more :class:`~paysupport.models.LifecycleEvent` in its history and ``version + 1``. The
input model is never touched, so a refused event changes nothing.

The machine class stays usable on its own: ``PaymentMachine(payment)`` binds a machine to
one model for notebooks, and renders diagrams. Both routes call the same guards and the
same effects, and a property test checks that they agree.

Why compile: building a python-statemachine instance costs hundreds of microseconds, which
is too slow for batch work over millions of aggregates; a dict lookup and a few function
calls are not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, NoReturn, Protocol, TypeVar, cast

from statemachine import StateMachine
from statemachine.contrib.diagram import formatter
from statemachine.exceptions import TransitionNotAllowed

from paysupport.errors import (
    DeadlinePassed,
    InvalidTransition,
    ModelValidationError,
    ValidationFailed,
)
from paysupport.models.history import LifecycleEvent
from paysupport.money import Money

if TYPE_CHECKING:
    from statemachine.transition import Transition

__all__ = [
    "Aggregate",
    "Check",
    "Cond",
    "Data",
    "Effect",
    "Lifecycle",
    "LifecycleMachine",
    "guard",
    "stringify",
]

#: Event data as recorded in the history: text keys and text values, so it stores anywhere.
Data = Mapping[str, str]

#: A guard's check: ``None`` when the transition may happen, else the refusal in words.
Check = Callable[[Any, datetime, Data], "str | None"]

#: An effect: the model fields an accepted event changes, besides status and history.
Effect = Callable[[Any, datetime, Data], Mapping[str, Any]]


class Aggregate(Protocol):
    """What a lifecycle needs from a model: a history, a version and ``evolve``."""

    @property
    def history(self) -> tuple[LifecycleEvent, ...]:
        """The accepted events so far."""

    @property
    def version(self) -> int:
        """How many events were accepted."""

    def evolve(self, **changes: Any) -> Any:
        """A validated copy with ``changes``."""

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Any:
        """A copy with ``update`` applied, not validated."""


M = TypeVar("M", bound=Aggregate)


class Cond(Protocol):
    """A guard as python-statemachine sees it: a function of ``(aggregate, now, data)``.

    ``check`` returns the refusal reason (or ``None``); ``deadline`` marks guards whose
    refusal is a :class:`~paysupport.errors.DeadlinePassed`.
    """

    __name__: str
    check: Check
    deadline: bool

    def __call__(self, aggregate: Any, now: datetime, data: Data) -> bool:
        """True when the guard lets the transition happen."""


def guard(*, deadline: bool = False) -> Callable[[Check], Cond]:
    """Turn a check ``(model, now, data) -> reason | None`` into a machine guard.

    The result is what ``cond=`` takes in the machine class, named after the check so that
    diagrams show ``[within_capturable]``; the compiled table calls ``check`` directly to
    get the reason of a refusal.
    """

    def wrap(check: Check) -> Cond:
        def cond(aggregate: Any, now: datetime, data: Data) -> bool:
            return check(aggregate, now, data) is None

        cond.__name__ = check.__name__
        cond.__qualname__ = check.__name__
        cond.__doc__ = check.__doc__
        out = cast(Cond, cond)
        out.check = check
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
        if isinstance(value, str):
            out[key] = value.value if isinstance(value, Enum) else value
        elif isinstance(value, Money):
            out[key] = str(value)
        elif isinstance(value, datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValidationFailed(key, "timezone_aware", f"{key} must be timezone-aware")
            out[key] = value.isoformat()
        elif isinstance(value, Enum):
            out[key] = str(value.value)
        elif isinstance(value, bool | int):
            out[key] = str(value).lower() if isinstance(value, bool) else str(value)
        else:
            raise ValidationFailed(
                key, "event_data_type", f"{key}: event data is text, Money, datetime, enum or int"
            )
    return out


_NO_DATA: Data = MappingProxyType({})


def _check_now(now: object) -> None:
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise ValidationFailed("now", "timezone_aware", "now must be a timezone-aware datetime")


@dataclass(frozen=True, slots=True)
class CompiledTransition:
    """One row of the compiled table: from ``source`` on ``event`` to ``target`` if guards pass."""

    source: str
    event: str
    target: str
    guards: tuple[Cond, ...]
    changes: Mapping[str, Any]


class LifecycleMachine(StateMachine):
    """Base of every lifecycle definition: a python-statemachine ``StateMachine``.

    Subclasses declare states and transitions. An instance is bound to one model:
    ``PaymentMachine(payment)``; its state is the model's status, :attr:`aggregate` is the
    model after the last accepted event, and :meth:`fire` is all-or-nothing (the models are
    immutable values: an accepted event replaces :attr:`aggregate` with a new one).
    """

    #: The compiled lifecycle, attached by :class:`Lifecycle` when it compiles the class.
    lifecycle: ClassVar[Lifecycle[Any]]

    def __init__(self, aggregate: Any) -> None:
        self._binding = _Binding(type(self).lifecycle, aggregate)
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
        """
        lc = type(self).lifecycle
        _check_now(now)
        values = stringify(data)
        before = self._binding.aggregate
        lc.precheck(before, event, now)
        self._pending = (actor, reason)
        try:
            self.send(event, aggregate=before, now=now, data=values)
        except TransitionNotAllowed:
            lc.select(before, event, now, values)  # raises the precise refusal
            raise InvalidTransition(  # pragma: no cover - the routes disagree
                lc.name, str(lc.state_of(before)), event, "refused by python-statemachine"
            ) from None
        finally:
            self._pending = (None, None)
        return self._binding.aggregate

    def on_transition(
        self, event: str, source: Any, target: Any, now: datetime, data: Data
    ) -> None:
        """Build the next model (python-statemachine calls this before it moves the state)."""
        lc = type(self).lifecycle
        actor, reason = self._pending
        self._binding.aggregate = lc.apply(
            self._binding.aggregate, event, source.value, target.value, now, data, actor, reason
        )


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


def _status_of(model: Any) -> str:
    status: str = model.status
    return status


class Lifecycle(Generic[M]):
    """A compiled lifecycle: the table derived from a :class:`LifecycleMachine` class.

    Args:
        machine_class: the python-statemachine definition.
        name: the lifecycle's name in errors (``"payment"``).
        effects: per event, the extra field changes an accepted event makes.
        state_changes: turns a state value into the model fields it sets, as the model
            stores them (default: ``{"status": value}``; pass the enum conversion).
        state_of: reads the state value from a model (default: ``model.status``).
        clock: the model's own start time (``created_at``...): no event may come before it.
        trusted: events whose effect cannot break a model rule once the guards and the clock
            check have passed (it sets ``now``-based timestamps or values it validated).

    Building the next model: an event without an effect, or with a *trusted* one, changes
    only fields whose values are valid by construction (the state comes from the table,
    the history entry is a validated :class:`~paysupport.models.LifecycleEvent`), so the
    copy skips re-validating the whole model; every other event re-validates every field
    and rule (``model.evolve``). The property tests re-validate every model they reach.
    """

    def __init__(
        self,
        machine_class: type[LifecycleMachine],
        *,
        name: str,
        effects: Mapping[str, Effect] | None = None,
        state_changes: Callable[[str], Mapping[str, Any]] | None = None,
        state_of: Callable[[Any], str] | None = None,
        clock: Callable[[Any], datetime] | None = None,
        trusted: Iterable[str] = (),
    ) -> None:
        self.machine_class = machine_class
        self.name = name
        self._effects: Mapping[str, Effect] = dict(effects or {})
        self.state_of: Callable[[Any], str] = state_of or _status_of
        self._clock = clock
        self._trusted = frozenset(trusted)
        to_changes = state_changes or (lambda value: {"status": value})
        table: dict[str, dict[str, list[CompiledTransition]]] = {}
        self.states: tuple[str, ...] = tuple(str(s.value) for s in machine_class.states)
        self.terminal_states: frozenset[str] = frozenset(
            str(s.value) for s in machine_class.states if s.final
        )
        initial = machine_class.initial_state
        self.initial_state: str | None = str(initial.value) if initial is not None else None
        events: list[str] = []
        for state in machine_class.states:
            rows = table.setdefault(str(state.value), {})
            for tr in state.transitions:
                compiled = _compile(tr, to_changes)
                for ev in tr.events:
                    name_ = str(ev)
                    if name_ not in events:
                        events.append(name_)
                    rows.setdefault(name_, []).append(
                        CompiledTransition(
                            compiled.source,
                            name_,
                            compiled.target,
                            compiled.guards,
                            compiled.changes,
                        )
                    )
        unknown = (set(self._effects) | self._trusted) - set(events)
        if unknown:
            raise ValueError(f"effects for events the machine does not declare: {sorted(unknown)}")
        self.events: tuple[str, ...] = tuple(events)
        self._table: dict[str, dict[str, tuple[CompiledTransition, ...]]] = {
            s: {e: tuple(ts) for e, ts in rows.items()} for s, rows in table.items()
        }
        machine_class.lifecycle = self

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

    # ------------------------------------------------------------------ firing
    def precheck(self, model: Any, event: str, now: datetime) -> None:
        """Refuse an event dated before the model began or before its last recorded event."""
        history = model.history
        last = history[-1].at if history else (self._clock(model) if self._clock else None)
        if last is not None and now < last:
            raise InvalidTransition(
                self.name,
                str(self.state_of(model)),
                event,
                f"it is dated {now.isoformat()}, before the last recorded {last.isoformat()}",
            )

    def decide(
        self, state: str, event: str, model: Any, now: datetime, data: Data = _NO_DATA
    ) -> str:
        """The batch kernel: the state ``event`` leads to from ``state``; nothing is built.

        The guards read ``model`` (any object with the attributes they use) and ``now``.
        Recording the event is the caller's business. Use :meth:`fire` unless you drive
        millions of records and keep their state yourself.

        Raises:
            InvalidTransition: no transition, or the guards refused (``DeadlinePassed``).
        """
        return self._choose(state, event, model, now, data).target

    def _choose(
        self, state: str, event: str, model: Any, now: datetime, data: Data
    ) -> CompiledTransition:
        """The first transition from ``state`` on ``event`` whose guards all pass."""
        candidates = self._table.get(state, {}).get(event)
        if candidates:
            for tr in candidates:
                for g in tr.guards:
                    if g.check(model, now, data) is not None:
                        break
                else:
                    return tr
        return self._refuse(state, event, model, now, data, candidates)

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
        """The batch route: move a lightweight record, apply the event's changes, log it.

        ``record`` is any mutable object (a slotted class or a dataclass, not a pydantic
        model) with the model's fields that the lifecycle reads and writes (e.g. ``stage``,
        ``status``, ``due_by`` for a dispute), plus ``history`` (a list) and ``version`` (an
        int). On success the same field changes as :meth:`fire` are set on the record,
        ``(event, source, target, now, actor, reason)`` is appended to its history, its
        version goes up by one, and the target state is returned. On refusal nothing
        changes and :class:`InvalidTransition` is raised, as with :meth:`fire`.

        Same table, guards and effects as :meth:`fire`; what is skipped is building and
        validating models, the cost a simulation over millions of records cannot pay.
        """
        source = str(self.state_of(record))
        tr = self.select(record, event, now, data)
        effect = self._effects.get(event)
        changes = dict(tr.changes)
        if effect is not None:
            changes.update(effect(record, now, data))
        for name_, value in changes.items():
            setattr(record, name_, value)
        record.history.append((event, source, tr.target, now, actor, reason))
        record.version += 1
        return tr.target

    def select(self, model: Any, event: str, now: datetime, data: Data) -> CompiledTransition:
        """The transition ``event`` takes from the model's state; raise if none may.

        Raises:
            InvalidTransition: no transition for the event here, or every guard refused
                (``DeadlinePassed`` when a deadline guard refused).
        """
        return self._choose(self.state_of(model), event, model, now, data)

    def _refuse(
        self,
        state: str,
        event: str,
        model: Any,
        now: datetime,
        data: Data,
        candidates: tuple[CompiledTransition, ...] | None,
    ) -> NoReturn:
        if not candidates:
            missing = (
                f"{self.name} has no event {event!r}"
                if event not in self.events
                else f"{event!r} is not possible from {state!s}"
            )
            if state in self.terminal_states:
                missing += " (a final state)"
            raise InvalidTransition(self.name, str(state), event, missing)
        refusals: list[str] = []
        deadline = False
        for tr in candidates:
            for g in tr.guards:
                why = g.check(model, now, data)
                if why is not None:
                    if why not in refusals:
                        refusals.append(why)
                    deadline = deadline or g.deadline
                    break
        error = DeadlinePassed if deadline else InvalidTransition
        raise error(self.name, str(state), event, "; ".join(refusals))

    def apply(
        self,
        model: M,
        event: str,
        source: str,
        target: str,
        now: datetime,
        data: Data,
        actor: str | None,
        reason: str | None,
    ) -> M:
        """Build the model after ``event`` moved it from ``source`` to ``target``."""
        tr = next(t for t in self._table[source][event] if t.target == target)
        changes = dict(tr.changes)
        effect = self._effects.get(event)
        if effect is not None:
            changes.update(effect(model, now, data))
        record = LifecycleEvent(
            event=event,
            source=str(source),
            target=target,
            at=now,
            actor=actor,
            reason=reason,
            data=dict(data),
        )
        changes["history"] = (*model.history, record)
        changes["version"] = model.version + 1
        try:
            if effect is None or event in self._trusted:
                new: M = model.model_copy(update=changes)
            else:
                new = model.evolve(**changes)
        except ModelValidationError as exc:
            raise InvalidTransition(
                self.name,
                str(source),
                event,
                f"the result would break {', '.join(sorted(exc.rules))}",
            ) from exc
        return new

    def fire(
        self,
        model: M,
        event: str,
        *,
        now: datetime,
        actor: str | None = None,
        reason: str | None = None,
        **data: object,
    ) -> M:
        """Apply ``event`` to ``model`` at ``now``; return the new model, leave ``model`` as is.

        ``data`` is recorded in the history as text (Money as ``"12.34 EUR"``, datetimes in
        ISO 8601), so that replaying the history takes the same decisions.

        Raises:
            InvalidTransition: the event is not allowed now; nothing changed.
            DeadlinePassed: the event came after its deadline; nothing changed.
            ValidationFailed: ``now`` is naive, or a data value has an unsupported type.
        """
        _check_now(now)
        values = stringify(data)
        self.precheck(model, event, now)
        tr = self.select(model, event, now, values)
        return self.apply(model, event, tr.source, tr.target, now, values, actor, reason)

    def can(self, model: Any, event: str, *, now: datetime, **data: object) -> bool:
        """Whether :meth:`fire` would accept ``event`` now with ``data``."""
        try:
            _check_now(now)
            self.precheck(model, event, now)
            self.select(model, event, now, stringify(data))
        except InvalidTransition:
            return False
        return True

    def allowed_events(self, model: Any, *, now: datetime, **data: object) -> tuple[str, ...]:
        """The events :meth:`fire` would accept now with ``data``, in declaration order."""
        rows = self._table.get(self.state_of(model), {})
        return tuple(ev for ev in rows if self.can(model, ev, now=now, **data))

    def bind(self, model: M) -> LifecycleMachine:
        """A python-statemachine instance bound to ``model`` (slow to build; for people)."""
        return self.machine_class(model)

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
            self.precheck(model, ev.event, ev.at)
            tr = self.select(model, ev.event, ev.at, ev.data)
            if tr.target != ev.target:
                raise InvalidTransition(
                    self.name,
                    str(state),
                    ev.event,
                    f"replay reaches {tr.target!r}, the history says {ev.target!r}",
                )
            model = self.apply(
                model, ev.event, tr.source, tr.target, ev.at, ev.data, ev.actor, ev.reason
            )
        return model

    def diagram(self, fmt: str = "mermaid") -> str:
        """The machine drawn from its definition: ``"mermaid"`` or ``"dot"`` (needs pydot)."""
        return diagram(self.machine_class, fmt)

    def __repr__(self) -> str:
        return f"<Lifecycle {self.name}: {len(self.states)} states, {len(self.events)} events>"


def _compile(tr: Transition, to_changes: Callable[[str], Mapping[str, Any]]) -> CompiledTransition:
    guards: list[Cond] = []
    for spec in tr.cond:
        func = spec.func
        if not callable(func) or not hasattr(func, "check") or spec.expected_value is False:
            raise TypeError(f"{tr}: guards must be made with lifecycles guard(), got {func!r}")
        guards.append(cast(Cond, func))
    if tr.target is None:  # pragma: no cover - lifecycles have no targetless transitions
        raise TypeError(f"{tr}: a lifecycle transition needs a target")
    target = str(tr.target.value)
    return CompiledTransition(str(tr.source.value), "", target, tuple(guards), to_changes(target))


def diagram(machine_class: type[StateMachine], fmt: str = "mermaid") -> str:
    """Render a machine class from its own definition: ``"mermaid"`` or ``"dot"``.

    Mermaid text needs nothing else; DOT needs pydot. SVG would need Graphviz's ``dot``
    program, which paysupport does not require.
    """
    if fmt not in ("mermaid", "dot"):
        raise ValueError(f"unsupported diagram format {fmt!r}; use 'mermaid' or 'dot'")
    return formatter.render(machine_class, fmt).rstrip() + "\n"
