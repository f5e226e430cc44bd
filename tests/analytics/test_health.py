"""Portfolio health against hand-counted figures: one test per ratio and per program threshold."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from _hand import Batch, events, history, merchants

from paysupport.analytics import History, portfolio_health
from paysupport.errors import MissingExchangeRate, ValidationFailed

D = dt.date


def _program(h: History, program: str, month: dt.date, merchant: str = "m1") -> dict[str, Any]:
    rows = portfolio_health(h).monitoring.filter(
        (pl.col("program") == program)
        & (pl.col("month") == month)
        & (pl.col("merchant_id") == merchant)
    )
    assert rows.height == 1, rows
    return rows.row(0, named=True)


# --- KPIs -------------------------------------------------------------------------------


@pytest.fixture
def kpi_history() -> History:
    day = D(2026, 2, 10)
    return history(
        [
            Batch("authorization", 90, day, approved=True),
            Batch("authorization", 10, day, approved=False, decline_code="51"),
            Batch("capture", 80, day),
            Batch("refund", 4, day, amount=5_000),
            Batch("dispute", 2, day, reason_code="13.1", outcome="won"),
            Batch("dispute", 1, day, reason_code="13.1", outcome="lost"),
            Batch("dispute", 1, day, reason_code="10.4", outcome="accepted"),
            Batch("fraud_report", 2, day, fraud_type="tc40", amount=20_000),
        ]
    )


def test_kpis_by_hand(kpi_history: History) -> None:
    (row,) = portfolio_health(kpi_history).kpis.iter_rows(named=True)
    assert row["acceptance_rate"] == pytest.approx(90 / 100)
    assert row["success_rate"] == pytest.approx(80 / 100)  # one payment per event here
    assert row["refund_rate"] == pytest.approx(4 / 80)
    assert row["refund_amount_rate"] == pytest.approx(4 * 5_000 / (80 * 10_000))
    assert row["dispute_ratio"] == pytest.approx(4 / 80)
    assert row["fraud_ratio"] == pytest.approx(2 / 80)
    assert row["fraud_amount_ratio"] == pytest.approx(2 * 20_000 / (80 * 10_000))
    assert row["win_rate"] == pytest.approx(2 / 3)
    assert (row["segment"], row["market"]) == ("small", "US")


def test_success_rate_counts_distinct_payments() -> None:
    day = D(2026, 2, 10)
    frame = events(
        [
            Batch("authorization", 2, day, approved=False, decline_code="51"),
            Batch("authorization", 2, day, approved=True),
            Batch("capture", 1, day),
        ]
    ).with_columns(pl.Series("payment_id", ["p1", "p1", "p1", "p2", "p1"]))
    h = History.from_frames(frame, merchants(("m1", "small", "US")))
    (row,) = portfolio_health(h).kpis.iter_rows(named=True)
    assert (row["attempts"], row["payments"], row["captured_payments"]) == (4, 2, 1)
    assert row["acceptance_rate"] == pytest.approx(2 / 4)
    assert row["success_rate"] == pytest.approx(1 / 2)


def test_kpis_by_segment_market_and_quarter() -> None:
    h = history(
        [
            Batch("capture", 10, D(2026, 1, 5), merchant="a"),
            Batch("capture", 30, D(2026, 2, 5), merchant="b"),
            Batch("dispute", 1, D(2026, 3, 5), merchant="a", reason_code="13.1", outcome="won"),
            Batch("dispute", 3, D(2026, 3, 5), merchant="b", reason_code="13.1", outcome="lost"),
        ],
        ("a", "vip", "JP"),
        ("b", "vip", "JP"),
    )
    report = portfolio_health(h, by=("segment", "market"), period="quarter")
    (row,) = report.kpis.iter_rows(named=True)
    assert (row["segment"], row["market"], row["period_start"]) == ("vip", "JP", D(2026, 1, 1))
    assert row["dispute_ratio"] == pytest.approx(4 / 40)
    assert row["win_rate"] == pytest.approx(1 / 4)
    whole = portfolio_health(h, by=(), period="month").kpis
    assert whole["sales"].to_list() == [10, 30, 0]


# --- Visa VAMP ----------------------------------------------------------------------------


def _vamp(
    month: dt.date, tc40: int, tc15: int, cnp: int, market: str = "US", cp: int = 0
) -> History:
    return history(
        [
            Batch("capture", cnp, month),
            Batch("capture", cp, month, card_present=True),
            Batch("fraud_report", tc40, month, fraud_type="tc40"),
            Batch("dispute", tc15, month, reason_code="10.4", outcome="needs_response"),
        ],
        ("m1", "enterprise", market),
    )


def test_vamp_ratio_is_tc40_plus_tc15_over_settled_card_not_present() -> None:
    row = _program(_vamp(D(2026, 2, 1), 40, 60, 10_000, cp=5_000), "VAMP", D(2026, 2, 1))
    assert row["numerator"] == 100 and row["denominator"] == 10_000
    assert row["ratio"] == pytest.approx(0.01)


def test_vamp_threshold_falls_to_1_5_percent_on_2026_04_01() -> None:
    # 1,600 fraud + disputes over 100,000 CNP sales = 1.60 %, above the count floor
    march = _program(_vamp(D(2026, 3, 1), 800, 800, 100_000), "VAMP", D(2026, 3, 1))
    april = _program(_vamp(D(2026, 4, 1), 800, 800, 100_000), "VAMP", D(2026, 4, 1))
    assert (march["threshold"], march["status"]) == (pytest.approx(0.022), "ok")
    assert (april["threshold"], april["status"]) == (pytest.approx(0.015), "breach")
    assert april["tier"] == "merchant excessive"
    assert april["headroom"] == pytest.approx(0.015 - 0.016)


def test_vamp_mena_keeps_2_2_percent_after_april_2026() -> None:
    row = _program(_vamp(D(2026, 4, 1), 800, 800, 100_000, "AE"), "VAMP", D(2026, 4, 1))
    assert row["threshold"] == pytest.approx(0.022)
    assert row["status"] == "ok"


def test_vamp_2_2_percent_in_force_from_june_2025() -> None:
    # 2,300 / 100,000 = 2.30 %
    row = _program(_vamp(D(2025, 6, 1), 1_300, 1_000, 100_000), "VAMP", D(2025, 6, 1))
    assert (row["status"], row["threshold"]) == ("breach", pytest.approx(0.022))
    may = _program(_vamp(D(2025, 5, 1), 1_300, 1_000, 100_000), "VAMP", D(2025, 5, 1))
    assert may["status"] == "not enforced" and may["threshold"] is None


@pytest.mark.parametrize(("count", "status"), [(1_500, "early warning"), (1_501, "breach")])
def test_vamp_count_floor(count: int, status: str) -> None:
    row = _program(_vamp(D(2026, 5, 1), count, 0, 30_000), "VAMP", D(2026, 5, 1))
    assert row["ratio"] == pytest.approx(count / 30_000)
    assert row["status"] == status
    assert row["count_headroom"] == 1_501 - count


def test_vamp_near_threshold_is_an_assumed_early_warning() -> None:
    # 1.3 % >= 80 % of 1.5 %, and 1,300 >= 80 % of 1,501
    row = _program(_vamp(D(2026, 5, 1), 1_300, 0, 100_000), "VAMP", D(2026, 5, 1))
    assert row["status"] == "early warning"
    assert row["warning_basis"].startswith("assumption")


# --- Visa VDMP / VFMP -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("disputes", "status", "tier"),
    [
        (74, "ok", None),  # 0.74 % but under the 75-dispute floor
        (75, "early warning", "early warning"),  # 0.75 %
        (100, "breach", "standard"),  # 1.00 %
        (1_000, "ok", None),  # over 10,000 sales: replaced below
    ],
)
def test_vdmp_tiers(disputes: int, status: str, tier: str | None) -> None:
    month = D(2025, 3, 1)
    sales = 10_000 if disputes < 1_000 else 50_000  # 1,000 / 50,000 = 2.0 % excessive
    h = history(
        [
            Batch("capture", sales, month),
            Batch("dispute", disputes, month, reason_code="13.1", outcome="lost"),
        ]
    )
    row = _program(h, "VDMP", month)
    assert row["ratio"] == pytest.approx(disputes / sales)
    if disputes == 1_000:
        assert (row["status"], row["tier"]) == ("breach", "excessive")
    else:
        assert (row["status"], row["tier"]) == (status, tier)


def test_vfmp_is_by_amount_with_a_usd_floor() -> None:
    month = D(2025, 2, 1)
    # sales 10,000 x JPY 10,000 ; fraud 100 x JPY 100,000 = JPY 10,000,000 = 10 % by amount
    batches = [
        Batch("capture", 10_000, month, amount=10_000, currency="JPY"),
        Batch("fraud_report", 100, month, amount=100_000, currency="JPY", fraud_type="tc40"),
    ]
    cheap = history(batches, usd_rates={"JPY": "0.0066"})  # USD 66,000: under 75,000
    dear = history(batches, usd_rates={"JPY": "0.0080"})  # USD 80,000: standard
    row = _program(cheap, "VFMP", month)
    assert row["ratio"] == pytest.approx(0.10)
    assert row["amount_usd"] == pytest.approx(66_000)
    assert (row["status"], row["tier"]) == ("early warning", "early warning")
    assert _program(dear, "VFMP", month)["tier"] == "standard"


def test_amounts_need_a_rate() -> None:
    h = history([Batch("capture", 1, D(2026, 1, 1), currency="JPY", amount=100)])
    with pytest.raises(MissingExchangeRate) as err:
        portfolio_health(h)
    assert err.value.field == "usd_rates[JPY]"


# --- Mastercard ECM / HECM / EFM ------------------------------------------------------------


def _mastercard(
    prior_sales: int,
    chargebacks: int,
    reason: str = "4853",
    amount: int = 10_000,
    market: str = "US",
) -> History:
    return history(
        [
            Batch("capture", prior_sales, D(2026, 1, 10), network="mastercard"),
            Batch("capture", 1, D(2026, 2, 10), network="mastercard"),
            Batch(
                "dispute",
                chargebacks,
                D(2026, 2, 10),
                network="mastercard",
                reason_code=reason,
                outcome="lost",
                amount=amount,
            ),
        ],
        ("m1", "vip", market),
    )


@pytest.mark.parametrize(
    ("chargebacks", "ecm", "hecm"),
    [
        (99, "early warning", "ok"),  # 1.98 % but under 100 chargebacks
        (100, "breach", "ok"),  # 2.00 %: ECM
        (149, "breach", "ok"),  # 2.98 %
        # 3.00 %: over ECM's band, under HECM's 300 chargebacks: neither tier is met, so
        # ECM is flagged near its line (assumption); HECM is far from 300
        (150, "early warning", "ok"),
    ],
)
def test_ecm_and_hecm_use_prior_month_sales(chargebacks: int, ecm: str, hecm: str) -> None:
    h = _mastercard(5_000, chargebacks)
    row = _program(h, "ECM", D(2026, 2, 1))
    assert row["denominator"] == 5_000  # January's sales, not February's one sale
    assert row["ratio"] == pytest.approx(chargebacks / 5_000)
    assert row["status"] == ecm
    assert _program(h, "HECM", D(2026, 2, 1))["status"] == hecm


def test_hecm_breach() -> None:
    row = _program(_mastercard(9_000, 300), "HECM", D(2026, 2, 1))
    assert (row["status"], row["tier"]) == ("breach", "high excessive chargeback merchant")


@pytest.mark.parametrize(
    ("market", "fraud_cbs", "amount", "status"),
    [
        ("US", 50, 100_000, "breach"),  # 1.00 % and USD 50,000
        ("US", 49, 100_000, "early warning"),  # USD 49,000 < 50,000 (>= 80 %)
        ("AU", 16, 100_000, "breach"),  # 0.32 % >= 0.20 % and USD 16,000 >= 15,000
        ("US", 16, 100_000, "ok"),  # outside Australia 0.32 % is under 0.50 %
        ("DE", 50, 100_000, None),  # Germany: no EFM
    ],
)
def test_efm(market: str, fraud_cbs: int, amount: int, status: str | None) -> None:
    h = _mastercard(5_000, fraud_cbs, reason="4837", amount=amount, market=market)
    rows = portfolio_health(h).monitoring.filter(pl.col("program") == "EFM")
    if status is None:
        assert rows.is_empty()
        return
    row = rows.filter(pl.col("month") == D(2026, 2, 1)).row(0, named=True)
    assert row["ratio"] == pytest.approx(fraud_cbs / 5_000)
    assert row["status"] == status


def test_efm_needs_1000_prior_sales() -> None:
    h = _mastercard(999, 50, reason="4837", amount=200_000)
    assert _program(h, "EFM", D(2026, 2, 1))["status"] == "ok"


# --- Amex (unconfirmed) -------------------------------------------------------------------


def test_amex_disproportionate_needs_three_months_and_stays_unconfirmed() -> None:
    batches = []
    for month in (D(2026, 1, 5), D(2026, 2, 5), D(2026, 3, 5)):
        batches += [
            Batch("capture", 40, month, network="amex"),
            Batch("dispute", 2, month, network="amex", reason_code="C08", outcome="lost"),
        ]
    h = history(batches)
    feb = _program(h, "Amex", D(2026, 2, 1))
    mar = _program(h, "Amex", D(2026, 3, 1))
    assert feb["status"] == "early warning"  # over 1 % but only two months running
    assert (mar["status"], mar["tier"]) == ("breach", "disproportionate chargebacks")
    assert mar["confidence"] == "unconfirmed"


# --- trend and projection -------------------------------------------------------------------


def test_projection_months_to_breach_by_hand() -> None:
    # ECM: 5,000 sales a month; chargebacks 40, 50, 60 in Feb-Apr: 0.8 %, 1.0 %, 1.2 %
    batches = [Batch("capture", 5_000, D(2026, m, 3), network="mastercard") for m in range(1, 5)]
    for m, n in ((2, 40), (3, 50), (4, 60)):
        batches.append(
            Batch(
                "dispute",
                n,
                D(2026, m, 9),
                network="mastercard",
                reason_code="4853",
                outcome="lost",
            )
        )
    report = portfolio_health(history(batches), trend_months=3)
    row = report.outlook.filter(pl.col("program") == "ECM").row(0, named=True)
    assert row["slope"] == pytest.approx(0.002)
    # +1: 1.4 %; +2: 1.6 % (count 80); +3: 1.8 % (90); +4: 2.0 % and 100 chargebacks
    assert row["months_to_breach"] == 4
    assert row["message"].startswith("at this pace, breaches ECM")
    assert "2026-08" in row["message"]
    assert report.at_risk(1)["program"].to_list() == ["ECM"]


def test_identical_results_from_pandas_polars_and_arrow(kpi_history: History) -> None:
    e, m = kpi_history.events, kpi_history.merchants
    reports = [
        portfolio_health(History.from_frames(conv(e), conv(m)))
        for conv in (lambda f: f, lambda f: f.to_pandas(), lambda f: f.to_arrow())
    ]
    for other in reports[1:]:
        assert other.kpis.equals(reports[0].kpis)
        assert other.monitoring.equals(reports[0].monitoring)


def test_bad_parameters() -> None:
    h = history([Batch("capture", 1, D(2026, 1, 1))])
    with pytest.raises(ValidationFailed) as err:
        portfolio_health(h, by="city")
    assert err.value.field == "by"
    with pytest.raises(ValidationFailed):
        portfolio_health(h, period="week")
