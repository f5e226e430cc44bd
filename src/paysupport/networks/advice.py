"""Mastercard Merchant Advice Codes and network retry limits (sources per record).

The records are data: ``data/merchant_advice_codes.json`` and ``data/retry_limits.json``,
read once on first use (see ``networks._data``). Time-dependent answers take the date as a
parameter; nothing here reads a clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING

from paysupport.errors import UnknownCode, UnknownDeclineCode

from ._data import read_records
from ._decline_types import RetryAction, VisaDeclineCategory
from ._types import Confidence, Network

__all__ = [
    "MERCHANT_ADVICE_CODES",
    "RETRY_LIMITS",
    "MerchantAdviceCode",
    "RetryLimit",
    "RetryLimits",
    "merchant_advice_code",
    "retry_limits",
    "visa_reattempt_limit",
]


@dataclass(frozen=True, slots=True)
class MerchantAdviceCode:
    """A Mastercard Merchant Advice Code (MAC) sent with a decline.

    Attributes:
        code: two digits, ``"01"`` to ``"43"``.
        text: what the code says.
        action: what to do; ``None`` where the notes give none (22) or it is informational.
        never_retry: never retry this card (03, 21).
        retry_after: the shortest wait before a retry, where Mastercard sets one (24-30).
        confidence: how sure the notes are.
        sources: source tags (values: Braintree, Antom; actions: Solidgate, Airwallex).
        notes: remarks.
    """

    code: str
    text: str
    action: RetryAction | None
    never_retry: bool
    retry_after: dt.timedelta | None
    confidence: Confidence
    sources: tuple[str, ...]
    notes: str = ""


@cache
def _macs() -> tuple[MerchantAdviceCode, ...]:
    return read_records("merchant_advice_codes.json", "codes", MerchantAdviceCode)


@cache
def _mac_index() -> Mapping[str, MerchantAdviceCode]:
    return MappingProxyType({mac.code: mac for mac in _macs()})


def merchant_advice_code(code: str) -> MerchantAdviceCode:
    """Look up a Mastercard Merchant Advice Code; ``"3"`` and ``"03"`` both find 03.

    Raises:
        UnknownDeclineCode: the code is not in §4.2.
    """
    index = _mac_index()
    found = index.get(code.strip().zfill(2))
    if found is None:
        raise UnknownDeclineCode("Mastercard merchant advice code", code, known=tuple(index))
    return found


@dataclass(frozen=True, slots=True)
class RetryLimit:
    """A network limit on retries or declines, in force over a date range.

    Attributes:
        network: the card network.
        name: a stable identifier (``"visa_category_2_4"``).
        scope: what is counted together (same card, merchant, amount; which responses).
        limit: at most this many ``counts`` in ``window`` (0: none at all).
        counts: what is counted: ``"reattempts"``, ``"retries"`` or ``"declines"``.
        window: the counting window; ``None`` for an absolute ban.
        effective_from: first day in force (``None``: since the rule exists, date not given).
        effective_until: first day no longer in force (``None``: still in force).
        visa_categories: the Visa decline categories it applies to (Visa only).
        advice_codes: the Mastercard MACs it applies to (Mastercard only).
        confidence: how sure the notes are.
        sources: source tags.
        notes: fees, alternatives, doubts.
    """

    network: Network
    name: str
    scope: str
    limit: int
    counts: str
    window: dt.timedelta | None
    effective_from: dt.date | None
    effective_until: dt.date | None
    confidence: Confidence
    sources: tuple[str, ...]
    notes: str = ""
    visa_categories: tuple[VisaDeclineCategory, ...] = ()
    advice_codes: tuple[str, ...] = ()

    def in_force_on(self, on: dt.date) -> bool:
        """Whether the limit applies on ``on``."""
        started = self.effective_from is None or self.effective_from <= on
        return started and (self.effective_until is None or on < self.effective_until)


RetryLimits = RetryLimit
"""Alias of [`RetryLimit`][paysupport.networks.RetryLimit] (the brief's name for these records)."""


@cache
def _retry_limits() -> tuple[RetryLimit, ...]:
    return read_records("retry_limits.json", "limits", RetryLimit)


if TYPE_CHECKING:
    MERCHANT_ADVICE_CODES: tuple[MerchantAdviceCode, ...]
    """Every Merchant Advice Code of §4.2 (``data/merchant_advice_codes.json``)."""
    RETRY_LIMITS: tuple[RetryLimit, ...]
    """Every retry limit of §4.1 and §4.2, oldest first per rule (``data/retry_limits.json``)."""


def __getattr__(name: str) -> object:
    # The tables are read on first access (PEP 562), not at import.
    if name == "MERCHANT_ADVICE_CODES":
        return _macs()
    if name == "RETRY_LIMITS":
        return _retry_limits()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def retry_limits(
    network: Network | str | None = None, *, on: dt.date | None = None
) -> tuple[RetryLimit, ...]:
    """List retry limits, optionally of one network and only those in force on ``on``."""
    net = None if network is None else Network.parse(network)
    return tuple(
        rl
        for rl in _retry_limits()
        if (net is None or rl.network is net) and (on is None or rl.in_force_on(on))
    )


def visa_reattempt_limit(on: dt.date, category: VisaDeclineCategory | None = None) -> int:
    """Most reattempts Visa allows per 30 days on ``on`` (categories 2-4 unless told).

    ``visa_reattempt_limit(date(2025, 5, 24))`` is 15; from 2025-05-25 it is 20 (primary
    unconfirmed). Category 1 is always 0.

    Raises:
        UnknownCode: no limit is recorded for that date (before 2021-04-01).
    """
    wanted = VisaDeclineCategory.GENERIC if category is None else category
    for rl in retry_limits(Network.VISA, on=on):
        if wanted in rl.visa_categories:
            return rl.limit
    raise UnknownCode(
        "Visa reattempt limit on",
        on.isoformat(),
        known=("category 1: 0", "from 2021-04-01: 15 per 30 days", "from 2025-05-25: 20"),
    )
