"""Mastercard chargeback reason codes and retrieval codes ([MCOM], [SCAT]).

The catalogue is data, ``data/mastercard.json``; ``CODES``, ``RULES`` and ``FAMILIES``
are read from it on access.
"""

from ._lookup import network_attribute


def __getattr__(name: str) -> object:
    return network_attribute("mastercard", name)
