"""The one detector of full card numbers (PANs) in text.

PCI DSS forbids storing or displaying a full primary account number. Every part of paysupport
that takes text from outside (models, translators, error messages) asks this module, so there
is one definition of "looks like a card number":

- a run of 12 to 19 digits that passes the Luhn check and starts with a card-brand major
  industry identifier (first digit 2 to 6: Mastercard 2221-2720 and 51-55, Amex 34/37, Diners
  300-305/36/38/39, JCB 35, Visa 4, Discover 6011/644-649/65, UnionPay 62, Maestro 50/56-69),
- written in any digit script (ASCII, Arabic-Indic, fullwidth, Devanagari, superscript...: any
  character with a Unicode digit value),
- with any separators between the digits: spaces (also doubled, non-breaking and the other
  Unicode spaces), tabs and line breaks, dots, dashes (ASCII and Unicode), underscores,
  slashes, backslashes, middle dots and invisible format characters (zero-width space, ...).

The issuer prefix keeps provider references apart: an Adyen ``pspReference`` is a 16-digit
number (starting with 1, 8 or 9), one in ten of which passes the Luhn check by chance; with the
prefix rule none is taken for a card, while every card of the brands above still is. (MII 1,
airline UATP cards, is left out for the same reason.)

Digit groups are joined across separators, and every window of whole groups holding 12 to 19
digits is checked, so a number followed by more digits (``"4242 4242 4242 4242 12/28"``) is
still found. A single unbroken run of more than 19 digits is not a card number. Letters,
colons, commas and ``+`` end a run, so ISO 8601 timestamps and amounts are not joined.

Masking keeps the **last four digits only** (``[card ending 4242]``). PCI DSS (Req. 3.4.1 in
v4.0) allows at most the BIN (first six or eight) and last four to be displayed, and only to
people with a business need to see more than the last four; a library cannot know who reads a
repr or a log line, and first six plus last four of a 12-digit PAN leave two digits hidden. So
paysupport shows what [`Card`][paysupport.models.Card] stores anyway: the last four.

    >>> mask_pans("card 4242 4242 4242 4242, exp 12/28")
    'card [card ending 4242], exp 12/28'
    >>> contains_pan("order 1234567890123")
    False
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

__all__ = ["PanMatch", "contains_pan", "find_pans", "mask_pans", "may_contain_pan"]

_MIN_DIGITS: Final = 12
_MAX_DIGITS: Final = 19
#: First digits (major industry identifiers) of the card brands: 2-6.
_CARD_MII: Final = frozenset("23456")

# Separators that may sit between the digits of one card number (beside Unicode whitespace,
# dashes and format characters, which are recognised by category).
_EXTRA_SEPARATORS: Final = frozenset(
    ".-_/\\\u00b7\u2022\u2027\u2024\u2215\u2044\uff0e\uff0f\uff3f\uff3c"
)
_SEPARATOR_CATEGORIES: Final = frozenset({"Pd", "Cf", "Zs", "Zl", "Zp"})

# After normalisation: ASCII digits, a space for any separator, other text as it was.
_CHAIN: Final = re.compile(r"[0-9]+(?:[ \t\n\r\f\v._/\\-]+[0-9]+)*", re.ASCII)
_GROUP: Final = re.compile(r"[0-9]+", re.ASCII)
# Fast pre-check on ASCII text or a whole ASCII document: drop the separators, turn each
# digit into "1" and anything else into "0"; no twelve "1" in a row, no card number.
_ASCII_SEPARATORS: Final = b" \t\n\r\f\v._/\\-"
_DIGIT_MAP: Final = bytes(0x31 if 0x30 <= i <= 0x39 else 0x30 for i in range(256))
_TWELVE_ONES: Final = b"1" * _MIN_DIGITS


class _Normaliser(dict[int, str]):
    """``str.translate`` table: any digit to its ASCII digit, any separator to a space."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        value = unicodedata.digit(ch, None)
        if value is not None:
            out = str(value)
        elif (
            ch.isspace()
            or ch in _EXTRA_SEPARATORS
            or unicodedata.category(ch) in _SEPARATOR_CATEGORIES
        ):
            out = " "
        else:
            out = "x"  # any other character ends a run; one character, so offsets hold
        self[code] = out
        return out


_NORMALISE: Final = _Normaliser()


@dataclass(frozen=True, slots=True)
class PanMatch:
    """One card number found in a text.

    Attributes:
        start: offset of its first digit in the text as given.
        end: offset just past its last digit.
        last4: its last four digits, in ASCII.
        length: how many digits it has (12 to 19).
    """

    start: int
    end: int
    last4: str
    length: int


def _luhn_ok(digits: str) -> bool:
    total = 0
    double = False
    for ch in reversed(digits):
        d = ord(ch) - 48
        if double:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
        double = not double
    return total % 10 == 0


def _normalise(text: str) -> str:
    return text if text.isascii() else text.translate(_NORMALISE)


def _may_hold_pan(text: str) -> bool:
    """Cheap test: False only when ``text`` certainly holds no card number."""
    if len(text) < _MIN_DIGITS:
        return False
    if text.isascii():
        return _TWELVE_ONES in text.encode().translate(_DIGIT_MAP, _ASCII_SEPARATORS)
    return True


def may_contain_pan(document: str | bytes | bytearray) -> bool:
    """Cheap, conservative test of a whole document (JSON text, a log line).

    False only when no text inside ``document`` can hold a card number, even after JSON
    unescaping: the document is ASCII, has no backslash (so no escapes), and nowhere holds 12
    digits joined only by separators. Anything else answers True: scan the values with
    [`find_pans`][paysupport.pan.find_pans].

    Args:
        document: text or UTF-8 bytes.
    """
    if isinstance(document, str):
        # A str knows whether it is ASCII without a scan; its backslash is found as text.
        if not document.isascii() or "\\" in document:
            return True
        raw = document.encode()
    else:
        raw = document if type(document) is bytes else bytes(document)
        if not raw.isascii() or b"\\" in raw:
            return True
    return _TWELVE_ONES in raw.translate(_DIGIT_MAP, _ASCII_SEPARATORS)


def _chain_matches(norm: str, start: int, end: int) -> list[PanMatch]:
    groups = [(m.start(), m.end()) for m in _GROUP.finditer(norm, start, end)]
    found: list[PanMatch] = []
    for i in range(len(groups)):
        digits = ""
        for j in range(i, len(groups)):
            digits += norm[groups[j][0] : groups[j][1]]
            if len(digits) > _MAX_DIGITS:
                break
            if len(digits) >= _MIN_DIGITS and digits[0] in _CARD_MII and _luhn_ok(digits):
                found.append(PanMatch(groups[i][0], groups[j][1], digits[-4:], len(digits)))
    return found


def find_pans(text: str) -> list[PanMatch]:
    """Every card number in ``text``, in order of position (overlapping windows included).

    Args:
        text: any text, in any script.

    Returns:
        One `PanMatch` per Luhn-valid window of 12 to 19 digits; empty when none.
    """
    if not _may_hold_pan(text):
        return []
    norm = _normalise(text)
    found: list[PanMatch] = []
    for chain in _CHAIN.finditer(norm):
        found.extend(_chain_matches(norm, chain.start(), chain.end()))
    return found


def contains_pan(text: str) -> bool:
    """True if ``text`` holds something that looks like a full card number.

    Args:
        text: any text, in any script.
    """
    return bool(find_pans(text))


def mask_pans(text: str) -> str:
    """``text`` with every card number replaced by ``[card ending 1234]``.

    Overlapping or touching matches are masked as one, showing the last four digits of the
    last one. Text without a card number comes back unchanged (the same object).

    Args:
        text: any text, in any script.
    """
    matches = find_pans(text)
    if not matches:
        return text
    spans: list[tuple[int, int, str]] = []
    for m in sorted(matches, key=lambda m: (m.start, m.end)):
        if spans and m.start <= spans[-1][1]:
            start, end, last4 = spans[-1]
            if m.end >= end:
                spans[-1] = (start, m.end, m.last4)
            continue
        spans.append((m.start, m.end, m.last4))
    out: list[str] = []
    pos = 0
    for start, end, last4 in spans:
        out.append(text[pos:start])
        out.append(f"[card ending {last4}]")
        pos = end
    out.append(text[pos:])
    return "".join(out)
