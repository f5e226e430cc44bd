"""The quarterly business review of a merchant, a segment or a market, as HTML and Markdown.

KPIs against the previous quarter and the segment's median, the top decline reasons with
what the networks advise, dispute reasons and win rates, the refund trend, the monitoring
status with its outlook, and recommended actions, each tied to the figure that triggered it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import polars as pl

from paysupport.analytics._render import render_html, render_markdown
from paysupport.analytics._result import Result, new_axes
from paysupport.analytics.health import portfolio_health
from paysupport.analytics.history import History
from paysupport.errors import PaysupportError, ValidationFailed
from paysupport.networks import decline_code, merchant_advice_code, reason_code

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["BusinessReview", "business_review"]

_KPIS = (
    "acceptance_rate",
    "success_rate",
    "refund_rate",
    "dispute_ratio",
    "fraud_ratio",
    "win_rate",
)
_LOWER_IS_BETTER = frozenset({"refund_rate", "dispute_ratio", "fraud_ratio"})


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class BusinessReview(Result):
    """A business review: its tables, its recommended actions, and its renderings.

    Attributes:
        subject: who the review is about (``"merchant m_001"``, ``"segment vip, market JP"``).
        quarter: the quarter (``"2026Q1"``).
        kpis: ``metric``, ``value``, ``previous``, ``change``, ``segment_median``.
        declines: top decline codes: ``code``, ``count``, ``share``, ``meaning``,
            ``severity``, ``advice`` (the catalogue's next step) and Mastercard advice codes.
        disputes: per network and reason code: ``count``, ``won``, ``lost``, ``win_rate``.
        refunds: refund rate month by month over the two quarters.
        monitoring: each program's latest month in the quarter, with status and outlook.
        actions: ``action``, ``because`` (the figure and its value) and ``section``.
    """

    subject: str
    quarter: str
    kpis: pl.DataFrame
    declines: pl.DataFrame
    disputes: pl.DataFrame
    refunds: pl.DataFrame
    monitoring: pl.DataFrame
    actions: pl.DataFrame
    _tables: ClassVar[tuple[str, ...]] = (
        "kpis",
        "declines",
        "disputes",
        "refunds",
        "monitoring",
        "actions",
    )
    _title: ClassVar[str] = "Business review"

    def summary(self) -> str:
        """Subject, quarter and the number of recommended actions."""
        return f"{self.subject}, {self.quarter}: {self.actions.height} recommended actions"

    def to_markdown(self) -> str:
        """The review as Markdown (tables; no images)."""
        return render_markdown(self)

    def to_html(self) -> str:
        """The review as one self-contained HTML page (charts inline as base64 PNG)."""
        return render_html(self)

    def plot(self, ax: Axes | None = None) -> Axes:
        """The refund rate month by month over the previous and the reviewed quarter."""
        ax = new_axes(ax, f"{self.subject}: refund rate by month")
        ax.plot(self.refunds["month"], self.refunds["refund_rate"] * 100, marker="o")
        ax.set_ylabel("refunds / captures (%)")
        return ax


def business_review(
    history: History,
    quarter: str,
    *,
    merchant_id: str | None = None,
    segment: str | None = None,
    market: str | None = None,
    top: int = 5,
) -> BusinessReview:
    """The business review of one merchant, or of a segment and/or market, for a quarter.

    Args:
        history: the portfolio's history.
        quarter: ``"2026Q1"`` (or ``"2026-Q1"``).
        merchant_id: review this merchant (its segment gives the median).
        segment: review this segment (with ``market``: that segment in that market).
        market: review this market.
        top: how many decline codes and dispute reasons to list.

    Raises:
        ValidationFailed: a bad quarter, no subject, or a subject with no merchants.
    """
    start, prev_start, end = _quarter(quarter)
    ids, peers, subject = _subject(history, merchant_id, segment, market)
    window = History(
        history.events.filter(
            pl.col("merchant_id").is_in(peers)
            & (pl.col("at").dt.date() >= _minus(start, 6))
            & (pl.col("at").dt.date() < end)
        ),
        history.merchants.filter(pl.col("merchant_id").is_in(peers)),
        history.cases.clear(),
        history.usd_rates,
    )
    mine = window.events.filter(pl.col("merchant_id").is_in(ids))
    this_q = mine.filter(pl.col("at").dt.date() >= start)
    kpis = _kpis(window, ids, merchant_id is not None, start, prev_start)
    declines = _declines(this_q, top)
    disputes = _disputes(this_q, top)
    refunds = _refunds(mine.filter(pl.col("at").dt.date() >= prev_start))
    monitoring = _monitoring(window, ids, start)
    actions = _actions(kpis, declines, disputes, monitoring)
    return BusinessReview(
        subject, _label(start), kpis, declines, disputes, refunds, monitoring, actions
    )


def _quarter(text: str) -> tuple[dt.date, dt.date, dt.date]:
    m = re.fullmatch(r"(\d{4})-?Q([1-4])", text.strip().upper())
    if m is None:
        raise ValidationFailed("quarter", "quarter_format", f"{text!r} is not like 2026Q1")
    year, q = int(m.group(1)), int(m.group(2))
    start = dt.date(year, 3 * q - 2, 1)
    return start, _minus(start, 3), _minus(start, -3)


def _minus(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 - months
    return dt.date(total // 12, total % 12 + 1, 1)


def _label(start: dt.date) -> str:
    return f"{start.year}Q{(start.month - 1) // 3 + 1}"


def _subject(
    history: History, merchant_id: str | None, segment: str | None, market: str | None
) -> tuple[list[str], list[str], str]:
    m = history.merchants
    if merchant_id is not None:
        row = m.filter(pl.col("merchant_id") == merchant_id)
        if row.is_empty():
            raise ValidationFailed("merchant_id", "known_merchant", f"no merchant {merchant_id!r}")
        seg = row["segment"][0]
        peers = m.filter(pl.col("segment") == seg)["merchant_id"].to_list()
        return [merchant_id], peers, f"merchant {merchant_id} ({row['name'][0]}, {seg})"
    if segment is None and market is None:
        raise ValidationFailed("merchant_id", "subject", "name a merchant, a segment or a market")
    cond = pl.lit(True)
    parts = []
    if segment is not None:
        cond &= pl.col("segment") == segment
        parts.append(f"segment {segment}")
    if market is not None:
        cond &= pl.col("market") == market
        parts.append(f"market {market}")
    ids = m.filter(cond)["merchant_id"].to_list()
    if not ids:
        raise ValidationFailed("segment", "no_merchants", f"no merchants in {', '.join(parts)}")
    peer_cond = pl.col("segment") == segment if segment is not None else pl.lit(True)
    return ids, m.filter(peer_cond)["merchant_id"].to_list(), ", ".join(parts)


def _kpis(
    window: History, ids: list[str], single: bool, start: dt.date, prev_start: dt.date
) -> pl.DataFrame:
    per_merchant = portfolio_health(window, by="merchant_id", period="quarter").kpis
    group = portfolio_health(
        History(
            window.events.filter(pl.col("merchant_id").is_in(ids)),
            window.merchants,
            window.cases,
            window.usd_rates,
        ),
        by=(),
        period="quarter",
    ).kpis

    def value(frame: pl.DataFrame, day: dt.date, metric: str) -> float | None:
        row = frame.filter(pl.col("period_start") == day)
        return None if row.is_empty() else row[metric][0]

    rows = []
    peers = per_merchant.filter(pl.col("period_start") == start)
    for metric in _KPIS:
        now, before = value(group, start, metric), value(group, prev_start, metric)
        rows.append(
            {
                "metric": metric,
                "value": now,
                "previous": before,
                "change": None if now is None or before is None else now - before,
                "segment_median": peers[metric].median() if peers.height else None,
            }
        )
    schema = {
        "metric": pl.String,
        "value": pl.Float64,
        "previous": pl.Float64,
        "change": pl.Float64,
        "segment_median": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


def _advice(code: str, mac: str | None) -> tuple[str, str, str]:
    """(meaning, severity, advice) from the catalogues; unknown codes say so."""
    try:
        d = decline_code(code)
        meaning = d.meaning
        severity = d.severity.value if d.severity else "by advice code"
        advice = d.action.value if d.action else "see the Mastercard advice code"
    except PaysupportError:
        meaning, severity, advice = "not in the catalogue", "unknown", "unknown"
    if mac:
        try:
            m = merchant_advice_code(mac)
            advice += f"; MAC {m.code}: {m.text}"
        except PaysupportError:
            advice += f"; MAC {mac}: not in the catalogue"
    return meaning, severity, advice


def _declines(events: pl.DataFrame, top: int) -> pl.DataFrame:
    declined = events.filter((pl.col("kind") == "authorization") & ~pl.col("approved"))
    counts = (
        declined.group_by("decline_code")
        .agg(
            pl.len().alias("count"),
            pl.col("merchant_advice_code").drop_nulls().mode().first().alias("mac"),
        )
        .with_columns((pl.col("count") / max(declined.height, 1)).alias("share"))
        .sort(["count", "decline_code"], descending=[True, False])
        .head(top)
    )
    info = [
        _advice(code or "", mac)
        for code, mac in zip(counts["decline_code"].to_list(), counts["mac"].to_list(), strict=True)
    ]
    return counts.rename({"decline_code": "code"}).select(
        "code",
        "count",
        "share",
        pl.Series("meaning", [i[0] for i in info], dtype=pl.String),
        pl.Series("severity", [i[1] for i in info], dtype=pl.String),
        pl.Series("advice", [i[2] for i in info], dtype=pl.String),
    )


def _title(network: str, code: str) -> str:
    try:
        return reason_code(network, code).title
    except PaysupportError:
        return "not in the catalogue"


def _disputes(events: pl.DataFrame, top: int) -> pl.DataFrame:
    d = events.filter(pl.col("kind") == "dispute")
    out = (
        d.group_by("network", "reason_code")
        .agg(
            pl.len().alias("count"),
            (pl.col("outcome") == "won").sum().alias("won"),
            (pl.col("outcome") == "lost").sum().alias("lost"),
        )
        .with_columns(
            (pl.col("won") / (pl.col("won") + pl.col("lost"))).fill_nan(None).alias("win_rate")
        )
        .sort(["count", "reason_code"], descending=[True, False])
        .head(top)
    )
    titles = [_title(str(n), c) for n, c in out.select("network", "reason_code").iter_rows()]
    return out.with_columns(pl.Series("title", titles, dtype=pl.String))


def _refunds(events: pl.DataFrame) -> pl.DataFrame:
    month = pl.col("at").dt.replace_time_zone(None).dt.month_start().dt.date().alias("month")
    return (
        events.group_by(month)
        .agg(
            (pl.col("kind") == "capture").sum().alias("captures"),
            (pl.col("kind") == "refund").sum().alias("refunds"),
        )
        .with_columns((pl.col("refunds") / pl.col("captures")).fill_nan(None).alias("refund_rate"))
        .sort("month")
    )


def _monitoring(window: History, ids: list[str], start: dt.date) -> pl.DataFrame:
    sub = History(
        window.events.filter(pl.col("merchant_id").is_in(ids)),
        window.merchants,
        window.cases,
        window.usd_rates,
    )
    outlook = portfolio_health(sub).outlook
    return (
        outlook.filter(pl.col("month") >= start)
        .select(
            "merchant_id",
            "network",
            "program",
            "month",
            "ratio",
            "count",
            "threshold",
            "status",
            "confidence",
            "message",
        )
        .sort(["merchant_id", "network", "program"])
    )


def _pct(x: Any) -> str:
    return "n/a" if x is None else f"{x:.2%}"


def _actions(
    kpis: pl.DataFrame, declines: pl.DataFrame, disputes: pl.DataFrame, monitoring: pl.DataFrame
) -> pl.DataFrame:
    """The recommendations, each with the figure that triggered it (a table of rules)."""
    out: list[dict[str, str]] = []

    def add(section: str, action: str, because: str) -> None:
        out.append({"section": section, "action": action, "because": because})

    for row in monitoring.iter_rows(named=True):
        if row["status"] in ("breach", "early warning") or row["message"].startswith("at this"):
            add(
                "monitoring",
                f"Agree a plan to bring the {row['network']} {row['program']} "
                f"ratio down (refund before disputes, stronger fraud screening)",
                f"{row['program']} ratio {_pct(row['ratio'])} against {_pct(row['threshold'])}"
                f" in {row['month']:%Y-%m} ({row['status']}; {row['message']})",
            )
    k = {r["metric"]: r for r in kpis.iter_rows(named=True)}
    for metric in _KPIS:
        r = k[metric]
        value, median, change = r["value"], r["segment_median"], r["change"]
        if value is None:
            continue
        worse_than_median = median is not None and (
            value > 1.5 * median if metric in _LOWER_IS_BETTER else value < median - 0.02
        )
        worse_than_before = change is not None and (
            change > 0.005 if metric in _LOWER_IS_BETTER else change < -0.02
        )
        if worse_than_median or worse_than_before:
            add(
                "kpis",
                _KPI_ACTIONS[metric],
                f"{metric} {_pct(value)} (previous {_pct(r['previous'])}, segment median "
                f"{_pct(median)})",
            )
    for row in declines.iter_rows(named=True):
        if row["share"] < 0.05:
            continue
        advice = row["advice"]
        if advice.startswith("do_not_retry"):
            add(
                "declines",
                f"Stop retrying decline {row['code']} ({row['meaning']}): the "
                "networks advise never to retry it",
                f"{row['share']:.1%} of declines",
            )
        elif advice.startswith(("update_card", "new_payment_method")):
            add(
                "declines",
                f"Turn on the account updater / ask for new card details for "
                f"{row['code']} ({row['meaning']})",
                f"{row['share']:.1%} of declines",
            )
        elif advice.startswith(("retry_later", "retry")):
            add(
                "declines",
                f"Retry {row['code']} ({row['meaning']}) later, within the "
                "network's reattempt limits",
                f"{row['share']:.1%} of declines",
            )
    for row in disputes.iter_rows(named=True):
        contested = row["won"] + row["lost"]
        if contested >= 5 and (row["win_rate"] or 0) < 0.3:
            add(
                "disputes",
                f"Review the evidence sent for {row['network']} {row['reason_code']}"
                f" ({row['title']}) or accept these disputes early",
                f"win rate {_pct(row['win_rate'])} over {contested} contested",
            )
    schema = {"section": pl.String, "action": pl.String, "because": pl.String}
    return pl.DataFrame(out, schema=schema)


_KPI_ACTIONS = {
    "acceptance_rate": "Review the decline mix with the merchant (retries, 3DS, data quality)",
    "success_rate": "Look at payments that never captured (retries, capture delays)",
    "refund_rate": "Find what drives refunds (product, delivery, descriptor)",
    "dispute_ratio": "Reduce disputes: clear descriptor, refund before disputes, alerts",
    "fraud_ratio": "Tighten the fraud rule (see the rule-quality curve)",
    "win_rate": "Improve dispute evidence (compelling evidence per reason code)",
}
