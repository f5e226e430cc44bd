"""Fuzz the boundaries where outside data comes in: only typed errors may escape.

A support tool feeds paysupport webhook payloads, operator input and stored JSON. Whatever
arrives, a boundary function must either accept it or raise a
[`PaysupportError`][paysupport.errors.PaysupportError] subclass that names the field: never a bare
``KeyError``, ``TypeError`` or ``ValueError`` from deep inside. This module gives the inputs
and the check, for the library's own boundaries (`TARGETS`) and for your adapters:

- `json_values`: arbitrary JSON (what a mangled webhook body can hold);
- `mutated`: a real payload with keys dropped, values swapped for arbitrary JSON or for
  values of another type, and nested objects mangled the same way;
- `only_typed_errors`: call a function and fail on any exception that is not a
  ``PaysupportError`` (a `FuzzCrash` names the input and the exception);
- `fuzz`: run one target with Hypothesis and count inputs and crashes.

Example, fuzzing a host's own webhook adapter::

    from hypothesis import given
    from paysupport.testing.fuzz import mutated, only_typed_errors

    @given(mutated(SAMPLE_CHARGE_EVENT))
    def test_our_webhook_adapter_never_crashes(payload):
        only_typed_errors(our_adapter, payload)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paysupport.errors import PaysupportError

__all__ = [
    "FuzzCrash",
    "FuzzReport",
    "JSON",
    "fuzz",
    "json_values",
    "mutated",
    "only_typed_errors",
]

JSON = None | bool | int | float | str | list[Any] | dict[str, Any]
"""A value that JSON can carry."""

# Strings a payload field is likely to choke on: empty, whitespace, digits that look like
# amounts or card numbers, currency-like codes, dates in odd shapes, and non-ASCII digits.
_NASTY_STRINGS = (
    "",
    " ",
    "0",
    "-1",
    "1e3",
    "NaN",
    "Infinity",
    "12.345",
    "4242424242424242",
    "4242 4242 4242 4242",
    "EUR",
    "eur",
    "XXX",
    "ZZZ",
    "2026-13-45",
    "2026-11-24T09:30:00",
    "١٢٣",
    "null",
    "\x00",
)


class FuzzCrash(AssertionError):
    """A boundary raised something other than a ``PaysupportError``.

    Attributes:
        target: the name of what was called.
        error: the exception it raised.
        payload: the input, as JSON text where it can be rendered.
    """

    def __init__(self, target: str, error: BaseException, payload: object) -> None:
        self.target = target
        self.error = error
        self.payload = _render(payload)
        super().__init__(
            f"{target} raised {type(error).__name__}: {error} (not a PaysupportError) "
            f"on input {self.payload[:500]}"
        )


def _render(payload: object) -> str:
    try:
        return json.dumps(payload, default=repr, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return repr(payload)


def only_typed_errors(
    function: Callable[..., object], *args: object, target: str = "", **kwargs: object
) -> object:
    """Call ``function``; return its result, swallow a ``PaysupportError``, fail on the rest.

    Args:
        function: the boundary under test.
        *args: its positional arguments (usually the fuzzed payload).
        target: a name for the report (default: the function's qualified name).
        **kwargs: its keyword arguments.

    Returns:
        What ``function`` returned, or ``None`` when it raised a ``PaysupportError``.

    Raises:
        FuzzCrash: the function raised any other exception.
    """
    try:
        return function(*args, **kwargs)
    except PaysupportError:
        return None
    except Exception as error:
        name = target or getattr(function, "__qualname__", repr(function))
        raise FuzzCrash(name, error, args[0] if args else kwargs) from error


def json_values(max_leaves: int = 20) -> st.SearchStrategy[JSON]:
    """Arbitrary JSON values: scalars, nasty strings, lists and objects nested a few deep.

    Args:
        max_leaves: how many scalars one value holds at most.
    """
    scalars: st.SearchStrategy[JSON] = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**63), max_value=2**63),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(_NASTY_STRINGS),
        st.text(max_size=30),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=12), children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


@st.composite
def _mutate(draw: st.DrawFn, value: JSON, depth: int) -> JSON:
    if isinstance(value, dict):
        return _mutate_object(draw, value, depth)
    if isinstance(value, list) and value and depth > 0:
        index = draw(st.integers(0, len(value) - 1))
        copy = list(value)
        copy[index] = draw(_mutate(copy[index], depth - 1))
        return copy
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return value
    if choice == 1:
        return draw(json_values(max_leaves=4))
    if choice == 2:
        return draw(st.sampled_from(_NASTY_STRINGS))
    return _retype(value)


def _retype(value: JSON) -> JSON:
    """The same information in another JSON type (an amount as a string, a flag as 0/1)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return [value]
    if value is None:
        return ""
    return None


def _mutate_object(draw: st.DrawFn, value: dict[str, Any], depth: int) -> JSON:
    copy = dict(value)
    if not copy:
        return draw(json_values(max_leaves=4))
    keys = sorted(copy)
    for key in draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)):
        action = draw(st.integers(0, 2))
        if action == 0:
            del copy[key]
        elif depth > 0:
            copy[key] = draw(_mutate(copy[key], depth - 1))
        else:
            copy[key] = _retype(copy[key])
    if draw(st.booleans()):
        copy[draw(st.text(max_size=8))] = draw(json_values(max_leaves=3))
    return copy


def mutated(payload: Mapping[str, Any], depth: int = 4) -> st.SearchStrategy[JSON]:
    """A real payload, mangled: keys dropped, values replaced, types changed, keys added.

    Args:
        payload: a well-formed payload (a provider's published example, say).
        depth: how deep into nested objects the mangling reaches.
    """
    base = json.loads(json.dumps(payload))
    return st.one_of(st.just(base), _mutate(base, depth))


@dataclass
class FuzzReport:
    """What one fuzz run did.

    Attributes:
        target: what was fuzzed.
        inputs: how many inputs were tried.
        typed_errors: how many were refused with a ``PaysupportError`` (the good outcome for
            bad input).
        crashes: the ``FuzzCrash`` found, if any (Hypothesis stops at the first and shrinks it).
    """

    target: str
    inputs: int = 0
    typed_errors: int = 0
    crashes: list[FuzzCrash] = field(default_factory=list)

    def __str__(self) -> str:
        verdict = f"{len(self.crashes)} crash" if self.crashes else "no crash"
        return (
            f"{self.target}: {self.inputs} inputs, {self.typed_errors} refused with a typed "
            f"error, {verdict}"
        )


def fuzz(
    target: str,
    function: Callable[[Any], object],
    inputs: st.SearchStrategy[Any],
    *,
    max_examples: int = 200,
    derandomize: bool = False,
) -> FuzzReport:
    """Run ``function`` over ``inputs`` and report inputs tried, typed refusals and crashes.

    Args:
        target: a name for the report.
        function: the boundary; it takes one input.
        inputs: the strategy drawing inputs (`json_values`, `mutated`, ...).
        max_examples: how many inputs to try.
        derandomize: draw the same inputs every run (for CI).

    Returns:
        The report; ``report.crashes`` holds the shrunk crash if one was found.
    """
    report = FuzzReport(target)

    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=derandomize,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(inputs)
    def run(value: Any) -> None:
        report.inputs += 1
        try:
            function(value)
        except PaysupportError:
            report.typed_errors += 1
        except Exception as error:
            raise FuzzCrash(target, error, value) from error

    try:
        run()
    except FuzzCrash as crash:
        report.crashes.append(crash)
    return report
