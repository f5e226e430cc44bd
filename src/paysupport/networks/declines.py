"""Decline-code lookups: ISO 8583 response codes and Stripe ``decline_code`` values.

The records are read on first use from ``data/iso8583.json`` and ``data/stripe_declines.json``
(see ``networks._data``); each record carries its sources, confidence and, for the ISO codes whose
meaning differs between Visa and Mastercard (``82``, ``83``), its ``network``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from paysupport.errors import UnknownDeclineCode

from ._data import CatalogueDataError, read_records
from ._decline_types import DeclineCode
from ._types import Network

__all__ = ["ISO8583", "SCHEMES", "STRIPE", "AmbiguousDeclineCode", "decline_code", "decline_codes"]

ISO8583 = "iso8583"
"""Scheme of ISO 8583 field-39 response codes (Visa and Mastercard)."""
STRIPE = "stripe"
"""Scheme of Stripe ``decline_code`` strings."""
SCHEMES = (ISO8583, STRIPE)
"""The decline-code schemes the catalogue holds."""

_FILES: Mapping[str, str] = MappingProxyType(
    {ISO8583: "iso8583.json", STRIPE: "stripe_declines.json"}
)
"""The data file of each scheme (under ``networks/data/``)."""


@cache
def _codes(scheme: str) -> tuple[DeclineCode, ...]:
    name = _FILES[scheme]
    codes = read_records(name, "codes", DeclineCode)
    for index, dc in enumerate(codes):
        if dc.scheme != scheme:
            field = f"{name}: codes[{index}] {dc.code!r}.scheme"
            raise CatalogueDataError(field, "catalogue_scheme", f"expected {scheme!r}")
    return codes


@dataclass(frozen=True, slots=True)
class _Index:
    by_key: Mapping[tuple[str, str, Network | None], DeclineCode]
    # Codes whose meaning depends on the network: (scheme, code) -> the networks' records.
    by_network: Mapping[tuple[str, str], tuple[DeclineCode, ...]]


@cache
def _index() -> _Index:
    every = tuple(dc for scheme in SCHEMES for dc in _codes(scheme))
    by_network: dict[tuple[str, str], tuple[DeclineCode, ...]] = {}
    for dc in every:
        if dc.network is not None:
            key = (dc.scheme, dc.code)
            by_network[key] = (*by_network.get(key, ()), dc)
    return _Index(
        MappingProxyType({(dc.scheme, dc.code, dc.network): dc for dc in every}),
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


def _scheme(code: str, scheme: str) -> str:
    if scheme == "auto":
        return ISO8583 if len(code) <= 2 else STRIPE
    if scheme not in _FILES:
        raise UnknownDeclineCode("decline code scheme", scheme, known=("auto", *SCHEMES))
    return scheme


def _network(network: Network | str | None) -> Network | None:
    if network is None or isinstance(network, Network):
        return network
    try:
        return Network(str(network).strip().lower())
    except ValueError:
        raise UnknownDeclineCode(
            "decline code network", str(network), known=tuple(n.value for n in Network)
        ) from None


def decline_code(
    code: str, scheme: str = "auto", network: Network | str | None = None
) -> DeclineCode:
    """Look up a decline code, e.g. ``decline_code("05")`` or ``decline_code("lost_card")``.

    Some ISO 8583 codes mean different things on Visa and Mastercard (``82``, ``83``: on
    Mastercard a grouping whose action comes from the Merchant Advice Code). For those, pass
    ``network``; without it the lookup refuses rather than guess.

    Args:
        code: the code; surrounding whitespace is ignored. ISO codes are read upper-case and
            a single digit is zero-padded (``"5"`` is ``"05"``); Stripe codes lower-case.
        scheme: ``"iso8583"``, ``"stripe"``, or ``"auto"``: codes of one or two characters
            (``"05"``, ``"1A"``, ``"N7"``, ``"R0"``) are ISO 8583, longer ones Stripe.
        network: the card network that sent the code (``"visa"``, ``"mastercard"``, ...).

    Raises:
        UnknownDeclineCode: the scheme, the network or the code is not in the catalogue, or
            the code is empty.
        AmbiguousDeclineCode: the code's meaning depends on the network and none was given.

    Examples:
        >>> decline_code("83", network="mastercard").action is None  # the MAC decides
        True
    """
    if not isinstance(code, str) or not code.strip():
        raise UnknownDeclineCode("decline code", str(code), known=("a non-empty code",))
    text = code.strip()
    chosen = _scheme(text, scheme)
    net = _network(network)
    key = text.upper().zfill(2) if chosen == ISO8583 else text.lower()
    index = _index().by_key
    found = index.get((chosen, key, net)) or index.get((chosen, key, None))
    if found is not None:
        return found
    variants = _index().by_network.get((chosen, key), ())
    if net is None and len(variants) == 1:
        return variants[0]
    if net is None and variants:
        raise AmbiguousDeclineCode(
            code, tuple(v.network.value for v in variants if v.network is not None)
        )
    raise UnknownDeclineCode(
        f"{chosen} decline code" + (f" on {net.value}" if net else ""),
        code,
        known=("ISO 8583 two-character codes such as 05, 51, 1A", "Stripe decline_code"),
    )


def decline_codes(scheme: str | None = None) -> tuple[DeclineCode, ...]:
    """All decline codes, or one scheme's (``"iso8583"`` / ``"stripe"``), in the notes' order.

    Raises:
        UnknownDeclineCode: an unknown scheme.
    """
    if scheme is None:
        return _codes(ISO8583) + _codes(STRIPE)
    if scheme not in _FILES:
        raise UnknownDeclineCode("decline code scheme", scheme, known=SCHEMES)
    return _codes(scheme)
