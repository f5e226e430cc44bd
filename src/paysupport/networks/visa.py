"""Visa dispute conditions (Visa Claims Resolution) and retrieval codes ([QV], [VSI], [SN], [SCAT]).

The catalogue is data, ``data/visa.json``; ``CODES``, ``RULES`` and ``FAMILIES``
are read from it on access.
"""

from ._lookup import network_attribute


def __getattr__(name: str) -> object:
    return network_attribute("visa", name)
