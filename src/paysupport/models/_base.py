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

**Changes validate only what changed.** `PaysupportModel.evolve` validates the changed
fields against their own types, copies the rest (already valid, immutable) and runs every
model rule (the ``mode="after"`` validators, card-number boundary included) on the result:
the same checks and the same errors as a full validation, at the cost of what changed.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from enum import Enum
from typing import Annotated, Any, ClassVar, Final, Self, Union, get_args, get_origin

import pydantic
from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints, TypeAdapter
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from paysupport.errors import ModelValidationError, RuleViolation, UnknownCode
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
    "rule_error",
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

#: An identifier: 1–255 printable characters without spaces (ids of the host or a provider).
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^\S+$")]

#: A PSP's card fingerprint: a stable hash of the card number, never the number itself.
Fingerprint = Annotated[str, StringConstraints(min_length=4, max_length=128)]

#: Free text (notes, descriptions, customer messages). Full card numbers are masked on the
#: way into a model, so no repr, str or JSON of a model can show one.
SafeText = Annotated[str, StringConstraints(max_length=20_000), FREE_TEXT]


def rule_error(field: str, rule: str, message: str) -> PydanticCustomError:
    """Build the error a validator raises so the field and the rule's code reach the user.

    Args:
        field: the field, relative to the model that raises (``"refunds"``,
            ``"disputes.0.amount"``).
        rule: the rule's stable snake_case code.
        message: a sentence for people.
    """
    return PydanticCustomError(rule, "{message}", {"message": message, "field": field})


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
    #: Per class: the ``mode="after"`` model rules, in the order pydantic runs them.
    __rules__: ClassVar[tuple[Callable[[Any], Any], ...]] = ()
    __field_adapters__: ClassVar[dict[str, TypeAdapter[Any]]]

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
        cls.__rules__ = tuple(
            dec.func
            for name, dec in cls.__pydantic_decorators__.model_validators.items()
            if dec.info.mode == "after" and name != "_no_card_numbers"
        )
        cls.__field_adapters__ = {}

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except pydantic.ValidationError as exc:
            raise ModelValidationError(type(self).__name__, _violations(exc)) from None

    # Not a "custom" __init__ for pydantic: nested models validate inside pydantic-core.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @pydantic.model_validator(mode="after")
    def _no_card_numbers(self) -> Self:
        self._share_fields_set()
        if _PAN_SCANNED.get():
            return self
        self._check_pans(self.__pan_checks__)
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
        try:
            return super().model_validate(obj, **options)
        except pydantic.ValidationError as exc:
            raise ModelValidationError(cls.__name__, _violations(exc)) from None

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **options: Any) -> Self:
        """Validate JSON; raise ``ModelValidationError`` on a broken rule.

        A document with no 12 digits joined by separators anywhere (and no escapes) cannot
        hold a card number, so its text fields skip the per-field scan.
        """
        token = _PAN_SCANNED.set(not may_contain_pan(json_data))
        try:
            return super().model_validate_json(json_data, **options)
        except pydantic.ValidationError as exc:
            raise ModelValidationError(cls.__name__, _violations(exc)) from None
        finally:
            _PAN_SCANNED.reset(token)

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
        validation would); then every model rule runs on the result. Same errors as
        building the model again from all its fields, at the cost of what changed.

        Raises:
            ModelValidationError: a changed field or a model rule is broken; nothing changed.
        """
        cls = type(self)
        fields = cls.model_fields
        if any(name not in fields for name in changes):
            data = {name: getattr(self, name) for name in fields}
            data.update(changes)
            return cls(**data)
        validated: dict[str, Any] = {}
        broken: list[RuleViolation] = []
        for name in fields:
            if name not in changes:
                continue
            try:
                validated[name] = cls._adapter(name).validate_python(changes[name])
            except pydantic.ValidationError as exc:
                broken.extend(_violations(exc, prefix=name))
        if broken:
            raise ModelValidationError(cls.__name__, broken)
        return self._derive(validated)

    def _derive(self, validated: Mapping[str, Any]) -> Self:
        """A copy with already-validated field values, after every model rule has passed.

        The building block of the fast paths: the values must have passed their field's
        validation (or be parts of valid models); the card-number checks of those fields and
        all the model rules run here.
        """
        new = self.model_copy(update=dict(validated))
        checks = tuple((n, c) for n, c in self.__pan_checks__ if n in validated)
        try:
            new._check_pans(checks)
            for rule in self.__rules__:
                rule(new)
            new._share_fields_set()
        except PydanticCustomError as exc:
            field = str((exc.context or {}).get("field") or "__root__")
            message = mask_pans(exc.message())
            raise ModelValidationError(
                type(self).__name__, [RuleViolation(field, exc.type, message)]
            ) from None
        return new


def _parse_network(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Network):
        try:
            return Network.parse(value)
        except UnknownCode as exc:
            raise rule_error("", "network_known", str(exc)) from None
    return value


#: A card network, given as the enum or a name or alias (``"mc"``, ``"American Express"``).
NetworkName = Annotated[Network, BeforeValidator(_parse_network)]
