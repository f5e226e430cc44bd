"""Shared helpers for the mapping tables: lookups that refuse unknown values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from paysupport.errors import UnknownCode
from paysupport.networks import Network, reason_code
from paysupport.providers._payload import fail

__all__ = ["UNKNOWN_VALUE", "check_reason_code", "known_reason_code", "lookup", "parse_network"]

#: The rule code of every "the provider sent a value we do not know" error.
UNKNOWN_VALUE = "unknown_value"

_V = TypeVar("_V")


def lookup(table: Mapping[str, _V], value: str, field: str, what: str) -> _V:
    """``table[value]``, or a ProviderPayloadError(field, "unknown_value") naming the value."""
    try:
        return table[value]
    except KeyError:
        known = ", ".join(sorted(table))
        fail(field, UNKNOWN_VALUE, f"unknown {what} {value!r}; known: {known}")


def parse_network(raw: str | None) -> Network | None:
    """The catalogued network for a brand / scheme string, or ``None`` if not catalogued."""
    if raw is None:
        return None
    try:
        return Network.parse(raw)
    except UnknownCode:
        return None


def known_reason_code(network: Network, code: str) -> str | None:
    """The catalogue's spelling of ``code``, or ``None`` when the catalogue lacks it."""
    try:
        return reason_code(network, code).code
    except UnknownCode:
        return None


def check_reason_code(network: Network, code: str, field: str) -> str:
    """The catalogue's spelling of ``code``, or ProviderPayloadError(field, "reason_code_known")."""
    try:
        return reason_code(network, code).code
    except UnknownCode as exc:
        fail(field, "reason_code_known", str(exc))  # fail() masks a card number in it
