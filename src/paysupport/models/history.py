"""The append-only event log every aggregate carries.

Each accepted lifecycle transition appends one :class:`LifecycleEvent`; replaying the events
rebuilds the aggregate's state. Events are immutable.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, ConfigDict, Field

from paysupport.models._base import Identifier, PaysupportModel, SafeText

__all__ = ["LifecycleEvent"]


class LifecycleEvent(PaysupportModel):
    """One accepted transition: what happened, from which state to which, when, who and why."""

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True)

    event: Identifier
    source: str
    target: str
    at: AwareDatetime
    actor: Identifier | None = None
    reason: SafeText | None = None
    data: dict[str, str] = Field(default_factory=dict)
