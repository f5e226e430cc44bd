"""Keys that name a group of dispute reason codes in a policy table.

A key is, from most to least specific: ``"visa:13.1"`` (one code), ``"visa:13"`` (a network's
family), ``"consumer_dispute"`` (a category, any network), or ``"*"`` (everything). Lookups
try the dispute's keys in that order, so a team can write a rule for a family and refine one
code of it.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from pydantic import PlainValidator
from pydantic_core import PydanticCustomError

from paysupport.errors import UnknownCode
from paysupport.networks import DisputeCategory, Network, ReasonCode, reason_code, reason_codes
from paysupport.networks.evidence_needs import reason_keys

__all__ = ["ReasonKey", "keys_for"]


@cache
def _families(network: Network) -> frozenset[str]:
    return frozenset(rc.family.lower() for rc in reason_codes(network))


def _reason_key(value: Any) -> str:
    """Validate a key and return it normalised (``"visa:13.1"``)."""
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("reason_key", "expected a reason key")
    text = value.strip()
    if text == "*":
        return text
    if ":" not in text:
        try:
            return DisputeCategory(text).value
        except ValueError:
            known = ", ".join(c.value for c in DisputeCategory)
            raise PydanticCustomError(
                "reason_key",
                "{text} is neither 'network:code', 'network:family', '*' nor a category ({known})",
                {"text": repr(text), "known": known},
            ) from None
    net_text, _, code = text.partition(":")
    try:
        net = Network.parse(net_text)
        if code.lower() in _families(net):
            return f"{net.value}:{code.lower()}"
        rc = reason_code(net, code)
    except UnknownCode as exc:
        raise PydanticCustomError("reason_key", "{message}", {"message": str(exc)}) from None
    return f"{net.value}:{rc.code}"


#: A reason-code key (see the module docstring), normalised.
ReasonKey: Any = Annotated[str, PlainValidator(_reason_key, json_schema_input_type=str)]


def keys_for(rc: ReasonCode) -> tuple[str, str, str, str]:
    """The keys that match a reason code, most specific first (the networks' definition)."""
    return reason_keys(rc)
