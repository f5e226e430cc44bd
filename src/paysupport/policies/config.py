"""Policies as data: typed parameters, a kind registry, and the dict / TOML round trip.

A tunable policy is a frozen attrs class that derives from ``PolicyBase`` and declares
each parameter with ``param``, giving the pydantic schema that validates it (the
building blocks below: ``Count``, ``Int``, ``Flag``, ``Probability``,
``Text``, ``Exact``, ``CurrencyCode``, ``OneOf``, ``Table``, ``Items``,
``NestedPolicy``, ``Record``). Validation runs once, in the attrs converter, when the
policy is built; mappings are kept as tuples of ``(key, value)`` pairs sorted by key, so a
policy stays hashable and compares equal whatever the key order. A bad value raises
``PolicyConfigError`` whose ``field`` is the key's dotted path
(``routes.vip.auto_approve_limit.EUX``) and whose ``rule`` is a stable code.

A user-written policy is a few lines:

    >>> from datetime import datetime
    >>> import attrs
    >>> from paysupport.policies import (
    ...     Decision, PolicyBase, Reason, RefundContext, Verdict, param, register_kind,
    ... )
    >>> from paysupport.policies.config import Int
    >>> @register_kind("no_refunds_on_day")
    ... @attrs.frozen(slots=False)
    ... class NoRefundsOnDay(PolicyBase):
    ...     '''Send every refund asked on one weekday to review.'''
    ...
    ...     CONTEXT = RefundContext
    ...     weekday: int = param(Int(0, 6), 6)
    ...
    ...     def decide(self, ctx: RefundContext, now: datetime) -> Decision:
    ...         if now.weekday() != self.weekday:
    ...             return Decision(Verdict.PASS, (), self.info)
    ...         why = Reason("refund_day", "weekday", (("day", self.weekday),), "day {day}")
    ...         return Decision(Verdict.REVIEW, (why,), self.info)
    >>> NoRefundsOnDay.from_dict({"weekday": 2}).to_dict()
    {'kind': 'no_refunds_on_day', 'weekday': 2}

    >>> from paysupport.policies import from_toml, to_dict
    >>> policy = from_toml('''
    ... kind = "route_by_segment"
    ... [default]
    ... kind = "refund_fairness"
    ... [routes.vip]
    ... kind = "refund_fairness"
    ... auto_approve_limit = { EUR = 200000 }
    ... ''')
    >>> to_dict(policy)["routes"]["vip"]["auto_approve_limit"]
    {'EUR': 200000}

The host reads files; this module only parses the text it is given (``tomllib.loads``).
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import Enum
from functools import cached_property
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Literal, TypeVar

import attrs
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainSerializer,
    PlainValidator,
    TypeAdapter,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from paysupport.errors import PolicyConfigError, UnknownCurrency
from paysupport.money import currency

from .decision import PolicyInfo

__all__ = [
    "Count",
    "CurrencyCode",
    "Exact",
    "Flag",
    "Int",
    "Items",
    "NestedPolicy",
    "OneOf",
    "PolicyBase",
    "Probability",
    "Record",
    "Table",
    "Text",
    "from_dict",
    "from_toml",
    "kind_registry",
    "param",
    "register_kind",
    "to_dict",
]

T = TypeVar("T")

# ---------------------------------------------------------------------- schema blocks


def Int(low: int | None = 0, high: int | None = None) -> Any:  # noqa: N802 (a type factory)
    """An ``int`` within ``[low, high]`` (bools and floats refused)."""
    return Annotated[int, Field(strict=True, ge=low, le=high)]


#: A whole number, zero or more.
Count: Any = Int(0)
#: ``true`` or ``false`` (no ``"yes"``, no ``1``).
Flag: Any = Annotated[bool, Field(strict=True)]
#: A non-empty string.
Text: Any = Annotated[str, Field(strict=True, min_length=1)]


def _exact(value: Any) -> Any:
    if isinstance(value, float):
        raise PydanticCustomError(
            "no_float",
            "{value} is a float; write the number as a string so it stays exact",
            {"value": repr(value)},
        )
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise PydanticCustomError("decimal_expected", "expected a decimal number")
    return value


def Exact(low: Decimal | None = Decimal(0), high: Decimal | None = None) -> Any:  # noqa: N802
    """An exact ``Decimal`` within ``[low, high]``, from a string, int or Decimal (no floats)."""
    return Annotated[Decimal, BeforeValidator(_exact), Field(ge=low, le=high, allow_inf_nan=False)]


#: An exact decimal in ``[0, 1]`` (a chance, a fraction of a window).
Probability: Any = Exact(Decimal(0), Decimal(1))


def _currency(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("currency_code", "expected a currency code")
    try:
        return currency(value).code
    except UnknownCurrency as exc:
        raise PydanticCustomError(
            "unknown_currency", "{message}", {"message": exc.message}
        ) from None


#: An ISO 4217 currency code, kept in upper case.
CurrencyCode: Any = Annotated[str, PlainValidator(_currency, json_schema_input_type=str)]


def OneOf(*choices: str) -> Any:  # noqa: N802 (a type factory)
    """One of the given strings."""
    return Literal.__getitem__(choices)


def _key(key: Any) -> Any:
    return key.value if isinstance(key, Enum) else key


def _from_pairs(value: Any) -> Any:
    if isinstance(value, tuple) and all(isinstance(i, tuple) and len(i) == 2 for i in value):
        return {_key(k): v for k, v in value}
    return value


def _to_pairs(value: dict[Any, Any]) -> tuple[tuple[Any, Any], ...]:
    return tuple(sorted(value.items(), key=lambda kv: str(_key(kv[0]))))


def Table(key: Any, value: Any) -> Any:  # noqa: N802 (a type factory)
    """A mapping, kept as ``(key, value)`` pairs sorted by key, dumped as a plain dict."""
    plain: Any = dict[key, value]
    dumper: list[TypeAdapter[Any]] = []

    def dump(pairs: tuple[tuple[Any, Any], ...]) -> Any:
        if not dumper:
            dumper.append(TypeAdapter(plain))
        return dumper[0].dump_python(dict(pairs), mode="json")

    return Annotated[
        plain, BeforeValidator(_from_pairs), AfterValidator(_to_pairs), PlainSerializer(dump)
    ]


def _ascending(value: tuple[Any, ...]) -> tuple[Any, ...]:
    if any(a > b for a, b in itertools.pairwise(value)):
        raise PydanticCustomError("not_ascending", "the values must be in ascending order")
    return value


def Items(item: Any, min_len: int = 0, *, ascending: bool = False) -> Any:  # noqa: N802
    """A list, kept as a tuple; at least ``min_len`` items; ``ascending`` checks the order."""
    checks: list[Any] = [Field(min_length=min_len)]
    if ascending:
        checks.append(AfterValidator(_ascending))
    return Annotated[tuple[item, ...], *checks]


def _nested(value: Any) -> Any:
    if isinstance(value, Mapping):
        try:
            return load_policy(value)
        except PolicyConfigError as exc:
            raise PydanticCustomError(
                exc.rule, "{message}", {"message": exc.message, "sub": exc.field}
            ) from None
    if callable(getattr(value, "decide", None)) and callable(getattr(value, "to_dict", None)):
        return value
    raise PydanticCustomError("policy_expected", "expected a policy or a table with 'kind'")


#: A nested policy: an instance, or a table with a ``kind`` key.
NestedPolicy: Any = Annotated[Any, PlainValidator(_nested), PlainSerializer(lambda p: p.to_dict())]


def Record(cls: type[Any]) -> Any:  # noqa: N802 (a type factory)
    """A small attrs record whose fields are ``param`` s, given as a table."""

    def load(value: Any) -> Any:
        if isinstance(value, cls):
            return value
        if not isinstance(value, Mapping):
            raise PydanticCustomError("table_expected", "expected a table")
        try:
            return build(cls, value)
        except PolicyConfigError as exc:
            raise PydanticCustomError(
                exc.rule, "{message}", {"message": exc.message, "sub": exc.field}
            ) from None

    return Annotated[cls, PlainValidator(load), PlainSerializer(dump_params)]


# ---------------------------------------------------------------------- fields

_SCHEMA = "paysupport.schema"
_ADAPTERS: dict[tuple[type[Any], str], TypeAdapter[Any]] = {}
# Our stable rule codes for pydantic's error types (the rest keep pydantic's own code).
_RULES: Mapping[str, str] = MappingProxyType(
    {
        "int_type": "int_expected",
        "int_parsing": "int_expected",
        "int_from_float": "int_expected",
        "greater_than_equal": "out_of_range",
        "less_than_equal": "out_of_range",
        "bool_type": "bool_expected",
        "bool_parsing": "bool_expected",
        "dict_type": "table_expected",
        "tuple_type": "array_expected",
        "list_type": "array_expected",
        "enum": "unknown_value",
        "literal_error": "unknown_value",
        "string_type": "text_expected",
        "string_too_short": "text_expected",
        "decimal_type": "decimal_expected",
        "decimal_parsing": "decimal_expected",
        "finite_number": "decimal_expected",
    }
)


def _join(*parts: object) -> str:
    return ".".join(str(p) for p in parts if p != "")


def _adapter(cls: type[Any], field: attrs.Attribute[Any]) -> TypeAdapter[Any]:
    found = _ADAPTERS.get((cls, field.name))
    if found is None:
        found = _ADAPTERS[(cls, field.name)] = TypeAdapter(field.metadata[_SCHEMA])
    return found


def _config_error(field: str, exc: ValidationError) -> PolicyConfigError:
    err = exc.errors(include_url=False)[0]
    loc = [str(p) for p in err["loc"] if p != "[key]"]
    ctx = err.get("ctx") or {}
    path = _join(field, *loc, ctx.get("sub", ""))
    return PolicyConfigError(path, _RULES.get(err["type"], err["type"]), err["msg"])


def _convert(value: Any, self: Any, field: attrs.Attribute[Any]) -> Any:
    try:
        return _adapter(type(self), field).validate_python(value)
    except ValidationError as exc:
        raise _config_error(field.name, exc) from None


def param(
    schema: Any, default: Any = attrs.NOTHING, *, factory: Any = None, validator: Any = None
) -> Any:
    """An attrs field that is a tunable parameter, validated by the pydantic ``schema``.

    Args:
        schema: the type that validates and dumps the value (``Int(0)``, ``Table(...)``...).
        default: the default value (plain data is fine: it is validated like any input).
        factory: a callable giving the default, for mutable defaults.
        validator: an attrs validator run after the conversion (cross-field checks).
    """
    return attrs.field(
        default=default,
        factory=factory,
        validator=validator,
        converter=attrs.Converter(_convert, takes_self=True, takes_field=True),
        metadata={_SCHEMA: schema},
    )


def _params(cls: type[Any]) -> list[attrs.Attribute[Any]]:
    return [a for a in attrs.fields(cls) if _SCHEMA in a.metadata]


def _dump(cls: type[Any], a: attrs.Attribute[Any], value: Any) -> Any:
    return _adapter(cls, a).dump_python(value, mode="json")


def dump_params(obj: Any, *, full: bool = True) -> dict[str, Any]:
    """The parameters of ``obj`` as a plain dict (``full=False`` leaves out defaults)."""
    cls = type(obj)
    out: dict[str, Any] = {}
    for a in _params(cls):
        value = _dump(cls, a, getattr(obj, a.name))
        if not full and a.default is not attrs.NOTHING:
            default: Any = a.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                default = default.factory()
            if _dump(cls, a, _convert(default, obj, a)) == value:
                continue
        out[a.name] = value
    return out


def build(
    cls: type[T], data: Mapping[str, Any], path: str = "", *, skip: tuple[str, ...] = ()
) -> T:
    """Build ``cls`` from ``data``; unknown keys, missing keys and bad values name their path."""
    if not isinstance(data, Mapping):
        raise PolicyConfigError(
            path or "<root>", "table_expected", f"expected a table, got {data!r}"
        )
    names = {a.name for a in _params(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key in skip:
            continue
        if key not in names:
            known = ", ".join(sorted(names))
            raise PolicyConfigError(
                _join(path, key),
                "unknown_key",
                f"unknown key {key!r} for {cls.__name__}; known keys: {known}",
            )
        kwargs[key] = value
    for a in _params(cls):
        if a.default is attrs.NOTHING and a.name not in kwargs:
            raise PolicyConfigError(
                _join(path, a.name), "missing_key", f"{cls.__name__} needs the key {a.name!r}"
            )
    try:
        return cls(**kwargs)
    except PolicyConfigError as exc:
        raise PolicyConfigError(_join(path, exc.field), exc.rule, exc.message) from None


# ---------------------------------------------------------------------- kinds

_KINDS: dict[str, type[Any]] = {}


def register_kind(kind: str) -> Callable[[type[T]], type[T]]:
    """Class decorator: make a policy class buildable from ``{"kind": kind, ...}``.

    Hosts register their own kinds the same way; the class needs a ``from_dict(data, path)``
    classmethod and a ``to_dict()`` method (``PolicyBase`` gives both).

    Raises:
        PolicyConfigError: ``kind`` is already registered to another class.
    """

    def deco(cls: type[T]) -> type[T]:
        if kind in _KINDS and _KINDS[kind].__qualname__ != cls.__qualname__:
            raise PolicyConfigError("kind", "duplicate_kind", f"policy kind {kind!r} is taken")
        _KINDS[kind] = cls
        cls.KIND = kind  # type: ignore[attr-defined]
        return cls

    return deco


def kind_registry() -> Mapping[str, type[Any]]:
    """The registered policy kinds (a read-only view)."""
    return MappingProxyType(_KINDS)


def load_policy(data: Mapping[str, Any], path: str = "") -> Any:
    """Build any registered policy from a dict with a ``kind`` key."""
    if not isinstance(data, Mapping):
        raise PolicyConfigError(
            path or "<root>", "table_expected", f"expected a table, got {data!r}"
        )
    kind = data.get("kind")
    if kind is None:
        raise PolicyConfigError(
            _join(path, "kind"), "missing_kind", "a policy table needs a 'kind' key"
        )
    cls = _KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        known = ", ".join(sorted(_KINDS))
        raise PolicyConfigError(
            _join(path, "kind"), "unknown_kind", f"unknown policy kind {kind!r}; known: {known}"
        )
    return cls.from_dict(data, path)


def from_dict(data: Mapping[str, Any]) -> Any:
    """Build the policy a dict describes (its ``kind`` names the class).

    Raises:
        PolicyConfigError: an unknown kind or key, or a bad value (``field`` names the key).
    """
    return load_policy(data)


def toml_table(text: str, table: str | None = None) -> tuple[Any, str]:
    """Parse TOML ``text`` and return the (dotted) ``table`` in it, with its path.

    Raises:
        PolicyConfigError: the text is not TOML, or the table is missing.
    """
    try:
        data: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyConfigError("<toml>", "toml_syntax", str(exc)) from None
    path = ""
    for part in table.split(".") if table else ():
        path = _join(path, part)
        if not isinstance(data, Mapping) or part not in data:
            raise PolicyConfigError(path, "missing_table", f"no table {path!r} in the TOML")
        data = data[part]
    return data, path


def from_toml(text: str, table: str | None = None) -> Any:
    """Build a policy from TOML text (or from its ``table``, a dotted path into it).

    Raises:
        PolicyConfigError: the text is not TOML, the table is missing, or the policy is
            invalid (``field`` names the key).
    """
    data, path = toml_table(text, table)
    return load_policy(data, path)


def to_dict(policy: Any, *, full: bool = True) -> dict[str, Any]:
    """The policy's plain dict (``full=False`` leaves out parameters at their default)."""
    result: dict[str, Any] = policy.to_dict() if full else policy.to_dict(full=False)
    return result


# ---------------------------------------------------------------------- the base


class PolicyBase:
    """Base of every tunable policy: dict/TOML round trip, fingerprint, info, pickling.

    Subclass it with ``@register_kind("my_kind")`` and ``@attrs.frozen(slots=False)``, declare
    the parameters with ``param``, set ``CONTEXT`` to the context class ``decide`` reads,
    and write ``decide(ctx, now) -> Decision``. Lookups derived from the parameters go in
    ``functools.cached_property`` s (computed once per instance, never compared).
    """

    KIND: ClassVar[str] = ""
    #: The context class ``decide`` reads (``RefundContext``...); ``None`` for combinators.
    CONTEXT: ClassVar[type[Any] | None] = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "") -> Any:
        """Build from a plain dict; ``kind``, if present, must be this class's kind.

        Raises:
            PolicyConfigError: a wrong kind, an unknown key or a bad value.
        """
        kind = data.get("kind", cls.KIND) if isinstance(data, Mapping) else cls.KIND
        if kind != cls.KIND:
            raise PolicyConfigError(
                _join(path, "kind"), "wrong_kind", f"expected kind {cls.KIND!r}, got {kind!r}"
            )
        return build(cls, data, path, skip=("kind",))

    def to_dict(self, *, full: bool = True) -> dict[str, Any]:
        """The policy as a plain dict with its ``kind``; ``full=False`` omits defaults."""
        return {"kind": self.KIND, **dump_params(self, full=full)}

    @cached_property
    def info(self) -> PolicyInfo:
        """The policy's kind, parameters and fingerprint, shared by all its decisions."""
        return PolicyInfo.of(self.to_dict())

    @property
    def fingerprint(self) -> str:
        """sha256 of the canonical JSON of ``to_dict``: same parameters, same value."""
        return self.info.fingerprint

    @property
    def name(self) -> str:
        """The policy's kind."""
        return self.KIND

    def decide_many(self, contexts: Any, now: Any) -> list[Any]:
        """Decide each of ``contexts`` at the same ``now``, in order."""
        decide: Any = getattr(self, "decide")  # noqa: B009 (declared by subclasses)
        return [decide(c, now) for c in contexts]

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (_rebuild, (type(self), self.to_dict()))


def _rebuild(cls: type[Any], data: dict[str, Any]) -> Any:
    return cls.from_dict(data)
