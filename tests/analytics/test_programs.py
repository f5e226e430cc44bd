"""The monitoring programs in force, on each side of every date where they change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from paysupport.analytics import programs_in_force


def _tiers(on: dt.date, network: str, market: str = "US") -> dict[str, dict[str, Decimal | None]]:
    return {
        p.program: {t.tier: t.ratio_min for t in p.tiers}
        for p in programs_in_force(on, network, market)
    }


@pytest.mark.parametrize(
    ("on", "market", "expected"),
    [
        (dt.date(2025, 3, 31), "US", {"VDMP", "VFMP"}),
        (dt.date(2025, 4, 1), "US", {"VAMP"}),
        (dt.date(2019, 10, 1), "US", {"VDMP", "VFMP"}),
    ],
)
def test_visa_programs_switch_to_vamp_in_april_2025(
    on: dt.date, market: str, expected: set[str]
) -> None:
    assert set(_tiers(on, "visa", market)) == expected


@pytest.mark.parametrize(
    ("on", "market", "threshold"),
    [
        (dt.date(2025, 5, 31), "US", None),  # VAMP measured, not yet enforced
        (dt.date(2025, 6, 1), "US", Decimal("0.0220")),
        (dt.date(2025, 12, 31), "US", Decimal("0.0220")),
        (dt.date(2026, 1, 1), "US", Decimal("0.0220")),
        (dt.date(2026, 3, 31), "US", Decimal("0.0220")),
        (dt.date(2026, 4, 1), "US", Decimal("0.0150")),
        (dt.date(2026, 4, 1), "AE", Decimal("0.0220")),  # MENA keeps the global row
        (dt.date(2026, 4, 1), "JP", Decimal("0.0150")),
    ],
)
def test_vamp_merchant_threshold_by_date_and_region(
    on: dt.date, market: str, threshold: Decimal | None
) -> None:
    tiers = _tiers(on, "visa", market)["VAMP"]
    assert tiers.get("merchant excessive") == threshold


def test_vamp_count_floor_and_unenforced_months_say_so() -> None:
    (vamp,) = programs_in_force(dt.date(2026, 4, 1), "visa")
    assert [t.min_count for t in vamp.tiers] == [1501]
    (early,) = programs_in_force(dt.date(2025, 4, 15), "visa")
    assert early.tiers == () and "2025-06-01" in early.note


def test_vdmp_and_vfmp_tiers_before_vamp() -> None:
    tiers = _tiers(dt.date(2025, 1, 1), "visa")
    assert tiers["VDMP"] == {
        "early warning": Decimal("0.0065"),
        "standard": Decimal("0.0090"),
        "excessive": Decimal("0.0180"),
    }
    assert tiers["VFMP"]["excessive"] == Decimal("0.0180")


def test_mastercard_programs_by_market() -> None:
    assert set(_tiers(dt.date(2026, 1, 1), "mastercard")) == {"ECM", "HECM", "EFM"}
    assert _tiers(dt.date(2026, 1, 1), "mastercard", "AU")["EFM"] == {
        "excessive fraud merchant": Decimal("0.0020")
    }
    assert _tiers(dt.date(2026, 1, 1), "mastercard", "US")["EFM"] == {
        "excessive fraud merchant": Decimal("0.0050")
    }
    assert "EFM" not in _tiers(dt.date(2026, 1, 1), "mastercard", "DE")
    # ECM is in force from October 2019 (the notes give the month only)
    assert "ECM" not in _tiers(dt.date(2019, 9, 30), "mastercard")


def test_amex_rows_stay_unconfirmed() -> None:
    (amex,) = programs_in_force(dt.date(2026, 1, 1), "amex")
    assert amex.confidence.value == "unconfirmed"
    (vamp,) = programs_in_force(dt.date(2026, 1, 1), "visa")
    assert vamp.confidence.value == "confirmed"
