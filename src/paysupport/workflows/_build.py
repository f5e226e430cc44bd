"""The builder every workflow uses to collect decisions, fired events and effects.

Not public: workflows return [`Outcome`][paysupport.workflows.Outcome] values; this only keeps
their bookkeeping (which aggregate changed from which version) in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from paysupport.errors import NotFound
from paysupport.lifecycles import Lifecycle
from paysupport.models import Dispute, Payment, Refund
from paysupport.policies import Decision

from .effects import Effect
from .outcome import Aggregate, AggregateKey, Change, Note, Outcome, Transition, key_of, version_of

M = TypeVar("M")


class Builder:
    """Collects one outcome; every aggregate keeps the version it was first seen at."""

    __slots__ = ("_changes", "decisions", "effects", "notes", "transitions")

    def __init__(self) -> None:
        self.decisions: list[Decision] = []
        self.transitions: list[Transition] = []
        self.effects: list[Effect] = []
        self.notes: list[Note] = []
        self._changes: dict[AggregateKey, tuple[int | None, Aggregate]] = {}

    def decide(self, decision: Decision) -> Decision:
        """Record a decision and return it."""
        self.decisions.append(decision)
        return decision

    def note(self, code: str, message: str = "") -> None:
        """Record a note."""
        self.notes.append(Note(code, message))

    def effect(self, effect: Effect) -> None:
        """Record an effect (once per idempotency key)."""
        effects = self.effects
        for e in effects:
            if e.same_key(effect):
                return
        effects.append(effect)

    def change(self, before: Aggregate | None, after: Aggregate) -> None:
        """Record that ``before`` (``None``: new) becomes ``after``."""
        key = key_of(after)
        first = self._changes.get(key)
        base = (
            first[0] if first is not None else (version_of(before) if before is not None else None)
        )
        self._changes[key] = (base, after)

    def fire(
        self,
        lifecycle: Lifecycle[Any],
        model: M,
        event: str,
        *,
        now: datetime,
        actor: str | None = None,
        reason: str | None = None,
        data: Mapping[str, object] | None = None,
        also: Mapping[str, Any] | None = None,
        **values: object,
    ) -> M:
        """Fire a lifecycle event and record it; return the new model.

        Event data comes from ``data`` and the keyword ``values`` (these win); ``also`` is
        the caller's own field changes (see `Lifecycle.fire`).
        """
        merged: dict[str, Any] = {**data, **values} if data else values
        if also:
            merged["also"] = also
        new: M = lifecycle.fire(model, event, now=now, actor=actor, reason=reason, **merged)
        fields = new.__dict__  # every aggregate is a model with an id and a history
        self.transitions.append(Transition(lifecycle.name, fields["id"], fields["history"][-1]))
        return new

    def absorb(self, outcome: Outcome) -> None:
        """Take in another workflow's outcome, computed on this one's latest models."""
        self.decisions.extend(outcome.decisions)
        self.transitions.extend(outcome.transitions)
        self.notes.extend(outcome.notes)
        for e in outcome.effects:
            self.effect(e)
        for c in outcome.changes:
            first = self._changes.get(c.key)
            self._changes[c.key] = (first[0] if first is not None else c.base_version, c.after)

    def latest(self, model: M) -> M:
        """The newest version of ``model`` this outcome holds (or ``model`` itself)."""
        found = self._changes.get(key_of(model))  # type: ignore[arg-type]
        return found[1] if found is not None else model  # type: ignore[return-value]

    def build(self) -> Outcome:
        """The outcome collected so far."""
        changes = []
        for key, (base, after) in self._changes.items():  # a loop: no comprehension frame
            changes.append(Change(key, base, after))
        return Outcome(
            tuple(self.decisions),
            tuple(changes),
            tuple(self.transitions),
            tuple(self.effects),
            tuple(self.notes),
        )


def find_refund(payment: Payment, refund_id: str) -> Refund:
    """The refund on the payment by our id or the provider's.

    Raises:
        NotFound: no such refund on the payment (field ``refund_id``).
    """
    for r in payment.refunds:
        if r.id == refund_id or (
            r.provider_reference is not None and r.provider_reference == refund_id
        ):
            return r
    raise NotFound("refund", refund_id, "refund_id")


def find_dispute(payment: Payment, dispute_id: str) -> Dispute:
    """The dispute on the payment by our id or the provider's.

    Raises:
        NotFound: no such dispute on the payment (field ``dispute_id``).
    """
    for d in payment.disputes:
        if d.id == dispute_id or (
            d.provider_reference is not None and d.provider_reference == dispute_id
        ):
            return d
    raise NotFound("dispute", dispute_id, "dispute_id")
