"""What a backtest returns: rows, summaries, explanations, and their notebook faces."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import attrs
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from paysupport.errors import ValidationFailed
from paysupport.policies import Decision, PolicySet
from paysupport.policies.decision import fingerprint_of
from paysupport.workflows import Outcome

from ._cases import Case, run_case
from ._engine import CaseSource, Run
from ._frame import Table, html_table
from ._rows import main_decision
from ._summary import DIMENSIONS, METRICS

__all__ = ["BacktestResult", "Explanation", "policy_fingerprint"]


def policy_fingerprint(policies: PolicySet) -> str:
    """The sha256 fingerprint of a whole policy set's configuration (``to_dict()``)."""
    return fingerprint_of(policies.to_dict())


def _check_by(by: str) -> str:
    if by not in DIMENSIONS:
        raise ValidationFailed(
            "by", "known_dimension", f"{by!r} is not one of {', '.join(DIMENSIONS)}"
        )
    return by


@attrs.frozen
class Explanation:
    """One row replayed: the case, the workflow's outcome and the full deciding ``Decision``.

    Attributes:
        row: the row as the backtest recorded it.
        case: the case.
        outcome: the workflow's outcome, replayed with the same policies.
        decision: the decision the row reports (with every reason and the policy's
            parameters), or ``None`` when the workflow decided nothing.
        policies_fingerprint: the fingerprint of the whole policy set.
    """

    row: dict[str, Any]
    case: Case
    outcome: Outcome
    decision: Decision | None
    policies_fingerprint: str

    @property
    def fingerprint(self) -> str | None:
        """The deciding policy's fingerprint (the row's ``fingerprint``)."""
        return self.decision.fingerprint if self.decision is not None else None

    def text(self) -> str:
        """A few lines for people: the case, each decision explained, effects and notes."""
        lines = [f"case {self.case.id} ({self.case.kind.value}) at {self.case.at.isoformat()}"]
        lines.extend(d.explain() for d in self.outcome.decisions)
        lines.append("effects: " + (", ".join(e.kind for e in self.outcome.effects) or "none"))
        if self.outcome.notes:
            lines.append("notes: " + ", ".join(self.outcome.note_codes))
        lines.append(f"policy set {self.policies_fingerprint[:12]}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.text())}</pre>"


class BacktestResult:
    """One row per case and summaries, for one policy set.

    Rows are kept unless the backtest ran with ``keep_rows=False`` (then only the
    summaries are, and memory does not grow with the number of cases).

    Attributes:
        policies: the policy set the cases ran with.
        fingerprint: the policy set's fingerprint.
        size: the number of cases.
    """

    def __init__(self, run: Run, source: Sequence[Case] | CaseSource | None) -> None:
        self.policies = run.policies
        self.fingerprint = policy_fingerprint(run.policies)
        self.size = run.size
        self._rows = run.rows
        self._summaries = run.summaries
        self._source = source

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        return f"BacktestResult({self.size} cases, policies {self.fingerprint[:12]})"

    # ------------------------------------------------------------------ rows
    @property
    def has_rows(self) -> bool:
        """True when the rows were kept."""
        return self._rows is not None

    def _table(self) -> pa.Table:
        if self._rows is None:
            raise ValidationFailed(
                "keep_rows", "rows_kept", "this backtest kept no rows (keep_rows=False)"
            )
        return self._rows

    def to_arrow(self) -> pa.Table:
        """The rows as a pyarrow ``Table`` (columns: see the backtests guide)."""
        return self._table()

    def to_polars(self) -> pl.DataFrame:
        """The rows as a polars ``DataFrame``."""
        frame = pl.from_arrow(self._table())
        assert isinstance(frame, pl.DataFrame)
        return frame

    def to_pandas(self) -> Any:
        """The rows as a pandas ``DataFrame`` (pandas must be installed)."""
        return self._table().to_pandas()

    def row(self, index: int) -> dict[str, Any]:
        """Row ``index`` as a dict.

        Raises:
            ValidationFailed: no such row (``field`` is ``row``).
        """
        table = self._table()
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(table):
            raise ValidationFailed("row", "row_exists", f"no row {index!r} of {len(table)}")
        row: dict[str, Any] = table.slice(index, 1).to_pylist()[0]
        return row

    def index_of(self, case_id: str) -> int:
        """The row index of the case with this id.

        Raises:
            ValidationFailed: no row has this case id (``field`` is ``case_id``).
        """
        ids: list[str] = self._table().column("case_id").to_pylist()
        try:
            return ids.index(case_id)
        except ValueError:
            raise ValidationFailed("case_id", "case_exists", f"no case {case_id!r}") from None

    # ------------------------------------------------------------------ summaries
    def summary(self, by: str = "all") -> Table:
        """The summary per ``by``, one row per key and currency.

        ``by`` is ``all``, ``kind``, ``reason_code``, ``network``, ``segment``, ``market``
        or ``period`` (the month of the case, ``YYYY-MM``).

        Figures (all integers; money in minor units of the row's currency): ``cases``,
        ``refunds``, ``refunded_minor``, ``approvals``, ``approval_minor``,
        ``approvals_junior``, ``approvals_middle``, ``approvals_senior`` (by approving tier),
        ``reviews``,
        ``denials``, ``contested``, ``accepted``, ``expected_known``, ``expected_win_minor``,
        ``fees_minor``, ``expected_loss_minor``, ``realised_known``, ``realised_won``,
        ``realised_lost``, ``realised_loss_minor``, ``sla_known``, ``sla_breaches``,
        ``tier_junior``, ``tier_middle``, ``tier_senior`` (the workload per tier).
        """
        return Table(self._summaries[_check_by(by)], f"backtest summary by {by}")

    def total(self, metric: str, currency: str | None = None) -> int:
        """One figure over all cases (money figures: in ``currency``, which they need).

        Raises:
            ValidationFailed: an unknown metric, or a money figure without a currency.
        """
        if metric not in METRICS:
            raise ValidationFailed("metric", "known_metric", f"{metric!r} is not a figure")
        frame = self._summaries["all"]
        if metric.endswith("_minor"):
            if currency is None:
                raise ValidationFailed(
                    "currency", "currency_for_money", f"{metric} is money: name a currency"
                )
            frame = frame.filter(pl.col("currency") == currency)
        return int(frame[metric].cast(pl.Int64).sum())

    # ------------------------------------------------------------------ explaining
    def explain(self, row: int | str) -> Explanation:
        """Replay one row (by index or case id) and return its full decision.

        Raises:
            ValidationFailed: no such row, or the cases were a one-shot iterator
                (``field`` is ``cases``: pass a list or a CaseSource to explain rows).
        """
        index = self.index_of(row) if isinstance(row, str) else row
        recorded = self.row(index)
        case = self._case(index)
        outcome = run_case(case, self.policies)
        return Explanation(recorded, case, outcome, main_decision(case, outcome), self.fingerprint)

    def _case(self, index: int) -> Case:
        source = self._source
        if isinstance(source, CaseSource):
            return source.cases(index, index + 1)[0]
        if source is None:
            raise ValidationFailed(
                "cases", "cases_retained", "pass a list or a CaseSource to explain rows"
            )
        return source[index]

    # ------------------------------------------------------------------ display
    def _repr_html_(self) -> str:
        parts = [
            f"<p><b>Backtest</b>: {self.size} cases, policy set "
            f"<code>{self.fingerprint[:12]}</code></p>",
            html_table(self._summaries["kind"], caption="by kind"),
        ]
        if self._rows is not None:
            parts.append(html_table(self.to_polars(), limit=10, caption="rows"))
        return "".join(parts)

    def plot(self, by: str = "kind", metric: str = "cases", *, ax: Any = None) -> Any:
        """A bar chart of one figure per ``by`` key (and currency); returns the Axes."""
        if metric not in METRICS:
            raise ValidationFailed("metric", "known_metric", f"{metric!r} is not a figure")
        frame = self._summaries[_check_by(by)]
        return bar_chart(frame, [*DIMENSIONS[by], "currency"], metric, ax=ax)


def bar_chart(frame: pl.DataFrame, keys: list[str], metric: str, *, ax: Any = None) -> Any:
    """Bars of ``metric`` labelled by the ``keys`` columns (matplotlib, imported here)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    labels = [
        " ".join("-" if v is None else str(v) for v in values)
        for values in frame.select(keys).iter_rows()
    ]
    ax.bar(range(len(labels)), frame[metric].to_list())
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_ylabel(metric)
    return ax
