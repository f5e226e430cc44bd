"""Network monitoring-program thresholds (sources per row), as data for portfolio health.

Ratios are `decimal.Decimal` fractions (``Decimal("0.0150")`` is 1.50 %), never
floats. A threshold row is met when every bound it sets is met; ``None`` bounds are not set.
The rows are data, ``data/monitoring.json``, read once on first use (see ``networks._data``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from ._data import read_records
from ._types import Confidence, Network

__all__ = ["MONITORING_THRESHOLDS", "MonitoringThreshold", "monitoring_programs"]


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


@cache
def _thresholds() -> tuple[MonitoringThreshold, ...]:
    return read_records(
        "monitoring.json", "thresholds", MonitoringThreshold, label=_threshold_label
    )


def _threshold_label(row: Mapping[str, Any]) -> str:
    return f"{row.get('program', '?')} {row.get('tier', '?')}"


if TYPE_CHECKING:
    MONITORING_THRESHOLDS: tuple[MonitoringThreshold, ...]
    """Every threshold of §7: VAMP (by effective date), VDMP/VFMP (historical), ECM/HECM/EFM,
    Amex (``data/monitoring.json``)."""


def __getattr__(name: str) -> object:
    # The table is read on first access (PEP 562), not at import.
    if name == "MONITORING_THRESHOLDS":
        return _thresholds()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def monitoring_programs(network: Network | str | None = None) -> tuple[MonitoringThreshold, ...]:
    """The monitoring thresholds, of one network or all, in the notes' order."""
    if network is None:
        return _thresholds()
    net = Network.parse(network)
    return tuple(t for t in _thresholds() if t.network is net)
