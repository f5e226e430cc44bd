"""Lookups over the dispute catalogues: one dict, built once at import."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from paysupport.errors import UnknownReasonCode

from . import amex, discover, mastercard, visa
from ._types import DisputeCategory, DisputeStage, Network, NetworkRules, ReasonCode

__all__ = ["network_rules", "reason_code", "reason_codes"]

_CODES: Mapping[Network, tuple[ReasonCode, ...]] = MappingProxyType(
    {
        Network.VISA: visa.CODES,
        Network.MASTERCARD: mastercard.CODES,
        Network.AMEX: amex.CODES,
        Network.DISCOVER: discover.CODES,
    }
)
_FAMILIES: Mapping[Network, tuple[str, ...]] = MappingProxyType(
    {
        Network.VISA: visa.FAMILIES,
        Network.MASTERCARD: mastercard.FAMILIES,
        Network.AMEX: amex.FAMILIES,
        Network.DISCOVER: discover.FAMILIES,
    }
)
_RULES: Mapping[Network, NetworkRules] = MappingProxyType(
    {
        Network.VISA: visa.RULES,
        Network.MASTERCARD: mastercard.RULES,
        Network.AMEX: amex.RULES,
        Network.DISCOVER: discover.RULES,
    }
)
_ALL: tuple[ReasonCode, ...] = tuple(rc for codes in _CODES.values() for rc in codes)
_INDEX: Mapping[tuple[Network, str], ReasonCode] = MappingProxyType({rc.key: rc for rc in _ALL})


def _normalise(network: Network, code: str) -> str:
    key = "".join(str(code).split()).upper()
    if network is Network.AMEX and key.isdigit() and len(key) < 3:
        key = key.zfill(3)  # inquiry codes are three digits: "4" -> "004"
    return key


def _unknown(network: Network, code: str) -> UnknownReasonCode:
    return UnknownReasonCode(f"{network.value} reason code", code, known=_FAMILIES[network])


def reason_code(network: Network | str, code: str) -> ReasonCode:
    """Look up a dispute reason code, e.g. ``reason_code("visa", "13.1")``.

    The network name is parsed with `Network.parse`; the code is read
    case-insensitively with whitespace removed (``" c08 "`` finds Amex ``C08``).

    Raises:
        UnknownNetwork: the network is not one of the catalogued networks.
        UnknownReasonCode: the network has no such code; the message lists its families.
    """
    net = Network.parse(network)
    found = _INDEX.get((net, _normalise(net, code)))
    if found is None:
        raise _unknown(net, code)
    return found


def reason_codes(
    network: Network | str | None = None,
    *,
    category: DisputeCategory | None = None,
    stage: DisputeStage | None = None,
) -> tuple[ReasonCode, ...]:
    """List reason codes, in catalogue order (network, then the network's own order).

    Args:
        network: only this network's codes; all networks when ``None``.
        category: only codes in this category.
        stage: only codes that can go through this stage (``DisputeStage.INQUIRY`` lists the
            retrieval / inquiry / documentation-request codes).
    """
    codes = _ALL if network is None else _CODES[Network.parse(network)]
    return tuple(
        rc
        for rc in codes
        if (category is None or rc.category is category) and (stage is None or stage in rc.stages)
    )


def network_rules(network: Network | str) -> NetworkRules:
    """The network's dispute stages and stage windows."""
    return _RULES[Network.parse(network)]
