"""Building the next model once the engine has chosen a transition.

The state fields come from the compiled table and the history entry is built here, so
neither is parsed again; a field an effect changes is validated against its type, and the
card-number checks and every model rule reading a field the event writes run on the result
(the state fields whose value changes, history, version and the effect's fields: one plan per
transition and effect fields, kept; the same checks
[`PaysupportModel.evolve_trusted`][paysupport.models.PaysupportModel.evolve_trusted] runs;
a rule reading only state fields the transition sets gives the same answer every time and is
left out of its plan once it passed without changing the model, see `_settle`).
Other pydantic models: one changed field goes through pydantic's assignment validation (which
re-runs the model's cross-field rules), several through ``evolve``. Not public:
`Lifecycle.fire` and `Lifecycle.replay` call `build`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, cast

import pydantic
from pydantic_core import PydanticCustomError

from paysupport.errors import ModelValidationError
from paysupport.models._base import (
    _ACCEPT,
    SAFE_TEXT_MAX,
    PaysupportModel,
    _fields_only,
    _given_with,
    _plain_accepts,
    constructor,
    no_card_number,
    plain_id,
    rule_failure,
    unvalidated_instance,
)
from paysupport.models.history import EventData, LifecycleEvent

if TYPE_CHECKING:
    from paysupport.lifecycles._compile import CompiledTransition

__all__ = ["broken_rules", "build"]

M = TypeVar("M")

#: Every field of a history entry: the fields-set of the entries the engine builds itself.
_EVENT_FIELDS = set(LifecycleEvent.model_fields)
#: The fields every event changes besides the state fields.
_LOG_FIELDS = ("history", "version")
#: Every transition's kept steps (``CompiledTransition.steps``: per model class, per fields
#: the event writes, the `_Step`) once it holds one: what `forget` empties.
_PLANS: list[dict[type, dict[tuple[str, ...], _Step]]] = []
#: Builds a history entry from its fields (`constructor`).
_MAKE_EVENT = constructor(LifecycleEvent)
#: The data of an event that carried none (read-only, so one serves every entry).
_NO_DATA = EventData()
#: Texts a ``SafeText`` field takes as they are (`_plain_text`), remembered: the same
#: reasons and data recur event after event (identifiers: `plain_id`).
_PLAIN_TEXTS: set[str] = set()
_MAX_REMEMBERED = 4096
#: Only short texts are remembered (reason codes, tiers): the sets stay under a few MB.
_REMEMBER_UP_TO = 256


class _Step(NamedTuple):
    """What `build` runs for one transition, model class and written fields."""

    #: The card-number checks of the text fields the event writes.
    pans: tuple[tuple[str, Any], ...]
    #: Every model rule reading a field the event writes, in the class's order.
    rules: tuple[Callable[[Any], Any], ...]
    #: The fields the result was given (added to the model's fields-set): the state
    #: fields, history, version and the effect's fields.
    given: tuple[str, ...]
    #: The fields of the history entry of an event without actor, reason or data, but
    #: ``at`` (None here).
    entry: dict[str, Any]
    #: The key of this step in its transition's plans.
    key: tuple[type, tuple[str, ...]]
    #: The model class's `constructor` (what `unvalidated_instance` calls).
    make: Callable[[tuple[dict[str, Any], None, set[str]]], Any]
    #: Per field the effect writes, in its order: the field and the test of values its
    #: schema returns as they are (`_plain_accepts`), or None (always validated).
    accept: tuple[tuple[str, Callable[[Any], bool] | None], ...]
    #: The fields-set of the model the step last built from, and the result's (the same
    #: sets recur: instances given the same fields share one).
    seen: list[set[str] | None]
    #: Of ``rules``, those reading only state fields the transition sets (the same values
    #: every time, so the same answer every time): run until they pass once without
    #: changing the model, then left out (`_settle`). Empty once settled.
    decided: frozenset[Callable[[Any], Any]]
    #: How many fields the model class has (its instances' ``__dict__`` holds no more).
    size: int


def _step(
    cls: type[PaysupportModel],
    tr: CompiledTransition,
    keys: tuple[str, ...],
    changes: Mapping[str, Any],
) -> _Step:
    """The `_Step` of the fields an event writes: history, version and ``keys``, kept.

    ``keys``: the state fields whose value changes and the effect's fields (``changes``).
    """
    if not tr.steps:
        _PLANS.append(tr.steps)
    pans, rules = cls._plan(frozenset([*_LOG_FIELDS, *keys]))
    given = tuple(dict.fromkeys([*tr.changes, *_LOG_FIELDS, *changes]))
    record = {
        "event": tr.event,
        "source": tr.source,
        "target": tr.target,
        "at": None,
        "actor": None,
        "reason": None,
        "data": _NO_DATA,
    }
    state = frozenset(tr.changes)
    decided = frozenset(
        rule
        for rule, reads in zip(cls.__rules__, cls.__rule_reads__, strict=True)
        if rule in rules and reads is not None and reads <= state
    )
    key = (cls, keys)
    accepts = _ACCEPT.get(cls) or _plain_accepts(cls)
    accept = tuple((name, accepts.get(name)) for name in changes)
    make = constructor(cls)
    size = len(cls.__pydantic_fields__)
    step = _Step(pans, rules, given, record, key, make, accept, [None, None], decided, size)
    tr.steps.setdefault(cls, {})[keys] = step
    return step


def forget() -> None:
    """Empty every kept step (each is made again on first use; tests start without them)."""
    for steps in _PLANS:
        steps.clear()
    _PLANS.clear()


def _settle(
    tr: CompiledTransition, step: _Step, new: PaysupportModel, before: dict[str, Any]
) -> None:
    """Leave out of ``step`` its rules decided by the state, once they passed on ``new``.

    A model rule is a function of the fields it reads (what `rules_reading` rests on): one
    reading only state fields the transition sets to the same values gives the same answer
    on every model the step builds. They ran and passed on ``new`` (built by this step);
    they are left out from now on, unless a check changed ``new`` (its values ``before``
    the checks): then every rule keeps running.
    """
    values = new.__dict__
    if len(values) != len(before) or any(values[k] is not v for k, v in before.items()):
        return
    kept = tr.steps.get(step.key[0])
    if kept is not None and kept.get(step.key[1]) is step:
        rules = tuple(rule for rule in step.rules if rule not in step.decided)
        kept[step.key[1]] = step._replace(rules=rules, decided=frozenset())


def build(
    model: M,
    tr: CompiledTransition,
    changes: Mapping[str, Any],
    now: datetime,
    data: Mapping[str, str],
    actor: str | None,
    reason: str | None,
) -> M:
    """The model after ``tr``, with the effect's ``changes``, one more event, version + 1.

    The state fields (from the compiled table), the history entry and the version are the
    engine's own values: copied as they are. The effect's changes are validated against
    their fields' types (a value the field's schema returns as it is is taken); then the
    card-number checks and every model rule reading a field the event writes run (the
    `_Step`, kept per transition). With no actor, reason or data, the history entry is the
    step's template with ``now`` (past the time check); otherwise `_event` checks what came
    from outside.

    Raises:
        pydantic.ValidationError: a changed field breaks a model rule (one field changed).
        ModelValidationError: the result breaks a model rule (several fields changed).
    """
    kind: Any = type(model)
    kept = tr.steps.get(kind)
    if kept is None and not issubclass(kind, PaysupportModel):
        return _build_other(model, tr, changes, _event(tr, now, data, actor, reason))
    ours: Any = model
    current = ours.__dict__
    values = current.copy()
    # The state fields the event changes (a member of an enum is the one object of its
    # value): the rules reading only the others held on ``model``.
    moved: tuple[str, ...] = ()
    for name, value in tr.assign:
        if current[name] is not value:
            moved += (name,)
            values[name] = value
    keys = (*moved, *changes) if changes else moved
    step = kept.get(keys) if kept is not None else None
    if step is None:  # a step is kept only for the model's own fields
        if not changes.keys() <= kind.__pydantic_fields__.keys():
            # an unknown field: reported as evolve reports it
            update = dict(tr.changes)
            update["history"] = (*current["history"], _event(tr, now, data, actor, reason))
            update["version"] = current["version"] + 1
            new_model: M = ours.evolve_trusted(update, **changes)
            return new_model
        step = _step(kind, tr, keys, changes)
    if changes:
        # A value its field's schema returns as it is (`_plain_accepts`: an aware datetime,
        # an enum member...) is taken as it is; else the fields' validation runs.
        for name, ok in step.accept:  # the effect's fields (the step's key names them)
            value = changes[name]
            if ok is None or not ok(value):
                values.update(kind._validated(changes))
                break
            values[name] = value
    if actor is None and reason is None and not data:
        fields = step.entry.copy()
        fields["at"] = now
        record = _MAKE_EVENT((fields, None, _EVENT_FIELDS))
    else:
        record = _event(tr, now, data, actor, reason)
    values["history"] = (*current["history"], record)
    values["version"] = current["version"] + 1
    if len(values) != step.size:  # a cached value beside the fields: dropped
        values = _fields_only(values, kind.__pydantic_fields__)
    given = ours.__pydantic_fields_set__
    seen = step.seen  # the fields-set given last time and the one the result got
    if seen[0] is given:
        given = seen[1]
    else:
        out = given if given.issuperset(step.given) else _given_with(given, step.given)
        seen[:] = (given, out)
        given = out
    new = step.make((values, None, given))
    if step.pans or step.rules:
        before = dict(values) if step.decided else None
        try:
            if step.pans:
                new._check_pans(step.pans)
            for check in step.rules:
                check(new)
        except PydanticCustomError as exc:
            raise rule_failure(kind.__name__, exc) from None
        if before is not None:
            _settle(tr, step, new, before)
    result: M = new
    return result


def _build_other(
    model: M, tr: CompiledTransition, changes: Mapping[str, Any], record: LifecycleEvent
) -> M:
    """`build` for a pydantic model that is not a `PaysupportModel`."""
    trusted = dict(tr.changes)
    trusted["history"] = (*getattr(model, "history"), record)  # noqa: B009
    trusted["version"] = getattr(model, "version") + 1  # noqa: B009
    fields = {**trusted, **changes}
    if not changes:
        return _copy(model, fields)
    if len(changes) == 1:
        (name,) = changes
        value = fields.pop(name)
        new = _copy(model, fields)
        validator: Any = getattr(type(new), "__pydantic_validator__")  # noqa: B009
        validator.validate_assignment(new, name, value)
        return new
    return _revalidated(model, fields)


def _revalidated(model: M, fields: Mapping[str, Any]) -> M:
    """``model`` with ``fields`` changed, every field and rule validated again.

    A `PaysupportModel` evolves; a plain pydantic model is validated whole by its class.
    """
    if isinstance(model, PaysupportModel):
        return cast(M, model.evolve(**fields))
    cls: Any = type(model)
    current: dict[str, Any] = dict(model.__dict__)
    return cast(M, cls.model_validate({**current, **fields}))


def broken_rules(
    model: Any, tr: CompiledTransition, changes: Mapping[str, Any], exc: Exception
) -> str:
    """The codes of the model rules a refused result breaks, from a full re-validation.

    A plain pydantic model has no rule codes: its errors' messages are given instead.
    """
    if isinstance(exc, ModelValidationError):
        return ", ".join(sorted({v.rule for v in exc.violations}))
    try:
        _revalidated(model, {**tr.changes, **changes})
    except ModelValidationError as full:
        return ", ".join(sorted({v.rule for v in full.violations}))
    except pydantic.ValidationError as full:
        return ", ".join(sorted({str(e["msg"]) for e in full.errors()}))
    return "a model rule"  # pragma: no cover - assignment and full validation agree


def _event(
    tr: CompiledTransition,
    now: datetime,
    data: Mapping[str, str],
    actor: str | None,
    reason: str | None,
) -> LifecycleEvent:
    """The history entry; only the values from outside (actor, reason, data) are validated.

    event, source and target come from the compiled table and ``now`` passed the time
    check: the engine's own values, copied as they are. The actor, reason and data are
    checked here when they are plain ASCII text the field would return as it is (`plain_id`,
    `_plain_text`: in bounds, no card number possible); anything else is validated by
    ``LifecycleEvent`` itself, which gives the exact error (or masks a card number).
    """
    if (
        (actor is None or plain_id(actor))
        and (reason is None or _plain_text(reason))
        and (not data or _plain_data(data))
    ):
        trusted: LifecycleEvent = unvalidated_instance(
            LifecycleEvent,
            {
                "event": tr.event,
                "source": tr.source,
                "target": tr.target,
                "at": now,
                "actor": actor,
                "reason": reason,
                "data": EventData(data) if data else _NO_DATA,
            },
            _EVENT_FIELDS,
        )
        return trusted
    return LifecycleEvent(
        event=tr.event,
        source=tr.source,
        target=tr.target,
        at=now,
        actor=actor,
        reason=reason,
        data=dict(data),
    )


def _plain_text(value: object) -> bool:
    """True when a ``SafeText`` field takes ``value`` as it is: ASCII, in bounds, no card number.

    Texts found plain are remembered (bounded): reasons and data values repeat.
    """
    if type(value) is not str:
        return False
    if value in _PLAIN_TEXTS:
        return True
    plain = len(value) <= SAFE_TEXT_MAX and value.isascii() and no_card_number(value)
    if plain and len(value) <= _REMEMBER_UP_TO and len(_PLAIN_TEXTS) < _MAX_REMEMBERED:
        _PLAIN_TEXTS.add(value)
    return plain


def _plain_data(data: Mapping[str, str]) -> bool:
    """True when every key and value is taken as it is (`_plain_text`).

    A key is text refusing card numbers without a length bound: a plain text is one.
    """
    remembered = _PLAIN_TEXTS
    for key, value in data.items():
        if type(key) is str and type(value) is str and key in remembered and value in remembered:
            continue  # both found plain before: `_plain_text`'s first answer, without the calls
        if not (_plain_text(key) and _plain_text(value)):
            return False
    return True


def _copy(model: M, changes: Mapping[str, Any]) -> M:
    """A copy of ``model`` with ``changes``, not re-validated (what ``model_copy`` does).

    The fields-set (which fields were given) is the original's, shared when the changed
    fields are in it already (pydantic only adds to it, and only a name not in it).
    """
    cls: Any = type(model)
    fields = cls.__pydantic_fields__
    values = {**model.__dict__, **changes}
    if len(values) != len(fields):  # a cached value beside the fields: drop it
        values = {k: values[k] for k in fields}
    given: set[str] = model.__pydantic_fields_set__  # type: ignore[attr-defined]
    if not given.issuperset(changes):
        given = given | set(changes)
    new: M = unvalidated_instance(cls, values, given)
    return new
