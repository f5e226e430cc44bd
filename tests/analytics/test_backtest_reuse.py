"""A chunk runs cases that share every input object once: same rows as one run per case."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pyarrow as pa
from backtest_support import T0, mixed_cases, refund_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paysupport.analytics.backtest import (
    ROW_SCHEMA,
    SyntheticCases,
    backtest,
    run_case,
    set_parameter,
)
from paysupport.analytics.backtest._engine import run_many
from paysupport.analytics.backtest._rows import RowBuffer, row_of
from paysupport.policies.policy_set import DEFAULTS

BASE = mixed_cases(16)


def _plain(cases, policies=DEFAULTS, schema=ROW_SCHEMA) -> pa.Table:
    """The plain serial route: every case through its workflow, one row each."""
    buffer = RowBuffer(schema)
    for case in cases:
        buffer.add(row_of(case, run_case(case, policies), full=schema is ROW_SCHEMA))
    return pa.Table.from_batches([buffer.to_batch()], schema=schema)


def _copies(picks: list[int]) -> list:
    """Cases built from ``BASE`` by index: a repeated index is a copy under a new id."""
    return [attrs.evolve(BASE[k], id=f"c{i}") for i, k in enumerate(picks)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    picks=st.lists(st.integers(0, len(BASE) - 1), min_size=1, max_size=40),
    chunk=st.integers(1, 12),
)
def test_copies_of_cases_give_the_rows_of_one_run_per_case(picks, chunk):
    cases = _copies(picks)
    result = backtest(DEFAULTS, cases, chunk_size=chunk)
    assert result.to_arrow().equals(_plain(cases))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32),
    n=st.integers(1, 120),
    templates=st.integers(1, 6),
    chunk=st.integers(1, 60),
)
def test_synthetic_cases_give_the_rows_of_one_run_per_case(seed, n, templates, chunk):
    source = SyntheticCases(n, seed=seed, start=T0, templates=templates)
    result = backtest(DEFAULTS, source, chunk_size=chunk)
    assert result.to_arrow().equals(_plain(source.cases(0, n)))
    bare = backtest(DEFAULTS, source, chunk_size=chunk, keep_rows=False)
    plain = backtest(DEFAULTS, source.cases(0, n), chunk_size=n)
    for by in ("all", "kind", "reason_code", "period"):
        assert bare.summary(by).to_polars().equals(plain.summary(by).to_polars()), by


def test_cases_sharing_every_input_run_once_per_chunk(monkeypatch):
    import paysupport.analytics.backtest._engine as engine

    runs: list[str] = []

    def counted(case, policies):
        runs.append(case.id)
        return run_case(case, policies)

    monkeypatch.setattr(engine, "run_case", counted)
    cases = _copies([0, 1, 0, 0, 1, 2])
    result = backtest(DEFAULTS, cases, chunk_size=6)
    assert runs == ["c0", "c1", "c5"]
    assert result.to_arrow().column("case_id").to_pylist() == [c.id for c in cases]
    assert result.to_arrow().equals(_plain(cases))


def test_equal_but_separate_inputs_are_run_each(monkeypatch):
    # Equal models built twice are not the same objects: both go through the workflow
    # (nothing is assumed about how models compare), with the same rows but for the id.
    import paysupport.analytics.backtest._engine as engine

    runs: list[str] = []

    def counted(case, policies):
        runs.append(case.id)
        return run_case(case, policies)

    monkeypatch.setattr(engine, "run_case", counted)
    a = refund_case("r", 12_000, ask=5_000)
    b = attrs.evolve(refund_case("r", 12_000, ask=5_000), id="r_b")
    assert a.payment == b.payment and a.payment is not b.payment
    table = backtest(DEFAULTS, [a, b]).to_arrow()
    assert runs == ["r", "r_b"]
    assert table.equals(_plain([a, b]))


def test_a_case_differing_in_one_input_object_is_run_on_its_own(monkeypatch):
    import paysupport.analytics.backtest._engine as engine

    runs: list[str] = []

    def counted(case, policies):
        runs.append(case.id)
        return run_case(case, policies)

    monkeypatch.setattr(engine, "run_case", counted)
    first = BASE[0]
    later = attrs.evolve(first, id="later", at=first.at + timedelta(days=400))
    same = attrs.evolve(first, id="same")
    cases = [first, later, same]
    table = backtest(DEFAULTS, cases).to_arrow()
    assert runs == [first.id, "later"]
    assert table.equals(_plain(cases))
    # the later request falls outside the refund window: a different decision, kept apart
    verdicts = table.column("verdict").to_pylist()
    assert verdicts[0] == verdicts[2] != verdicts[1]


def test_a_second_policy_set_in_the_same_chunk_is_run_afresh():
    strict = set_parameter(DEFAULTS, "refund.refund_window_days[card]", 3)
    cases = _copies([0, 0, 4, 4, 8, 8, 1, 1])
    runs = run_many(
        [DEFAULTS, strict],
        cases,
        chunk_size=8,
        workers=1,
        backend=None,
        client=None,
        executor=None,
        keep_rows=True,
        on_rows=None,
        progress=None,
    )
    tables = [run.rows for run in runs]
    for table, policies in zip(tables, (DEFAULTS, strict), strict=True):
        assert table is not None
        assert table.equals(_plain(cases, policies))
    assert tables[0].column("verdict") != tables[1].column("verdict")


def test_with_reuse_off_every_case_runs_its_workflow(monkeypatch):
    # The benchmark's switch for measuring cases that share nothing.
    import paysupport.analytics.backtest._engine as engine

    runs: list[str] = []

    def counted(case, policies):
        runs.append(case.id)
        return run_case(case, policies)

    monkeypatch.setattr(engine, "run_case", counted)
    monkeypatch.setattr(engine, "_REUSE_COPIES", False)
    cases = _copies([0, 1, 0, 0])
    table = backtest(DEFAULTS, cases).to_arrow()
    assert runs == ["c0", "c1", "c2", "c3"]
    assert table.equals(_plain(cases))
