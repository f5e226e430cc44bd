"""Compiling a machine class into the engine's table, or refusing what it cannot honour.

Not public: [`Lifecycle`][paysupport.lifecycles.Lifecycle] calls `compile_class`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from statemachine.exceptions import InvalidDefinition

if TYPE_CHECKING:
    from statemachine import State
    from statemachine.transition import Transition

    from paysupport.lifecycles._engine import Check, Cond, FieldUpdate, LifecycleMachine

__all__ = ["CompiledTransition", "compile_class", "events_of"]


class CompiledTransition(NamedTuple):
    """One row of the compiled table: from ``source`` on ``event`` to ``target`` if guards pass.

    ``changes`` are the state fields the target sets (``{"status": ...}``; ``assign`` the
    same as pairs); ``effect`` the event's other field changes, as the machine class
    declares them; ``checks`` the guards' checks, in order (``guards[i].check``); ``steps``
    what building the next model keeps for this transition (filled on first use, per model
    class and written fields; not part of the table's meaning).
    """

    source: str
    event: str
    target: str
    guards: tuple[Cond, ...]
    changes: Mapping[str, Any]
    effect: FieldUpdate | None
    assign: tuple[tuple[str, Any], ...]
    checks: tuple[Check, ...]
    steps: dict[Any, Any]


def events_of(cls: type[LifecycleMachine]) -> tuple[str, ...]:
    """Every event the class declares, in the order its transitions first name them."""
    events: dict[str, None] = {}
    for state in cls.states:
        for tr in state.transitions:
            events.update(dict.fromkeys(str(ev) for ev in tr.events))
    return tuple(events)


_GENERIC = ("before_transition", "after_transition", "on_enter_state", "on_exit_state")


def compile_class(
    cls: type[LifecycleMachine], events: tuple[str, ...]
) -> dict[str, dict[str, tuple[CompiledTransition, ...]]]:
    """The table of ``cls``, or ``InvalidDefinition`` for what the table cannot honour."""
    unknown = set(cls.effects) - set(events)
    if unknown:
        raise InvalidDefinition(f"{cls.__name__}.effects names undeclared events {sorted(unknown)}")
    _refuse_conventions(cls, events)
    table: dict[str, dict[str, list[CompiledTransition]]] = {}
    for state in cls.states:
        _refuse_callbacks(cls, f"state {state.id}", ("enter", state.enter), ("exit", state.exit))
        rows = table.setdefault(str(state.value), {})
        for tr in state.transitions:
            guards, target = _compile_transition(cls, tr)
            for ev in tr.events:
                fields = dict(cls.state_fields(target))
                rows.setdefault(str(ev), []).append(
                    CompiledTransition(
                        str(tr.source.value),
                        str(ev),
                        str(target.value),
                        guards,
                        MappingProxyType(fields),
                        cls.effects.get(str(ev)),
                        tuple(fields.items()),
                        tuple(g.check for g in guards),
                        {},
                    )
                )
    return {s: {e: tuple(ts) for e, ts in rows.items()} for s, rows in table.items()}


def _compile_transition(
    cls: type[LifecycleMachine], tr: Transition
) -> tuple[tuple[Cond, ...], State]:
    where = f"{cls.__name__}: {tr}"
    if tr.target is None or len(tr.targets) != 1:
        raise InvalidDefinition(f"{where}: a lifecycle transition has exactly one target")
    guards: list[Cond] = []
    for spec in tr.cond:
        func = spec.func
        if spec.expected_value is False:
            raise InvalidDefinition(f"{where}: unless= is not compiled; write a guard()")
        if not callable(func) or not hasattr(func, "check"):
            raise InvalidDefinition(f"{where}: guards must be made with guard(), got {func!r}")
        guards.append(cast("Cond", func))
    _refuse_callbacks(
        cls,
        where,
        ("validators", tr.validators),
        ("on", tr.on),
        ("before", tr.before),
        ("after", tr.after),
    )
    return tuple(guards), tr.target


def _refuse_callbacks(cls: type[LifecycleMachine], where: str, *groups: tuple[str, Any]) -> None:
    for kind, specs in groups:
        for spec in specs:
            if not spec.is_convention:
                raise InvalidDefinition(
                    f"{where}: {kind}= callbacks are not compiled; declare guards with "
                    f"guard() and field changes in {cls.__name__}.effects"
                )


def _refuse_conventions(cls: type[LifecycleMachine], events: tuple[str, ...]) -> None:
    from paysupport.lifecycles._engine import LifecycleMachine  # the base's own hook

    names = list(_GENERIC)
    for ev in events:
        names += [f"before_{ev}", f"on_{ev}", f"after_{ev}"]
    for state in cls.states:
        names += [f"on_enter_{state.id}", f"on_exit_{state.id}"]
    found = [n for n in names if hasattr(cls, n)]
    own = getattr(cls, "on_transition", None)
    if own is not LifecycleMachine.on_transition:
        found.append("on_transition")
    if found:
        raise InvalidDefinition(
            f"{cls.__name__} defines {', '.join(sorted(found))}: python-statemachine would call "
            f"them but the compiled lifecycle would not; use guard() and "
            f"{cls.__name__}.effects"
        )
