"""Load the catalogues' data files (``networks/data/*.json``) into frozen records.

The facts live in JSON files shipped inside the package, one file per catalogue; this module
reads a file the first time a record of it is asked for (once: the result is cached) and
turns it into the same frozen dataclasses the rest of the library uses. Reading the
package's own immutable data through :mod:`importlib.resources` is not outside I/O: the
files are part of the code, like the module source, and nothing here touches the host's
files, the network, a clock or the environment.

The schema is the record classes themselves: every field is checked against its type hint
(strings, integers, booleans, enums by value, ISO dates, :class:`~decimal.Decimal` given as
strings, durations as ``{"days": n}`` / ``{"hours": n}``, tuples, mappings and nested
records); keys a record does not have are refused, and so are missing required keys. A
failure raises :class:`CatalogueDataError` naming the file, the record and the field.

In a reason-code file a time window may be written as a reference to the network's rules,
``"@response_windows.chargeback"`` or ``"@filing_windows.chargeback"``, so a window shared by
every code is stated once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import types
import typing
from collections.abc import Callable, Mapping
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
    """Raised inside conversion; carries the field path and the rule broken."""

    def __init__(self, path: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.path, self.rule, self.message = path, rule, message


@cache
def load(name: str) -> Mapping[str, Any]:
    """The parsed JSON of ``data/<name>`` (cached: each file is read once)."""
    raw = resources.files(__package__).joinpath("data", name).read_bytes()
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
) -> tuple[T, ...]:
    """Build the records listed under ``key`` in ``data/<name>`` as instances of ``cls``.

    Args:
        name: the file name (``"visa.json"``).
        key: the top-level key holding the list of records.
        cls: the frozen dataclass every record becomes.
        refs: values a record's top-level field may name instead of spelling them out
            (``"@response_windows.chargeback"``); an unknown ``"@..."`` name is refused.
        label: names a record in errors (default: its ``code`` or ``name``).

    Raises:
        CatalogueDataError: the file or a record breaks the schema.
    """
    rows = load(name).get(key)
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
        return _convert(kind, raw, "")
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


def _convert(kind: Any, raw: object, path: str) -> Any:
    origin = typing.get_origin(kind)
    if origin is types.UnionType or origin is typing.Union:
        return _union(kind, raw, path)
    if origin is tuple:
        return _tuple(kind, raw, path)
    if origin is Mapping or origin is dict:
        return _mapping(kind, raw, path)
    if dataclasses.is_dataclass(kind):
        return _record(kind, raw, path)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return _enum(kind, raw, path)
    return _scalar(kind, raw, path)


def _union(kind: Any, raw: object, path: str) -> Any:
    options = [option for option in typing.get_args(kind) if option is not type(None)]
    if raw is None and len(options) < len(typing.get_args(kind)):
        return None
    if len(options) != 1:
        raise _Bad(path, "catalogue_schema", f"unsupported type {kind}")
    return _convert(options[0], raw, path)


def _tuple(kind: Any, raw: object, path: str) -> tuple[Any, ...]:
    if not isinstance(raw, list):
        raise _Bad(path, "catalogue_type", f"expected a list, got {type(raw).__name__}")
    args = typing.get_args(kind)
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(_convert(args[0], item, f"{path}[{i}]") for i, item in enumerate(raw))
    if len(raw) != len(args):
        raise _Bad(path, "catalogue_type", f"expected {len(args)} items, got {len(raw)}")
    return tuple(
        _convert(arg, item, f"{path}[{i}]")
        for i, (arg, item) in enumerate(zip(args, raw, strict=True))
    )


def _mapping(kind: Any, raw: object, path: str) -> dict[Any, Any]:
    if not isinstance(raw, dict):
        raise _Bad(path, "catalogue_type", f"expected an object, got {type(raw).__name__}")
    key_kind, value_kind = typing.get_args(kind)
    return {
        _convert(key_kind, key, f"{path}[{key!r}]"): _convert(value_kind, value, f"{path}.{key}")
        for key, value in raw.items()
    }


def _record(kind: Any, raw: object, path: str) -> Any:
    if not isinstance(raw, dict):
        raise _Bad(path, "catalogue_type", f"expected an object, got {type(raw).__name__}")
    hints = typing.get_type_hints(kind)
    fields = {f.name: f for f in dataclasses.fields(kind) if f.init}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise _Bad(
            f"{path}.{unknown[0]}",
            "catalogue_unknown_key",
            f"{kind.__name__} has no field {unknown[0]!r}",
        )
    values = {}
    for name, spec in fields.items():
        if name in raw:
            values[name] = _convert(hints[name], raw[name], f"{path}.{name}")
        elif spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
            raise _Bad(f"{path}.{name}", "catalogue_missing_key", f"{kind.__name__} needs {name!r}")
    return kind(**values)


def _enum(kind: type[enum.Enum], raw: object, path: str) -> enum.Enum:
    wanted = int if issubclass(kind, int) else str
    if isinstance(raw, wanted) and not isinstance(raw, bool):
        for member in kind:
            if member.value == raw:
                return member
    known = ", ".join(repr(member.value) for member in kind)
    raise _Bad(path, "catalogue_enum", f"{raw!r} is not one of {known}")


def _scalar(kind: Any, raw: object, path: str) -> Any:
    if kind is dt.date:
        return _parse(raw, path, "an ISO date", dt.date.fromisoformat)
    if kind is Decimal:
        return _parse(raw, path, "a decimal string", Decimal)
    if kind is dt.timedelta:
        return _duration(raw, path)
    if (
        kind in (str, int, bool)
        and isinstance(raw, kind)
        and (kind is bool or not isinstance(raw, bool))
    ):
        return raw
    name = getattr(kind, "__name__", str(kind))
    raise _Bad(path, "catalogue_type", f"expected {name}, got {type(raw).__name__} {raw!r}")


def _parse(raw: object, path: str, what: str, parse: Callable[[str], T]) -> T:
    if isinstance(raw, str):
        try:
            return parse(raw)
        except (ValueError, InvalidOperation):
            pass
    raise _Bad(path, "catalogue_type", f"expected {what}, got {raw!r}")


def _duration(raw: object, path: str) -> dt.timedelta:
    if (
        isinstance(raw, dict)
        and raw
        and set(raw) <= _DURATION_UNITS
        and all(isinstance(v, int) and not isinstance(v, bool) for v in raw.values())
    ):
        return dt.timedelta(**raw)
    raise _Bad(path, "catalogue_type", f'expected a duration such as {{"hours": 24}}, got {raw!r}')
