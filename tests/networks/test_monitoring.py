import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from paysupport.networks import Confidence, MonitoringThreshold, Network, monitoring_programs
from paysupport.networks.monitoring import MONITORING_THRESHOLDS


def _find(program: str, tier: str, effective: dt.date | None = None) -> MonitoringThreshold:
    (row,) = [
        t
        for t in MONITORING_THRESHOLDS
        if t.program == program
        and t.tier == tier
        and (effective is None or t.effective_from == effective)
    ]
    return row


def test_fact_29_vamp_merchant_excessive() -> None:
    before = _find("VAMP", "merchant excessive", dt.date(2025, 6, 1))
    after = _find("VAMP", "merchant excessive", dt.date(2026, 4, 1))
    assert before.ratio_min == Decimal("0.0220")
    assert after.ratio_min == Decimal("0.0150")
    assert after.region == "global excl. MENA"
    for row in (before, after):
        assert row.min_count == 1501  # "> 1,500 fraud + disputes a month"
        assert row.ratio_min_inclusive


def test_fact_30_mastercard_programs() -> None:
    ecm = _find("ECM", "excessive chargeback merchant")
    assert (ecm.min_count, ecm.max_count) == (100, 299)
    assert (ecm.ratio_min, ecm.ratio_below) == (Decimal("0.0150"), Decimal("0.0300"))
    hecm = _find("HECM", "high excessive chargeback merchant")
    assert (hecm.min_count, hecm.ratio_min) == (300, Decimal("0.0300"))
    (efm,) = [t for t in MONITORING_THRESHOLDS if t.program == "EFM" and t.region == "global"]
    assert efm.ratio_min == Decimal("0.0050")
    assert efm.min_amount == Decimal("50000")


def test_vdmp_vfmp_are_historical() -> None:
    old = [t for t in MONITORING_THRESHOLDS if t.program in {"VDMP", "VFMP"}]
    assert len(old) == 6
    assert all(t.historical for t in old)
    assert _find("VDMP", "excessive").min_count == 1000
    assert _find("VFMP", "excessive").min_amount == Decimal("250000")


def test_amex_is_unconfirmed() -> None:
    amex = monitoring_programs("amex")
    assert amex
    assert all(t.confidence is Confidence.UNCONFIRMED for t in amex)
    assert not amex[0].ratio_min_inclusive


def test_ratios_are_decimals_never_floats() -> None:
    for row in MONITORING_THRESHOLDS:
        for value in (row.ratio_min, row.ratio_below, row.min_amount):
            assert value is None or isinstance(value, Decimal)
        assert row.sources


@pytest.mark.parametrize("network", list(Network))
def test_filter_by_network(network: Network) -> None:
    rows = monitoring_programs(network)
    assert all(t.network is network for t in rows)
    if network is not Network.DISCOVER:
        assert rows
    assert len(monitoring_programs()) == len(MONITORING_THRESHOLDS)


def test_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        MONITORING_THRESHOLDS[0].ratio_min = Decimal(1)  # type: ignore[misc]
