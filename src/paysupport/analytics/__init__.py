"""Views over many records at once: the support queue, portfolio health, policy backtests.

Everything columnar (``History``, ``synthetic``, ``portfolio_health``, ``business_review``,
``rule_quality``, ``team_performance``) needs the ``analytics`` extra (polars, pyarrow,
narwhals; matplotlib for ``plot()``). Names are imported on first use, so the support
queue works without the extra, and a missing extra raises `MissingExtra` saying
what to install.

    >>> from paysupport.analytics import portfolio_health, synthetic
    >>> health = portfolio_health(synthetic(seed=3, n_payments=800, n_merchants=4, months=3))
    >>> health.kpis.height > 0
    True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from paysupport.analytics._extra import MissingExtra, check

_QUEUE = "paysupport.analytics.queue"
_LAZY: dict[str, str] = {
    # the support queue (core only)
    "CaseRow": _QUEUE,
    "DeclineRow": _QUEUE,
    "DisputeRow": _QUEUE,
    "QueueReport": _QUEUE,
    "queue_report": _QUEUE,
    "render_text": _QUEUE,
    # columnar views (the analytics extra)
    "History": "paysupport.analytics.history",
    "EVENT_COLUMNS": "paysupport.analytics.history",
    "MERCHANT_COLUMNS": "paysupport.analytics.history",
    "CASE_COLUMNS": "paysupport.analytics.history",
    "synthetic": "paysupport.analytics._synthetic",
    "SyntheticParams": "paysupport.analytics._synthetic",
    "programs_in_force": "paysupport.analytics.programs",
    "ProgramRule": "paysupport.analytics.programs",
    "portfolio_health": "paysupport.analytics.health",
    "HealthReport": "paysupport.analytics.health",
    "business_review": "paysupport.analytics.review",
    "BusinessReview": "paysupport.analytics.review",
    "rule_quality": "paysupport.analytics.rules",
    "RuleQuality": "paysupport.analytics.rules",
    "Costs": "paysupport.analytics.rules",
    "team_performance": "paysupport.analytics.team",
    "cases_from_history": "paysupport.analytics.backtest",  # the rest: analytics.backtest
    "TeamPerformance": "paysupport.analytics.team",
    "Standards": "paysupport.analytics.team",
}
_CORE = frozenset({_QUEUE})

__all__ = [
    "BusinessReview",
    "CaseRow",
    "Costs",
    "DeclineRow",
    "DisputeRow",
    "HealthReport",
    "History",
    "MissingExtra",
    "ProgramRule",
    "QueueReport",
    "RuleQuality",
    "Standards",
    "SyntheticParams",
    "TeamPerformance",
    "business_review",
    "portfolio_health",
    "programs_in_force",
    "queue_report",
    "render_text",
    "rule_quality",
    "synthetic",
    "team_performance",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if module not in _CORE:
        check()
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:
    from paysupport.analytics._synthetic import SyntheticParams, synthetic
    from paysupport.analytics.health import HealthReport, portfolio_health
    from paysupport.analytics.history import History
    from paysupport.analytics.programs import ProgramRule, programs_in_force
    from paysupport.analytics.queue import (
        CaseRow,
        DeclineRow,
        DisputeRow,
        QueueReport,
        queue_report,
        render_text,
    )
    from paysupport.analytics.review import BusinessReview, business_review
    from paysupport.analytics.rules import Costs, RuleQuality, rule_quality
    from paysupport.analytics.team import Standards, TeamPerformance, team_performance
