"""The door: any dataframe in (pandas, polars, pyarrow), a checked polars frame out.

Narwhals reads the caller's frame whatever its library; every check is a columnar
expression, and a failure names the table, the column and the first offending row
(``events.amount_minor[17]``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import narwhals as nw
import polars as pl

from paysupport.errors import ValidationFailed

__all__ = [
    "RowRule",
    "check_in",
    "check_not_null",
    "check_rows",
    "fail_at",
    "first_row",
    "in_rule",
    "to_polars",
]


def to_polars(data: Any, table: str) -> pl.DataFrame:
    """The caller's frame as a polars ``DataFrame`` (pandas and pyarrow go through narwhals).

    Raises:
        ValidationFailed: ``data`` is not a dataframe narwhals can read.
    """
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    try:
        frame = nw.from_native(data, eager_only=True)
    except TypeError as exc:
        raise ValidationFailed(
            table,
            "dataframe",
            f"expected a pandas, polars or pyarrow table, got {type(data).__name__}",
        ) from exc
    out: pl.DataFrame = frame.to_polars()
    return out


def first_row(df: pl.DataFrame, mask: pl.Expr) -> int | None:
    """The index of the first row where ``mask`` is true (nulls count as false), or None."""
    found = df.select(pl.arg_where(mask.fill_null(False)).first()).item()
    return None if found is None else int(found)


def fail_at(table: str, column: str, row: int | None, rule: str, message: str) -> ValidationFailed:
    """The error for ``table.column[row]`` (``table.column`` when no row applies)."""
    where = f"{table}.{column}" if row is None else f"{table}.{column}[{row}]"
    return ValidationFailed(where, rule, message)


def check_not_null(df: pl.DataFrame, table: str, columns: Iterable[str]) -> None:
    """Refuse a null in any of ``columns``, naming the first row that has one."""
    for column in columns:
        if df[column].null_count():
            row = first_row(df, pl.col(column).is_null())
            raise fail_at(table, column, row, "required", f"{column} is required")


def check_in(df: pl.DataFrame, table: str, column: str, allowed: Iterable[str], rule: str) -> None:
    """Refuse a (non-null) value of ``column`` outside ``allowed``, naming its row."""
    values = sorted(set(allowed))
    row = first_row(df, pl.col(column).is_not_null() & ~pl.col(column).is_in(values))
    if row is not None:
        value = df[column][row]
        raise fail_at(table, column, row, rule, f"{value!r} is not one of {', '.join(values)}")


@dataclass(frozen=True, slots=True)
class RowRule:
    """A rule every row must keep: ``mask`` is true on the rows that break it.

    ``message`` may name the offending value as ``{value}``.
    """

    column: str
    rule: str
    mask: pl.Expr
    message: str


def in_rule(column: str, allowed: Iterable[str], rule: str) -> RowRule:
    """The rule "a non-null ``column`` is one of ``allowed``"."""
    values = sorted(set(allowed))
    mask = pl.col(column).is_not_null() & ~pl.col(column).is_in(values)
    return RowRule(column, rule, mask, "{value} is not one of " + ", ".join(values))


def check_rows(df: pl.DataFrame, table: str, rules: Sequence[RowRule]) -> None:
    """Check every rule in one parallel pass; name the first broken rule's first row."""
    if not rules:
        return
    broken = df.select(
        rule.mask.fill_null(False).any().alias(str(i)) for i, rule in enumerate(rules)
    ).row(0)
    for rule, bad in zip(rules, broken, strict=True):
        if bad:
            row = first_row(df, rule.mask)
            value = None if row is None else df[rule.column][row]
            message = rule.message.replace("{value}", repr(value))
            raise fail_at(table, rule.column, row, rule.rule, message)
