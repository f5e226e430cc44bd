"""Rule quality against a hand-computed confusion table and cost."""

from __future__ import annotations

import polars as pl
import pytest

from paysupport.analytics import Costs, rule_quality, synthetic
from paysupport.analytics.rules import labelled_transactions
from paysupport.errors import ValidationFailed

# scores, fraud labels and amounts of ten transactions
SCORES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]
FRAUD = [False, False, False, True, False, False, True, False, True, True]
AMOUNTS = [1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000, 10_000]
DATA = pl.DataFrame(
    {"risk_score": SCORES, "is_fraud": FRAUD, "amount_minor": AMOUNTS, "currency": ["USD"] * 10}
)


def test_confusion_table_at_a_threshold() -> None:
    q = rule_quality(DATA, thresholds=[0.65])
    row = q.at(0.65)
    # declined: 0.7 (fraud), 0.8 (good), 0.9 (fraud), 0.95 (fraud)
    assert (row["tp"], row["fp"], row["fn"], row["tn"]) == (3, 1, 1, 5)
    assert row["precision"] == pytest.approx(3 / 4)
    assert row["recall"] == pytest.approx(3 / 4)
    assert row["false_positive_rate"] == pytest.approx(1 / 6)
    assert row["approval_rate"] == pytest.approx(6 / 10)
    assert row["fraud_caught_minor"] == 7_000 + 9_000 + 10_000
    assert row["good_declined_minor"] == 8_000
    assert row["fraud_missed_minor"] == 4_000


def test_expected_cost_by_hand_and_the_cheapest_threshold() -> None:
    costs = Costs(
        fraud_loss=1.0,
        dispute_share=0.5,
        dispute_fee_minor=1_000,
        margin=0.25,
        program_fee_minor=0,
        vamp_threshold=1.0,
    )
    q = rule_quality(DATA, thresholds=[0.0, 0.35, 0.65, 1.0], costs=costs)
    cost = dict(zip(q.curve["threshold"], q.curve["expected_cost_minor"], strict=True))
    # 0.0 declines all: good declined 1+2+3+5+6+8 = 25,000 x 0.25
    assert cost[0.0] == 6_250
    # 0.35 declines 0.4 upwards: good 5+6+8 = 19,000 x 0.25; nothing missed
    assert cost[0.35] == 4_750
    # 0.65: missed 4,000 + 1 x 0.5 x 1,000; good 8,000 x 0.25
    assert cost[0.65] == 4_000 + 500 + 2_000
    # 1.0 declines nothing: missed 30,000 + 4 x 0.5 x 1,000
    assert cost[1.0] == 30_000 + 2_000
    assert q.best["threshold"] == 0.35
    assert q.currency == "USD"


def test_vamp_ratio_moves_with_the_threshold_and_fees_apply_above_it() -> None:
    costs = Costs(
        dispute_share=1.0,
        other_disputes=0,
        program_fee_minor=100,
        vamp_threshold=0.3,
        margin=0.0,
        dispute_fee_minor=0,
        fraud_loss=0.0,
    )
    q = rule_quality(DATA, thresholds=[0.65, 1.0], costs=costs)
    low, high = q.at(0.65), q.at(1.0)
    # approved at 0.65: 6 with 1 fraud -> (1 x 2) / 6; at 1.0: 10 with 4 -> 8 / 10
    assert low["vamp_ratio"] == pytest.approx(2 / 6)
    assert high["vamp_ratio"] == pytest.approx(8 / 10)
    assert low["expected_cost_minor"] == 2 * 100  # 0.333 >= 0.3: fee per counted incident
    assert high["expected_cost_minor"] == 8 * 100


@pytest.mark.parametrize(
    ("frame", "field", "rule"),
    [
        (DATA.drop("is_fraud"), "data.is_fraud", "missing_column"),
        (
            DATA.with_columns(pl.col("amount_minor").cast(pl.Float64)),
            "data.amount_minor[0]",
            "no_float",
        ),
        (
            DATA.with_columns(pl.Series("risk_score", [*SCORES[:4], 1.2, *SCORES[5:]])),
            "data.risk_score[4]",
            "unit_interval",
        ),
        (
            DATA.with_columns(pl.Series("currency", ["USD"] * 9 + ["EUR"])),
            "data.currency",
            "one_currency",
        ),
    ],
)
def test_bad_input(frame: pl.DataFrame, field: str, rule: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        rule_quality(frame)
    assert (err.value.field, err.value.rule) == (field, rule)


def test_labelled_transactions_from_a_history_and_pandas_input() -> None:
    h = synthetic(seed=4, n_payments=3_000, n_merchants=3, months=3)
    labelled = labelled_transactions(h, h.merchants["merchant_id"][0])
    fraud_payments = set(h.events.filter(pl.col("kind") == "fraud_report")["payment_id"].to_list())
    flagged = set(labelled.filter(pl.col("is_fraud"))["payment_id"].to_list())
    assert flagged >= fraud_payments & set(labelled["payment_id"].to_list())
    assert labelled["merchant_id"].n_unique() == 1
    polars_q = rule_quality(labelled)
    pandas_q = rule_quality(labelled.to_pandas())
    assert polars_q.curve.equals(pandas_q.curve)
