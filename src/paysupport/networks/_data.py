"""Load the catalogues' data files (``networks/data/*.json``) into frozen records.

The facts live in JSON files shipped inside the package, one file per catalogue; this module
reads a file the first time a record of it is asked for (once: the result is cached) and
turns it into the same frozen dataclasses the rest of the library uses. Reading the
package's own immutable data through ``importlib.resources`` is not outside I/O: the
files are part of the code, like the module source, and nothing here touches the host's
files, the network, a clock or the environment.

The schema is the record classes themselves: every field is checked against its type hint
(strings, integers, booleans, enums by value, ISO dates, ``Decimal`` given as
strings, durations as ``{"days": n}`` / ``{"hours": n}``, tuples, mappings and nested
records); keys a record does not have are refused, and so are missing required keys. A
failure raises ``CatalogueDataError`` naming the file, the record and the field.

In a reason-code file a time window may be written as a reference to the network's rules,
``"@response_windows.chargeback"`` or ``"@filing_windows.chargeback"``, so a window shared by
every code is stated once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import itertools
import json
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any, ClassVar, TypeVar

from paysupport.errors import Fault, ValidationFailed

__all__ = ["CatalogueDataError", "load", "read_records"]

T = TypeVar("T")
_DURATION_UNITS = frozenset({"days", "hours", "minutes", "seconds"})


class CatalogueDataError(ValidationFailed):
    """A shipped catalogue file breaks its schema (a packaging bug, not the caller's input).

    ``field`` reads ``"<file>: <record>.<field path>"``, e.g.
    ``"visa.json: codes[3] '10.4'.time_limit.days"``.
    """

    fault: ClassVar[Fault] = Fault.HOST


class _Bad(Exception):
    """Raised inside conversion; carries the field path (built on the way out) and the rule."""

    def __init__(self, rule: str, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path, self.rule, self.message = path, rule, message

    def under(self, segment: str) -> _Bad:
        """The same failure, one level further from the root (``".days"``, ``"[3]"``)."""
        return _Bad(self.rule, self.message, segment + self.path)


@cache
def load(name: str) -> Mapping[str, Any]:
    """The parsed JSON of ``data/<name>`` (cached: each file is read once)."""
    return load_from("paysupport.networks", name)


@cache
def load_from(package: str, name: str) -> Mapping[str, Any]:
    """The parsed JSON of ``data/<name>`` in ``package`` (cached: each file is read once)."""
    raw = resources.files(package).joinpath("data", name).read_bytes()
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CatalogueDataError(name, "catalogue_json", f"not valid JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise CatalogueDataError(name, "catalogue_shape", "the file must hold a JSON object")
    return types.MappingProxyType(parsed)


def read_records(
    name: str,
    key: str,
    cls: type[T],
    *,
    refs: Mapping[str, object] | None = None,
    label: Callable[[Mapping[str, Any]], str] | None = None,
    package: str | None = None,
) -> tuple[T, ...]:
    """Build the records listed under ``key`` in ``data/<name>`` as instances of ``cls``.

    Args:
        name: the file name (``"visa.json"``).
        key: the top-level key holding the list of records.
        cls: the frozen dataclass every record becomes.
        refs: values a record's top-level field may name instead of spelling them out
            (``"@response_windows.chargeback"``); an unknown ``"@..."`` name is refused.
        label: names a record in errors (default: its ``code`` or ``name``).
        package: the package whose ``data/`` folder holds the file (``paysupport.providers``
            ships the Stripe decline codes); ``None`` for this one.

    Raises:
        CatalogueDataError: the file or a record breaks the schema.
    """
    rows = (load(name) if package is None else load_from(package, name)).get(key)
    if not isinstance(rows, list):
        raise CatalogueDataError(f"{name}: {key}", "catalogue_shape", "expected a list of records")
    built = []
    for index, row in enumerate(rows):
        where = f"{key}[{index}]"
        if isinstance(row, dict):
            where += f" {(label or _label)(row)!r}"
            row = _resolve(name, where, row, refs or {})
        built.append(read_value(name, where, cls, row))
    return tuple(built)


def read_value(name: str, where: str, kind: Any, raw: object) -> Any:
    """Check ``raw`` against the type ``kind`` and build it; errors name ``name`` and ``where``."""
    try:
        return _converter(kind)(raw)
    except _Bad as bad:
        field = f"{name}: {where}{bad.path}"
        raise CatalogueDataError(field, bad.rule, bad.message) from None


def _resolve(
    name: str, where: str, row: dict[str, Any], refs: Mapping[str, object]
) -> dict[str, Any]:
    resolved = dict(row)
    for key, value in row.items():
        if isinstance(value, str) and value.startswith("@"):
            if value not in refs:
                known = ", ".join(sorted(refs)) or "none"
                raise CatalogueDataError(
                    f"{name}: {where}.{key}",
                    "catalogue_reference",
                    f"unknown reference {value!r} (known: {known})",
                )
            resolved[key] = refs[value]
    return resolved


def _label(row: Mapping[str, Any]) -> str:
    return str(row.get("code", row.get("name", "?")))


Converter = Callable[[object], Any]
"""Checks a raw JSON value against one type and builds the value (raises ``_Bad``)."""


@cache
def _converter(kind: Any) -> Converter:
    # Built once per type, so loading a file is a walk over the data, not over type hints.
    origin = typing.get_origin(kind)
    if origin is types.UnionType or origin is typing.Union:
        return _optional(kind)
    if origin is tuple:
        return _tuple(kind)
    if origin is Mapping or origin is dict:
        return _mapping(kind)
    if dataclasses.is_dataclass(kind):
        return _record(kind)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return _enum(kind)
    return _scalar(kind)


def _type_error(what: str, raw: object) -> _Bad:
    return _Bad("catalogue_type", f"expected {what}, got {type(raw).__name__} {raw!r}")


def _optional(kind: Any) -> Converter:
    options = [option for option in typing.get_args(kind) if option is not type(None)]
    if len(options) != 1 or len(typing.get_args(kind)) != 2:
        raise TypeError(f"unsupported catalogue type {kind}")  # a bug in a record class
    inner = _converter(options[0])
    return lambda raw: None if raw is None else inner(raw)


def _items(converters: Iterable[Converter], raw: list[Any]) -> tuple[Any, ...]:
    # Lengths are checked by the caller; ``converters`` may be endless (``repeat``).
    built = []
    for index, (convert, item) in enumerate(zip(converters, raw, strict=False)):
        try:
            built.append(convert(item))
        except _Bad as bad:
            raise bad.under(f"[{index}]") from None
    return tuple(built)


def _tuple(kind: Any) -> Converter:
    args = typing.get_args(kind)
    if len(args) == 2 and args[1] is Ellipsis:
        item = _converter(args[0])

        def homogeneous(raw: object) -> tuple[Any, ...]:
            if type(raw) is not list:
                raise _type_error("a list", raw)
            return _items(itertools.repeat(item), raw)

        return homogeneous
    parts = [_converter(arg) for arg in args]

    def fixed(raw: object) -> tuple[Any, ...]:
        if type(raw) is not list or len(raw) != len(parts):
            raise _type_error(f"a list of {len(parts)} items", raw)
        return _items(parts, raw)

    return fixed


def _mapping(kind: Any) -> Converter:
    key_kind, value_kind = typing.get_args(kind)
    keys, values = _converter(key_kind), _converter(value_kind)

    def convert(raw: object) -> dict[Any, Any]:
        if type(raw) is not dict:
            raise _type_error("an object", raw)
        built = {}
        for key, value in raw.items():
            try:
                built[keys(key)] = values(value)
            except _Bad as bad:
                raise bad.under(f".{key}") from None
        return built

    return convert


def _record(kind: Any) -> Converter:
    hints = typing.get_type_hints(kind)
    fields = [f for f in dataclasses.fields(kind) if f.init]
    converters = {f.name: _converter(hints[f.name]) for f in fields}
    required = frozenset(
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )

    def convert(raw: object) -> Any:
        if type(raw) is not dict:
            raise _type_error("an object", raw)
        for name in sorted(set(raw) - converters.keys()):
            message = f"{kind.__name__} has no field {name!r}"
            raise _Bad("catalogue_unknown_key", message, f".{name}")
        for name in sorted(required - raw.keys()):
            raise _Bad("catalogue_missing_key", f"{kind.__name__} needs {name!r}", f".{name}")
        values = {}
        for name, value in raw.items():
            try:
                values[name] = converters[name](value)
            except _Bad as bad:
                raise bad.under(f".{name}") from None
        return kind(**values)

    return convert


def _enum(kind: type[enum.Enum]) -> Converter:
    members = {member.value: member for member in kind}
    wanted = int if issubclass(kind, int) else str
    known = ", ".join(repr(value) for value in members)

    def convert(raw: object) -> enum.Enum:
        if type(raw) is wanted and raw in members:
            return members[raw]
        raise _Bad("catalogue_enum", f"{raw!r} is not one of {known}")

    return convert


def _scalar(kind: Any) -> Converter:
    if kind is dt.date:
        return _parsed("an ISO date", dt.date.fromisoformat)
    if kind is Decimal:
        return _parsed("a decimal string", Decimal)
    if kind is dt.timedelta:
        return _duration
    if kind not in (str, int, bool):
        raise TypeError(f"unsupported catalogue type {kind}")  # a bug in a record class

    def exact(raw: object) -> Any:
        if type(raw) is kind:  # exact: a bool is not an int, a float never an int
            return raw
        raise _type_error(kind.__name__, raw)

    return exact


def _parsed(what: str, parse: Callable[[str], Any]) -> Converter:
    def convert(raw: object) -> Any:
        if type(raw) is str:
            try:
                return parse(raw)
            except (ValueError, InvalidOperation):
                pass
        raise _type_error(what, raw)

    return convert


def _duration(raw: object) -> dt.timedelta:
    if (
        type(raw) is dict
        and raw
        and raw.keys() <= _DURATION_UNITS
        and all(type(v) is int for v in raw.values())
    ):
        return dt.timedelta(**raw)
    raise _type_error('a duration such as {"hours": 24}', raw)
