"""The append-only event log every aggregate carries.

Each accepted lifecycle transition appends one `LifecycleEvent`; replaying the events
rebuilds the aggregate's state. Events are immutable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, NoReturn

from pydantic import AfterValidator, AwareDatetime, Field

from paysupport.models._base import Identifier, PaysupportModel, SafeText
from paysupport.models._fast_schema import KEEPS_TEXT

__all__ = ["EventData", "LifecycleEvent"]


class EventData(dict[str, str]):
    """A read-only ``dict`` of text: the data an event carried, safe from later edits.

    A ``dict`` subclass so that it compares, serialises and pickles like one, with every
    mutating method refused: history is append-only, and its entries never change.
    """

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("event data is read-only: history never changes")

    __setitem__ = _refuse
    __delitem__ = _refuse
    __ior__ = _refuse
    clear = _refuse
    pop = _refuse
    popitem = _refuse
    setdefault = _refuse
    update = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))

    def __reduce__(self) -> tuple[type[EventData], tuple[dict[str, str]]]:
        return (EventData, (dict(self),))


def _freeze(value: Mapping[str, str]) -> EventData:
    return value if isinstance(value, EventData) else EventData(value)


setattr(_freeze, KEEPS_TEXT, True)  # the same strings: the fast validator checked them


class LifecycleEvent(PaysupportModel):
    """One accepted transition: what happened, from which state to which, when, who and why."""

    event: Identifier
    source: str
    target: str
    at: AwareDatetime
    actor: Identifier | None = None
    reason: SafeText | None = None
    data: Annotated[dict[str, SafeText], AfterValidator(_freeze)] = Field(default_factory=EventData)
