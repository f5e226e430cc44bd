"""backtest(): rows, summaries from hand-counted rows, chunking, process pool, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import attrs
import polars as pl
import pytest
from backtest_support import T0, dispute_case, mixed_cases, refund_case

from paysupport.analytics.backtest import (
    METRICS,
    ROW_SCHEMA,
    CaseFailed,
    SyntheticCases,
    backtest,
    run_case,
)
from paysupport.errors import ValidationFailed
from paysupport.policies.policy_set import DEFAULTS
from paysupport.workflows import IssueRefund, RequestApproval

CASES = mixed_cases(48)


@pytest.fixture(scope="module")
def result():
    return backtest(DEFAULTS, CASES, chunk_size=7)


def test_one_row_per_case_in_case_order(result):
    table = result.to_arrow()
    assert table.schema == ROW_SCHEMA
    assert table.column("case_id").to_pylist() == [c.id for c in CASES]


def test_money_and_approvals_add_up_to_the_workflows_effects(result):
    refunded: dict[str, int] = {}
    approvals = 0
    for case in CASES:
        for effect in run_case(case, DEFAULTS).effects:
            if isinstance(effect, IssueRefund):
                code = effect.amount.currency.code
                refunded[code] = refunded.get(code, 0) + effect.amount.minor
            if isinstance(effect, RequestApproval):
                approvals += 1
    assert refunded  # the fixture does refund something
    for code, minor in refunded.items():
        assert result.total("refunded_minor", code) == minor
    assert result.total("approvals") == approvals > 0


def test_summaries_by_every_dimension_agree_with_the_rows(result):
    rows = result.to_polars()
    for by in ("all", "kind", "reason_code", "network", "segment", "market", "period"):
        summary = result.summary(by).to_polars()
        assert summary["cases"].sum() == rows.height
        assert summary["contested"].sum() == rows["contested"].sum()
        assert summary["refunded_minor"].sum() == rows["refund_minor"].sum()
    by_kind = {r["kind"]: r["cases"] for r in result.summary("kind").to_dicts()}
    assert by_kind == {"refund": 12, "dispute": 12, "decline": 12, "support": 12}


def test_expected_dispute_figures_come_from_the_decision():
    accept = dispute_case("d1", 4_000)  # small 13.1 without evidence: contesting does not pay
    row = backtest(DEFAULTS, [accept]).row(0)
    assert (row["verdict"], row["accepted"], row["contested"]) == ("accept", True, False)
    assert row["expected_loss_minor"] == 4_000
    assert row["realised_won"] is False and row["realised_loss_minor"] == 4_000


def test_contest_expected_loss_is_amount_minus_expected_win_plus_fees():
    policies = attrs.evolve(
        DEFAULTS,
        dispute_response=attrs.evolve(DEFAULTS.dispute_response, missing_evidence_factor=1),
    )
    case = dispute_case("d1", 100_000, code="10.4", result="lost")
    result = backtest(policies, [case])
    row = result.row(0)
    decision = result.explain(0).decision
    assert decision is not None and row["verdict"] == "contest"
    values = dict(next(r for r in decision.reasons if r.code == "contest_pays").values)
    fees = sum(
        getattr(values[k], "minor", values[k])
        for k in ("dispute_fee", "arbitration_fee", "handling_cost")
    )
    assert row["fees_minor"] == fees
    assert row["expected_win_minor"] == 100_000 * values["chance"]
    assert row["expected_loss_minor"] == 100_000 - row["expected_win_minor"] + fees
    assert row["realised_won"] is False
    assert row["realised_loss_minor"] == 100_000 + fees


def test_chunk_size_does_not_change_the_result(result):
    other = backtest(DEFAULTS, CASES, chunk_size=1000)
    for by in ("all", "reason_code", "period"):
        assert other.summary(by).to_polars().equals(result.summary(by).to_polars())
    assert other.to_arrow().equals(result.to_arrow())


def test_an_iterator_is_streamed_and_its_rows_cannot_be_replayed():
    streamed = backtest(DEFAULTS, iter(CASES[:8]), chunk_size=3)
    assert streamed.size == 8
    with pytest.raises(ValidationFailed) as err:
        streamed.explain(0)
    assert err.value.field == "cases"


def test_keep_rows_false_keeps_summaries_and_streams_rows():
    seen: list[int] = []
    done: list[tuple[int, int | None]] = []
    result = backtest(
        DEFAULTS,
        CASES,
        chunk_size=10,
        keep_rows=False,
        on_rows=lambda batch: seen.append(batch.num_rows),
        progress=lambda d, t: done.append((d, t)),
    )
    assert seen == [10, 10, 10, 10, 8]
    assert done == [(10, 48), (20, 48), (30, 48), (40, 48), (48, 48)]
    assert result.summary().to_polars()["cases"].sum() == 48
    with pytest.raises(ValidationFailed) as err:
        result.to_polars()
    assert err.value.field == "keep_rows"


def test_process_pool_equals_serial():
    source = SyntheticCases(60, seed=5, start=T0, templates=12)
    serial = backtest(DEFAULTS, source, chunk_size=15)
    pooled = backtest(DEFAULTS, source, chunk_size=15, workers=2)
    assert pooled.to_arrow().equals(serial.to_arrow())
    assert (
        pooled.summary("reason_code").to_polars().equals(serial.summary("reason_code").to_polars())
    )


def test_one_pool_runs_several_policy_sets_each_as_a_fresh_set():
    # A worker keeps a run's unpickled policy sets (and their warm derived tables) from chunk
    # to chunk; runs with other policies through the same pool get their own sets.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from paysupport.policies import RefundFairness

    strict = attrs.evolve(DEFAULTS, refund=RefundFairness(auto_approve_limit={"EUR": 1_000}))
    source = SyntheticCases(40, seed=3, start=T0, templates=10)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        runs = [
            backtest(p, source, chunk_size=8, executor=pool) for p in (DEFAULTS, strict, DEFAULTS)
        ]
    for p, run in zip((DEFAULTS, strict, DEFAULTS), runs, strict=True):
        fresh = backtest(p.from_dict(p.to_dict()), source, chunk_size=40)
        assert run.to_arrow().equals(fresh.to_arrow())
    assert not runs[0].to_arrow().equals(runs[1].to_arrow())


def test_a_thread_pool_runs_the_policy_sets_it_was_given():
    from concurrent.futures import ThreadPoolExecutor

    source = SyntheticCases(30, seed=4, start=T0, templates=10)
    with ThreadPoolExecutor(2) as pool:
        threaded = backtest(DEFAULTS, source, chunk_size=7, executor=pool)
    assert threaded.to_arrow().equals(backtest(DEFAULTS, source, chunk_size=30).to_arrow())


def test_shipped_policy_sets_unpickle_once_per_process_and_equal_the_originals():
    import pickle

    from paysupport.analytics.backtest._engine import _Shipped

    shipped = _Shipped((DEFAULTS,))
    first, second = pickle.loads(pickle.dumps(shipped)), pickle.loads(pickle.dumps(shipped))
    assert first is second and first == (DEFAULTS,) and first[0] is not DEFAULTS


def test_an_item_that_is_not_a_case_is_named():
    with pytest.raises(ValidationFailed) as err:
        backtest(DEFAULTS, [refund_case("r1", 1_000), "not a case"])
    assert err.value.field == "cases.1"


def test_a_workflow_error_is_a_typed_error_naming_the_case(monkeypatch):
    import paysupport.analytics.backtest._engine as engine

    def explode(case, policies):
        if case.id == "d2":
            raise KeyError("gone")
        return run_case(case, policies)

    monkeypatch.setattr(engine, "run_case", explode)
    cases = [dispute_case("d1", 1_000), dispute_case("d2", 1_000)]
    with pytest.raises(CaseFailed) as err:
        backtest(DEFAULTS, cases)
    assert err.value.field == "cases.1"
    assert err.value.case_id == "d2"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"chunk_size": 0}, "chunk_size"),
        ({"workers": 0}, "workers"),
        ({"backend": "gpu"}, "backend"),
    ],
)
def test_bad_arguments_are_named(kwargs, field):
    with pytest.raises(ValidationFailed) as err:
        backtest(DEFAULTS, CASES[:2], **kwargs)
    assert err.value.field == field


def test_policies_must_be_a_policy_set():
    with pytest.raises(ValidationFailed) as err:
        backtest({"refund": {}}, CASES[:2])  # type: ignore[arg-type]
    assert err.value.field == "policies.0"


def test_summary_figures_are_integers_per_currency():
    result = backtest(
        DEFAULTS, [refund_case("r1", 1_000), refund_case("u1", 2_000, currency="USD")]
    )
    summary = result.summary().to_polars()
    assert summary["currency"].to_list() == ["EUR", "USD"]
    assert all(summary[m].dtype == pl.Int64 for m in METRICS)
    with pytest.raises(ValidationFailed) as err:
        result.total("refunded_minor")
    assert err.value.field == "currency"


def test_the_period_is_the_cases_month_in_utc():
    late = refund_case("r1", 1_000, at=datetime(2026, 4, 30, 23, 59, tzinfo=UTC))
    tokyo = refund_case(
        "r2", 1_000, at=datetime(2026, 5, 1, 8, 0, tzinfo=timezone(timedelta(hours=9)))
    )
    rows = backtest(DEFAULTS, [late, tokyo]).to_polars()
    assert rows["period"].to_list() == ["2026-04", "2026-04"]  # 8:00 in Tokyo is 23:00 UTC


def test_cases_are_streamed_one_chunk_ahead_at_most():
    pulled = 0
    gaps: list[int] = []

    def stream():
        nonlocal pulled
        for case in CASES:
            pulled += 1
            yield case

    def progress(done: int, total: int | None) -> None:
        gaps.append(pulled - done)

    result = backtest(DEFAULTS, stream(), chunk_size=5, keep_rows=False, progress=progress)
    assert result.size == len(CASES)
    assert len(gaps) == 10
    assert max(gaps) <= 5  # never more than one chunk read ahead of what is done


def test_handling_tier_and_approving_tier_are_apart():
    from backtest_support import BIG, JUNIOR, triage_case

    case = triage_case("s1", 15_000, operator=JUNIOR)
    case = attrs.evolve(case, context=attrs.evolve(case.context, merchant=BIG))
    outcome = run_case(case, DEFAULTS)
    assigned = [e.tier.value for e in outcome.effects if e.kind == "assign_case"]
    approving = [e.tier.value for e in outcome.effects if isinstance(e, RequestApproval)]
    assert assigned and approving and assigned != approving  # the fixture separates them
    row = backtest(DEFAULTS, [case]).row(0)
    assert (row["tier"], row["approval_tier"]) == (assigned[0], approving[0])
    summary = backtest(DEFAULTS, [case]).summary().to_dicts()[0]
    assert summary[f"tier_{assigned[0]}"] == 1
    assert summary[f"approvals_{approving[0]}"] == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"n": -1}, "n"),
        ({"seed": "x"}, "seed"),
        ({"templates": 0}, "templates"),
        ({"days": 0}, "days"),
        ({"start": datetime(2026, 1, 1)}, "start"),
    ],
)
def test_synthetic_cases_refuse_bad_parameters(kwargs, field):
    params = {"n": 10, "start": T0, **kwargs}
    with pytest.raises(ValidationFailed) as err:
        SyntheticCases(**params)
    assert err.value.field == field


def test_synthetic_cases_are_the_same_in_any_chunking():
    source = SyntheticCases(40, seed=3, start=T0, templates=8)
    whole = source.cases(0, 40)
    assert source.cases(10, 25) == whole[10:25]
    assert SyntheticCases(40, seed=4, start=T0, templates=8).cases(0, 40) != whole
    assert len({c.id for c in whole}) == 40


def test_a_run_keeping_no_rows_has_the_same_summaries(result):
    # keep_rows=False builds only the columns the summaries read; every dimension and
    # figure must come out as from the full rows (chunked differently, merged in batches).
    bare = backtest(DEFAULTS, CASES, chunk_size=1, keep_rows=False)
    for by in ("all", "kind", "reason_code", "network", "segment", "market", "period"):
        assert bare.summary(by).to_polars().equals(result.summary(by).to_polars()), by


def test_summary_rows_are_the_full_rows_cut_to_their_columns(result):
    from paysupport.analytics.backtest._rows import SUMMARY_SCHEMA, RowBuffer, row_of

    full, bare = RowBuffer(), RowBuffer(SUMMARY_SCHEMA)
    for case in CASES:
        outcome = run_case(case, DEFAULTS)
        full.add(row_of(case, outcome))
        bare.add(row_of(case, outcome, full=False))
    assert full.to_batch().select(SUMMARY_SCHEMA.names).equals(bare.to_batch())


def _gc_state(_: int) -> tuple[tuple[int, int, int], int]:
    import gc

    return gc.get_threshold(), gc.get_freeze_count()


def test_a_pool_worker_settles_its_collector_and_the_caller_keeps_its_own():
    # Settled once the first chunk's policies arrive: frozen heap, rarer young collections;
    # the result equals the serial run's. Unpickling in the caller's own process (no pool
    # worker) leaves its collector alone.
    import gc
    import multiprocessing
    import pickle
    from concurrent.futures import ProcessPoolExecutor

    from paysupport.analytics.backtest._engine import _WORKER_GC_THRESHOLD, _Shipped

    source = SyntheticCases(30, seed=5, start=T0, templates=10)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        before = pool.submit(_gc_state, 0).result()
        pooled = backtest(DEFAULTS, source, chunk_size=10, executor=pool)
        after = pool.submit(_gc_state, 0).result()
    assert before[0] != _WORKER_GC_THRESHOLD and before[1] == 0
    assert after[0] == _WORKER_GC_THRESHOLD and after[1] > 0
    assert pooled.to_arrow().equals(backtest(DEFAULTS, source, chunk_size=30).to_arrow())
    mine = gc.get_threshold(), gc.get_freeze_count()
    pickle.loads(pickle.dumps(_Shipped((DEFAULTS,))))
    assert (gc.get_threshold(), gc.get_freeze_count()) == mine


@pytest.mark.parametrize("amount", [0, 1, 3, 5, 7, 10, 999, 4990, 123457])
@pytest.mark.parametrize("chance", ["0", "0.5", "0.25", "0.35", "0.125", "0.3333", "1"])
def test_an_expected_win_is_rounded_half_to_even_exactly(amount, chance):
    """The integer rounding of ``amount × chance`` equals Decimal's half-even quantize."""
    from decimal import ROUND_HALF_EVEN, Decimal

    from paysupport.analytics.backtest._rows import _times

    exact = Decimal(amount) * Decimal(chance)
    assert _times(amount, Decimal(chance)) == int(exact.quantize(1, rounding=ROUND_HALF_EVEN))
