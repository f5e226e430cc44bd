"""``compare``: two policy sets over the same cases, case by case, with bootstrap intervals.

The changes table lists every case whose decision, tier, refund or approval differs, how
(``review -> approve``), and which rules of which policy caused it: the ``policy.rule:code``
entries of the decisions that fire under ``b`` and not under ``a`` (``+``), or no longer
fire (``-``). The differences table gives each figure's total under ``a`` and ``b`` and the
difference with a percentile bootstrap interval over cases (seeded: the same seed gives the
same interval); money figures per currency, in minor units.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np
import polars as pl

from paysupport.errors import ValidationFailed
from paysupport.policies import PolicySet

from ._engine import CaseSource, Progress, run_many
from ._frame import Table, html_table
from ._result import BacktestResult, bar_chart

__all__ = ["Comparison", "compare"]

#: The per-case figures whose difference is bootstrapped (money ones per currency).
COMPARED: tuple[str, ...] = (
    "refund_minor",
    "approval_minor",
    "expected_loss_minor",
    "realised_loss_minor",
    "approvals",
    "approvals_middle",
    "approvals_senior",
    "reviews",
    "contested",
    "accepted",
    "tier_junior",
    "tier_middle",
    "tier_senior",
)

_PER_CASE: dict[str, pl.Expr] = {
    "refund_minor": pl.col("refund_minor"),
    "approval_minor": pl.col("approval_minor"),
    "expected_loss_minor": pl.col("expected_loss_minor").fill_null(0),
    "realised_loss_minor": pl.col("realised_loss_minor").fill_null(0),
    "approvals": pl.col("approval_needed").cast(pl.Int64),
    "approvals_middle": (pl.col("approval_tier") == "middle").fill_null(False).cast(pl.Int64),
    "approvals_senior": (pl.col("approval_tier") == "senior").fill_null(False).cast(pl.Int64),
    "reviews": (pl.col("verdict") == "review").fill_null(False).cast(pl.Int64),
    "contested": pl.col("contested").cast(pl.Int64),
    "accepted": pl.col("accepted").cast(pl.Int64),
    "tier_junior": (pl.col("tier") == "junior").fill_null(False).cast(pl.Int64),
    "tier_middle": (pl.col("tier") == "middle").fill_null(False).cast(pl.Int64),
    "tier_senior": (pl.col("tier") == "senior").fill_null(False).cast(pl.Int64),
}

_SIDE = [
    "verdict",
    "tier",
    "refund_minor",
    "approval_needed",
    "approval_tier",
    "rules",
    "fingerprint",
    "policy",
]


def _figures(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.select(
        "case_id", "currency", *[e.cast(pl.Int64).alias(k) for k, e in _PER_CASE.items()]
    )


def bootstrap_sum(
    deltas: np.ndarray[Any, Any], resamples: int, confidence: float, rng: np.random.Generator
) -> tuple[int, int]:
    """The percentile interval of the sum of ``deltas`` resampled with replacement.

    Only non-zero deltas move a sum: each resample draws how many of its ``n`` draws land on
    them (binomial) and which (uniform), the same distribution as resampling all ``n``.
    """
    n = len(deltas)
    nonzero = deltas[deltas != 0]
    if n == 0 or len(nonzero) == 0:
        return 0, 0
    hits = rng.binomial(n, len(nonzero) / n, size=resamples)
    sums = np.fromiter(
        (int(nonzero[rng.integers(0, len(nonzero), k)].sum()) for k in hits),
        dtype=np.int64,
        count=resamples,
    )
    sums.sort()
    tail = (1 - confidence) / 2
    low = sums[int(np.floor(tail * (resamples - 1)))]
    high = sums[int(np.ceil((1 - tail) * (resamples - 1)))]
    return int(low), int(high)


class Comparison:
    """Policy set ``b`` against ``a`` over the same cases.

    Attributes:
        a: the backtest under ``a`` (with rows).
        b: the backtest under ``b`` (with rows).
        seed: the bootstrap seed.
        confidence: the interval's confidence level.
    """

    def __init__(
        self,
        a: BacktestResult,
        b: BacktestResult,
        *,
        seed: int,
        resamples: int,
        confidence: float,
    ) -> None:
        self.a = a
        self.b = b
        self.seed = seed
        self.confidence = confidence
        self._changes = _changes(a.to_polars(), b.to_polars())
        self._differences = _differences(a.to_polars(), b.to_polars(), seed, resamples, confidence)

    def changes(self) -> Table:
        """The cases whose decision, tier, refund or approval changed, how, and why."""
        return Table(self._changes, "changed cases")

    def differences(self) -> Table:
        """Per figure (and currency for money): totals under a and b, difference, interval."""
        return Table(self._differences, f"differences (b - a), {self.confidence:.0%} interval")

    def difference(self, metric: str, currency: str | None = None) -> dict[str, Any]:
        """One row of ``differences`` as a dict.

        Raises:
            ValidationFailed: no such figure (or currency) in the comparison.
        """
        frame = self._differences.filter(pl.col("metric") == metric)
        if currency is not None:
            frame = frame.filter(pl.col("currency") == currency)
        if frame.height != 1:
            raise ValidationFailed(
                "metric", "known_metric", f"no single difference for {metric!r} {currency or ''}"
            )
        return frame.to_dicts()[0]

    def _repr_html_(self) -> str:
        return (
            f"<p><b>Comparison</b>: {self._changes.height} of {self.a.size} cases change</p>"
            + html_table(self._differences, caption="differences (b - a)")
            + html_table(self._changes, limit=10, caption="changed cases")
        )

    def plot(self, *, currency: str | None = None, ax: Any = None) -> Any:
        """Bars of each difference (money in ``currency`` if given) with the interval."""
        frame = self._differences
        if currency is not None:
            frame = frame.filter(pl.col("currency").is_null() | (pl.col("currency") == currency))
        ax = bar_chart(frame, ["metric", "currency"], "difference", ax=ax)
        diff = np.array(frame["difference"].to_list())
        err = np.array(
            [
                diff - np.array(frame["ci_low"].to_list()),
                np.array(frame["ci_high"].to_list()) - diff,
            ]
        )
        ax.errorbar(range(frame.height), diff, yerr=err, fmt="none", ecolor="black", capsize=3)
        return ax


def _arrow(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    return pl.concat_str(
        [a.cast(pl.String).fill_null("-"), pl.lit(" -> "), b.cast(pl.String).fill_null("-")]
    )


def _changes(a: pl.DataFrame, b: pl.DataFrame) -> pl.DataFrame:
    joined = a.select("case_id", "kind", "currency", *_SIDE).join(
        b.select("case_id", *_SIDE), on="case_id", how="inner", suffix="_b"
    )
    changed = joined.filter(
        pl.any_horizontal(
            *[
                pl.col(c).ne_missing(pl.col(f"{c}_b"))
                for c in ("verdict", "tier", "refund_minor", "approval_needed", "approval_tier")
            ]
        )
    )
    causes = [
        _cause(ra or [], rb or []) for ra, rb in changed.select("rules", "rules_b").iter_rows()
    ]
    return changed.select(
        "case_id",
        "kind",
        "currency",
        _arrow(pl.col("verdict"), pl.col("verdict_b")).alias("verdict"),
        _arrow(pl.col("tier"), pl.col("tier_b")).alias("tier"),
        _arrow(pl.col("refund_minor"), pl.col("refund_minor_b")).alias("refund_minor"),
        _arrow(pl.col("approval_needed"), pl.col("approval_needed_b")).alias("approval"),
        _arrow(pl.col("approval_tier"), pl.col("approval_tier_b")).alias("approval_tier"),
        pl.Series("cause", causes, dtype=pl.List(pl.String)),
        pl.Series(
            "cause_policy",
            [_policy(c) for c in causes],
            dtype=pl.String,
        ),
        pl.col("fingerprint").alias("fingerprint_a"),
        pl.col("fingerprint_b"),
    )


def _cause(a: list[str], b: list[str]) -> list[str]:
    """Rules firing under b only (``+``), then under a only (``-``), in decision order."""
    only_b = [f"+{r}" for r in b if r not in a]
    only_a = [f"-{r}" for r in a if r not in b]
    return only_b + only_a


def _policy(cause: list[str]) -> str | None:
    if not cause:
        return None
    return cause[0][1:].split(".", 1)[0]


def _differences(
    a: pl.DataFrame, b: pl.DataFrame, seed: int, resamples: int, confidence: float
) -> pl.DataFrame:
    fa = _figures(a)
    fb = _figures(b)
    joined = fa.join(fb, on="case_id", how="inner", suffix="_b")
    rng = np.random.default_rng(seed)
    out: list[dict[str, Any]] = []
    currencies = sorted(c for c in joined["currency"].unique().to_list() if c is not None)
    for metric in COMPARED:
        groups: list[tuple[str | None, pl.DataFrame]]
        if metric.endswith("_minor"):
            groups = [(c, joined.filter(pl.col("currency") == c)) for c in currencies]
        else:
            groups = [(None, joined)]
        for currency, frame in groups:
            va = frame[metric].to_numpy()
            vb = frame[f"{metric}_b"].to_numpy()
            deltas = (vb - va).astype(np.int64)
            low, high = bootstrap_sum(deltas, resamples, confidence, rng)
            out.append(
                {
                    "metric": metric,
                    "currency": currency,
                    "a": int(va.sum()),
                    "b": int(vb.sum()),
                    "difference": int(deltas.sum()),
                    "ci_low": low,
                    "ci_high": high,
                    "cases_changed": int((deltas != 0).sum()),
                }
            )
    schema = {
        "metric": pl.String,
        "currency": pl.String,
        "a": pl.Int64,
        "b": pl.Int64,
        "difference": pl.Int64,
        "ci_low": pl.Int64,
        "ci_high": pl.Int64,
        "cases_changed": pl.Int64,
    }
    return pl.DataFrame(out, schema=schema)


def compare(
    a: PolicySet,
    b: PolicySet,
    cases: Iterable[Any] | CaseSource,
    *,
    seed: int = 0,
    resamples: int = 1_000,
    confidence: float = 0.95,
    chunk_size: int = 2_000,
    workers: int = 1,
    backend: str | None = None,
    client: Any = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """Backtest ``a`` and ``b`` over the same cases (one pass) and set them side by side.

    Args:
        a: the current policy set.
        b: the candidate.
        cases: the cases (see ``backtest``); rows are kept for both sets.
        seed: the bootstrap's seed.
        resamples: bootstrap resamples.
        confidence: the interval's level, in (0, 1).
        chunk_size: cases per chunk.
        workers: processes for the ``process`` backend.
        backend: ``"serial"``, ``"process"`` or ``"dask"``.
        client: a ``dask.distributed.Client``.
        executor: a process pool to reuse.
        progress: called as ``progress(done, total)`` after each chunk.

    Raises:
        ValidationFailed: a bad seed, resample count or confidence (``field`` names it).
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValidationFailed("seed", "seed_non_negative_int", "seed must be an int ≥ 0")
    if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 10:
        raise ValidationFailed("resamples", "enough_resamples", "resamples must be an int ≥ 10")
    if not isinstance(confidence, float) or not 0 < confidence < 1:
        raise ValidationFailed("confidence", "confidence_in_0_1", "confidence is in (0, 1)")
    runs = run_many(
        [a, b],
        cases,
        chunk_size=chunk_size,
        workers=workers,
        backend=backend,
        client=client,
        executor=executor,
        keep_rows=True,
        on_rows=None,
        progress=progress,
    )
    source = cases if isinstance(cases, CaseSource | Sequence) else None
    ra, rb = (BacktestResult(run, source) for run in runs)
    return Comparison(ra, rb, seed=seed, resamples=resamples, confidence=confidence)
