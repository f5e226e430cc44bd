"""Discover dispute codes: legacy alphabetic (§4.1), numeric (§4.2), documentation requests.

The catalogue is data, ``data/discover.json``; ``CODES``, ``RULES`` and ``FAMILIES``
are read from it on access.
"""

from ._lookup import network_attribute


def __getattr__(name: str) -> object:
    return network_attribute("discover", name)
