"""The business review: figures by hand, actions tied to them, self-contained renderings."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest
from _hand import Batch, history

from paysupport.analytics import History, business_review
from paysupport.errors import ValidationFailed

Q1, Q2 = dt.date(2026, 2, 10), dt.date(2026, 5, 10)


@pytest.fixture(scope="module")
def shop() -> History:
    """m1: Q1 and Q2 volumes; in Q2 many stolen-card (43) declines and 13.1 disputes lost."""
    return history(
        [
            Batch("authorization", 95, Q1, approved=True),
            Batch("authorization", 5, Q1, approved=False, decline_code="51"),
            Batch("capture", 95, Q1),
            Batch("authorization", 80, Q2, approved=True),
            Batch("authorization", 12, Q2, approved=False, decline_code="43"),
            Batch(
                "authorization",
                8,
                Q2,
                approved=False,
                decline_code="51",
                network="mastercard",
                mac="24",
            ),
            Batch("capture", 80, Q2),
            Batch("refund", 8, Q2),
            Batch("dispute", 6, Q2, reason_code="13.1", outcome="lost"),
            Batch("dispute", 1, Q2, reason_code="13.1", outcome="won"),
            Batch("capture", 100, Q2, merchant="m2"),
        ],
        ("m1", "medium", "HK"),
        ("m2", "medium", "HK"),
    )


def test_kpis_against_previous_quarter_and_segment_median(shop: History) -> None:
    review = business_review(shop, "2026Q2", merchant_id="m1")
    kpis = {r["metric"]: r for r in review.kpis.iter_rows(named=True)}
    assert kpis["acceptance_rate"]["value"] == pytest.approx(0.80)
    assert kpis["acceptance_rate"]["previous"] == pytest.approx(0.95)
    assert kpis["acceptance_rate"]["change"] == pytest.approx(-0.15)
    assert kpis["refund_rate"]["value"] == pytest.approx(8 / 80)
    assert kpis["dispute_ratio"]["value"] == pytest.approx(7 / 80)
    # segment median of m1 (7/80) and m2 (0/100)
    assert kpis["dispute_ratio"]["segment_median"] == pytest.approx(7 / 160)
    assert kpis["win_rate"]["value"] == pytest.approx(1 / 7)
    assert review.quarter == "2026Q2"


def test_declines_carry_the_catalogues_advice(shop: History) -> None:
    review = business_review(shop, "2026-Q2", merchant_id="m1")
    rows = {r["code"]: r for r in review.declines.iter_rows(named=True)}
    assert rows["43"]["count"] == 12 and rows["43"]["share"] == pytest.approx(0.6)
    assert rows["43"]["advice"].startswith("do_not_retry")
    assert rows["43"]["severity"] == "hard"
    assert "MAC 24" in rows["51"]["advice"]


def test_each_action_names_the_figure_that_triggered_it(shop: History) -> None:
    actions = business_review(shop, "2026Q2", merchant_id="m1").actions
    by_section = dict(zip(actions["section"], actions["because"], strict=True))
    assert any("Stop retrying decline 43" in a for a in actions["action"])
    assert (
        "60.0% of declines"
        in actions.filter(pl.col("action").str.contains("decline 43"))["because"][0]
    )
    assert by_section["disputes"] == "win rate 14.29% over 7 contested"
    assert any(b.startswith("acceptance_rate 80.00%") for b in actions["because"])


def test_renderings_are_self_contained(shop: History) -> None:
    review = business_review(shop, "2026Q2", merchant_id="m1")
    page = review.to_html()
    assert page.startswith("<!DOCTYPE html>")
    assert "data:image/png;base64," in page
    assert not re.search(r"(src|href)=['\"]https?:", page)
    assert "Stop retrying decline 43" in page
    text = review.to_markdown()
    assert text.startswith("# Business review: merchant m1")
    assert "| 43 | 12 | 60.00% |" in text
    assert "## Recommended actions" in text


def test_segment_and_market_reviews(shop: History) -> None:
    review = business_review(shop, "2026Q2", segment="medium", market="HK")
    assert review.subject == "segment medium, market HK"
    dispute = review.kpis.filter(pl.col("metric") == "dispute_ratio")["value"][0]
    assert dispute == pytest.approx(7 / 180)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"quarter": "2026Q5", "merchant_id": "m1"}, "quarter"),
        ({"quarter": "2026Q2"}, "merchant_id"),
        ({"quarter": "2026Q2", "merchant_id": "zz"}, "merchant_id"),
        ({"quarter": "2026Q2", "market": "FR"}, "segment"),
    ],
)
def test_bad_requests(shop: History, kwargs: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        business_review(shop, **kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


def test_html_escapes_what_the_data_says() -> None:
    h = History.from_frames(
        history([Batch("capture", 10, Q2)]).events,
        pl.DataFrame(
            {
                "merchant_id": ["m1"],
                "name": ["<script>x</script> & Co"],
                "segment": ["small"],
                "market": ["HK"],
            }
        ),
    )
    page = business_review(h, "2026Q2", merchant_id="m1").to_html()
    assert "<script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt; &amp; Co" in page
