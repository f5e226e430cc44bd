"""Mastercard Merchant Advice Codes and network retry limits (sources per record).

Time-dependent answers take the date as a parameter; nothing here reads a clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from paysupport.errors import UnknownCode, UnknownDeclineCode

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

_A = RetryAction
_C, _U = Confidence.CONFIRMED, Confidence.UNCONFIRMED
_MAC_SOURCES = ('Braintree "Merchant Advice Codes"', "[ANT]", "Solidgate", "Airwallex")


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


def _mac(
    code: str,
    text: str,
    action: RetryAction | None,
    *,
    retry_after: dt.timedelta | None = None,
    notes: str = "",
) -> MerchantAdviceCode:
    return MerchantAdviceCode(
        code=code,
        text=text,
        action=action,
        never_retry=action is _A.DO_NOT_RETRY,
        retry_after=retry_after,
        confidence=_C,
        sources=_MAC_SOURCES,
        notes=notes,
    )


def _wait(code: str, label: str, delta: dt.timedelta) -> MerchantAdviceCode:
    return _mac(
        code,
        f"Retry after {label}",
        _A.RETRY_LATER,
        retry_after=delta,
        notes=f"Wait at least {label}.",
    )


_HOUR, _DAY = dt.timedelta(hours=1), dt.timedelta(days=1)

MERCHANT_ADVICE_CODES: tuple[MerchantAdviceCode, ...] = (
    _mac(
        "01",
        "New account information available",
        _A.UPDATE_CARD,
        notes="Update the card (account updater); don't retry the old details.",
    ),
    _mac(
        "02",
        "Cannot approve at this time, try again later",
        _A.RETRY_LATER,
        notes="No wait is mandated; processors suggest about 72 h.",
    ),
    _mac(
        "03",
        "Do not try again",
        _A.DO_NOT_RETRY,
        notes="Never retry: a fee per retry within 30 days.",
    ),
    _mac(
        "04",
        "Token not supported / token requirements not fulfilled",
        _A.FIX_DATA,
        notes="Fix the token, then retry.",
    ),
    _mac(
        "21",
        "Stop recurring payment (payment cancellation)",
        _A.DO_NOT_RETRY,
        notes="Never retry; cancel the subscription.",
    ),
    _mac("22", "Merchant does not qualify for product code", None, notes="No action given."),
    _wait("24", "1 h", _HOUR),
    _wait("25", "24 h", 24 * _HOUR),
    _wait("26", "2 d", 2 * _DAY),
    _wait("27", "4 d", 4 * _DAY),
    _wait("28", "6 d", 6 * _DAY),
    _wait("29", "8 d", 8 * _DAY),
    _wait("30", "10 d", 10 * _DAY),
    _mac("40", "Consumer non-reloadable prepaid card", None, notes="Informational."),
    _mac("41", "Consumer single-use virtual card", None, notes="Informational."),
    _mac("43", "Consumer multi-use virtual card", None, notes="Informational."),
)
"""Every Merchant Advice Code of §4.2."""

_MAC_INDEX: Mapping[str, MerchantAdviceCode] = MappingProxyType(
    {mac.code: mac for mac in MERCHANT_ADVICE_CODES}
)


def merchant_advice_code(code: str) -> MerchantAdviceCode:
    """Look up a Mastercard Merchant Advice Code; ``"3"`` and ``"03"`` both find 03.

    Raises:
        UnknownDeclineCode: the code is not in §4.2.
    """
    found = _MAC_INDEX.get(code.strip().zfill(2))
    if found is None:
        raise UnknownDeclineCode("Mastercard merchant advice code", code, known=tuple(_MAC_INDEX))
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

_V = VisaDeclineCategory
_VISA_2_4 = (_V.ISSUER_CANNOT_APPROVE_AT_THIS_TIME, _V.DATA_QUALITY, _V.GENERIC)
_VISA_20_FROM = dt.date(2025, 5, 25)
_MC_10_FROM = dt.date(2022, 10, 1)
_30_DAYS, _24_HOURS = dt.timedelta(days=30), dt.timedelta(hours=24)
_FEES = (
    "Fees phased in 2021-07 / 2021-10 / 2022-04, about US$0.10 domestic, +$0.05 cross-border "
    "per excess attempt (payvision.com; payway.com; cardpointe)."
)

RETRY_LIMITS: tuple[RetryLimit, ...] = (
    RetryLimit(
        network=Network.VISA,
        name="visa_category_1",
        scope="same credential after a Visa category 1 response",
        limit=0,
        counts="reattempts",
        window=None,
        effective_from=None,
        effective_until=None,
        confidence=_C,
        sources=("Visa bulletin AI10325 via IanFoxDev/decline-codes",),
        notes="Issuer will never approve: every reattempt is charged (category 1 fee from "
        "April 2022). " + _FEES,
        visa_categories=(_V.ISSUER_WILL_NEVER_APPROVE,),
    ),
    RetryLimit(
        network=Network.VISA,
        name="visa_category_2_4",
        scope="same credential after Visa category 2-4 responses",
        limit=15,
        counts="reattempts",
        window=_30_DAYS,
        effective_from=dt.date(2021, 4, 1),
        effective_until=_VISA_20_FROM,
        confidence=_C,
        sources=("Elavon news 2021", 'Stripe support "Payment blocked due to excessive retries"'),
        notes="Stripe blocks further Visa retries after the 15th when success is unlikely "
        "(generic_decline, outcome.reason=previously_declined_do_not_retry). " + _FEES,
        visa_categories=_VISA_2_4,
    ),
    RetryLimit(
        network=Network.VISA,
        name="visa_category_2_4",
        scope="same credential after Visa category 2-4 responses",
        limit=20,
        counts="reattempts",
        window=_30_DAYS,
        effective_from=_VISA_20_FROM,
        effective_until=None,
        confidence=_U,
        sources=("docs.cielo.com.br changelog", "TabaPay changelog 12/27/24"),
        notes="The Visa primary was not read (unconfirmed primary). CIT vs MIT flag now "
        "counted. From 2026-04-25 reclassified codes count toward the issuer generic "
        'response code fee (TabaPay "Visa Response Code Updates").',
        visa_categories=_VISA_2_4,
    ),
    RetryLimit(
        network=Network.MASTERCARD,
        name="mastercard_mac_03_21",
        scope="same card, card-not-present, after MAC 03 or 21",
        limit=0,
        counts="retries",
        window=_30_DAYS,
        effective_from=None,
        effective_until=None,
        confidence=_C,
        sources=('TabaPay "Merchant Advice Code"', "help.maast.com"),
        notes="Each retry within 30 days incurs a fee.",
        advice_codes=("03", "21"),
    ),
    RetryLimit(
        network=Network.MASTERCARD,
        name="mastercard_declines_per_day",
        scope="same card at the same merchant",
        limit=20,
        counts="declines",
        window=_24_HOURS,
        effective_from=None,
        effective_until=_MC_10_FROM,
        confidence=_C,
        sources=("Forte",),
        notes="The old rule (20 in 24 h, $0.10).",
    ),
    RetryLimit(
        network=Network.MASTERCARD,
        name="mastercard_declines_per_day",
        scope="same card at the same merchant",
        limit=10,
        counts="declines",
        window=_24_HOURS,
        effective_from=_MC_10_FROM,
        effective_until=None,
        confidence=_C,
        sources=(
            "Paya and Braintree via IanFoxDev/decline-codes data/mastercard.json",
            'TabaPay "Excessive Retry Rules"',
        ),
        notes="More than 10 is excessive. TabaPay counts a calendar day, not 24 hours.",
    ),
    RetryLimit(
        network=Network.MASTERCARD,
        name="mastercard_declines_same_amount",
        scope="same card, merchant and amount",
        limit=35,
        counts="declines",
        window=_30_DAYS,
        effective_from=dt.date(2024, 1, 1),
        effective_until=None,
        confidence=_U,
        sources=('TabaPay "Excessive Retry Rules"', "Braintree mc-s24 via IanFoxDev"),
        notes='More than 35 is excessive. The notes say only "from 2024": 1 January is a '
        "placeholder for the unknown start day. Regional scope unconfirmed.",
    ),
)
"""Every retry limit of §4.1 and §4.2, oldest first per rule."""


def retry_limits(
    network: Network | str | None = None, *, on: dt.date | None = None
) -> tuple[RetryLimit, ...]:
    """List retry limits, optionally of one network and only those in force on ``on``."""
    net = None if network is None else Network.parse(network)
    return tuple(
        rl
        for rl in RETRY_LIMITS
        if (net is None or rl.network is net) and (on is None or rl.in_force_on(on))
    )


def visa_reattempt_limit(on: dt.date, category: VisaDeclineCategory | None = None) -> int:
    """Most reattempts Visa allows per 30 days on ``on`` (categories 2-4 unless told).

    ``visa_reattempt_limit(date(2025, 5, 24))`` is 15; from 2025-05-25 it is 20 (primary
    unconfirmed). Category 1 is always 0.

    Raises:
        UnknownCode: no limit is recorded for that date (before 2021-04-01).
    """
    wanted = _V.GENERIC if category is None else category
    for rl in retry_limits(Network.VISA, on=on):
        if wanted in rl.visa_categories:
            return rl.limit
    raise UnknownCode(
        "Visa reattempt limit on",
        on.isoformat(),
        known=("category 1: 0", "from 2021-04-01: 15 per 30 days", "from 2025-05-25: 20"),
    )
