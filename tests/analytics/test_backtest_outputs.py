"""Outputs like the rest of analytics: dataframes, HTML, plots, and explaining a row."""

from __future__ import annotations

import matplotlib
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from backtest_support import JUNIOR, mixed_cases, refund_case

from paysupport.analytics.backtest import SyntheticCases, backtest, policy_fingerprint
from paysupport.errors import ValidationFailed
from paysupport.policies.policy_set import DEFAULTS

matplotlib.use("Agg")

CASES = mixed_cases(20)


@pytest.fixture(scope="module")
def result():
    return backtest(DEFAULTS, CASES)


def test_rows_convert_to_every_dataframe_library(result):
    assert isinstance(result.to_arrow(), pa.Table)
    assert isinstance(result.to_polars(), pl.DataFrame)
    frame = result.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["case_id"]) == [c.id for c in CASES]
    summary = result.summary("segment")
    assert isinstance(summary.to_pandas(), pd.DataFrame)
    assert summary.to_arrow().num_rows == len(summary)


def test_html_shows_the_summary_and_escapes_values(result):
    page = result._repr_html_()
    assert "Backtest" in page and "<table" in page and policy_fingerprint(DEFAULTS)[:12] in page
    assert "<table" in result.summary("kind")._repr_html_()


def test_plot_draws_one_bar_per_key(result):
    ax = result.plot(by="kind", metric="cases")
    assert len(ax.patches) == 4
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "decline EUR",
        "dispute EUR",
        "refund EUR",
        "support EUR",
    ]


def test_explain_replays_the_row_with_its_full_decision():
    case = refund_case("r1", 15_000, operator=JUNIOR)
    result = backtest(DEFAULTS, [case])
    explained = result.explain("r1")
    row = result.row(0)
    assert explained.decision is not None
    assert explained.fingerprint == row["fingerprint"]
    assert list(explained.decision.codes) == row["reason_codes"]
    assert explained.policies_fingerprint == result.fingerprint
    text = explained.text()
    assert "above_operator_limit" in text and "request_approval" in text


def test_explain_works_on_a_case_source():
    source = SyntheticCases(30, seed=2, start=CASES[0].at, templates=8)
    result = backtest(DEFAULTS, source)
    explained = result.explain(17)
    assert explained.case.id == result.row(17)["case_id"]
    assert explained.row["verdict"] == (
        explained.decision.outcome.value if explained.decision else None
    )


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda r: r.summary("colour"), "by"),
        (lambda r: r.row(99), "row"),
        (lambda r: r.explain("nope"), "case_id"),
        (lambda r: r.plot(metric="nope"), "metric"),
        (lambda r: r.total("nope"), "metric"),
    ],
)
def test_bad_questions_are_typed_errors(result, call, field):
    with pytest.raises(ValidationFailed) as err:
        call(result)
    assert err.value.field == field
