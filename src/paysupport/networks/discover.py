"""Discover dispute codes: legacy alphabetic (§4.1), numeric (§4.2), documentation requests.

The codes, the network's stage rules and its unknown-code hints are data, ``data/discover.json``
(its ``about`` says how the catalogue was built), read on first access. Prefer the lookups
``reason_codes("discover")`` and ``network_rules("discover")`` to these module attributes.
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
    return network_attribute(Network.DISCOVER, name)
