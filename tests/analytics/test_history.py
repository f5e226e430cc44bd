"""History at the door: every dataframe library in, errors that name the column and the row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from _hand import Batch, events, merchants

from paysupport.analytics import History
from paysupport.errors import UnknownCurrency, ValidationFailed
from paysupport.sample import load

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def frame() -> pl.DataFrame:
    return events(
        [
            Batch("authorization", 3, DAY, approved=True, score=0.2),
            Batch("authorization", 1, DAY, approved=False, decline_code="05"),
            Batch("capture", 3, DAY),
            Batch("dispute", 1, DAY, reason_code="13.1", outcome="won"),
        ]
    )


MERCHANTS = merchants(("m1", "small", "US"))


@pytest.mark.parametrize("library", ["polars", "pandas", "arrow"])
def test_every_library_gives_the_same_history(frame: pl.DataFrame, library: str) -> None:
    convert = {
        "polars": lambda f: f,
        "pandas": lambda f: f.to_pandas(),
        "arrow": lambda f: f.to_arrow(),
    }[library]
    h = History.from_frames(convert(frame), convert(MERCHANTS))
    reference = History.from_frames(frame, MERCHANTS)
    assert h.events.equals(reference.events)
    assert h.merchants.equals(reference.merchants)
    assert h.events.schema["at"] == pl.Datetime("us", "UTC")
    assert h.merchants["name"].to_list() == ["m1"]  # defaults to the id


def _fails(events_: Any, field: str, rule: str, merchants_: Any = MERCHANTS) -> None:
    with pytest.raises(ValidationFailed) as err:
        History.from_frames(events_, merchants_)
    assert (err.value.field, err.value.rule) == (field, rule)


def _set(frame: pl.DataFrame, column: str, row: int, value: Any) -> pl.DataFrame:
    values = frame[column].to_list()
    values[row] = value
    return frame.with_columns(pl.Series(column, values, dtype=frame.schema[column]))


def test_float_amounts_are_refused(frame: pl.DataFrame) -> None:
    _fails(
        frame.with_columns(pl.col("amount_minor").cast(pl.Float64)),
        "events.amount_minor[0]",
        "no_float",
    )


def test_text_where_true_or_false_belongs_is_refused(frame: pl.DataFrame) -> None:
    # polars has no cast from text to booleans at all: the error must still be ours.
    approved = frame["approved"].cast(pl.String).fill_null("yes")
    _fails(frame.with_columns(approved), "events.approved[0]", "dtype")


def test_negative_amount_names_its_row(frame: pl.DataFrame) -> None:
    _fails(_set(frame, "amount_minor", 5, -1), "events.amount_minor[5]", "non_negative")


def test_naive_times_are_refused(frame: pl.DataFrame) -> None:
    _fails(frame.with_columns(pl.col("at").dt.replace_time_zone(None)), "events.at[0]", "tz_aware")


def test_other_time_zones_are_converted(frame: pl.DataFrame) -> None:
    tokyo = frame.with_columns(pl.col("at").dt.convert_time_zone("Asia/Tokyo"))
    h = History.from_frames(tokyo, MERCHANTS)
    assert h.events["at"][0] == dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("column", "row", "value", "rule"),
    [
        ("kind", 2, "chargeback", "known_kind"),
        ("network", 6, "jcb", "known_network"),
        ("currency", 3, "XYZ", "iso4217"),
        ("merchant_id", 7, "m9", "known_merchant"),
        ("event_id", 4, "e0", "unique"),
        ("outcome", 7, "maybe", "dispute_status"),
        ("risk_score", 1, 1.5, "unit_interval"),
    ],
)
def test_bad_values_name_column_and_row(
    frame: pl.DataFrame, column: str, row: int, value: Any, rule: str
) -> None:
    expected_row = 0 if rule == "unique" else row  # the first of the repeated ids
    _fails(_set(frame, column, row, value), f"events.{column}[{expected_row}]", rule)


@pytest.mark.parametrize(
    ("column", "row", "kind"),
    [("approved", 1, "authorization"), ("reason_code", 7, "dispute"), ("outcome", 7, "dispute")],
)
def test_kind_specific_columns_are_required(
    frame: pl.DataFrame, column: str, row: int, kind: str
) -> None:
    _fails(_set(frame, column, row, None), f"events.{column}[{row}]", "required")


def test_missing_column_and_null(frame: pl.DataFrame) -> None:
    _fails(frame.drop("card_present"), "events.card_present", "missing_column")
    _fails(_set(frame, "payment_id", 3, None), "events.payment_id[3]", "required")
    # optional columns may be absent
    h = History.from_frames(frame.drop("risk_score", "fraud_type"), MERCHANTS)
    assert h.events["risk_score"].null_count() == h.events.height


def test_merchant_table_is_checked(frame: pl.DataFrame) -> None:
    _fails(frame, "merchants.segment[0]", "known_segment", merchants(("m1", "huge", "US")))
    _fails(frame, "merchants.market[0]", "iso3166_alpha2", merchants(("m1", "small", "USA")))
    _fails(
        frame,
        "merchants.merchant_id[0]",
        "unique",
        merchants(("m1", "small", "US"), ("m1", "vip", "JP")),
    )


def test_not_a_dataframe() -> None:
    _fails({"event_id": ["e1"]}, "events", "dataframe")


def test_rates_are_exact() -> None:
    frame = events([Batch("capture", 1, DAY)])
    with pytest.raises(ValidationFailed) as err:
        History.from_frames(frame, MERCHANTS, usd_rates={"JPY": 0.0066})  # type: ignore[dict-item]
    assert (err.value.field, err.value.rule) == ("usd_rates[JPY]", "no_float")
    with pytest.raises(UnknownCurrency):
        History.from_frames(frame, MERCHANTS, usd_rates={"XYZ": "1"})
    h = History.from_frames(frame, MERCHANTS, usd_rates={"jpy": "0.0066"})
    assert h.usd_rates == {"JPY": Decimal("0.0066")}
    assert h.usd_per_minor(["JPY", "USD"]) == {"JPY": 0.0066, "USD": 0.01}


def test_cases_are_checked(frame: pl.DataFrame) -> None:
    at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    cases = pl.DataFrame(
        {
            "case_id": ["c1", "c2"],
            "claim": ["refund_request", "refund_request"],
            "operator_id": ["op1", "op2"],
            "tier": ["junior", "senior"],
            "opened_at": [at, at],
            "resolved_at": [at + dt.timedelta(hours=3), at - dt.timedelta(hours=1)],
            "escalated": [False, False],
            "approval_requested": [False, False],
            "reopened": [False, False],
        }
    )
    with pytest.raises(ValidationFailed) as err:
        History.from_frames(frame, MERCHANTS, cases)
    assert (err.value.field, err.value.rule) == ("cases.resolved_at[1]", "after_opened")


def test_from_portfolio_reads_the_models() -> None:
    portfolio, _ = load()
    h = History.from_portfolio(portfolio, usd_rates={"EUR": "1.08"})
    kinds = h.events.group_by("kind").len().sort("kind")
    counted = dict(zip(kinds["kind"].cast(pl.String), kinds["len"], strict=True))
    assert counted["authorization"] == len(portfolio.payments) + len(portfolio.failures)
    assert counted["capture"] == sum(len(p.captures) for p in portfolio.payments)
    assert counted["dispute"] == sum(len(p.disputes) for p in portfolio.payments)
    assert set(h.merchants["merchant_id"]) == {m.id for m in portfolio.merchants}
    assert repr(h).startswith(f"History({h.events.height} events")
