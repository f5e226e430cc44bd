"""The cube of row tuples read straight into polars equals the cube of their Arrow batch."""

from __future__ import annotations

import polars as pl
from backtest_support import mixed_cases

from paysupport.analytics.backtest import run_case
from paysupport.analytics.backtest._rows import SUMMARY_SCHEMA, batch_of, row_of
from paysupport.analytics.backtest._summary import CUBE_KEYS, cube, cube_of_rows
from paysupport.policies.policy_set import DEFAULTS


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(list(CUBE_KEYS), nulls_last=True)


def test_cube_of_rows_equals_the_cube_of_their_arrow_batch():
    rows = [row_of(c, run_case(c, DEFAULTS), full=False) for c in mixed_cases(40)]
    assert {r[0] for r in rows} == {"refund", "dispute", "decline", "support"}
    # every column null somewhere (a key, a figure's input), and every boolean false/true
    blank = tuple(None for _ in SUMMARY_SCHEMA)
    rows += [blank, ("refund", *blank[1:]), (*rows[0][:-1], None), rows[-1]]
    for col in range(len(SUMMARY_SCHEMA)):
        assert any(r[col] is None for r in rows), SUMMARY_SCHEMA.names[col]
        if SUMMARY_SCHEMA.types[col] == "bool":
            assert {True, False} <= {r[col] for r in rows}, SUMMARY_SCHEMA.names[col]
    direct = cube_of_rows(rows, SUMMARY_SCHEMA)
    assert direct.schema == cube(batch_of(rows, SUMMARY_SCHEMA)).schema
    assert _sorted(direct).equals(_sorted(cube(batch_of(rows, SUMMARY_SCHEMA))))
    assert cube_of_rows([], SUMMARY_SCHEMA).equals(cube(batch_of([], SUMMARY_SCHEMA)))


def test_a_run_keeping_no_rows_never_converts_python_values_with_pyarrow(monkeypatch):
    # keep_rows=False: the summaries come from polars reading the row tuples (no pa.array,
    # whose first call imports pandas); the figures equal a run that keeps its rows.
    import paysupport.analytics.backtest._engine as engine
    from paysupport.analytics.backtest import backtest

    cases = mixed_cases(24)
    kept = backtest(DEFAULTS, cases, chunk_size=5)

    def refuse(*_: object) -> None:
        raise AssertionError("rows converted to Arrow in a run that keeps none")

    monkeypatch.setattr(engine, "batch_of", refuse)
    bare = backtest(DEFAULTS, cases, chunk_size=5, keep_rows=False)
    for by in ("all", "kind", "reason_code", "network", "segment", "market", "period"):
        assert bare.summary(by).to_polars().equals(kept.summary(by).to_polars()), by
