"""Rule quality: conversion versus fraud for a score or rule, and the threshold that costs least.

A rule declines a transaction when its score is at or above the threshold. Over a grid of
thresholds: precision, recall, false-positive rate, approval rate, fraud caught and good
revenue declined (in minor units of the one currency of the data), the expected cost with
the caller's cost parameters, and the VAMP ratio the approved transactions would produce.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import polars as pl

from paysupport.analytics._frames import check_not_null, fail_at, first_row, to_polars
from paysupport.analytics._result import Result, new_axes
from paysupport.analytics.history import History
from paysupport.errors import ValidationFailed

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["Costs", "RuleQuality", "labelled_transactions", "rule_quality"]

_FRAUD_REASONS = (
    "10.1",
    "10.2",
    "10.3",
    "10.4",
    "10.5",
    "4837",
    "4863",
    "4870",
    "4871",
    "F24",
    "F29",
    "F30",
    "F31",
    "UA01",
    "UA02",
    "UA05",
    "UA06",
)


@dataclass(frozen=True, slots=True)
class Costs:
    """What each outcome of a rule costs, as parameters (minor units of the data's currency).

    Attributes:
        fraud_loss: share of a missed fraud's amount that is lost (1.0: all of it).
        dispute_share: share of missed fraud that becomes a dispute (0.8: "80% of EFWs
            escalate to fraudulent disputes", docs.stripe.com/disputes/how-disputes-work).
        dispute_fee_minor: fee per dispute (Stripe's 2016 example shows 1500 USD cents; the
            docs give no amount: set your own).
        margin: share of a declined good transaction's amount that is lost profit
            (assumption: 0.3).
        program_fee_minor: monitoring-program fee per fraud report or dispute while the
            VAMP ratio is at or above ``vamp_threshold`` (USD 8 when Excessive, enforced
            from 1 Oct 2025; **unconfirmed**, disputes.md §7.1).
        vamp_threshold: the VAMP merchant ratio that triggers ``program_fee_minor``.
        other_disputes: disputes in the same period that the rule cannot affect (they
            count in the VAMP ratio).
    """

    fraud_loss: float = 1.0
    dispute_share: float = 0.8
    dispute_fee_minor: int = 1500
    margin: float = 0.3
    program_fee_minor: int = 800
    vamp_threshold: float = 0.015
    other_disputes: int = 0


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class RuleQuality(Result):
    """The curve of a rule over thresholds, and the threshold with the least expected cost.

    Attributes:
        curve: one row per threshold: ``declined``, ``tp``/``fp``/``fn``/``tn``,
            ``precision``, ``recall``, ``false_positive_rate``, ``approval_rate``,
            ``fraud_caught_minor``, ``good_declined_minor``, ``fraud_missed_minor``,
            ``vamp_ratio`` and ``expected_cost_minor`` (an expectation, rounded).
        best: the curve's row with the least expected cost.
        currency: the currency of the amounts.
        costs: the cost parameters used.
    """

    curve: pl.DataFrame
    best: dict[str, Any]
    currency: str
    costs: Costs = field(default_factory=Costs)
    _tables: ClassVar[tuple[str, ...]] = ("curve",)
    _title: ClassVar[str] = "Rule quality: conversion versus fraud"

    def summary(self) -> str:
        """The best threshold in one line."""
        b = self.best

        def pct(x: float | None) -> str:
            return "n/a" if x is None else f"{x:.1%}"

        return (
            f"best threshold {b['threshold']:.2f}: approval {pct(b['approval_rate'])}, "
            f"recall {pct(b['recall'])}, expected cost {b['expected_cost_minor']:,} "
            f"{self.currency} minor units"
        )

    def at(self, threshold: float) -> dict[str, Any]:
        """The curve's row nearest ``threshold``."""
        i = int((self.curve["threshold"] - threshold).abs().arg_min() or 0)
        return self.curve.row(i, named=True)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Approval rate (conversion) against the share of fraud caught, best point marked."""
        ax = new_axes(ax, "Conversion versus fraud")
        ax.plot(
            self.curve["approval_rate"] * 100, self.curve["recall"].fill_null(0.0) * 100, marker="."
        )
        ax.scatter(
            [self.best["approval_rate"] * 100],
            [(self.best["recall"] or 0.0) * 100],
            color="red",
            zorder=3,
            label=f"least cost at {self.best['threshold']:.2f}",
        )
        ax.set_xlabel("approval rate (%)")
        ax.set_ylabel("fraud caught (% of fraud transactions)")
        ax.legend(fontsize="small")
        return ax


def labelled_transactions(history: History, merchant_id: str | None = None) -> pl.DataFrame:
    """Approved authorisations with their score and a fraud label, for `rule_quality`.

    A payment is fraud when it has a fraud report or a dispute with a fraud reason code.
    Columns: ``payment_id``, ``merchant_id``, ``network``, ``card_present``,
    ``risk_score``, ``is_fraud``, ``amount_minor``, ``currency``.
    """
    ev = history.events
    if merchant_id is not None:
        ev = ev.filter(pl.col("merchant_id") == merchant_id)
    fraud = (
        ev.filter(
            (pl.col("kind") == "fraud_report")
            | ((pl.col("kind") == "dispute") & pl.col("reason_code").is_in(_FRAUD_REASONS))
        )
        .select("payment_id")
        .unique()
    )
    return (
        ev.filter(
            (pl.col("kind") == "authorization")
            & pl.col("approved")
            & pl.col("risk_score").is_not_null()
        )
        .select(
            "payment_id",
            "merchant_id",
            "network",
            "card_present",
            "risk_score",
            "amount_minor",
            "currency",
        )
        .with_columns(pl.col("payment_id").is_in(fraud["payment_id"].implode()).alias("is_fraud"))
    )


def rule_quality(
    data: Any,
    *,
    score: str = "risk_score",
    label: str = "is_fraud",
    amount: str = "amount_minor",
    thresholds: int | list[float] = 101,
    costs: Costs | None = None,
) -> RuleQuality:
    """Quality of a score-threshold rule on labelled transactions.

    Args:
        data: pandas, polars or pyarrow table with the score, label and amount columns
            (and optionally ``currency``, which must hold one currency).
        score: column with the score (higher is riskier; the rule declines at or above
            the threshold). A rule's yes/no outcome works as a 0/1 score.
        label: boolean column, True for fraud.
        amount: integer column of amounts in minor units.
        thresholds: a number of evenly spaced thresholds over [0, 1], or the list.
        costs: the cost parameters ([`Costs`][paysupport.analytics.Costs]).

    Raises:
        ValidationFailed: a missing column, a null, a float amount or several currencies.
    """
    costs = costs or Costs()
    df, currency = _door(to_polars(data, "data"), score, label, amount)
    grid = (
        np.round(np.linspace(0.0, 1.0, thresholds), 6)
        if isinstance(thresholds, int)
        else np.array(sorted(thresholds), dtype=float)
    )
    s = df[score].to_numpy().astype(float)
    order = np.argsort(s)
    s_sorted = s[order]
    y = df[label].to_numpy().astype(bool)[order]
    a = df[amount].to_numpy().astype(np.int64)[order]

    # suffix sums: rows at index >= i are declined at a threshold whose first index is i
    def suffix(v: np.ndarray) -> np.ndarray:
        out: np.ndarray = np.concatenate([np.cumsum(v[::-1])[::-1], [0]])
        return out

    start = np.searchsorted(s_sorted, grid, side="left")
    n, fraud_n, fraud_amt = len(s), int(y.sum()), int(a[y].sum())
    tp, fp = suffix(y.astype(np.int64))[start], suffix((~y).astype(np.int64))[start]
    tp_amt, fp_amt = suffix(np.where(y, a, 0))[start], suffix(np.where(y, 0, a))[start]
    curve = pl.DataFrame(
        {
            "threshold": grid,
            "declined": tp + fp,
            "tp": tp,
            "fp": fp,
            "fn": fraud_n - tp,
            "tn": (n - fraud_n) - fp,
            "fraud_caught_minor": tp_amt,
            "good_declined_minor": fp_amt,
            "fraud_missed_minor": fraud_amt - tp_amt,
        }
    )
    curve = _rates(curve, costs)
    best = curve.row(int(curve["expected_cost_minor"].arg_min() or 0), named=True)
    return RuleQuality(curve, best, currency, costs)


def _door(df: pl.DataFrame, score: str, label: str, amount: str) -> tuple[pl.DataFrame, str]:
    for column in (score, label, amount):
        if column not in df.columns:
            raise fail_at("data", column, None, "missing_column", f"data needs {column}")
    check_not_null(df, "data", (score, label, amount))
    if not df.schema[amount].is_integer():
        raise fail_at(
            "data",
            amount,
            first_row(df, pl.lit(True)),
            "no_float",
            "amounts are integer minor units",
        )
    if df.schema[label] != pl.Boolean:
        raise fail_at(
            "data",
            label,
            first_row(df, pl.lit(True)),
            "boolean",
            "the label is a boolean (True for fraud)",
        )
    df = df.with_columns(pl.col(score).cast(pl.Float64, strict=False))
    row = first_row(df, (pl.col(score) < 0) | (pl.col(score) > 1) | pl.col(score).is_nan())
    if row is not None:
        raise fail_at("data", score, row, "unit_interval", "scores are in [0, 1]")
    currency = ""
    if "currency" in df.columns:
        found = df["currency"].unique().drop_nulls().to_list()
        if len(found) > 1:
            raise ValidationFailed(
                "data.currency",
                "one_currency",
                f"several currencies ({', '.join(sorted(found))}): filter "
                "to one, or convert amounts first",
            )
        currency = found[0] if found else ""
    return df, currency


def _rates(curve: pl.DataFrame, c: Costs) -> pl.DataFrame:
    def ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
        return pl.when(den > 0).then(num / den)

    tp, fp, fn, tn = (pl.col(x) for x in ("tp", "fp", "fn", "tn"))
    approved = fn + tn
    vamp = ratio(fn * (1 + c.dispute_share) + c.other_disputes, approved.cast(pl.Float64))
    curve = curve.with_columns(
        ratio(tp, tp + fp).alias("precision"),
        ratio(tp, tp + fn).alias("recall"),
        ratio(fp, fp + tn).alias("false_positive_rate"),
        ratio(approved, tp + fp + fn + tn).alias("approval_rate"),
        vamp.alias("vamp_ratio"),
    )
    exposure = (
        pl.when(pl.col("vamp_ratio") >= c.vamp_threshold)
        .then((fn * (1 + c.dispute_share) + c.other_disputes) * c.program_fee_minor)
        .otherwise(0.0)
    )
    cost = (
        pl.col("fraud_missed_minor") * c.fraud_loss
        + fn * c.dispute_share * c.dispute_fee_minor
        + pl.col("good_declined_minor") * c.margin
        + exposure
    )
    return curve.with_columns(cost.round(0).cast(pl.Int64).alias("expected_cost_minor"))
