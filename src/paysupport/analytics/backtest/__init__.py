"""Policy backtests: replay cases through the real workflows, compare, sweep, at scale.

A backtest runs each case (a refund request, a dispute notice, a decline, a new support
case, with the facts known at its time) through the same workflow a support tool calls,
with the policy set under test and ``now`` from the case, and records one row per case and
summaries. ``compare`` sets two policy sets side by side with bootstrap confidence
intervals; ``sweep`` varies policy parameters over a grid. Cases run on this process,
on a process pool, or on a Dask cluster, with the same result.
"""

from ._api import backtest
from ._cases import (
    Case,
    CaseKind,
    DeclineCase,
    DisputeCase,
    RefundCase,
    TriageCase,
    run_case,
)
from ._compare import Comparison, compare
from ._engine import CaseFailed, CaseSource, Progress
from ._frame import Table
from ._history import cases_from_history
from ._progress import rich_progress
from ._result import BacktestResult, Explanation, policy_fingerprint
from ._rows import ROW_SCHEMA as ROW_SCHEMA
from ._summary import DIMENSIONS as DIMENSIONS
from ._summary import METRICS as METRICS
from ._sweep import SweepResult, set_parameter, sweep
from ._synthetic import SyntheticCases

__all__ = [
    "BacktestResult",
    "Case",
    "CaseFailed",
    "CaseKind",
    "CaseSource",
    "Comparison",
    "DeclineCase",
    "DisputeCase",
    "Explanation",
    "Progress",
    "SweepResult",
    "SyntheticCases",
    "RefundCase",
    "Table",
    "TriageCase",
    "backtest",
    "cases_from_history",
    "compare",
    "policy_fingerprint",
    "rich_progress",
    "run_case",
    "set_parameter",
    "sweep",
]
