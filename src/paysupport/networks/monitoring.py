"""Network monitoring-program thresholds (sources per row), as data for portfolio health.

Ratios are `decimal.Decimal` fractions (``Decimal("0.0150")`` is 1.50 %), never
floats. A threshold row is met when every bound it sets is met; ``None`` bounds are not set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ._types import Confidence, Network

__all__ = ["MONITORING_THRESHOLDS", "MonitoringThreshold", "monitoring_programs"]

_C, _U = Confidence.CONFIRMED, Confidence.UNCONFIRMED


@dataclass(frozen=True, slots=True)
class MonitoringThreshold:
    """One tier of a network monitoring program, in force from a date.

    Attributes:
        network: the card network.
        program: ``"VAMP"``, ``"VDMP"``, ``"VFMP"``, ``"ECM"``, ``"HECM"``, ``"EFM"``, ``"Amex"``.
        tier: the tier's name (``"merchant excessive"``, ``"early warning"``, ...).
        subject: who is measured: ``"merchant"`` or ``"acquirer"``.
        ratio: how the ratio is computed.
        ratio_min: lower bound of the ratio (a fraction), if any.
        ratio_min_inclusive: whether ``ratio_min`` itself meets the tier (``>=``) or not (``>``).
        ratio_below: exclusive upper bound of the ratio, if any.
        min_count: least count (disputes, chargebacks, fraud + disputes) that meets the tier.
        max_count: greatest count in the tier, if bounded.
        min_amount: least amount (fraud amount) in ``amount_currency``, if any.
        amount_currency: currency of ``min_amount`` (``"USD"``, ``"USD/EUR"``).
        min_sales_count: least number of sales in the measured period, if any.
        region: where the row applies (``"global"``, ``"global excl. MENA"``, ``"Australia"``).
        effective_from: first day in force, where the notes give one.
        historical: replaced by a later program (VDMP and VFMP by VAMP).
        confidence: how sure the notes are.
        sources: source tags.
        notes: other criteria, fees and fines.
    """

    network: Network
    program: str
    tier: str
    subject: str
    ratio: str
    ratio_min: Decimal | None
    confidence: Confidence
    sources: tuple[str, ...]
    ratio_min_inclusive: bool = True
    ratio_below: Decimal | None = None
    min_count: int | None = None
    max_count: int | None = None
    min_amount: Decimal | None = None
    amount_currency: str = ""
    min_sales_count: int | None = None
    region: str = "global"
    effective_from: dt.date | None = None
    historical: bool = False
    notes: str = ""


_VAMP_RATIO = (
    "(fraud reports TC40 + disputes TC15) / settled card-not-present transactions TC05, by "
    "count; one incident can count twice"
)
_VAMP_SOURCES = ("support.checkout.com 23330844282514",)
_VAMP_FLOOR_NOTE = (
    "Applies only above 1,500 fraud + disputes a month (MENA: > 100 and > USD 75,000). "
    "Fee when Excessive: USD 8 per fraud/dispute, enforced from 1 Oct 2025 (directpaynet.com; "
    "intellipay.com; merchantcostconsulting.com; unconfirmed). Antom's limits: count <= 1,500 "
    "and rate <= 1.5% ([ANT] card_monitor)."
)
_VAMP_STARTS = (dt.date(2025, 6, 1), dt.date(2026, 1, 1), dt.date(2026, 4, 1))


def _vamp(
    tier: str,
    subject: str,
    ratio_min: str,
    effective_from: dt.date,
    *,
    ratio_below: str | None = None,
    region: str = "global",
) -> MonitoringThreshold:
    merchant = subject == "merchant"
    return MonitoringThreshold(
        network=Network.VISA,
        program="VAMP",
        tier=tier,
        subject=subject,
        ratio=_VAMP_RATIO,
        ratio_min=Decimal(ratio_min),
        ratio_below=None if ratio_below is None else Decimal(ratio_below),
        min_count=1501 if merchant else None,
        region=region,
        effective_from=effective_from,
        confidence=_C,
        sources=_VAMP_SOURCES,
        notes=_VAMP_FLOOR_NOTE if merchant else "",
    )


_VDMP_RATIO = "disputes / sales, by count"
_VFMP_RATIO = "fraud / sales, by amount"
_V_2019 = dt.date(2019, 10, 1)
_V_2019_SOURCES = ('chargeback.com "Visa\'s New Dispute and Fraud Threshold"', "kount.com blog")
_REPLACED = 'Replaced by VAMP, which "came into effect April 2025" (checkout.com docs).'


def _visa_2019(
    program: str, tier: str, ratio_min: str, *, count: int | None = None, amount: str = ""
) -> MonitoringThreshold:
    notes = _REPLACED
    if program == "VDMP":
        notes += " VCMP was renamed VDMP on 1 Oct 2019 (braintreepayments.com blog)."
        if tier == "excessive":
            notes += " Excessive fine (2017 VCMP revision): USD 50 per chargeback, months 1-12."
    return MonitoringThreshold(
        network=Network.VISA,
        program=program,
        tier=tier,
        subject="merchant",
        ratio=_VDMP_RATIO if program == "VDMP" else _VFMP_RATIO,
        ratio_min=Decimal(ratio_min),
        min_count=count,
        min_amount=Decimal(amount) if amount else None,
        amount_currency="USD" if amount else "",
        effective_from=_V_2019,
        historical=True,
        confidence=_C,
        sources=_V_2019_SOURCES,
        notes=notes,
    )


_ECP_RATIO = "chargebacks in the month / sales count in the prior month (bps = ratio x 10,000)"
_ECP_SOURCES = ("[BT] excessive-chargeback-program", "docs.solidgate.com")
_EXIT = "Exit: three consecutive months below the thresholds (docs.solidgate.com; dalenys)."
_EFM_RATIO = "fraud chargebacks (4837, 4863) / sales, by count, previous month"
_EFM_FINES = (
    "Fines: month 1: 0; 2: 500; 3: 1,000; 4-6: 5,000; 7-11: 25,000; 12-18: 50,000; 19+: "
    "100,000 (EUR per dalenys; forte shows the same figures in USD for months 1-6; US "
    "assessments from 1 Mar 2020). In a month in both ECM and EFM only EFM assessments apply."
)

MONITORING_THRESHOLDS: tuple[MonitoringThreshold, ...] = (
    _vamp("acquirer excessive", "acquirer", "0.0070", _VAMP_STARTS[0]),
    _vamp("merchant excessive", "merchant", "0.0220", _VAMP_STARTS[0]),
    _vamp("acquirer above standard", "acquirer", "0.0050", _VAMP_STARTS[1], ratio_below="0.0070"),
    _vamp("acquirer excessive", "acquirer", "0.0070", _VAMP_STARTS[1]),
    _vamp("merchant excessive", "merchant", "0.0220", _VAMP_STARTS[1]),
    _vamp(
        "acquirer above standard",
        "acquirer",
        "0.0050",
        _VAMP_STARTS[2],
        ratio_below="0.0070",
        region="global excl. MENA",
    ),
    _vamp("acquirer excessive", "acquirer", "0.0070", _VAMP_STARTS[2], region="global excl. MENA"),
    _vamp("merchant excessive", "merchant", "0.0150", _VAMP_STARTS[2], region="global excl. MENA"),
    MonitoringThreshold(
        network=Network.VISA,
        program="VAMP",
        tier="enumeration",
        subject="merchant",
        ratio="enumeration ratio",
        ratio_min=Decimal("0.20"),
        effective_from=dt.date(2025, 10, 1),
        confidence=_U,
        sources=("seamlesschex.com",),
    ),
    _visa_2019("VDMP", "early warning", "0.0065", count=75),
    _visa_2019("VDMP", "standard", "0.0090", count=100),
    _visa_2019("VDMP", "excessive", "0.0180", count=1000),
    _visa_2019("VFMP", "early warning", "0.0065", amount="50000"),
    _visa_2019("VFMP", "standard", "0.0090", amount="75000"),
    _visa_2019("VFMP", "excessive", "0.0180", amount="250000"),
    MonitoringThreshold(
        network=Network.MASTERCARD,
        program="ECM",
        tier="excessive chargeback merchant",
        subject="merchant",
        ratio=_ECP_RATIO,
        ratio_min=Decimal("0.0150"),
        ratio_below=Decimal("0.0300"),
        min_count=100,
        max_count=299,
        effective_from=dt.date(2019, 10, 1),
        confidence=_C,
        sources=_ECP_SOURCES,
        notes="Count and ratio must both be met (effective Oct 2019; the day is not given, "
        "the 1st is used). " + _EXIT,
    ),
    MonitoringThreshold(
        network=Network.MASTERCARD,
        program="HECM",
        tier="high excessive chargeback merchant",
        subject="merchant",
        ratio=_ECP_RATIO,
        ratio_min=Decimal("0.0300"),
        min_count=300,
        confidence=_C,
        sources=_ECP_SOURCES,
        notes="Count and ratio must both be met. " + _EXIT,
    ),
    MonitoringThreshold(
        network=Network.MASTERCARD,
        program="EFM",
        tier="excessive fraud merchant",
        subject="merchant",
        ratio=_EFM_RATIO,
        ratio_min=Decimal("0.0050"),
        min_amount=Decimal("50000"),
        amount_currency="USD/EUR",
        min_sales_count=1000,
        confidence=_C,
        sources=("[BT] excessive-fraud-merchant-program",),
        notes="All must be met, plus 3DS volume < 50% (regulated countries) or < 10% "
        "(non-regulated). Excluded: merchants in Germany, Liechtenstein, Switzerland (+ St. "
        "Helena per payvision). " + _EFM_FINES + " " + _EXIT,
    ),
    MonitoringThreshold(
        network=Network.MASTERCARD,
        program="EFM",
        tier="excessive fraud merchant",
        subject="merchant",
        ratio=_EFM_RATIO,
        ratio_min=Decimal("0.0020"),
        min_amount=Decimal("15000"),
        amount_currency="USD",
        min_sales_count=1000,
        region="Australia",
        confidence=_C,
        sources=("[BT] excessive-fraud-merchant-program",),
        notes="All must be met, plus 3DS volume < 10%. " + _EXIT,
    ),
    MonitoringThreshold(
        network=Network.AMEX,
        program="Amex",
        tier="disproportionate chargebacks",
        subject="merchant",
        ratio="chargebacks / gross charges, monthly",
        ratio_min=Decimal("0.01"),
        ratio_min_inclusive=False,
        confidence=_U,
        sources=("support.bluesnap.com/docs/chargeback-monitoring-programs",),
        notes="Exceeding 1% for 3 consecutive months.",
    ),
    MonitoringThreshold(
        network=Network.AMEX,
        program="Amex",
        tier="warning",
        subject="merchant",
        ratio="net chargebacks / net transactions, monthly",
        ratio_min=Decimal("0.01"),
        min_count=10,
        min_sales_count=50,
        confidence=_U,
        sources=("support.bluesnap.com/docs/chargeback-monitoring-programs",),
        notes="At least 10 net chargebacks, at least 50 net transactions, ratio at least 1%.",
    ),
)
"""Every threshold of §7: VAMP (by effective date), VDMP/VFMP (historical), ECM/HECM/EFM, Amex."""


def monitoring_programs(network: Network | str | None = None) -> tuple[MonitoringThreshold, ...]:
    """The monitoring thresholds, of one network or all, in the notes' order."""
    if network is None:
        return MONITORING_THRESHOLDS
    net = Network.parse(network)
    return tuple(t for t in MONITORING_THRESHOLDS if t.network is net)
