"""What a workflow returns: `Outcome`, and `commit` to apply it all or nothing.

An outcome holds the decisions the policies made, the aggregates it changed (each the *new*
model, with the version it was computed against), the lifecycle events it fired, the effects
the host must carry out, and notes (machine-readable codes for what did *not* happen: a
duplicate webhook, a stale one, a refund waiting for approval...).

Versions and conflicts: every aggregate carries a ``version``. `version_of` is the
concurrency token `commit` compares: ``model.version`` for a support case and a payment
failure; for a payment, which embeds its refunds and disputes (they have their own versions),
``payment.version + Σ (child.version + 1)`` over its refunds and disputes, so any accepted
event on the payment or one of its children, and any new child, moves it forward.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final, TypeAlias

import attrs

from paysupport.errors import ConflictError, NotFound, ValidationFailed
from paysupport.models import LifecycleEvent, Payment, PaymentFailure, SupportCase
from paysupport.policies import Decision
from paysupport.policies.decision import _set_class, _set_slots, _slot_setters, _twin

from .effects import Effect

__all__ = [
    "Aggregate",
    "AggregateKey",
    "Change",
    "Note",
    "Outcome",
    "Transition",
    "combine",
    "commit",
    "key_of",
    "version_of",
]

#: An aggregate a workflow changes and a host stores.
Aggregate: TypeAlias = Payment | PaymentFailure | SupportCase

#: ``(kind, id)``: ``("payment", "pay_1")``, ``("failure", "fail_1")``, ``("case", "case_1")``.
AggregateKey: TypeAlias = tuple[str, str]

_KINDS: dict[type[Any], str] = {Payment: "payment", PaymentFailure: "failure", SupportCase: "case"}


def key_of(model: Aggregate) -> AggregateKey:
    """The store key of an aggregate: ``("payment", payment.id)`` and so on.

    Raises:
        ValidationFailed: the model is not an aggregate a workflow stores.
    """
    kind = _KINDS.get(type(model))
    if kind is None:
        raise ValidationFailed(
            "model",
            "stored_aggregate",
            f"{type(model).__name__} is not a stored aggregate (payment, failure, case)",
        )
    return (kind, model.id)


def version_of(model: Aggregate) -> int:
    """The concurrency token of an aggregate (see the module docstring)."""
    version: int = model.version
    if isinstance(model, Payment):
        for r in model.refunds:
            version += r.version + 1
        for d in model.disputes:
            version += d.version + 1
    return version


@attrs.frozen(init=False)
class Note:
    """Something the workflow recognised and did not (or could not) do, in a stable code.

    Attributes:
        code: ``"duplicate_event"``, ``"stale_event"``, ``"awaiting_approval"``, ...
        message: a sentence for people.
    """

    code: str
    message: str = ""

    def __init__(self, code: str, message: str = "") -> None:
        """Set the fields as attrs' ``__init__`` would (written out: see `Outcome`)."""
        set_code, set_message = _NOTE_SETTERS
        set_code(self, code)
        set_message(self, message)


@attrs.frozen(init=False, weakref_slot=False)
class Transition:
    """One lifecycle event the workflow fired.

    Attributes:
        kind: the lifecycle (``"payment"``, ``"refund"``, ``"dispute"``, ``"recovery"``,
            ``"case"``).
        id: the id of the model it moved (a refund or dispute id for embedded ones).
        event: the recorded event (source, target, time, actor, data).
    """

    kind: str
    id: str
    event: LifecycleEvent

    def __init__(self, kind: str, id: str, event: LifecycleEvent) -> None:
        """Set the fields as attrs' ``__init__`` would (written out: see `Outcome`)."""
        if type(self) is Transition:
            new: Any = self
            _set_class(new, _TRANSITION_TWIN)
            new.kind = kind
            new.id = id
            new.event = event
            new.__class__ = Transition
        else:
            _set_slots(self, _TRANSITION_SETTERS, (kind, id, event))


@attrs.frozen(init=False, weakref_slot=False)
class Change:
    """One aggregate's new version.

    Attributes:
        key: ``(kind, id)`` of the aggregate.
        base_version: `version_of` the aggregate the change was computed against;
            ``None`` for an aggregate the outcome creates.
        after: the new model.
    """

    key: AggregateKey
    base_version: int | None
    after: Aggregate

    def __init__(self, key: AggregateKey, base_version: int | None, after: Aggregate) -> None:
        """Set the fields as attrs' ``__init__`` would (written out: see `Outcome`)."""
        if type(self) is Change:
            new: Any = self
            _set_class(new, _CHANGE_TWIN)
            new.key = key
            new.base_version = base_version
            new.after = after
            new.__class__ = Change
        else:
            _set_slots(self, _CHANGE_SETTERS, (key, base_version, after))


@attrs.frozen(init=False, weakref_slot=False)
class Outcome:
    """Decisions made, aggregates changed, events fired, effects to carry out, and notes.

    Attributes:
        decisions: every policy decision, in the order taken.
        changes: per aggregate, the new model and the version it was computed against.
        transitions: the lifecycle events fired, in order.
        effects: what the host must carry out, in order.
        notes: what was recognised and not done (duplicates, stale events, waits).
    """

    decisions: tuple[Decision, ...] = ()
    changes: tuple[Change, ...] = ()
    transitions: tuple[Transition, ...] = ()
    effects: tuple[Effect, ...] = ()
    notes: tuple[Note, ...] = ()

    def __init__(
        self,
        decisions: tuple[Decision, ...] = (),
        changes: tuple[Change, ...] = (),
        transitions: tuple[Transition, ...] = (),
        effects: tuple[Effect, ...] = (),
        notes: tuple[Note, ...] = (),
    ) -> None:
        """Set the fields as attrs' ``__init__`` would.

        Written out (``init=False``), as are `Change`'s, `Transition`'s and `Note`'s: every
        workflow call builds these. The fields are stored in the class's mutable twin
        (``policies.decision._twin``), a subclass's by the slots' setters (cheaper than attrs'
        per-field ``object.__setattr__``, as `Note`'s two).
        """
        if type(self) is Outcome:
            new: Any = self
            _set_class(new, _OUTCOME_TWIN)
            new.decisions = decisions
            new.changes = changes
            new.transitions = transitions
            new.effects = effects
            new.notes = notes
            new.__class__ = Outcome
        else:
            _set_slots(self, _OUTCOME_SETTERS, (decisions, changes, transitions, effects, notes))

    # ------------------------------------------------------------------ reading
    @property
    def is_empty(self) -> bool:
        """True when nothing changes and nothing is to be done (decisions aside)."""
        return not self.changes and not self.effects

    @property
    def aggregates(self) -> dict[AggregateKey, Aggregate]:
        """The new models by ``(kind, id)``."""
        return {c.key: c.after for c in self.changes}

    @property
    def events(self) -> tuple[LifecycleEvent, ...]:
        """The recorded lifecycle events, in order."""
        return tuple(t.event for t in self.transitions)

    @property
    def note_codes(self) -> tuple[str, ...]:
        """The notes' codes, in order."""
        return tuple(n.code for n in self.notes)

    def after(self, kind: str, id: str) -> Any:
        """The new model of the aggregate ``(kind, id)``, or ``None`` if unchanged."""
        for c in self.changes:
            if c.key == (kind, id):
                return c.after
        return None

    def effects_of(self, cls: type[Effect]) -> tuple[Effect, ...]:
        """The effects of one type, in order."""
        return tuple(e for e in self.effects if isinstance(e, cls))

    # ------------------------------------------------------------------ combining
    def merge(self, other: Outcome) -> Outcome:
        """This outcome followed by ``other`` (computed on this one's new models).

        A change to the same aggregate keeps this outcome's ``base_version`` and ``other``'s
        new model; effects with an idempotency key already present are dropped.
        """
        changes = {c.key: c for c in self.changes}
        for c in other.changes:
            first = changes.get(c.key)
            changes[c.key] = c if first is None else Change(c.key, first.base_version, c.after)
        kept = list(self.effects)
        extra = []
        for e in other.effects:
            if not any(k.same_key(e) for k in kept):
                kept.append(e)
                extra.append(e)
        return Outcome(
            (*self.decisions, *other.decisions),
            tuple(changes.values()),
            (*self.transitions, *other.transitions),
            (*self.effects, *extra),
            (*self.notes, *other.notes),
        )

    def with_notes(self, *notes: Note) -> Outcome:
        """A copy with ``notes`` appended."""
        return attrs.evolve(self, notes=(*self.notes, *notes))

    def to_dict(self) -> dict[str, Any]:
        """A plain dict for logs and APIs (new models as their JSON dumps)."""
        return {
            "decisions": [d.to_dict() for d in self.decisions],
            "changes": [
                {
                    "kind": c.key[0],
                    "id": c.key[1],
                    "base_version": c.base_version,
                    "version": version_of(c.after),
                }
                for c in self.changes
            ],
            "transitions": [
                {
                    "kind": t.kind,
                    "id": t.id,
                    "event": t.event.event,
                    "source": t.event.source,
                    "target": t.event.target,
                }
                for t in self.transitions
            ],
            "effects": [e.to_dict() for e in self.effects],
            "notes": [{"code": n.code, "message": n.message} for n in self.notes],
        }


def combine(outcomes: Iterable[Outcome]) -> Outcome:
    """Merge outcomes in order (see `Outcome.merge`)."""
    out = Outcome()
    for o in outcomes:
        out = out.merge(o)
    return out


def commit(
    outcome: Outcome, current: Mapping[AggregateKey, Aggregate]
) -> dict[AggregateKey, Aggregate]:
    """Apply an outcome's changes to the host's current aggregates, all or nothing.

    ``current`` maps ``(kind, id)`` to the aggregate as the host has it now (only the keys
    the outcome touches matter). For each change: if the current model is already the
    outcome's new model, it is left (an outcome applied twice is applied once); if its
    `version_of` is the change's ``base_version`` (or it is absent for a new
    aggregate), the new model replaces it; otherwise nothing is applied.

    Returns:
        A new dict: ``current`` with the outcome's changes applied. ``current`` is not touched.

    Raises:
        ConflictError: an aggregate moved since the outcome was computed (another operator
            or webhook won); reload and run the workflow again. Nothing was applied.
        NotFound: an aggregate the outcome changes (not creates) is missing from
            ``current`` (field ``current``): load it, or it was deleted. Nothing was applied.
    """
    for c in outcome.changes:
        now = current.get(c.key)
        if now is None:
            if c.base_version is None:
                continue
            raise NotFound(c.key[0], c.key[1], "current")
        if now is c.after:
            continue
        # the version first: comparing two whole aggregates is the slow check
        actual = version_of(now)
        if actual == c.base_version or now == c.after:
            continue
        raise ConflictError(f"{c.key[0]} {c.key[1]}", c.base_version or 0, actual)
    result = dict(current)
    for c in outcome.changes:
        result[c.key] = c.after
    return result


_NOTE_SETTERS: Final = _slot_setters(Note)
_TRANSITION_SETTERS: Final = _slot_setters(Transition)
_CHANGE_SETTERS: Final = _slot_setters(Change)
_OUTCOME_SETTERS: Final = _slot_setters(Outcome)
_TRANSITION_TWIN: Final = _twin(Transition)
_CHANGE_TWIN: Final = _twin(Change)
_OUTCOME_TWIN: Final = _twin(Outcome)
