"""Summaries of backtest rows, computed per chunk and merged by exact integer sums.

The rows are summarised per dimension (``all``, ``kind``, ``reason_code``, ``network``,
``segment``, ``market``, ``period``), always per currency: amounts in different currencies
never mix. Every figure is a count or a sum of integer minor units, so merging partial
summaries is exact and independent of how the cases were chunked.

A chunk is summarised once, as a *cube*: the figures summed per combination of every key
column (``CUBE_KEYS``: each dimension's keys are a subset). Cubes merge by summing again
over the same keys, and each dimension's summary is the cube summed over its own keys: one
group-by per chunk instead of one per dimension, and the same integers.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

__all__ = [
    "CUBE_KEYS",
    "DIMENSIONS",
    "METRICS",
    "cube",
    "cube_of_rows",
    "from_cube",
    "merge",
    "merge_cubes",
    "summarise",
]

#: The dimensions a backtest is summarised by, and their key columns (currency is added).
DIMENSIONS: Mapping[str, tuple[str, ...]] = {
    "all": (),
    "kind": ("kind",),
    "reason_code": ("kind", "network", "reason_code"),
    "network": ("network",),
    "segment": ("segment",),
    "market": ("market",),
    "period": ("period",),
}

_I = pl.Int64


def _count(expr: pl.Expr) -> pl.Expr:
    return expr.fill_null(False).cast(_I)


#: The summary figures: name -> the per-row expression summed over a group.
_PER_ROW: dict[str, pl.Expr] = {
    "cases": pl.lit(1, dtype=_I),
    "refunds": _count(pl.col("refund_minor") > 0),
    "refunded_minor": pl.col("refund_minor"),
    "approvals": _count(pl.col("approval_needed")),
    "approval_minor": pl.col("approval_minor"),
    "approvals_junior": _count(pl.col("approval_tier") == "junior"),
    "approvals_middle": _count(pl.col("approval_tier") == "middle"),
    "approvals_senior": _count(pl.col("approval_tier") == "senior"),
    "reviews": _count(pl.col("verdict") == "review"),
    "denials": _count(pl.col("verdict") == "deny"),
    "contested": _count(pl.col("contested")),
    "accepted": _count(pl.col("accepted")),
    "expected_known": _count(pl.col("expected_loss_minor").is_not_null()),
    "expected_win_minor": pl.col("expected_win_minor").fill_null(0),
    "fees_minor": pl.col("fees_minor").fill_null(0),
    "expected_loss_minor": pl.col("expected_loss_minor").fill_null(0),
    "realised_known": _count(pl.col("realised_won").is_not_null()),
    "realised_won": _count(pl.col("realised_won")),
    "realised_lost": _count(pl.col("realised_won").not_()),
    "realised_loss_minor": pl.col("realised_loss_minor").fill_null(0),
    "sla_known": _count(pl.col("sla_breach").is_not_null()),
    "sla_breaches": _count(pl.col("sla_breach")),
    "tier_junior": _count(pl.col("tier") == "junior"),
    "tier_middle": _count(pl.col("tier") == "middle"),
    "tier_senior": _count(pl.col("tier") == "senior"),
}

#: The summary figures, in column order (all integer counts or sums of minor units).
METRICS: tuple[str, ...] = tuple(_PER_ROW)

#: Every key column of every dimension, and the currency: the keys of a cube.
CUBE_KEYS: tuple[str, ...] = (
    *dict.fromkeys(k for keys in DIMENSIONS.values() for k in keys),
    "currency",
)


#: What `cube` selects (the keys, then each figure per row) and what a cube sums per key
#: combination: built once (polars expressions are immutable values), not once per chunk.
_CUBE_SELECT: tuple[pl.Expr, ...] = (
    *[pl.col(k) for k in CUBE_KEYS],
    *[expr.cast(_I).alias(name) for name, expr in _PER_ROW.items()],
)
_SUMS: tuple[pl.Expr, ...] = tuple(pl.col(m).sum().cast(_I) for m in METRICS)


def _keys(by: str) -> list[str]:
    return [*DIMENSIONS[by], "currency"]


def _empty(by: str) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {k: pl.String() for k in _keys(by)}
    schema.update({m: pl.Int64() for m in METRICS})
    return pl.DataFrame(schema=schema)


def cube(rows: pa.RecordBatch | pa.Table) -> pl.DataFrame:
    """The figures of some rows summed per combination of ``CUBE_KEYS`` (a partial summary)."""
    frame = pl.from_arrow(rows)
    assert isinstance(frame, pl.DataFrame)  # a batch or table gives a frame
    if frame.height == 0:
        return _empty_cube()
    return _sum_cube(frame.select(_CUBE_SELECT))


def cube_of_rows(rows: Sequence[tuple[Any, ...]], schema: pa.Schema) -> pl.DataFrame:
    """``cube`` of row tuples (columns and types as ``schema``), read straight into polars.

    The same frame as ``cube(batch_of(rows, schema))`` without building Arrow arrays from
    Python objects first (polars reads the columns itself): less work per row, and a run
    that keeps no rows never has pyarrow convert Python values (whose first ``pa.array``
    call imports pandas).
    """
    if not rows:
        return _empty_cube()
    types = _frame_schema(schema)
    frame = pl.DataFrame(dict(zip(types, zip(*rows, strict=True), strict=True)), schema=types)
    return _sum_cube(frame.select(_CUBE_SELECT))


#: Arrow column types as polars types (the summary columns'; ``pl.from_arrow`` agrees).
_POLARS_TYPES: dict[pa.DataType, pl.DataType] = {
    pa.string(): pl.String(),
    pa.int64(): pl.Int64(),
    pa.bool_(): pl.Boolean(),
}


@functools.lru_cache(maxsize=4)
def _frame_schema(schema: pa.Schema) -> pl.Schema:
    """The polars types of an Arrow schema's columns (no Arrow table is built for it)."""
    return pl.Schema({f.name: _POLARS_TYPES[f.type] for f in schema})


def merge_cubes(cubes: Iterable[pl.DataFrame]) -> pl.DataFrame:
    """Several cubes as one (sums per key combination), exactly."""
    frames = list(cubes)
    if not frames:
        return _empty_cube()
    if len(frames) == 1:
        return frames[0]
    return _sum_cube(pl.concat(frames, how="vertical"))


def from_cube(figures: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Per dimension, the summary a cube holds (keys sorted, nulls last)."""
    if figures.height == 0:
        return {by: _empty(by) for by in DIMENSIONS}
    return {by: _group(figures, by) for by in DIMENSIONS}


def summarise(rows: pa.RecordBatch | pa.Table) -> dict[str, pl.DataFrame]:
    """Per dimension, the summary of some rows."""
    return from_cube(cube(rows))


def _sum_cube(figures: pl.DataFrame) -> pl.DataFrame:
    return figures.group_by(CUBE_KEYS).agg(_SUMS)


def _empty_cube() -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {k: pl.String() for k in CUBE_KEYS}
    schema.update({m: pl.Int64() for m in METRICS})
    return pl.DataFrame(schema=schema)


def _group(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    keys = _keys(by)
    return frame.group_by(keys).agg(_SUMS).sort(keys, nulls_last=True).select([*keys, *METRICS])


def merge(parts: Iterable[Mapping[str, pl.DataFrame]]) -> dict[str, pl.DataFrame]:
    """Merge partial summaries (sums per key), exactly."""
    collected: dict[str, list[pl.DataFrame]] = {by: [] for by in DIMENSIONS}
    for part in parts:
        for by, frame in part.items():
            collected[by].append(frame)
    out: dict[str, pl.DataFrame] = {}
    for by, frames in collected.items():
        if not frames:
            out[by] = _empty(by)
            continue
        out[by] = _group(pl.concat(frames, how="vertical"), by)
    return out
