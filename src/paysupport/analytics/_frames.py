"""The door: any dataframe in (pandas, polars, pyarrow), a checked polars frame out.

Narwhals reads the caller's frame whatever its library; every check is a columnar
expression, and a failure names the table, the column and the first offending row
(``events.amount_minor[17]``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import narwhals as nw
import polars as pl

from paysupport.errors import ValidationFailed

__all__ = ["check_in", "check_not_null", "first_row", "fail_at", "to_polars"]


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
