"""American Express chargeback codes and numeric inquiry codes ([AXN], [SCAT], [AXDRG19]).

The catalogue is data, ``data/amex.json``; ``CODES``, ``RULES`` and ``FAMILIES``
are read from it on access.
"""

from ._lookup import network_attribute


def __getattr__(name: str) -> object:
    return network_attribute("amex", name)
