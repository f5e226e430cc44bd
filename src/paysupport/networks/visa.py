"""Visa dispute conditions (Visa Claims Resolution) and retrieval codes ([QV], [VSI], [SN], [SCAT]).

The codes, the network's stage rules and its unknown-code hints are data, ``data/visa.json``
(its ``about`` says how the catalogue was built), read on first access. Prefer the lookups
``reason_codes("visa")`` and ``network_rules("visa")`` to these module attributes.
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
    return network_attribute(Network.VISA, name)
