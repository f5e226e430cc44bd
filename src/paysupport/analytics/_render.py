"""Rendering a business review: Markdown, and self-contained HTML with inline PNG charts."""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from paysupport.analytics.review import BusinessReview

__all__ = ["render_html", "render_markdown"]

_PERCENT = {
    "value",
    "previous",
    "change",
    "segment_median",
    "share",
    "win_rate",
    "refund_rate",
    "ratio",
    "threshold",
}

_SECTIONS = (
    ("kpis", "KPIs against the previous quarter and the segment median"),
    ("monitoring", "Monitoring programs"),
    ("declines", "Top decline reasons and what the networks advise"),
    ("disputes", "Dispute reasons and win rates"),
    ("refunds", "Refund trend"),
    ("actions", "Recommended actions"),
)

_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}"
    "td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;font-size:.9em}"
    "th{background:#f3f3f3}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.5em}"
)


def _fmt(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column in _PERCENT and isinstance(value, float):
        return f"{value:.2%}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if hasattr(value, "strftime") and column == "month":
        return str(value.strftime("%Y-%m"))
    return str(value)


def _rows(frame: pl.DataFrame) -> list[list[str]]:
    return [
        [_fmt(c, v) for c, v in zip(frame.columns, row, strict=True)] for row in frame.iter_rows()
    ]


def render_markdown(review: BusinessReview) -> str:
    """Markdown with one table per section."""
    lines = [f"# Business review: {review.subject}, {review.quarter}", ""]
    for name, title in _SECTIONS:
        frame: pl.DataFrame = getattr(review, name)
        lines += [f"## {title}", ""]
        if frame.is_empty():
            lines += ["Nothing to report.", ""]
            continue
        cells = _rows(frame)
        lines.append("| " + " | ".join(frame.columns) + " |")
        lines.append("|" + "---|" * len(frame.columns))
        lines += ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in cells]
        lines.append("")
    return "\n".join(lines)


def _table_html(frame: pl.DataFrame) -> str:
    if frame.is_empty():
        return "<p>Nothing to report.</p>"
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
        for row in _rows(frame)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _chart(review: BusinessReview) -> str:
    """The refund trend and the decline mix as one inline PNG (matplotlib, Agg)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.2))
    review.plot(ax=left)
    d = review.declines
    right.barh(d["code"].fill_null("?").to_list()[::-1], (d["share"] * 100).to_list()[::-1])
    right.set_title("Top decline codes (% of declines)")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="refund trend and decline mix" src="data:image/png;base64,{data}"/>'


def render_html(review: BusinessReview) -> str:
    """One HTML page: inline CSS, tables, and the charts as a base64 PNG."""
    title = f"Business review: {review.subject}, {review.quarter}"
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        _chart(review),
    ]
    for name, heading in _SECTIONS:
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append(_table_html(getattr(review, name)))
    parts.append("</body></html>")
    return "".join(parts)
