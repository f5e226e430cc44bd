"""Lookups over the dispute catalogues, read from ``data/<network>.json`` on first use.

Each network's file holds its unknown-code hints (``families``), its ``NetworkRules``,
named time windows shared by several codes (``windows``) and its reason codes; a code's
``time_limit`` or ``response_window`` may name a window (``"@response_windows.chargeback"``,
``"@filing_windows.chargeback"``, ``"@windows.retrieval"``) instead of repeating it. A file is
read once, when a lookup first needs that network (see ``networks._data``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType

from paysupport.errors import UnknownReasonCode

from ._data import CatalogueDataError, load, read_records, read_value
from ._types import DisputeCategory, DisputeStage, Network, NetworkRules, ReasonCode, TimeLimit

__all__ = ["families", "network_attribute", "network_rules", "reason_code", "reason_codes"]


@dataclass(frozen=True, slots=True)
class _Catalogue:
    """One network's dispute catalogue as its data file gives it."""

    families: tuple[str, ...]
    rules: NetworkRules
    codes: tuple[ReasonCode, ...]
    index: Mapping[str, ReasonCode]


@cache
def _catalogue(network: Network) -> _Catalogue:
    name = f"{network.value}.json"
    data = load(name)
    rules = read_value(name, "rules", NetworkRules, data.get("rules"))
    if rules.network is not network:
        raise CatalogueDataError(f"{name}: rules.network", "catalogue_network", "wrong network")
    refs: dict[str, object] = {}
    for group in ("response_windows", "filing_windows"):
        for stage, window in data["rules"][group].items():
            refs[f"@{group}.{stage}"] = window
    windows = read_value(name, "windows", dict[str, TimeLimit], data.get("windows", {}))
    refs.update({f"@windows.{key}": data["windows"][key] for key in windows})
    codes = read_records(name, "codes", ReasonCode, refs=refs)
    for index, rc in enumerate(codes):
        if rc.network is not network:
            field = f"{name}: codes[{index}] {rc.code!r}.network"
            raise CatalogueDataError(field, "catalogue_network", f"not a {network.value} code")
    return _Catalogue(
        families=read_value(name, "families", tuple[str, ...], data.get("families")),
        rules=rules,
        codes=codes,
        index=MappingProxyType({rc.code: rc for rc in codes}),
    )


def families(network: Network | str) -> tuple[str, ...]:
    """The network's code families, listed when a code is unknown (``"10 Fraud (10.1–10.5)"``)."""
    return _catalogue(Network.parse(network)).families


def network_attribute(network: Network | str, name: str) -> object:
    """``CODES``, ``RULES`` or ``FAMILIES`` of a network, for its module (``networks.visa``).

    Raises:
        AttributeError: any other name (as a module without it would).
    """
    net = Network.parse(network)
    if name not in ("CODES", "RULES", "FAMILIES"):
        raise AttributeError(f"module 'paysupport.networks.{net.value}' has no attribute {name!r}")
    catalogue = _catalogue(net)
    found = {"CODES": catalogue.codes, "RULES": catalogue.rules, "FAMILIES": catalogue.families}
    return found[name]


def _normalise(network: Network, code: str) -> str:
    key = "".join(str(code).split()).upper()
    if network is Network.AMEX and key.isdigit() and len(key) < 3:
        key = key.zfill(3)  # inquiry codes are three digits: "4" -> "004"
    return key


def _unknown(network: Network, code: str) -> UnknownReasonCode:
    return UnknownReasonCode(f"{network.value} reason code", code, known=families(network))


def reason_code(network: Network | str, code: str) -> ReasonCode:
    """Look up a dispute reason code, e.g. ``reason_code("visa", "13.1")``.

    The network name is parsed with `Network.parse`; the code is read
    case-insensitively with whitespace removed (``" c08 "`` finds Amex ``C08``).

    Raises:
        UnknownNetwork: the network is not one of the catalogued networks.
        UnknownReasonCode: the network has no such code; the message lists its families.
    """
    if isinstance(network, str) and type(code) is str:  # hashable: the kept lookup
        return _kept(network, code)
    return _find(network, code)


@lru_cache(maxsize=4096)
def _kept(network: str, code: str) -> ReasonCode:
    """`_find`, kept per ``(network, code)`` as given: models read ``reason`` per property read.

    The catalogue is read once and never changes, so the record found is always the same; a
    code it refuses is refused again on every call (exceptions are not kept). A `Network` and
    its value are equal and hash alike, and name the same network.
    """
    return _find(network, code)


def _find(network: Network | str, code: str) -> ReasonCode:
    """The lookup `reason_code` describes."""
    net = Network.parse(network)
    found = _catalogue(net).index.get(_normalise(net, code))
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
    nets = tuple(Network) if network is None else (Network.parse(network),)
    codes = (rc for net in nets for rc in _catalogue(net).codes)
    return tuple(
        rc
        for rc in codes
        if (category is None or rc.category is category) and (stage is None or stage in rc.stages)
    )


def network_rules(network: Network | str) -> NetworkRules:
    """The network's dispute stages and stage windows."""
    return _catalogue(Network.parse(network)).rules
