"""Parameters as data: codecs that validate, freeze and dump policy parameters.

Every built-in policy is a frozen attrs class whose fields carry a :class:`Codec` in their
metadata (see :func:`param`). The codec turns a plain value (from a dict or TOML) into the
frozen value the policy keeps (mappings become sorted tuples of pairs, so policies stay
hashable and compare equal whatever the key order), and back. A bad value raises
:class:`~paysupport.errors.PolicyConfigError` naming the key.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import attrs

from paysupport.errors import PolicyConfigError, UnknownCurrency
from paysupport.money import currency

from .decision import PolicyInfo

__all__ = [
    "BoolCodec",
    "Codec",
    "DecimalCodec",
    "EnumCodec",
    "IntCodec",
    "MapCodec",
    "PolicyBase",
    "PolicyCodec",
    "TextCodec",
    "TupleCodec",
    "currency_code",
    "kind_registry",
    "load_policy",
    "param",
    "register_kind",
]

T = TypeVar("T")
E = TypeVar("E", bound=Enum)


def _err(path: str, rule: str, message: str) -> PolicyConfigError:
    return PolicyConfigError(path, rule, message)


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    return f"{prefix}.{path}" if path else prefix


class Codec(Protocol[T]):
    """Validates one parameter from plain data and dumps it back."""

    def load(self, value: Any, path: str) -> T:
        """Validate ``value`` (plain or already loaded) and return the frozen value."""
        ...

    def dump(self, value: T) -> Any:
        """The plain (JSON/TOML-friendly) form of a loaded value."""
        ...


@attrs.frozen
class IntCodec:
    """An ``int`` within ``[low, high]`` (bools and floats refused)."""

    low: int | None = 0
    high: int | None = None

    def load(self, value: Any, path: str) -> int:
        """Validate an integer."""
        if isinstance(value, bool) or not isinstance(value, int):
            raise _err(path, "int_expected", f"expected an integer, got {value!r}")
        if self.low is not None and value < self.low:
            raise _err(path, "out_of_range", f"{value} is below the minimum {self.low}")
        if self.high is not None and value > self.high:
            raise _err(path, "out_of_range", f"{value} is above the maximum {self.high}")
        return value

    def dump(self, value: int) -> int:
        """Return the integer."""
        return value


@attrs.frozen
class BoolCodec:
    """A ``bool``."""

    def load(self, value: Any, path: str) -> bool:
        """Validate a boolean."""
        if not isinstance(value, bool):
            raise _err(path, "bool_expected", f"expected true or false, got {value!r}")
        return value

    def dump(self, value: bool) -> bool:
        """Return the boolean."""
        return value


@attrs.frozen
class TextCodec:
    """A non-empty string, optionally one of ``choices``."""

    choices: tuple[str, ...] = ()
    allow_empty: bool = False

    def load(self, value: Any, path: str) -> str:
        """Validate a string."""
        if not isinstance(value, str) or (not value and not self.allow_empty):
            raise _err(path, "text_expected", f"expected a non-empty string, got {value!r}")
        if self.choices and value not in self.choices:
            raise _err(path, "unknown_value", f"{value!r} is not one of {', '.join(self.choices)}")
        return value

    def dump(self, value: str) -> str:
        """Return the string."""
        return value


@attrs.frozen
class EnumCodec(Generic[E]):
    """A member of a string enum, given as the member or its value."""

    enum: type[E]

    def load(self, value: Any, path: str) -> E:
        """Validate an enum member or value."""
        if isinstance(value, self.enum):
            return value
        try:
            return self.enum(value)
        except ValueError:
            known = ", ".join(str(m.value) for m in self.enum)
            raise _err(path, "unknown_value", f"{value!r} is not one of {known}") from None

    def dump(self, value: E) -> Any:
        """The member's value."""
        return value.value


@attrs.frozen
class DecimalCodec:
    """An exact ``Decimal`` within ``[low, high]``, from a string, int or Decimal (no floats)."""

    low: Decimal | None = Decimal(0)
    high: Decimal | None = None

    def load(self, value: Any, path: str) -> Decimal:
        """Validate an exact decimal."""
        if isinstance(value, float):
            raise _err(
                path,
                "no_float",
                f"{value!r} is a float; write the number as a string ({str(value)!r}) "
                "so it stays exact",
            )
        if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
            raise _err(path, "decimal_expected", f"expected a decimal number, got {value!r}")
        try:
            d = Decimal(value)
        except InvalidOperation:
            raise _err(path, "decimal_expected", f"{value!r} is not a number") from None
        if not d.is_finite():
            raise _err(path, "decimal_expected", f"{value!r} is not finite")
        if self.low is not None and d < self.low:
            raise _err(path, "out_of_range", f"{value} is below the minimum {self.low}")
        if self.high is not None and d > self.high:
            raise _err(path, "out_of_range", f"{value} is above the maximum {self.high}")
        return d

    def dump(self, value: Decimal) -> str:
        """The decimal as a string (exact)."""
        return str(value)


def currency_code(value: Any, path: str) -> str:
    """Validate an ISO 4217 code and return it in upper case."""
    if not isinstance(value, str):
        raise _err(path, "currency_code", f"expected a currency code, got {value!r}")
    try:
        return currency(value).code
    except UnknownCurrency as exc:
        raise _err(path, "unknown_currency", exc.message) from None


@attrs.frozen
class CurrencyKey:
    """A key that is an ISO 4217 currency code."""

    def load(self, value: Any, path: str) -> str:
        """Validate a currency code."""
        return currency_code(value, path)

    def dump(self, value: str) -> str:
        """Return the code."""
        return value


@attrs.frozen
class MapCodec(Generic[T]):
    """A mapping, kept as a tuple of ``(key, value)`` pairs sorted by key.

    ``keys`` validates each key (a currency, an enum value, any text), ``values`` each value.
    The error for a bad entry names it: ``refund_window_days.card``.
    """

    keys: Codec[Any]
    values: Codec[T]

    def load(self, value: Any, path: str) -> tuple[tuple[Any, T], ...]:
        """Validate a mapping (or an already loaded tuple of pairs)."""
        if isinstance(value, tuple):
            items = list(value)
        elif isinstance(value, Mapping):
            items = list(value.items())
        else:
            raise _err(path, "table_expected", f"expected a table (mapping), got {value!r}")
        out: dict[Any, T] = {}
        for item in items:
            if not (isinstance(item, tuple) and len(item) == 2):
                raise _err(path, "table_expected", f"expected (key, value) pairs, got {item!r}")
            raw_key, raw_val = item
            sub = _join(path, str(getattr(raw_key, "value", raw_key)))
            key = self.keys.load(raw_key, sub)
            if key in out:
                raise _err(sub, "duplicate_key", f"{raw_key!r} is given twice")
            out[key] = self.values.load(raw_val, sub)
        return tuple(sorted(out.items(), key=lambda kv: str(_dump_key(kv[0]))))

    def dump(self, value: tuple[tuple[Any, T], ...]) -> dict[str, Any]:
        """The pairs as a plain dict with string keys."""
        return {str(_dump_key(k)): self.values.dump(v) for k, v in value}


def _dump_key(key: Any) -> Any:
    return key.value if isinstance(key, Enum) else key


@attrs.frozen
class TupleCodec(Generic[T]):
    """A list, kept as a tuple; ``min_len`` items at least; ``sorted`` checks the order."""

    items: Codec[T]
    min_len: int = 0
    ascending: bool = False

    def load(self, value: Any, path: str) -> tuple[T, ...]:
        """Validate a list (or tuple)."""
        if not isinstance(value, list | tuple):
            raise _err(path, "array_expected", f"expected a list, got {value!r}")
        out = tuple(self.items.load(v, _join(path, str(i))) for i, v in enumerate(value))
        if len(out) < self.min_len:
            raise _err(path, "too_short", f"expected at least {self.min_len} item(s)")
        if self.ascending and any(a > b for a, b in itertools.pairwise(out)):  # type: ignore[operator]
            raise _err(path, "not_ascending", "the values must be in ascending order")
        return out

    def dump(self, value: tuple[T, ...]) -> list[Any]:
        """The items as a plain list."""
        return [self.items.dump(v) for v in value]


@attrs.frozen
class HoursCodec:
    """A duration given in whole hours (``int``), kept as :class:`~datetime.timedelta`."""

    def load(self, value: Any, path: str) -> timedelta:
        """Validate a number of hours."""
        if isinstance(value, timedelta):
            if value < timedelta(0) or value % timedelta(hours=1):
                raise _err(path, "whole_hours", f"{value} is not a whole, non-negative hours")
            return value
        return timedelta(hours=IntCodec(0).load(value, path))

    def dump(self, value: timedelta) -> int:
        """The duration in hours."""
        return value // timedelta(hours=1)


@attrs.frozen
class PolicyCodec:
    """A nested policy: an instance, or a dict with a ``kind`` key."""

    def load(self, value: Any, path: str) -> Any:
        """Validate a nested policy."""
        if isinstance(value, Mapping):
            return load_policy(value, path)
        if callable(getattr(value, "decide", None)) and callable(getattr(value, "to_dict", None)):
            return value
        raise _err(
            path, "policy_expected", f"expected a policy or a table with 'kind', got {value!r}"
        )

    def dump(self, value: Any) -> Any:
        """The policy's ``to_dict()``."""
        return value.to_dict()


@attrs.frozen
class RecordCodec:
    """A small record (an attrs class whose fields are :func:`param`s), from a table."""

    cls: type[Any]

    def load(self, value: Any, path: str) -> Any:
        """Validate a record."""
        if isinstance(value, self.cls):
            return value
        if not isinstance(value, Mapping):
            raise _err(path, "table_expected", f"expected a table, got {value!r}")
        return build(self.cls, value, path)

    def dump(self, value: Any) -> dict[str, Any]:
        """The record's parameters as a dict."""
        return dump_params(value)


_CODEC: str = "paysupport.codec"


def param(codec: Codec[Any], default: Any = attrs.NOTHING, **kwargs: Any) -> Any:
    """An attrs field that is a tunable parameter, validated and dumped by ``codec``."""
    return attrs.field(default=default, metadata={_CODEC: codec}, **kwargs)


def derived() -> Any:
    """A private field computed at construction (lookups), left out of eq, hash and repr."""
    return attrs.field(init=False, eq=False, hash=False, repr=False)


def _params(cls: type[Any]) -> list[attrs.Attribute[Any]]:
    return [a for a in attrs.fields(cls) if _CODEC in a.metadata]


def validate_params(obj: Any) -> None:
    """Run each parameter of ``obj`` through its codec, freezing it in place."""
    for a in _params(type(obj)):
        object.__setattr__(obj, a.name, a.metadata[_CODEC].load(getattr(obj, a.name), a.name))


def dump_params(obj: Any, *, full: bool = True) -> dict[str, Any]:
    """The parameters of ``obj`` as a plain dict (``full=False`` leaves out defaults)."""
    out: dict[str, Any] = {}
    for a in _params(type(obj)):
        value = getattr(obj, a.name)
        if not full and a.default is not attrs.NOTHING:
            default: Any = a.default
            factory = getattr(default, "factory", None)
            if callable(factory):
                default = factory()
            codec = a.metadata[_CODEC]
            if codec.dump(codec.load(default, a.name)) == codec.dump(value):
                continue
        out[a.name] = a.metadata[_CODEC].dump(value)
    return out


def build(
    cls: type[T], data: Mapping[str, Any], path: str = "", *, skip: tuple[str, ...] = ()
) -> T:
    """Build ``cls`` from ``data``; unknown keys and bad values name their key path."""
    if not isinstance(data, Mapping):
        raise _err(path or "<root>", "table_expected", f"expected a table, got {data!r}")
    names = {a.name for a in _params(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key in skip:
            continue
        if key not in names:
            known = ", ".join(sorted(names))
            raise _err(
                _join(path, str(key)),
                "unknown_key",
                f"unknown key {key!r} for {cls.__name__}; known keys: {known}",
            )
        kwargs[key] = value
    for a in _params(cls):
        if a.default is attrs.NOTHING and a.name not in kwargs:
            raise _err(
                _join(path, a.name), "missing_key", f"{cls.__name__} needs the key {a.name!r}"
            )
    try:
        return cls(**kwargs)
    except PolicyConfigError as exc:
        raise _err(_join(path, exc.field), exc.rule, exc.message) from None


_KINDS: dict[str, type[Any]] = {}


def register_kind(kind: str) -> Callable[[type[T]], type[T]]:
    """Class decorator: make a policy class buildable from ``{"kind": kind, ...}``.

    Hosts may register their own policy kinds the same way; the class needs a
    ``from_dict(data, path)`` classmethod and a ``to_dict()`` method.
    """

    def deco(cls: type[T]) -> type[T]:
        if kind in _KINDS and _KINDS[kind] is not cls:
            raise ValueError(f"policy kind {kind!r} is already registered")
        _KINDS[kind] = cls
        cls.KIND = kind  # type: ignore[attr-defined]
        return cls

    return deco


def kind_registry() -> Mapping[str, type[Any]]:
    """The registered policy kinds (a read-only view)."""
    from types import MappingProxyType

    return MappingProxyType(_KINDS)


def load_policy(data: Mapping[str, Any], path: str = "") -> Any:
    """Build any registered policy from a dict with a ``kind`` key."""
    if not isinstance(data, Mapping):
        raise _err(path or "<root>", "table_expected", f"expected a table, got {data!r}")
    kind = data.get("kind")
    if kind is None:
        raise _err(_join(path, "kind"), "missing_kind", "a policy table needs a 'kind' key")
    cls = _KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        known = ", ".join(sorted(_KINDS))
        raise _err(
            _join(path, "kind"), "unknown_kind", f"unknown policy kind {kind!r}; known: {known}"
        )
    return cls.from_dict(data, path)


class PolicyBase:
    """Mixin of every built-in policy: dict/TOML round trip, fingerprint, shared info.

    Subclasses are ``@attrs.frozen`` classes whose parameters are :func:`param` fields and
    which call :meth:`_setup` at the end of ``__attrs_post_init__``.
    """

    __slots__ = ()
    KIND: ClassVar[str] = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "") -> Any:
        """Build from a plain dict; ``kind``, if present, must be this class's kind."""
        kind = data.get("kind", cls.KIND) if isinstance(data, Mapping) else cls.KIND
        if kind != cls.KIND:
            raise _err(
                _join(path, "kind"), "wrong_kind", f"expected kind {cls.KIND!r}, got {kind!r}"
            )
        return build(cls, data, path, skip=("kind",))

    def to_dict(self, *, full: bool = True) -> dict[str, Any]:
        """The policy as a plain dict with its ``kind``; ``full=False`` omits defaults."""
        return {"kind": self.KIND, **dump_params(self, full=full)}

    @property
    def info(self) -> PolicyInfo:
        """The policy's kind, parameters and fingerprint, shared by all its decisions."""
        info: PolicyInfo = self._info  # type: ignore[attr-defined]
        return info

    @property
    def fingerprint(self) -> str:
        """sha256 of the canonical JSON of :meth:`to_dict`: same parameters, same value."""
        return self.info.fingerprint

    @property
    def name(self) -> str:
        """The policy's kind."""
        return self.KIND

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (_rebuild, (type(self), self.to_dict()))

    def _setup(self) -> None:
        validate_params(self)
        object.__setattr__(self, "_info", PolicyInfo.of(self.to_dict()))


def _rebuild(cls: type[Any], data: dict[str, Any]) -> Any:
    return cls.from_dict(data)
