"""Decline-code lookups: ISO 8583 field-39 response codes, the networks' own vocabulary.

The records are read on first use from ``data/iso8583.json`` (see ``networks._data``); each
carries its sources, confidence and, for the ISO codes whose meaning differs between Visa and
Mastercard (``82``, ``83``), its ``network``. A provider's own decline vocabulary (Stripe's
``decline_code``) lives with that provider (`paysupport.providers.declines`), which returns
the same `DeclineCode` record for a failure to carry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType

from paysupport.errors import UnknownDeclineCode

from ._data import CatalogueDataError, read_records
from ._decline_types import DeclineCode
from ._types import Network

__all__ = ["ISO8583", "AmbiguousDeclineCode", "decline_code", "decline_codes"]

ISO8583 = "iso8583"
"""Scheme of ISO 8583 field-39 response codes (Visa and Mastercard)."""
_FILE = "iso8583.json"


@cache
def _codes() -> tuple[DeclineCode, ...]:
    codes = read_records(_FILE, "codes", DeclineCode)
    for index, dc in enumerate(codes):
        if dc.scheme != ISO8583:
            field = f"{_FILE}: codes[{index}] {dc.code!r}.scheme"
            raise CatalogueDataError(field, "catalogue_scheme", f"expected {ISO8583!r}")
    return codes


@dataclass(frozen=True, slots=True)
class _Index:
    by_key: Mapping[tuple[str, Network | None], DeclineCode]
    # Codes whose meaning depends on the network: code -> the networks' records.
    by_network: Mapping[str, tuple[DeclineCode, ...]]


@cache
def _index() -> _Index:
    by_network: dict[str, tuple[DeclineCode, ...]] = {}
    for dc in _codes():
        if dc.network is not None:
            by_network[dc.code] = (*by_network.get(dc.code, ()), dc)
    return _Index(
        MappingProxyType({(dc.code, dc.network): dc for dc in _codes()}),
        MappingProxyType(by_network),
    )


class AmbiguousDeclineCode(UnknownDeclineCode):
    """An ISO code that means different things on different networks, asked without one."""

    def __init__(self, code: str, networks: tuple[str, ...]) -> None:
        super().__init__("decline code", code, known=networks)
        self.args = (
            f"decline code {code!r} means different things on {' and '.join(networks)}: "
            "pass network=",
        )


def _network(network: Network | str | None) -> Network | None:
    if network is None or isinstance(network, Network):
        return network
    try:
        return Network(str(network).strip().lower())
    except ValueError:
        raise UnknownDeclineCode(
            "decline code network", str(network), known=tuple(n.value for n in Network)
        ) from None


def decline_code(code: str, network: Network | str | None = None) -> DeclineCode:
    """Look up an ISO 8583 response code, e.g. ``decline_code("05")``.

    Some codes mean different things on Visa and Mastercard (``82``, ``83``: on Mastercard a
    grouping whose action comes from the Merchant Advice Code). For those, pass ``network``;
    without it the lookup refuses rather than guess. A provider's decline codes (Stripe
    ``lost_card``) are looked up by the provider: `paysupport.providers.stripe_decline`.

    Args:
        code: the code; surrounding whitespace is ignored, letters are read upper-case and a
            single digit is zero-padded (``"5"`` is ``"05"``).
        network: the card network that sent the code (``"visa"``, ``"mastercard"``, ...).

    Raises:
        UnknownDeclineCode: the network or the code is not in the catalogue, or the code is
            empty.
        AmbiguousDeclineCode: the code's meaning depends on the network and none was given.

    Examples:
        >>> decline_code("51").meaning
        'not sufficient funds'
        >>> decline_code("83", network="mastercard").action is None  # the MAC decides
        True
    """
    if not isinstance(code, str):
        raise UnknownDeclineCode("decline code", str(code), known=("a non-empty code",))
    if network is None or isinstance(network, str):  # hashable, and read as text by _network
        return _found(code, network)
    return _find(code, network)


@lru_cache(maxsize=4096)
def _found(code: str, network: str | None) -> DeclineCode:
    """`_find`, kept per ``(code, network)``: a decline workflow asks for the same few codes.

    The catalogue is read once and never changes, so the record found for a code and network
    is always the same; a code it refuses is refused again on every call (exceptions are not
    kept). A `Network` and its value are equal and hash alike, and name the same network.
    """
    return _find(code, network)


def _find(code: str, network: Network | str | None) -> DeclineCode:
    """The lookup `decline_code` describes, for a ``code`` that is a string."""
    if not code.strip():
        raise UnknownDeclineCode("decline code", code, known=("a non-empty code",))
    key = code.strip().upper().zfill(2)
    net = _network(network)
    index = _index().by_key
    found = index.get((key, net)) or index.get((key, None))
    if found is not None:
        return found
    variants = _index().by_network.get(key, ())
    if net is None and len(variants) == 1:
        return variants[0]
    if net is None and variants:
        raise AmbiguousDeclineCode(
            code, tuple(v.network.value for v in variants if v.network is not None)
        )
    hint = "ISO 8583 two-character codes such as 05, 51, 1A"
    if len(key) > 2:
        hint += "; a provider's code: paysupport.providers.stripe_decline"
    raise UnknownDeclineCode(
        f"{ISO8583} decline code" + (f" on {net.value}" if net else ""), code, known=(hint,)
    )


def decline_codes() -> tuple[DeclineCode, ...]:
    """All ISO 8583 response codes, in the notes' order."""
    return _codes()
