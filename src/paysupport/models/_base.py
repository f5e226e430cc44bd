"""The base of every model: strict config, typed errors, the card-number boundary, fast changes.

pydantic reports problems as ``pydantic.ValidationError``; paysupport turns that into
`ModelValidationError`, which is a ``PaysupportError`` and a
``ValueError``, and names each broken rule by a stable code (``refund_total_exceeds_captured``,
``timezone_aware``, ...) and the field it concerns.

**No full card number (PAN) is stored.** One mechanism in `PaysupportModel` covers
every text a model holds, found by reading each field's type when the class is defined (so a
new field is covered without code): every ``str``, in a field, an optional, a tuple, or a
dict's keys and values. Text typed `SafeText` (notes, descriptions, metadata values,
event data values) has card numbers masked (``[card ending 4242]``); every other text (ids,
codes, provider references, dict keys) refuses one with rule ``no_full_card_number`` naming
the field. The detector is [`pan`][paysupport.pan].

**Model rules.** A model's invariants are methods marked `model_rule`; a validation runs
them in definition order after the card-number boundary, all inside one pydantic validator
(pydantic ``mode="after"`` model validators still work and run after them).

**Validation tries a fast validator first.** Construction, ``model_validate`` and
``model_validate_json`` first use the class's core schema with every text checked for card
numbers inside pydantic-core (`paysupport.models._fast_schema`) and the rules run without
the Python scan; whatever it refuses is validated again by the full schema, which gives the
errors (or masks free text). Same results, same errors.

**Changes validate only what changed.** `PaysupportModel.evolve` validates the changed
fields against their own types, copies the rest (already valid, immutable) and runs the
card-number check of the changed text fields and every model rule that reads a changed
field (`PaysupportModel.rules_reading`, found from each rule's code when the class is
defined): the rules that read only unchanged fields held already. The same result and the
same errors as a full validation, at the cost of what changed.
`PaysupportModel.evolve_trusted` does the same for a library component that built some
values itself (a lifecycle's state fields and history entry).
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Collection, Iterator, Mapping
from contextvars import ContextVar
from datetime import datetime, timezone
from enum import Enum
from functools import partial
from typing import Annotated, Any, ClassVar, Final, Self, TypeVar, Union, get_args, get_origin

import pydantic
from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints, TypeAdapter
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError, SchemaValidator

from paysupport.errors import ModelValidationError, RuleViolation, UnknownCode
from paysupport.models._fast_schema import (
    IDENTIFIER_PATTERN,
    PASSES_INSTANCES,
    fast_schema,
    uncovered_text_fields,
)
from paysupport.money import Currency, Money, _pydantic_currency, _pydantic_money
from paysupport.networks import Network
from paysupport.pan import contains_pan, mask_pans, may_contain_pan

__all__ = [
    "FREE_TEXT",
    "Fingerprint",
    "Identifier",
    "NetworkName",
    "PaysupportModel",
    "SafeText",
    "contains_pan",
    "mask_pans",
    "model_rule",
    "rule_error",
    "rule_failure",
]

PAN_RULE: Final = "no_full_card_number"
_PAN_MIN: Final = 12  # no text shorter than the shortest card number can hold one


class _FreeText:
    """Marker in a ``str`` type's metadata: card numbers in this text are masked, not refused."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "FREE_TEXT"


#: Put in ``Annotated[str, ...]`` to mask card numbers in a text instead of refusing them.
FREE_TEXT: Final = _FreeText()

#: The longest `Identifier` and the longest `SafeText` (the fast paths read these too).
IDENTIFIER_MAX: Final = 255
SAFE_TEXT_MAX: Final = 20_000

#: An identifier: 1–255 printable characters without spaces (ids of the host or a provider).
Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=IDENTIFIER_MAX, pattern=IDENTIFIER_PATTERN)
]

#: A PSP's card fingerprint: a stable hash of the card number, never the number itself.
Fingerprint = Annotated[str, StringConstraints(min_length=4, max_length=128)]

#: Free text (notes, descriptions, customer messages). Full card numbers are masked on the
#: way into a model, so no repr, str or JSON of a model can show one.
SafeText = Annotated[str, StringConstraints(max_length=SAFE_TEXT_MAX), FREE_TEXT]


_RuleFn = Callable[[Any], Any]


def model_rule(fn: _RuleFn) -> _RuleFn:
    """Declare a method of a `PaysupportModel` subclass as one of the model's rules.

    A rule reads the finished model and raises `rule_error` when an invariant is broken.
    Every validation runs the class's rules in definition order (a base class's first)
    inside one validator, together with the card-number check: cheaper than one pydantic
    ``model_validator(mode="after")`` per rule, with the same errors. A change (`evolve`,
    `evolve_trusted`) re-runs only the rules that read a changed field.
    """
    fn.__paysupport_rule__ = True  # type: ignore[attr-defined]
    return fn


def rule_error(field: str, rule: str, message: str) -> PydanticCustomError:
    """Build the error a validator raises so the field and the rule's code reach the user.

    Args:
        field: the field, relative to the model that raises (``"refunds"``,
            ``"disputes.0.amount"``).
        rule: the rule's stable snake_case code.
        message: a sentence for people.
    """
    return PydanticCustomError(rule, "{message}", {"message": message, "field": field})


def rule_failure(model: str, exc: PydanticCustomError) -> ModelValidationError:
    """The error a validation of ``model`` raises for the rule error ``exc`` (`rule_error`)."""
    field = str((exc.context or {}).get("field") or "__root__")
    return ModelValidationError(model, [RuleViolation(field, exc.type, mask_pans(exc.message()))])


def _pan_violation(field: str) -> RuleViolation:
    return RuleViolation(field, PAN_RULE, "a full card number cannot be stored here")


def _violations(exc: pydantic.ValidationError, prefix: str = "") -> list[RuleViolation]:
    out: list[RuleViolation] = []
    for err in exc.errors(include_url=False):
        parts = [prefix] if prefix else []
        parts.extend(str(p) for p in err["loc"])
        ctx = err.get("ctx") or {}
        nested = ctx.get("error")
        if isinstance(nested, ModelValidationError):
            # A validator built a model that refused its input: keep its named rules.
            head = ".".join(parts)
            for v in nested.violations:
                out.append(
                    RuleViolation(f"{head}.{v.field}" if head else v.field, v.rule, v.message)
                )
            continue
        if isinstance(ctx.get("field"), str) and ctx["field"]:
            parts.append(ctx["field"])
        loc = ".".join(parts) or "__root__"
        raw = err.get("input")
        if isinstance(raw, str) and contains_pan(raw):
            # A field refused for another reason held a card number: say so first.
            out.append(_pan_violation(loc))
        out.append(RuleViolation(loc, str(err["type"]), mask_pans(str(err["msg"]))))
    return out


# --------------------------------------------------------------------------- PAN boundary
# A checker gets (value, field path) and returns the value to keep (masked) or raises.
_Checker = Callable[[Any, str], Any]
_PAN_SCANNED: ContextVar[bool] = ContextVar("paysupport_pan_scanned", default=False)
_SHARED_FIELDS_SETS: dict[frozenset[str], set[str]] = {}
_LAST_FIELDS_SET: dict[tuple[type, int], set[str]] = {}
_MAX_SHARED_FIELDS_SETS: Final = 4096
_NO_TRUSTED: Final[Mapping[str, Any]] = types.MappingProxyType({})


def _refuse_text(value: Any, path: str) -> Any:
    if type(value) is str and (len(value) < _PAN_MIN or not may_contain_pan(value)):
        return value  # the common case, decided without the full scan
    if isinstance(value, str) and contains_pan(value):
        raise rule_error(path, PAN_RULE, "a full card number cannot be stored in an id or code")
    return value


def _mask_text(value: Any, path: str) -> Any:
    if type(value) is str and (len(value) < _PAN_MIN or not may_contain_pan(value)):
        return value
    return mask_pans(value) if isinstance(value, str) else value


def _sequence(inner: _Checker) -> _Checker:
    def check(value: Any, path: str) -> Any:
        new = tuple(inner(v, f"{path}.{i}") for i, v in enumerate(value))
        return value if all(a is b for a, b in zip(new, value, strict=True)) else type(value)(new)

    return check


def _mapping(key: _Checker | None, val: _Checker | None) -> _Checker:
    def check(value: Any, path: str) -> Any:
        changed = False
        items = []
        for k, v in value.items():
            k2 = key(k, f"{path}.{k}") if key else k
            v2 = val(v, f"{path}.{k2}") if val else v
            changed = changed or k2 is not k or v2 is not v
            items.append((k2, v2))
        return type(value)(items) if changed else value

    return check


def _text_checker(metadata: tuple[Any, ...]) -> _Checker:
    return _mask_text if any(m is FREE_TEXT for m in metadata) else _refuse_text


def _checker_for(tp: Any, metadata: tuple[Any, ...] = ()) -> _Checker | None:
    """The card-number check for a value of type ``tp``, or None when it holds no text."""
    origin = get_origin(tp)
    if origin is Annotated:
        base, *extra = get_args(tp)
        return _checker_for(base, (*metadata, *extra))
    if tp is str:
        return _text_checker(metadata)
    if isinstance(tp, type) and issubclass(tp, Enum | BaseModel):
        return None  # enums hold fixed values; models check their own fields
    if origin is Union or origin is types.UnionType:
        checks = [_checker_for(a, metadata) for a in get_args(tp) if a is not type(None)]
        found = [c for c in checks if c is not None]
        if len(found) > 1:
            raise TypeError(f"cannot check a union of several text types: {tp!r}")
        return found[0] if found else None  # None passes every checker unchanged
    if origin in (tuple, list, frozenset, set):
        inner = [_checker_for(a) for a in get_args(tp) if a is not Ellipsis]
        if any(c is not None for c in inner):
            if len(inner) != 1:
                raise TypeError(f"cannot check a fixed-length tuple of text: {tp!r}")
            assert inner[0] is not None
            return _sequence(inner[0])
        return None
    if origin is dict or (isinstance(tp, type) and issubclass(tp, dict)):
        kv = get_args(tp) or _dict_args(tp)
        key, val = (_checker_for(kv[0]), _checker_for(kv[1])) if kv else (None, None)
        return _mapping(key, val) if key or val else None
    if isinstance(tp, type) and issubclass(tp, str):
        return _text_checker(metadata)
    return None


def _dict_args(tp: type) -> tuple[Any, ...]:
    for base in getattr(tp, "__orig_bases__", ()):
        if get_origin(base) is dict:
            return get_args(base)
    return ()


def _field_checker(field: FieldInfo) -> _Checker | None:
    return _checker_for(field.annotation, tuple(field.metadata))


# --------------------------------------------------------------------------- the base model
class PaysupportModel(BaseModel):
    """Base model: immutable values, unknown fields refused, typed errors, no card numbers.

    Models are data: a change is a new, validated value (`evolve`, or a lifecycle
    event), never an assignment. Construction, ``model_validate``, ``model_validate_json``
    and any attempt to assign raise [`ModelValidationError`][paysupport.errors.ModelValidationError]
    (assignment: rule ``frozen_instance``) instead of pydantic's own error. Text fields are
    checked for card numbers (see the module docstring).
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_assignment=True,
        validate_default=False,
        ser_json_timedelta="iso8601",
        use_enum_values=False,
        revalidate_instances="never",
        hide_input_in_errors=True,
    )

    #: Per class: ``(field, check)`` for every field that holds text, derived from the types.
    __pan_checks__: ClassVar[tuple[tuple[str, _Checker], ...]] = ()
    #: Per class: the `model_rule` methods, in definition order (base classes first).
    __own_rules__: ClassVar[tuple[_RuleFn, ...]] = ()
    #: Per class: every model rule in the order a validation runs them (the `model_rule`
    #: methods, then any ``mode="after"`` pydantic model validators).
    __rules__: ClassVar[tuple[Callable[[Any], Any], ...]] = ()
    #: Per class, one per rule: the fields the rule may read (None: it may read any).
    __rule_reads__: ClassVar[tuple[frozenset[str] | None, ...]] = ()
    __field_adapters__: ClassVar[dict[str, TypeAdapter[Any]]]
    __rules_for__: ClassVar[dict[frozenset[str], tuple[Callable[[Any], Any], ...]]]
    __plans__: ClassVar[
        dict[
            frozenset[str],
            tuple[tuple[tuple[str, _Checker], ...], tuple[Callable[[Any], Any], ...]],
        ]
    ]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Derive the card-number checks and the rule list from the class's fields."""
        super().__pydantic_init_subclass__(**kwargs)
        checks = []
        for name, field in cls.model_fields.items():
            check = _field_checker(field)
            if check is not None:
                checks.append((name, check))
        cls.__pan_checks__ = tuple(checks)
        own: dict[str, _RuleFn] = {}
        for klass in reversed(cls.__mro__):
            for name, attr in vars(klass).items():
                if getattr(attr, "__paysupport_rule__", False):
                    own[name] = attr
                elif name in own:
                    del own[name]  # overridden by a plain method: no longer a rule
        cls.__own_rules__ = tuple(own.values())
        cls.__rules__ = cls.__own_rules__ + tuple(
            dec.func
            for name, dec in cls.__pydantic_decorators__.model_validators.items()
            if dec.info.mode == "after" and name != "_no_card_numbers"
        )
        fields = frozenset(cls.model_fields)
        cls.__rule_reads__ = tuple(_fields_read(cls, rule, fields) for rule in cls.__rules__)
        cls.__field_adapters__ = {}
        cls.__rules_for__ = {}
        cls.__plans__ = {}

    def __init__(self, /, **data: Any) -> None:
        # What BaseModel.__init__ does, without its extra call (our validators return self):
        # the fast validator first, the full one for the exact errors (see `_fast_validator`).
        cls = type(self)
        fast = _FAST.get(cls, _UNBUILT)
        if fast is _UNBUILT:
            fast = cls._fast_validator()
        if fast is not None:
            try:
                fast.validate_python(data, self_instance=self)
                return
            except pydantic.ValidationError:
                pass
        try:
            self.__pydantic_validator__.validate_python(data, self_instance=self)
        except pydantic.ValidationError as exc:
            raise ModelValidationError(cls.__name__, _violations(exc)) from None

    # Not a "custom" __init__ for pydantic: nested models validate inside pydantic-core.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @pydantic.model_validator(mode="after")
    def _no_card_numbers(self) -> Self:
        # The card-number boundary, then the class's `model_rule` methods: one validator.
        self._share_fields_set()
        if not _PAN_SCANNED.get():
            self._check_pans(self.__pan_checks__)
        for check in self.__own_rules__:
            check(self)
        return self

    def _share_fields_set(self) -> None:
        # pydantic keeps a set of the fields given per instance (``model_fields_set``), often
        # the largest object a small model holds. Instances given the same fields share one
        # set: pydantic never changes it in place (copies copy it first; models are frozen).
        fields_set = self.__pydantic_fields_set__
        key = (type(self), len(fields_set))
        last = _LAST_FIELDS_SET.get(key)
        if last is None or last != fields_set:  # usually the same fields as last time
            frozen = frozenset(fields_set)
            last = _SHARED_FIELDS_SETS.get(frozen)
            if last is None:
                if len(_SHARED_FIELDS_SETS) >= _MAX_SHARED_FIELDS_SETS:
                    return  # bounded: an unusual combination keeps its own set
                last = _SHARED_FIELDS_SETS[frozen] = fields_set
            _LAST_FIELDS_SET[key] = last
        if last is not fields_set:
            object.__setattr__(self, "__pydantic_fields_set__", last)

    def _check_pans(self, checks: tuple[tuple[str, _Checker], ...]) -> None:
        values = self.__dict__
        for name, check in checks:
            value = values[name]
            if value is None:
                continue
            new = check(value, name)
            if new is not value:
                values[name] = new

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:
        """Validate a Python object; raise ``ModelValidationError`` on a broken rule."""
        if not options:
            fast = _FAST.get(cls, _UNBUILT)
            if fast is _UNBUILT:
                fast = cls._fast_validator()
            if fast is not None:
                try:
                    return fast.validate_python(obj)  # type: ignore[no-any-return]
                except pydantic.ValidationError:
                    pass  # the full validation gives the exact errors
        try:
            if options:
                return super().model_validate(obj, **options)
            return cls.__pydantic_validator__.validate_python(obj)  # type: ignore[no-any-return]
        except pydantic.ValidationError as exc:
            raise ModelValidationError(cls.__name__, _violations(exc)) from None

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **options: Any) -> Self:
        """Validate JSON; raise ``ModelValidationError`` on a broken rule.

        The fast validator first (`_fast_validator`); when it refuses, the full validation
        gives the exact errors. There, a document with no 12 digits joined by separators
        anywhere (and no escapes) cannot hold a card number, so its text fields skip the
        per-field scan.
        """
        scanned = not may_contain_pan(json_data)
        if not options:
            # A document that cannot hold a card number needs no text check at all.
            fast = (_FAST_NO_TEXT if scanned else _FAST).get(cls, _UNBUILT)
            if fast is _UNBUILT:
                fast = cls._fast_validator(texts=not scanned)
            if fast is not None:
                try:
                    return fast.validate_json(json_data)  # type: ignore[no-any-return]
                except pydantic.ValidationError:
                    pass
        token = _PAN_SCANNED.set(scanned)
        try:
            if options:
                return super().model_validate_json(json_data, **options)
            return cls.__pydantic_validator__.validate_json(json_data)  # type: ignore[no-any-return]
        except pydantic.ValidationError as exc:
            raise ModelValidationError(cls.__name__, _violations(exc)) from None
        finally:
            _PAN_SCANNED.reset(token)

    @classmethod
    def _fast_validator(cls, *, texts: bool = True) -> SchemaValidator | None:
        """The class's fast validator, built on first use (None: the class has none).

        The class's core schema, with every text checked for card numbers in Rust (a text
        that might hold one is checked exactly in Python) and each model's card-number
        validator replaced by `_fast_checks` (see `paysupport.models._fast_schema`). What it
        accepts is what the full validation gives; what it refuses, the full validation
        refuses with the exact errors (or, for free text, accepts with the number masked).
        ``texts=False``: without the text checks, for a JSON document that cannot hold a
        card number anywhere (`paysupport.pan.may_contain_pan`).
        """
        fast: SchemaValidator | None = None
        if cls.__pydantic_complete__:
            try:
                no_pan = _no_pan if texts else None
                schema = fast_schema(
                    cls.__pydantic_core_schema__, _is_pan_validator, _fast_checks_for, no_pan
                )
                config = _model_config(cls.__pydantic_core_schema__, cls)
                fast = SchemaValidator(schema, config)
            except Exception:  # a schema pydantic-core refuses: no fast path
                fast = None
            (_FAST if texts else _FAST_NO_TEXT)[cls] = fast
        return fast

    def __setattr__(self, name: str, value: Any) -> None:
        # pydantic assigns before its "after" model validators run and does not undo the
        # assignment when they fail; restore the previous state so a rejected assignment
        # changes nothing.
        saved = dict(self.__dict__)
        saved_set = set(self.__pydantic_fields_set__)
        try:
            super().__setattr__(name, value)
        except pydantic.ValidationError as exc:
            self.__dict__.clear()
            self.__dict__.update(saved)
            object.__setattr__(self, "__pydantic_fields_set__", saved_set)
            raise ModelValidationError(type(self).__name__, _violations(exc)) from None

    # ------------------------------------------------------------------ changes
    @classmethod
    def _adapter(cls, name: str) -> TypeAdapter[Any]:
        adapter = cls.__field_adapters__.get(name)
        if adapter is None:
            field = cls.model_fields[name]
            tp: Any = field.annotation
            if field.metadata:
                tp = Annotated[(tp, *field.metadata)]
            adapter = TypeAdapter(tp)
            cls.__field_adapters__[name] = adapter
        return adapter

    def evolve(self, **changes: Any) -> Self:
        """Return a validated copy with ``changes`` applied; ``self`` is left as it was.

        Only the changed fields are validated (against their own types, as a full
        validation would); then every model rule that reads a changed field runs on the
        result (`rules_reading`; the others read only unchanged fields, which held on
        ``self``). Same result and errors as building the model again from all its fields,
        at the cost of what changed.

        Raises:
            ModelValidationError: a changed field or a model rule is broken; nothing changed.
        """
        return self.evolve_trusted(_NO_TRUSTED, **changes)

    @classmethod
    def rules_reading(cls, names: frozenset[str]) -> tuple[Callable[[Any], Any], ...]:
        """The model rules that may read any of the fields ``names``, in their usual order.

        Read from each rule's code when the class is defined (the attributes it names, with
        the model's own methods and properties and the module functions it calls): a rule
        that could reach a field by another route (``getattr``, ``__dict__``, a dump) counts
        as reading every field. A rule that reads none of ``names`` gives the same answer on
        a copy that changed only those fields, so it need not run again.
        """
        found = cls.__rules_for__.get(names)
        if found is None:
            found = tuple(
                rule
                for rule, reads in zip(cls.__rules__, cls.__rule_reads__, strict=True)
                if reads is None or not reads.isdisjoint(names)
            )
            if len(cls.__rules_for__) < _MAX_SHARED_FIELDS_SETS:
                cls.__rules_for__[names] = found
        return found

    def evolve_trusted(self, trusted: Mapping[str, Any], /, **changes: Any) -> Self:
        """`evolve` for a caller whose ``trusted`` values are valid for their fields already.

        ``changes`` are validated against their fields' types as in `evolve`; ``trusted``
        values (values of the field's type a library component built itself, such as a
        lifecycle's state from its compiled table and the history entry it made) are copied
        as they are. Then the card-number check of every changed text field and every model
        rule that reads a changed field (`rules_reading`) run on the result: the other
        rules read only unchanged fields and held on ``self``. The same result and errors as
        a full validation of all the fields.

        Raises:
            ModelValidationError: a changed field or a model rule is broken; nothing changed.
        """
        cls = type(self)
        fields = cls.__pydantic_fields__
        if not (changes.keys() <= fields.keys() and trusted.keys() <= fields.keys()):
            # An unknown field: a full validation reports it as it always does.
            data = {name: getattr(self, name) for name in fields}
            data.update(trusted)
            data.update(changes)
            return cls(**data)
        if not changes:
            return self._derive(trusted)
        validated: dict[str, Any] = dict(trusted)
        validated.update(cls._validated(changes))
        return self._derive(validated)

    @classmethod
    def _validated(cls, changes: Mapping[str, Any]) -> dict[str, Any]:
        """``changes`` validated against their fields' types (names known to be fields).

        A value that a field's schema would return as it is (an aware ``datetime`` for an
        ``AwareDatetime``, a member of the field's enum, ``None`` for an optional field; see
        `_plain_accept`) is taken without calling pydantic.

        Raises:
            ModelValidationError: a value is not valid for its field (every broken field).
        """
        accept = _ACCEPT.get(cls)
        if accept is None:
            accept = _plain_accepts(cls)
        validated: dict[str, Any] = {}
        broken: list[RuleViolation] | None = None
        for name, value in changes.items():
            ok = accept.get(name)
            if ok is not None and ok(value):
                validated[name] = value
                continue
            try:
                validated[name] = cls._adapter(name).validate_python(value)
            except pydantic.ValidationError as exc:
                if broken is None:
                    broken = []
                broken.extend(_violations(exc, prefix=name))
        if broken:
            pos = {n: i for i, n in enumerate(cls.__pydantic_fields__)}
            broken.sort(key=lambda v: pos.get(v.field.split(".", 1)[0], len(pos)))
            raise ModelValidationError(cls.__name__, broken)
        return validated

    def _derive_planned(
        self,
        update: Mapping[str, Any],
        plan: tuple[tuple[tuple[str, _Checker], ...], tuple[Callable[[Any], Any], ...]],
    ) -> Self:
        """A copy with ``update`` (values valid for their fields), after ``plan``'s checks.

        ``plan`` is ``_plan(names)`` for names covering every field ``update`` changes: the
        card-number checks of its text fields and every rule reading one of them (a rule run
        on a field given its own value back passes, as it did on ``self``). For a library
        component that fires the same change many times (a lifecycle event) and keeps the plan.

        Raises:
            ModelValidationError: a rule is broken (the first, as a full validation says).
        """
        cls = type(self)
        values = {**self.__dict__, **update}
        if len(values) != len(cls.__pydantic_fields__):  # a cached value beside the fields
            values = _fields_only(values, cls.__pydantic_fields__)
        given = self.__pydantic_fields_set__
        if not given.issuperset(update):
            given = _given_with(given, update)
        new = unvalidated_instance(cls, values, given)
        if plan[0] or plan[1]:  # a change checked already (a payment's new record) has none
            new._run_checks(*plan)
        return new

    def _run_checks(
        self,
        pans: tuple[tuple[str, _Checker], ...],
        rules: tuple[Callable[[Any], Any], ...],
    ) -> None:
        """Run a plan's card-number checks (``pans``) and model ``rules`` on this model.

        Raises:
            ModelValidationError: a rule is broken (the first, as a full validation says).
        """
        try:
            if pans:
                self._check_pans(pans)
            for check in rules:
                check(self)
        except PydanticCustomError as exc:
            raise rule_failure(type(self).__name__, exc) from None

    def check_rules_reading(self, names: frozenset[str]) -> None:
        """Run every model rule that reads one of the fields ``names`` on this model.

        For a library component that built a copy from values valid for their fields (a
        lifecycle's state fields from its compiled table): the rules that read only other
        fields held on the model it copied.

        Raises:
            ModelValidationError: a rule is broken (the first, as a full validation says).
        """
        self._run_checks((), type(self).rules_reading(names))

    def _derive(self, validated: Mapping[str, Any]) -> Self:
        """A copy with already-validated field values, after the model rules reading them pass.

        The building block of the fast paths: the values must have passed their field's
        validation (or be parts of valid models); the card-number checks of those fields and
        every model rule that reads one of them run here (the other rules read only
        unchanged fields, which held on ``self``).
        """
        new = self._copy_with(validated)
        current = self.__dict__
        # A field given its own value back (the same object) changed nothing to re-check.
        changed = frozenset([n for n, v in validated.items() if v is not current[n]])
        cls = type(self)
        plan = cls.__plans__.get(changed) or cls._plan(changed)
        new._run_checks(*plan)
        if new.__pydantic_fields_set__ is not self.__pydantic_fields_set__:
            new._share_fields_set()
        return new

    @classmethod
    def _plan(
        cls, names: frozenset[str]
    ) -> tuple[tuple[tuple[str, _Checker], ...], tuple[Callable[[Any], Any], ...]]:
        """The card-number checks and the rules a change of the fields ``names`` needs."""
        plan = cls.__plans__.get(names)
        if plan is None:
            checks = tuple((n, c) for n, c in cls.__pan_checks__ if n in names)
            plan = (checks, cls.rules_reading(names))
            if len(cls.__plans__) < _MAX_SHARED_FIELDS_SETS:
                cls.__plans__[names] = plan
        return plan

    def _copy_with(self, update: Mapping[str, Any]) -> Self:
        """A shallow copy with ``update`` applied, not validated (what ``model_copy`` does)."""
        cls = type(self)
        fields = cls.__pydantic_fields__
        values = {**self.__dict__, **update}
        if len(values) != len(fields):  # a cached value beside the fields: drop it
            values = _fields_only(values, fields)
        given = self.__pydantic_fields_set__
        if not given.issuperset(update):
            given = given | set(update)
        return unvalidated_instance(cls, values, given)


#: The names models keep a derived value under in their ``__dict__``, beside the fields
#: (`paysupport.models.Payment.amounts`).
AMOUNTS_CACHE_KEY: Final = "_amounts_cache"
_CACHED_KEYS: Final = (AMOUNTS_CACHE_KEY,)


def _fields_only(values: dict[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` without what is not a field (a cached derived value): dropped in place."""
    for key in _CACHED_KEYS:
        values.pop(key, None)
    if len(values) != len(fields):
        values = {k: values[k] for k in fields}
    return values


# --------------------------------------------------------------------------- rule reads
#: Names through which code can reach a model's fields without naming them.
_OPAQUE_NAMES: Final = frozenset(
    {
        "getattr",
        "vars",
        "__dict__",
        "__getattribute__",
        "__getattr__",
        "model_dump",
        "model_dump_json",
        "model_fields_set",
        "__pydantic_fields_set__",
        "model_copy",
        "__iter__",
        "__repr_args__",
        "__eq__",
        "__hash__",
        "__reduce__",
        "__getstate__",
        "locals",
        "eval",
        "exec",
        "attrgetter",
    }
)


def _codes(code: types.CodeType) -> Iterator[types.CodeType]:
    """``code`` and every code object nested in it (comprehensions, lambdas, inner functions)."""
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _callees(cls: type, name: str, globs: Mapping[str, Any]) -> Iterator[Callable[..., Any]]:
    """The Python functions a name in a rule's code may call.

    The model's own methods and properties (defined on its classes below `PaysupportModel`)
    and module-level functions; methods of other classes are not followed (they get
    values, not the model).
    """
    attr = None
    if not name.startswith("__"):
        for owner in cls.__mro__:
            if owner is PaysupportModel:
                break  # pydantic's and the base's own methods do not read a model's fields
            if name in owner.__dict__:
                attr = owner.__dict__[name]
                break
    if isinstance(attr, property):
        for f in (attr.fget, attr.fset):
            if f is not None:
                yield f
    elif isinstance(attr, staticmethod | classmethod):
        yield attr.__func__
    elif isinstance(attr, types.FunctionType):
        yield attr
    elif attr is not None and hasattr(attr, "func") and callable(attr.func):
        yield attr.func  # functools.cached_property and the like
    glob = globs.get(name)
    if glob is not None and hasattr(glob, "__wrapped__"):
        glob = inspect.unwrap(glob)  # functools.lru_cache, functools.wraps decorators
    if isinstance(glob, types.FunctionType):
        yield glob
    elif callable(glob) and not isinstance(glob, type | types.BuiltinFunctionType):
        yield _opaque  # a callable object (a partial, an instance): cannot tell what it reads


def _opaque(model: Any) -> Any:
    """Stands for code whose reads cannot be told: it counts as reading every field."""
    return getattr(model, "__dict__")  # noqa: B009


def _fields_read(
    cls: type, rule: Callable[..., Any], fields: frozenset[str]
) -> frozenset[str] | None:
    """The fields ``rule`` may read (None: any), from the names its code and callees use."""
    names: set[str] = set()
    seen: set[types.CodeType] = set()
    todo: list[Callable[..., Any]] = [rule]
    while todo:
        fn = inspect.unwrap(todo.pop())
        code = getattr(fn, "__code__", None)
        if not isinstance(code, types.CodeType):
            return None  # not Python code: cannot tell what it reads
        if code in seen:
            continue
        seen.add(code)
        globs = getattr(fn, "__globals__", {})
        for c in _codes(code):
            for name in c.co_names:
                names.add(name)
                todo.extend(_callees(cls, name, globs))
        for cell in getattr(fn, "__closure__", None) or ():
            try:
                inner = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if isinstance(inner, types.FunctionType):
                todo.append(inner)
            elif callable(inner) and not isinstance(inner, type | types.BuiltinFunctionType):
                todo.append(_opaque)
    if not names.isdisjoint(_OPAQUE_NAMES):
        return None
    return frozenset(names & fields)


def _parse_network(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Network):
        try:
            return Network.parse(value)
        except UnknownCode as exc:
            raise rule_error("", "network_known", str(exc)) from None
    return value


setattr(_parse_network, PASSES_INSTANCES, Network)  # a member comes back as it is
setattr(_pydantic_money, PASSES_INSTANCES, Money)  # Money comes back as it is
setattr(_pydantic_currency, PASSES_INSTANCES, Currency)  # so does a Currency


#: A card network, given as the enum or a name or alias (``"mc"``, ``"American Express"``).
NetworkName = Annotated[Network, BeforeValidator(_parse_network)]


_M = TypeVar("_M", bound=BaseModel)


def unvalidated_instance(cls: type[_M], values: dict[str, Any], fields_set: set[str]) -> _M:
    """An instance of ``cls`` holding ``values`` as they are (what ``model_construct`` does).

    The one place that builds a model without validating it: callers have validated the
    values already and run the rules that read them. ``values`` becomes the instance's
    ``__dict__`` and ``fields_set`` its fields-set, both as they are (not copied).
    """
    make = _CONSTRUCT.get(cls)
    if make is None:
        make = constructor(cls)
    new: _M = make((values, None, fields_set))
    return new


#: Per model class: its `constructor` (bounded by the number of model classes).
_CONSTRUCT: dict[type, Callable[[tuple[dict[str, Any], None, set[str]]], Any]] = {}


def constructor(cls: type[_M]) -> Callable[[tuple[dict[str, Any], None, set[str]]], _M]:
    """What `unvalidated_instance` calls for ``cls``: ``make((values, None, fields_set))``.

    pydantic-core's own model builder over a schema that validates nothing (``any``): it
    makes the instance (``cls.__new__``) and sets its ``__dict__``, fields-set, extra (None)
    and private attributes (None) in Rust, what four slot assignments in Python do, at about
    half the cost. pydantic-core reuses a class's own validator for a schema naming a class
    whose validator is a bare model schema (a plain pydantic model): one probe tells, and
    such a class gets the four assignments in Python. For a caller building many instances
    of one class (a lifecycle's next model).
    """
    make = _CONSTRUCT.get(cls)
    if make is None:
        schema: Any = {"type": "model", "cls": cls, "schema": {"type": "any"}}
        make = SchemaValidator(schema).validate_python
        probe: dict[str, Any] = {}
        try:
            built = make((probe, None, set()))
            builds = type(built) is cls and built.__dict__ is probe
        except pydantic.ValidationError:  # the class's own validator: it wants the fields
            builds = False
        if not builds:
            make = partial(_construct_in_python, cls)
        _CONSTRUCT[cls] = make
    return make


def _construct_in_python(cls: type[_M], parts: tuple[dict[str, Any], None, set[str]]) -> _M:
    """`constructor` for a class whose schema pydantic-core replaces by its own validator."""
    new = cls.__new__(cls)
    _set_dict(new, parts[0])
    _set_fields_set(new, parts[2])
    _set_extra(new, None)
    _set_private(new, None)
    return new


# The setters of BaseModel's slots, called directly (what ``object.__setattr__`` finds).
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


# --------------------------------------------------------------------------- fast validation
_UNBUILT: Final[Any] = object()
#: Per class: its fast validator (None: none, use the full one).
_FAST: dict[type, Any] = {}
#: Per class: its fast validator without text checks (JSON that cannot hold a card number).
_FAST_NO_TEXT: dict[type, Any] = {}
#: Per class: the card-number checks the fast validator still runs in Python (text fields
#: whose values may not pass a ``str`` schema), and the model rules.
_FAST_PLANS: dict[
    type, tuple[tuple[tuple[str, _Checker], ...], tuple[Callable[[Any], Any], ...]]
] = {}


def _is_pan_validator(fn: Any) -> bool:
    return getattr(fn, "__func__", fn) is getattr(
        PaysupportModel._no_card_numbers, "__func__", PaysupportModel._no_card_numbers
    )


def _no_pan(text: str) -> str:
    """The exact check of a text the fast pattern refused (non-ASCII, or long digit runs)."""
    if contains_pan(text):
        raise PydanticCustomError(PAN_RULE, "a full card number")
    return text


def _model_config(schema: Any, cls: type) -> Any:
    """The core config of the ``model`` schema of ``cls`` (None if not found)."""
    node = schema
    for _ in range(64):
        if not isinstance(node, dict):
            return None
        if node.get("type") == "model" and node.get("cls") is cls:
            return node.get("config")
        node = node.get("schema")
    return None


def _fast_plan(
    cls: type[PaysupportModel],
) -> tuple[tuple[tuple[str, _Checker], ...], tuple[_RuleFn, ...]]:
    """The card-number checks still run in Python on a fast-validated ``cls``, and its rules."""
    checks = dict(cls.__pan_checks__)
    names: frozenset[str] = frozenset()
    if checks:
        try:
            names = uncovered_text_fields(cls.__pydantic_core_schema__, cls, checks)
        except Exception:  # a schema we cannot read: scan every text field
            names = frozenset(checks)
    plan = (tuple((n, c) for n, c in cls.__pan_checks__ if n in names), cls.__own_rules__)
    _FAST_PLANS[cls] = plan
    return plan


_get_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__get__
#: Per class: the fields-set of the last model built, to share with the next alike.
_LAST_SET: dict[type, set[str]] = {}


def _fast_checks(model: PaysupportModel) -> PaysupportModel:
    """What the fast validator runs on each model built: the rules, no full text scan.

    Its texts passed the card-number pattern (or the exact check) in the schema, except the
    fields `_fast_plan` names, scanned here. The fields-set is shared as in a full validation.
    """
    cls = type(model)
    given = _get_fields_set(model)
    last = _LAST_SET.get(cls)
    if last is not None and last == given:
        _set_fields_set(model, last)
    else:
        model._share_fields_set()
        _LAST_SET[cls] = _get_fields_set(model)
    plan = _FAST_PLANS.get(cls) or _fast_plan(cls)
    if plan[0]:
        model._check_pans(plan[0])
    for check in plan[1]:
        check(model)
    return model


def _fast_checks_for(cls: type | None) -> Callable[[Any], Any]:
    """`_fast_checks` for the models of ``cls``, with its plan and last fields-set at hand."""
    if cls is None:
        return _fast_checks
    shared: Any = None  # the fields-set of the last model built, to share with the next
    plan: Any = None  # the class's `_fast_plan`, found on first use (the class is complete)
    own: Any = cls

    def checks(model: Any) -> Any:
        nonlocal shared, plan
        if type(model) is not own:  # an instance of a subclass, given as it is
            return _fast_checks(model)
        given = model.__pydantic_fields_set__  # the slot as an attribute: cheaper than its getter
        if given == shared:
            _set_fields_set(model, shared)
        else:
            model._share_fields_set()
            shared = model.__pydantic_fields_set__
        if plan is None:
            plan = _FAST_PLANS.get(own) or _fast_plan(own)
        pans, rules = plan
        if pans:
            model._check_pans(pans)
        for check in rules:
            check(model)
        return model

    return checks


# --------------------------------------------------------------------------- plain values
#: Per class: field name -> a test of values the field's schema returns as they are.
_ACCEPT: dict[type, dict[str, Callable[[Any], bool]]] = {}
_DATETIME_KEYS: Final = frozenset({"type", "tz_constraint", "microseconds_precision", "metadata"})
_ENUM_KEYS: Final = frozenset({"type", "cls", "members", "sub_type", "metadata", "ref"})
#: A plain validator function's keys that change nothing of what it returns.
_PLAIN_FUNCTION_KEYS: Final = frozenset(
    {"type", "function", "json_schema_input_schema", "metadata", "serialization", "ref"}
)


def _aware(value: Any) -> bool:
    if type(value) is not datetime:
        return False
    tz = value.tzinfo
    # A ``timezone`` always gives its fixed offset; another tzinfo may give None.
    return type(tz) is timezone or (tz is not None and value.utcoffset() is not None)


def _aware_or_none(value: Any) -> bool:
    # `_aware` or None, written out: a call less per value (a lifecycle effect's deadline).
    if value is None:
        return True
    if type(value) is not datetime:
        return False
    tz = value.tzinfo
    return type(tz) is timezone or (tz is not None and value.utcoffset() is not None)


def _plain_accept(node: Any) -> Callable[[Any], bool] | None:
    """A test of the values a field schema ``node`` returns unchanged, or None (ask pydantic).

    Only the simplest schemas: an aware or any ``datetime`` without bounds, an enum (its own
    members), an `Identifier`, ``bool``, an ``int`` without bounds, a plain validator
    marked `PASSES_INSTANCES` (an instance of exactly its class); each may be optional.
    """
    if not isinstance(node, dict):
        return None
    kind = node.get("type")
    if kind == "default":
        return _plain_accept(node.get("schema"))
    if kind == "nullable":
        inner = _plain_accept(node.get("schema"))
        if inner is None:
            return None
        if inner is _aware:
            return _aware_or_none
        return lambda v: v is None or inner(v)
    if kind == "datetime" and node.keys() <= _DATETIME_KEYS:
        tz = node.get("tz_constraint")
        if tz == "aware":
            return _aware
        if tz is None:
            return lambda v: type(v) is datetime
        return None
    if kind == "enum" and node.keys() <= _ENUM_KEYS and node.get("missing") is None:
        enum_cls = node["cls"]
        return lambda v: type(v) is enum_cls
    if kind == "function-plain" and node.keys() <= _PLAIN_FUNCTION_KEYS:
        # A function marked to return an instance of the class it names as it is (Money,
        # Currency, a network): the fast validator takes one without the call, and so do we.
        passes = getattr((node.get("function") or {}).get("function"), PASSES_INSTANCES, None)
        if isinstance(passes, type):
            return lambda v: type(v) is passes
        return None
    if node == _IDENTIFIER_SCHEMA:  # an `Identifier`: what `plain_id` takes, as it is
        return plain_id
    if kind == "bool" and node.keys() <= {"type", "metadata"}:
        return lambda v: type(v) is bool
    if kind == "int" and node.keys() <= {"type", "metadata"}:
        return lambda v: type(v) is int
    return None


#: Texts `plain_id` found plain, remembered (bounded): the same ids recur event after event.
_PLAIN_IDS: set[str] = set()
_MAX_PLAIN_IDS: Final = 4096
#: An `Identifier`'s core schema and field metadata (a field with exactly these is one).
_IDENTIFIER_SCHEMA: Final = TypeAdapter(Identifier).core_schema
_IDENTIFIER_METADATA: Final = list(get_args(Identifier)[1:])


def no_card_number(text: str) -> bool:
    """True when an ASCII ``text`` cannot hold a card number (what the models' check skips)."""
    return len(text) < _PAN_MIN or not may_contain_pan(text)


def plain_id(value: object) -> bool:
    """True when an `Identifier` field takes ``value`` as it is (no error, no change).

    Printable ASCII without a space (no whitespace in any definition), 1-255 characters, no
    card number possible. Other values (which may still be valid) go through pydantic.
    Texts found plain are remembered (bounded): ids repeat.
    """
    if type(value) is not str:
        return False
    if value in _PLAIN_IDS:
        return True
    plain = (
        0 < len(value) <= IDENTIFIER_MAX
        and value.isascii()
        and value.isprintable()
        and " " not in value
        and no_card_number(value)
    )
    if plain and len(_PLAIN_IDS) < _MAX_PLAIN_IDS:
        _PLAIN_IDS.add(value)  # at most 255 characters each
    return plain


def _plain_accepts(cls: type[PaysupportModel]) -> dict[str, Callable[[Any], bool]]:
    """`_plain_accept` of every field of ``cls`` that has one (from its core schema)."""
    found: dict[str, Callable[[Any], bool]] = {}
    schema: Any = cls.__pydantic_core_schema__
    node = schema
    for _ in range(64):  # down to the model-fields schema, through model-level validators
        if not isinstance(node, dict) or node.get("type") == "model-fields":
            break
        node = node.get("schema")
    fields = node.get("fields", {}) if isinstance(node, dict) else {}
    for name, field in fields.items():
        test = _plain_accept(field.get("schema"))
        metadata = cls.model_fields[name].metadata
        if test is not None and (not metadata or metadata == _IDENTIFIER_METADATA):
            found[name] = test
    _ACCEPT[cls] = found
    return found


#: ``(fields-set, names)`` -> the shared fields-set with ``names`` added (bounded).
_UNIONS: dict[tuple[int, tuple[str, ...]], tuple[set[str], set[str]]] = {}


def _given_with(given: set[str], update: Collection[str]) -> set[str]:
    """``given | set(update)``, one shared set per (set, names) (pydantic never mutates it).

    ``update``: the names added (a mapping adds its keys).
    """
    key = (id(given), tuple(update))
    found = _UNIONS.get(key)
    if found is not None and found[0] is given:
        return found[1]
    merged = given | set(update)
    shared = _SHARED_FIELDS_SETS.get(frozenset(merged))
    if shared is None and len(_SHARED_FIELDS_SETS) < _MAX_SHARED_FIELDS_SETS:
        shared = _SHARED_FIELDS_SETS[frozenset(merged)] = merged
    result = shared if shared is not None else merged
    if len(_UNIONS) < _MAX_SHARED_FIELDS_SETS:
        _UNIONS[key] = (given, result)  # keeps ``given`` alive: its id cannot be reused
    return result
