"""American Express chargeback codes and numeric inquiry codes ([AXN], [SCAT], [AXDRG19]).

The codes, the network's stage rules and its unknown-code hints are data, ``data/amex.json``
(its ``about`` says how the catalogue was built), read on first access. Prefer the lookups
``reason_codes("amex")`` and ``network_rules("amex")`` to these module attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lookup import network_attribute
from ._types import Network

if TYPE_CHECKING:
    from ._types import NetworkRules, ReasonCode

    CODES: tuple[ReasonCode, ...]
    RULES: NetworkRules
    FAMILIES: tuple[str, ...]

__all__ = ["CODES", "FAMILIES", "RULES"]


def __getattr__(name: str) -> object:
    return network_attribute(Network.AMEX, name)
