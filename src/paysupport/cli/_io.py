"""The command line's contact with the outside: files, the clock, and JSON out.

Everything a user can get wrong here (a missing file, a directory, text that is not JSON,
a time without a zone) becomes a `BadInput` with one line that says what to do.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import attrs
import pydantic
import typer

from paysupport.errors import PaysupportError
from paysupport.models import Portfolio
from paysupport.money import Currency, Money

__all__ = [
    "BadInput",
    "Format",
    "FormatOption",
    "dumps",
    "load_portfolio",
    "one_line",
    "parse_now",
    "read_json_object",
    "read_lines",
]

NOW_HELP = "an ISO 8601 time with a zone (2026-11-24T12:00:00Z), or 'now' to read the clock"


class Format(enum.StrEnum):
    """Output for people (Rich tables) or for programs (JSON with machine values)."""

    TEXT = "text"
    JSON = "json"


FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="text for people, json for programs")
]


class BadInput(Exception):
    """Input the user can fix: reported as one line, exit status 2."""


def one_line(exc: BaseException | str, limit: int = 3) -> str:
    """An error's message on one line: its first line and up to ``limit`` detail lines."""
    lines = [line.strip(" -") for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__ if isinstance(exc, BaseException) else "no message"
    head, details = lines[0], lines[1:]
    shown = "; ".join(details[:limit])
    more = f"; and {len(details) - limit} more" if len(details) > limit else ""
    return f"{head}: {shown}{more}" if shown else head


def read_text(path: Path) -> str:
    """A UTF-8 text file's content.

    Raises:
        BadInput: the path is missing, a directory, unreadable or not UTF-8 text.
    """
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BadInput(f"{path}: is a directory, not a file") from None
    except PermissionError:
        raise BadInput(f"{path}: permission denied") from None
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _json_object(text: str, where: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(
            f"{where}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    if not isinstance(value, dict):
        names: dict[type[Any], str] = {list: "an array", str: "a string"}
        kind = names.get(type(value), f"a {type(value).__name__}")
        raise BadInput(f"{where}: expected a JSON object ({what}), got {kind}")
    return value


def read_json_object(path: Path, what: str) -> dict[str, Any]:
    """A file holding one JSON object (``what`` names it in messages).

    Raises:
        BadInput: the file cannot be read, is not JSON, or holds something else.
    """
    return _json_object(read_text(path), str(path), what)


def read_lines(path: Path, what: str) -> Iterator[tuple[int, dict[str, Any] | BadInput]]:
    """Each non-blank line of a JSON Lines file: its number and its object, or the error.

    A bad line does not stop the others: it is yielded as a `BadInput`.

    Raises:
        BadInput: the file itself cannot be read.
    """
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, _json_object(line, f"{path}:{number}", what)
        except BadInput as exc:
            yield number, exc


def parse_now(text: str, where: str = "--now") -> datetime:
    """Read a moment; ``"now"`` reads the clock (the one place the library does).

    Raises:
        BadInput: the text is not an ISO 8601 time, or has no time zone.
    """
    if text.strip().lower() == "now":
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"{where}: {text!r} is not a time; use {NOW_HELP}") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise BadInput(f"{where}: {text!r} has no time zone; add one, e.g. Z or +01:00")
    return parsed


def load_portfolio(path: Path, now: str | None) -> tuple[Portfolio, datetime]:
    """A portfolio file and the moment to read it at: ``--now``, else the file's ``"now"``.

    Raises:
        BadInput: the file is unreadable or invalid, or neither gives a moment (the clock is
            read only when asked for with ``--now now``).
    """
    raw = read_json_object(path, "a portfolio")
    file_now = raw.pop("now", None)
    if now is not None:
        moment = parse_now(now)
    elif isinstance(file_now, str):
        moment = parse_now(file_now, where=f"{path}: now")
    else:
        raise BadInput(f'{path}: has no "now" to compute deadlines from; pass --now, {NOW_HELP}')
    try:
        return Portfolio.model_validate(raw), moment
    except (PaysupportError, pydantic.ValidationError) as exc:
        raise BadInput(f"{path}: {one_line(exc)}") from None


def plain(value: Any) -> Any:
    """JSON-ready machine values: money as minor units and currency, ISO times, enum values."""
    if isinstance(value, Money):
        return {"minor": value.minor, "currency": value.currency.code}
    if isinstance(value, Currency):
        return value.code
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if attrs.has(type(value)):
        return {a.name: plain(getattr(value, a.name)) for a in attrs.fields(type(value))}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value


def dumps(value: Any) -> str:
    """``value`` as indented JSON with machine values (see `plain`)."""
    return json.dumps(plain(value), indent=2, ensure_ascii=False)
