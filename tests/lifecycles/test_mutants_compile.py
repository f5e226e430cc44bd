"""Compiling a machine class: what the compiled table cannot honour is refused, and named.

Written against the mutants that survived ``scripts/mutation.py lifecycles`` (docs/testing.md):
each refusal names the class, the transition or state, and the callback kind, and every
event's and every generic callback name is checked, not only the last event's.
"""

from __future__ import annotations

import pytest
from statemachine import State
from statemachine.exceptions import InvalidDefinition
from statemachine.transition import Transition
from statemachine.transition_list import TransitionList

from paysupport.lifecycles import Lifecycle, LifecycleMachine


def _always(*args: object, **kwargs: object) -> bool:
    return True


def test_a_state_exit_action_is_refused_naming_the_state() -> None:
    class Leaving(LifecycleMachine):
        a = State(initial=True, exit=_always)
        b = State(final=True)
        go = a.to(b)

    with pytest.raises(InvalidDefinition) as exc:
        Lifecycle(Leaving)
    assert str(exc.value).startswith("state a: exit= callbacks are not compiled")
    assert "Leaving.effects" in str(exc.value)


def test_a_transition_refusal_names_the_class_and_the_transition() -> None:
    class Declared(LifecycleMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b, on=_always)

    with pytest.raises(InvalidDefinition) as exc:
        Lifecycle(Declared)
    assert str(exc.value).startswith("Declared: transition go from A to B: on= callbacks")


def test_a_transition_without_a_target_is_refused() -> None:
    class Targetless(LifecycleMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)
        stay = a.to(None)

    with pytest.raises(InvalidDefinition) as exc:
        Lifecycle(Targetless)
    assert str(exc.value) == (
        "Targetless: transition stay from A to None: a lifecycle transition has exactly one target"
    )


def test_a_transition_with_two_targets_is_refused() -> None:
    class Split(LifecycleMachine):
        a = State(initial=True)
        b = State()
        c = State(final=True)
        split = TransitionList([Transition(a, [b, c])])
        a.transitions.add_transitions(split)
        go = b.to(c)

    with pytest.raises(InvalidDefinition, match="exactly one target"):
        Lifecycle(Split)


def test_callbacks_named_after_any_event_are_refused_not_only_the_last() -> None:
    class First(LifecycleMachine):
        a = State(initial=True)
        b = State()
        c = State(final=True)
        go = a.to(b)
        finish = b.to(c)

        def before_go(self) -> None:
            """Would run on the bound machine only."""

    with pytest.raises(InvalidDefinition, match="First defines before_go: python-statemachine"):
        Lifecycle(First)


def test_generic_callbacks_are_refused() -> None:
    class Generic(LifecycleMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

        def before_transition(self) -> None:
            """Would run on the bound machine only."""

    with pytest.raises(InvalidDefinition, match="Generic defines before_transition:"):
        Lifecycle(Generic)


def test_an_own_on_transition_is_refused_by_name() -> None:
    class Own(LifecycleMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

        def on_transition(self, *args: object) -> None:
            """Would replace the compiled build."""

    with pytest.raises(InvalidDefinition) as exc:
        Lifecycle(Own)
    assert str(exc.value).startswith("Own defines on_transition: python-statemachine")
