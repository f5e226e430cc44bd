"""Views over many records at once: the support queue, portfolio health, policy backtests."""

from paysupport.analytics.queue import (
    CaseRow,
    DeclineRow,
    DisputeRow,
    QueueReport,
    queue_report,
    render_text,
)

__all__ = [
    "CaseRow",
    "DeclineRow",
    "DisputeRow",
    "QueueReport",
    "queue_report",
    "render_text",
]
