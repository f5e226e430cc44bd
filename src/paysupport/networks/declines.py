"""Decline-code lookups: ISO 8583 response codes and Stripe ``decline_code`` values."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from paysupport.errors import UnknownDeclineCode

from . import _iso8583, _stripe_declines
from ._decline_types import DeclineCode

__all__ = ["ISO8583", "SCHEMES", "STRIPE", "decline_code", "decline_codes"]

ISO8583 = "iso8583"
"""Scheme of ISO 8583 field-39 response codes (Visa and Mastercard)."""
STRIPE = "stripe"
"""Scheme of Stripe ``decline_code`` strings."""
SCHEMES = (ISO8583, STRIPE)
"""The decline-code schemes the catalogue holds."""

_BY_SCHEME: Mapping[str, tuple[DeclineCode, ...]] = MappingProxyType(
    {ISO8583: _iso8583.CODES, STRIPE: _stripe_declines.CODES}
)
_INDEX: Mapping[tuple[str, str], DeclineCode] = MappingProxyType(
    {(dc.scheme, dc.code): dc for codes in _BY_SCHEME.values() for dc in codes}
)


def _scheme(code: str, scheme: str) -> str:
    if scheme == "auto":
        return ISO8583 if len(code) <= 2 else STRIPE
    if scheme not in _BY_SCHEME:
        raise UnknownDeclineCode("decline code scheme", scheme, known=("auto", *SCHEMES))
    return scheme


def decline_code(code: str, scheme: str = "auto") -> DeclineCode:
    """Look up a decline code, e.g. ``decline_code("05")`` or ``decline_code("lost_card")``.

    Args:
        code: the code; surrounding whitespace is ignored. ISO codes are read upper-case and
            a single digit is zero-padded (``"5"`` is ``"05"``); Stripe codes lower-case.
        scheme: ``"iso8583"``, ``"stripe"``, or ``"auto"``: codes of one or two characters
            (``"05"``, ``"1A"``, ``"N7"``, ``"R0"``) are ISO 8583, longer ones Stripe.

    Raises:
        UnknownDeclineCode: the scheme or the code is not in the catalogue.
    """
    text = code.strip()
    chosen = _scheme(text, scheme)
    key = text.upper().zfill(2) if chosen == ISO8583 else text.lower()
    found = _INDEX.get((chosen, key))
    if found is None:
        raise UnknownDeclineCode(
            f"{chosen} decline code",
            code,
            known=("ISO 8583 two-character codes such as 05, 51, 1A", "Stripe decline_code"),
        )
    return found


def decline_codes(scheme: str | None = None) -> tuple[DeclineCode, ...]:
    """All decline codes, or one scheme's (``"iso8583"`` / ``"stripe"``), in the notes' order.

    Raises:
        UnknownDeclineCode: an unknown scheme.
    """
    if scheme is None:
        return _iso8583.CODES + _stripe_declines.CODES
    if scheme not in _BY_SCHEME:
        raise UnknownDeclineCode("decline code scheme", scheme, known=SCHEMES)
    return _BY_SCHEME[scheme]
