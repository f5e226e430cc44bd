"""Which network monitoring programs are in force on a date, for a merchant in a market.

The thresholds are the catalogue's (`paysupport.networks.monitoring.MONITORING_THRESHOLDS`);
this module only picks the rows that apply: Visa VDMP and VFMP before VAMP came into effect,
VAMP's merchant tier by its effective dates and region, Mastercard ECM, HECM and EFM (the
Australian EFM row in Australia, none in the excluded countries), Amex.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from paysupport.networks import Confidence, MonitoringThreshold, Network
from paysupport.networks.monitoring import MONITORING_THRESHOLDS

__all__ = [
    "EFM_EXCLUDED_MARKETS",
    "MENA_MARKETS",
    "STREAK_MONTHS",
    "VAMP_START",
    "ProgramRule",
    "programs_in_force",
]

VAMP_START = dt.date(2025, 4, 1)
"""VAMP "came into effect April 2025" and replaced VDMP and VFMP (checkout.com docs); the
catalogue's first VAMP thresholds are dated 2025-06-01, so April and May 2025 are measured
but no merchant tier is enforced."""

MENA_MARKETS = frozenset(
    {
        "AE",
        "BH",
        "DZ",
        "EG",
        "IQ",
        "IL",
        "JO",
        "KW",
        "LB",
        "LY",
        "MA",
        "OM",
        "PS",
        "QA",
        "SA",
        "SY",
        "TN",
        "YE",
    }
)
"""Markets read as MENA for VAMP's "global excl. MENA" rows (assumption: the notes name the
region, not its countries; this is the World Bank's Middle East and North Africa list)."""

EFM_EXCLUDED_MARKETS = frozenset({"DE", "LI", "CH", "SH"})
"""Merchants in Germany, Liechtenstein, Switzerland (and St. Helena per payvision) are
excluded from Mastercard EFM (help.dalenys.com; payvision.com)."""

STREAK_MONTHS: dict[tuple[str, str], int] = {("Amex", "disproportionate chargebacks"): 3}
"""Tiers met only after consecutive months over the line (Amex: "for 3 consecutive months")."""

_WARNING_TIERS = frozenset({"early warning", "warning"})


@dataclass(frozen=True, slots=True)
class ProgramRule:
    """One network program in force for a merchant on a date, with its merchant tiers.

    Attributes:
        network: the card network.
        program: ``"VAMP"``, ``"VDMP"``, ``"VFMP"``, ``"ECM"``, ``"HECM"``, ``"EFM"``, ``"Amex"``.
        ratio: how the program computes its ratio (the catalogue's words).
        tiers: the merchant tiers in force (empty: measured, not yet enforced).
        note: why a tier is missing, or what the check cannot assess.
    """

    network: Network
    program: str
    ratio: str
    tiers: tuple[MonitoringThreshold, ...]
    note: str = ""

    @property
    def confidence(self) -> Confidence:
        """Unconfirmed when any tier in force is unconfirmed."""
        if any(t.confidence is not Confidence.CONFIRMED for t in self.tiers):
            return Confidence.UNCONFIRMED
        return Confidence.CONFIRMED

    @staticmethod
    def is_warning(tier: MonitoringThreshold) -> bool:
        """True for a tier that is a warning, not a breach (VDMP/VFMP early warning, Amex)."""
        return tier.tier in _WARNING_TIERS


def programs_in_force(
    on: dt.date, network: Network | str | None = None, market: str = "US"
) -> tuple[ProgramRule, ...]:
    """The monitoring programs that measure a merchant in ``market`` on ``on``.

    Args:
        on: the day (a month's programs are those in force on its first day).
        network: one network, or None for all.
        market: the merchant's ISO 3166-1 alpha-2 country (regions: MENA, Australia, the
            EFM exclusions).

    Examples:
        >>> import datetime as dt
        >>> [p.program for p in programs_in_force(dt.date(2025, 3, 1), "visa")]
        ['VDMP', 'VFMP']
        >>> vamp, = programs_in_force(dt.date(2026, 4, 1), "visa")
        >>> [str(t.ratio_min) for t in vamp.tiers]
        ['0.0150']
    """
    nets = tuple(Network) if network is None else (Network.parse(network),)
    rules: list[ProgramRule] = []
    for net in nets:
        rules.extend(_for_network(on, net, market))
    return tuple(rules)


def _applies(t: MonitoringThreshold, on: dt.date, market: str) -> bool:
    if t.subject != "merchant" or (t.effective_from is not None and t.effective_from > on):
        return False
    if t.ratio == "enumeration ratio":
        return False  # needs authorisation-attempt patterns that History does not carry
    if t.region == "global excl. MENA":
        return market not in MENA_MARKETS
    if t.region == "Australia":
        return market == "AU"
    return t.region == "global"


def _latest(rows: list[MonitoringThreshold], market: str) -> tuple[MonitoringThreshold, ...]:
    """Per tier, the most specific region's latest row."""
    best: dict[str, MonitoringThreshold] = {}
    for t in rows:
        held = best.get(t.tier)
        specific = t.region != "global"
        if (
            held is None
            or (specific and held.region == "global")
            or (
                (specific or held.region == "global")
                and (t.effective_from or dt.date.min) >= (held.effective_from or dt.date.min)
            )
        ):
            best[t.tier] = t
    return tuple(best.values())


def _for_network(on: dt.date, net: Network, market: str) -> list[ProgramRule]:
    rows = [t for t in MONITORING_THRESHOLDS if t.network is net and _applies(t, on, market)]
    programs: dict[str, list[MonitoringThreshold]] = {}
    for t in rows:
        programs.setdefault(t.program, []).append(t)
    if net is Network.VISA:
        if on >= VAMP_START:
            programs.pop("VDMP", None)
            programs.pop("VFMP", None)
            programs.setdefault("VAMP", [])
        else:
            programs.pop("VAMP", None)
    if net is Network.MASTERCARD and market in EFM_EXCLUDED_MARKETS:
        programs.pop("EFM", None)
    out = []
    for name, tiers in programs.items():
        chosen = _latest(tiers, market)
        ratio = chosen[0].ratio if chosen else _ratio_of(net, name)
        out.append(ProgramRule(net, name, ratio, chosen, _note(name, chosen)))
    return out


def _ratio_of(net: Network, program: str) -> str:
    return next(t.ratio for t in MONITORING_THRESHOLDS if t.network is net and t.program == program)


def _note(program: str, tiers: tuple[MonitoringThreshold, ...]) -> str:
    if program == "VAMP" and not tiers:
        return "VAMP in effect from April 2025; merchant thresholds enforced from 2025-06-01"
    if program == "EFM":
        return "3DS-volume criterion not assessed (History has no 3DS flag)"
    if program == "Amex":
        return "unconfirmed (one processor summary); disproportionate = over 1% 3 months running"
    return ""
