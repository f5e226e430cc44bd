"""Keys that name a group of dispute reason codes in a policy table.

A key is, from most to least specific: ``"visa:13.1"`` (one code), ``"visa:13"`` (a network's
family), ``"consumer_dispute"`` (a category, any network), or ``"*"`` (everything). Lookups
try the dispute's keys in that order, so a team can write a rule for a family and refine one
code of it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import attrs

from paysupport.errors import PolicyConfigError, UnknownCode
from paysupport.networks import DisputeCategory, Network, ReasonCode, reason_code, reason_codes

__all__ = ["ReasonKey", "keys_for"]


@cache
def _families(network: Network) -> frozenset[str]:
    return frozenset(rc.family.lower() for rc in reason_codes(network))


@attrs.frozen
class ReasonKey:
    """Codec for a reason-code key (see the module docstring)."""

    def load(self, value: Any, path: str) -> str:
        """Validate a key and return it normalised (``"visa:13.1"``)."""
        if not isinstance(value, str) or not value.strip():
            raise PolicyConfigError(path, "reason_key", f"expected a reason key, got {value!r}")
        text = value.strip()
        if text == "*":
            return text
        if ":" not in text:
            try:
                return DisputeCategory(text).value
            except ValueError:
                known = ", ".join(c.value for c in DisputeCategory)
                raise PolicyConfigError(
                    path,
                    "reason_key",
                    f"{text!r} is neither 'network:code', 'network:family', '*' nor a "
                    f"category ({known})",
                ) from None
        net_text, _, code = text.partition(":")
        try:
            net = Network.parse(net_text)
        except UnknownCode as exc:
            raise PolicyConfigError(path, "reason_key", str(exc)) from None
        if code.lower() in _families(net):
            return f"{net.value}:{code.lower()}"
        try:
            rc = reason_code(net, code)
        except UnknownCode as exc:
            raise PolicyConfigError(path, "reason_key", str(exc)) from None
        return f"{net.value}:{rc.code}"

    def dump(self, value: str) -> str:
        """Return the key."""
        return value


@cache
def keys_for(rc: ReasonCode) -> tuple[str, str, str, str]:
    """The keys that match a reason code, most specific first."""
    net = rc.network.value
    return (f"{net}:{rc.code}", f"{net}:{rc.family.lower()}", rc.category.value, "*")
