"""Builders of small, hand-countable histories for the analytics tests (not a test module)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import matplotlib
import polars as pl

from paysupport.analytics import History

matplotlib.use("Agg")


@dataclass
class Batch:
    """``n`` identical events of one kind, on one day, for one merchant and network."""

    kind: str
    n: int
    day: dt.date
    merchant: str = "m1"
    network: str = "visa"
    amount: int = 10_000
    currency: str = "USD"
    card_present: bool = False
    approved: bool | None = None
    decline_code: str | None = None
    mac: str | None = None
    reason_code: str | None = None
    outcome: str | None = None
    fraud_type: str | None = None
    score: float | None = None


def events(batches: list[Batch]) -> pl.DataFrame:
    """The events table of ``batches`` (ids are unique; one payment per event)."""
    frames = []
    offset = 0
    for b in batches:
        at = dt.datetime.combine(b.day, dt.time(12), tzinfo=dt.UTC)
        ids = pl.int_range(offset, offset + b.n, eager=True).cast(pl.String)
        offset += b.n
        values: dict[str, tuple[Any, pl.DataType]] = {
            "merchant_id": (b.merchant, pl.String()),
            "kind": (b.kind, pl.String()),
            "at": (at, pl.Datetime("us", "UTC")),
            "amount_minor": (b.amount, pl.Int64()),
            "currency": (b.currency, pl.String()),
            "network": (b.network, pl.String()),
            "card_present": (b.card_present, pl.Boolean()),
            "approved": (b.approved, pl.Boolean()),
            "decline_code": (b.decline_code, pl.String()),
            "merchant_advice_code": (b.mac, pl.String()),
            "reason_code": (b.reason_code, pl.String()),
            "outcome": (b.outcome, pl.String()),
            "fraud_type": (b.fraud_type, pl.String()),
            "risk_score": (b.score, pl.Float64()),
        }
        frames.append(
            pl.DataFrame({"event_id": "e" + ids, "payment_id": "p" + ids}).with_columns(
                pl.lit(v, dtype=t).alias(k) for k, (v, t) in values.items()
            )
        )
    return pl.concat(frames)


def merchants(*rows: tuple[str, str, str]) -> pl.DataFrame:
    """Merchants from ``(id, segment, market)`` triples."""
    return pl.DataFrame(
        {
            "merchant_id": [r[0] for r in rows],
            "segment": [r[1] for r in rows],
            "market": [r[2] for r in rows],
        }
    )


def history(batches: list[Batch], *merchant_rows: tuple[str, str, str], **kw: Any) -> History:
    """A checked History of ``batches`` (default merchant: m1, small, US)."""
    rows = merchant_rows or (("m1", "small", "US"),)
    return History.from_frames(events(batches), merchants(*rows), **kw)
