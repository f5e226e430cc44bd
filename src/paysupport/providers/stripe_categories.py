"""Stripe's network-code to dispute-category table (docs.stripe.com/disputes/categories), as data.

``STRIPE_CATEGORIES`` mirrors the table row by row: a Stripe ``reason`` value and, per network,
the codes Stripe files under it. It lives with the Stripe translators, not in the network
catalogues: the core speaks the networks' and the operator's language, and Stripe's
``reason`` is one provider's vocabulary. `stripe_reason_for` answers "which Stripe
reason does this network code file under". The label-to-``reason`` mapping (``Credit not
processed`` -> ``credit_not_processed``) is inferred from the names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from paysupport.errors import UnknownCode
from paysupport.networks import Network, reason_code

__all__ = ["STRIPE_CATEGORIES", "stripe_reason_for"]

_V, _M, _A, _D = Network.VISA, Network.MASTERCARD, Network.AMEX, Network.DISCOVER


def _codes(text: str) -> tuple[str, ...]:
    return tuple(text.split())


STRIPE_CATEGORIES: Mapping[str, Mapping[Network, tuple[str, ...]]] = MappingProxyType(
    {
        "credit_not_processed": MappingProxyType(
            {
                _V: _codes("13.6 13.7"),
                _M: _codes("4860"),
                _A: _codes("A01 C02 C04 C05 C18 P03 P05 061 062 154 158 170 175 680"),
                _D: _codes("8002"),
            }
        ),
        "duplicate": MappingProxyType(
            {
                _V: _codes("12.6.1 12.6.2"),
                _M: _codes("4834"),
                _A: _codes("C14 P08 173 684"),
                _D: _codes("4534 4865"),
            }
        ),
        "fraudulent": MappingProxyType(
            {
                _V: _codes("33 10.1 10.2 10.3 10.4 10.5"),
                _M: _codes("6341 4837 4849 4870 4871"),
                _A: _codes("F10 F24 F29 F30 F31 FR2 FR4 FR5 FR6 177 193"),
                _D: _codes("6041 4866 4867 7010 7030"),
            }
        ),
        "general": MappingProxyType(
            {
                _V: _codes("28 30 34 11.1 11.2 11.3 12.1 12.2 12.3 12.4 12.5 12.7 13.8"),
                _M: _codes(
                    "6305 6322 6323 6342 6343 6390 4808 4807 4812 4859 4831 4842 4846 "
                    "4901 4902 4903 4905 4908 4840"
                ),
                # Stripe's Amex "General" cell ends with "…": only the listed codes are here.
                _A: _codes("A02 A08 M10 R03 R13 M01 P01 P04 P07 P22 P23 M04 M11"),
                _D: _codes("6021 6005 6040 4542 4550 4553 4586 4752 4753 4757 4762 4863 6050"),
            }
        ),
        "product_not_received": MappingProxyType(
            {
                _V: _codes("13.1 13.9"),
                _M: _codes("4855"),
                _A: _codes("C08 004 155"),
                _D: _codes("4755 4864"),
            }
        ),
        "product_unacceptable": MappingProxyType(
            {
                _V: _codes("13.3 13.4 13.5"),
                _M: _codes("4853"),
                _A: _codes("C31 C32 024 059 063"),
            }
        ),
        "subscription_canceled": MappingProxyType(
            {
                _V: _codes("13.2"),
                _M: _codes("4841"),
                _A: _codes("C28 021"),
                _D: _codes("4541"),
            }
        ),
        "unrecognized": MappingProxyType(
            {
                _M: _codes("6321 4863"),
                _A: _codes("127 176 691"),
            }
        ),
    }
)
"""Stripe ``reason`` -> network -> network codes, exactly as [SCAT] lists them (§5.5)."""

_INDEX: Mapping[tuple[Network, str], str] = MappingProxyType(
    {
        (network, code): reason
        for reason, row in STRIPE_CATEGORIES.items()
        for network, codes in row.items()
        for code in codes
    }
)

# Stripe's "Noncompliant" row gives Visa compliance conditions as "C028 … C0135".
_VISA_COMPLIANCE = re.compile(r"C0(\d+)")


def _in_table(network: Network, code: str) -> str | None:
    found = _INDEX.get((network, code))
    if found is not None:
        return found
    match = _VISA_COMPLIANCE.fullmatch(code) if network is Network.VISA else None
    if match is not None and 28 <= int(match.group(1)) <= 135:
        return "noncompliant"
    return None


def _key(network: Network, code: str) -> str:
    key = "".join(str(code).split()).upper()
    if network is Network.AMEX and key.isdigit() and len(key) < 3:
        key = key.zfill(3)  # Amex inquiry codes are three digits: "61" -> "061"
    return key


def stripe_reason_for(network: Network | str, code: str) -> str | None:
    """Stripe's dispute ``reason`` for a network code, per Stripe's table.

    Works for catalogued codes (read as [`reason_code`][paysupport.networks.reason_code] reads them)
    and for the other codes Stripe's table names (Mastercard 49xx documentation codes, Amex
    061/170/177/M04/M11, Visa compliance conditions C028-C0135 -> ``noncompliant``). Returns
    ``None`` for a catalogued code Stripe's table does not map.

    Raises:
        UnknownNetwork: the network is not catalogued.
        UnknownReasonCode: neither the catalogue nor Stripe's table knows the code.
    """
    net = Network.parse(network)
    key = _key(net, code)
    try:
        entry = reason_code(net, code)
    except UnknownCode:
        reason = _in_table(net, key)
        if reason is None:
            raise
        return reason
    return _in_table(net, entry.code)
