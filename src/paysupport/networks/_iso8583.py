"""ISO 8583 field-39 response codes (Visa and Mastercard).

Meanings from ``IanFoxDev/decline-codes`` (``data/visa.json`` citing Visa Core Rules 18 Apr
2026 Table 7-2; ``data/mastercard.json`` via Wikipedia, secondary). The notes give no action
column for these codes: the action is the class of the Stripe code the notes tie to the ISO
code where there is one, else derived from the Visa category (1 do not retry, 2 retry later,
3 fix data, 4 contact issuer); each record's notes say which.
"""

from __future__ import annotations

import datetime as dt

from ._decline_types import DeclineCode, RetryAction, VisaDeclineCategory, classify
from ._types import Confidence, Network

__all__ = ["CODES"]

_A = RetryAction
_V = VisaDeclineCategory
_C, _U = Confidence.CONFIRMED, Confidence.UNCONFIRMED
_VISA_SOURCE = "IanFoxDev/decline-codes data/visa.json"
_MC_SOURCE = "IanFoxDev/decline-codes data/mastercard.json"
_MOVE_2021 = dt.date(2021, 4, 17)
_MOVE_SOURCE = "Visa bulletin AI10325 via IanFoxDev/decline-codes"

_DERIVED = {
    _V.ISSUER_WILL_NEVER_APPROVE: _A.DO_NOT_RETRY,
    _V.ISSUER_CANNOT_APPROVE_AT_THIS_TIME: _A.RETRY_LATER,
    _V.DATA_QUALITY: _A.FIX_DATA,
    _V.GENERIC: _A.CONTACT_ISSUER,
}

_Timeline = tuple[tuple[dt.date | None, VisaDeclineCategory], ...]


def _iso(
    code: str,
    meaning: str,
    category: VisaDeclineCategory | _Timeline | None,
    *,
    stripe: str = "",
    action: RetryAction | None = None,
    sources: tuple[str, ...] = (_VISA_SOURCE, _MC_SOURCE),
    confidence: Confidence = _C,
    notes: str = "",
    network: Network | None = None,
) -> DeclineCode:
    if category is None:
        timeline: _Timeline = ()
    elif isinstance(category, VisaDeclineCategory):
        timeline = ((None, category),)
    else:
        timeline = category
    latest = timeline[-1][1] if timeline else None
    if stripe:
        how = f"Action: the class of Stripe's `{stripe}`."
    elif action is None and latest is not None:
        action = _DERIVED[latest]
        how = f"Action derived from Visa category {latest.value}."
    else:
        how = ""
    return DeclineCode(
        scheme="iso8583",
        code=code,
        meaning=meaning,
        severity=None if action is None else classify(latest, action),
        action=action,
        visa_categories=timeline,
        stripe_non_retryable=False,
        confidence=confidence,
        sources=sources,
        notes=" ".join(part for part in (notes, how) if part),
        network=network,
    )


_ONE, _TWO, _THREE, _FOUR = (
    _V.ISSUER_WILL_NEVER_APPROVE,
    _V.ISSUER_CANNOT_APPROVE_AT_THIS_TIME,
    _V.DATA_QUALITY,
    _V.GENERIC,
)
_MOVED: _Timeline = ((None, _ONE), (_MOVE_2021, _TWO))
_MOVED_SOURCES = (_VISA_SOURCE, _MOVE_SOURCE, "Elavon news 2021")
_MOVED_NOTE = "Visa moved it from category 1 to 2 on 2021-04-17."
_MC_ADVICE = (
    "Mastercard sends 79, 82 and 83 as lifecycle / policy / security groupings with Merchant "
    "Advice Code 01, 02, 03 or 21 (from Nov 2021): take the action from the MAC."
)
_MC_ADVICE_SOURCES = ("help.maast.com", "developer.kalixa.com")
_TABAPAY_VISA = 'TabaPay "Visa Response Code Updates"'
_CHECKOUT_VISA = 'Checkout.com "Changes to Visa response codes"'

CODES: tuple[DeclineCode, ...] = (
    _iso("00", "approved", None, notes="Not a decline: severity and action are None."),
    _iso("01", "refer to card issuer", _FOUR),
    _iso(
        "02",
        "refer to card issuer, special conditions",
        None,
        action=_A.CONTACT_ISSUER,
        notes="Not in Visa's table, so no Visa category. Action: refer to the issuer, as the "
        "meaning says.",
    ),
    _iso("03", "invalid merchant", _MOVED, sources=_MOVED_SOURCES, notes=_MOVED_NOTE),
    _iso("04", "pick up card (no fraud)", _ONE, stripe="pickup_card", action=_A.DO_NOT_RETRY),
    _iso("05", "do not honor", _FOUR, stripe="do_not_honor", action=_A.CONTACT_ISSUER),
    _iso(
        "07",
        "pick up card, special condition (fraud account)",
        _ONE,
        stripe="pickup_card",
        action=_A.DO_NOT_RETRY,
    ),
    _iso("12", "invalid transaction", _ONE),
    _iso("13", "invalid amount", _FOUR),
    _iso(
        "14",
        "invalid account / card number",
        _ONE,
        notes="Some older processor tables say category 3.",
    ),
    _iso("15", "no such issuer", _ONE),
    _iso("19", "re-enter transaction", _TWO, stripe="reenter_transaction", action=_A.RETRY),
    _iso("41", "lost card, pick up", _ONE, stripe="lost_card", action=_A.DO_NOT_RETRY),
    _iso("43", "stolen card, pick up", _ONE, stripe="stolen_card", action=_A.DO_NOT_RETRY),
    _iso("46", 'closed account (Visa); since 2026 also "deactivated token used"', _ONE),
    _iso(
        "51",
        "not sufficient funds",
        _TWO,
        stripe="insufficient_funds",
        action=_A.RETRY_LATER,
    ),
    _iso(
        "54",
        "expired card / expiry missing",
        _THREE,
        stripe="expired_card",
        action=_A.NEW_PAYMENT_METHOD,
    ),
    _iso("55", "incorrect PIN", _THREE),
    _iso(
        "57",
        "transaction not permitted to cardholder",
        ((None, _ONE), (dt.date(2026, 10, 25), _ONE)),
        stripe="not_permitted",
        action=_A.CONTACT_ISSUER,
        sources=(_VISA_SOURCE, "processor tables", _TABAPAY_VISA, _CHECKOUT_VISA),
        confidence=_U,
        notes='Self-contradictory in the notes: category 1 "per most processor tables", '
        "and a Visa reclassification *to* category 1 effective 2026-10-25, which implies "
        "another category before; the notes do not say which. Both entries are kept as "
        "category 1.",
    ),
    _iso("58", "not permitted to terminal", _FOUR),
    _iso("59", "suspected fraud", _TWO),
    _iso(
        "61",
        "exceeds approval/withdrawal amount limit",
        _TWO,
        stripe="card_velocity_exceeded",
        action=_A.RETRY_LATER,
    ),
    _iso(
        "62",
        "restricted card",
        _MOVED,
        stripe="restricted_card",
        action=_A.CONTACT_ISSUER,
        sources=_MOVED_SOURCES,
        notes=_MOVED_NOTE,
    ),
    _iso(
        "63",
        "security violation",
        _FOUR,
        notes="Stripe's `security_violation` is tied to 57 (category 1) in the notes, "
        "not to this code (category 4).",
    ),
    _iso(
        "65",
        "exceeds withdrawal frequency limit",
        _TWO,
        stripe="card_velocity_exceeded",
        action=_A.RETRY_LATER,
        notes="Mastercard also uses 65 as the EEA SCA soft decline (unconfirmed).",
    ),
    _iso("75", "PIN tries exceeded", _TWO),
    _iso(
        "78",
        "blocked, first use / no account",
        _MOVED,
        sources=_MOVED_SOURCES,
        notes=_MOVED_NOTE,
    ),
    _iso(
        "79",
        "lifecycle decline grouping, sent with a Merchant Advice Code",
        None,
        sources=_MC_ADVICE_SOURCES,
        notes=_MC_ADVICE + " Severity and action are None.",
        network=Network.MASTERCARD,
    ),
    _iso(
        "82",
        "negative CAM/dCVV/iCVV/CVV",
        _THREE,
        sources=(_VISA_SOURCE,),
        network=Network.VISA,
    ),
    _iso(
        "82",
        "policy decline grouping, sent with a Merchant Advice Code",
        None,
        sources=_MC_ADVICE_SOURCES,
        notes=_MC_ADVICE + " Severity and action are None.",
        network=Network.MASTERCARD,
    ),
    _iso(
        "83",
        "fraud/security (Visa use only)",
        ((dt.date(2026, 10, 25), _TWO),),
        sources=(_VISA_SOURCE, "TabaPay"),
        confidence=_U,
        notes="Visa category 2 from 2026-07-25 per IanFoxDev, from 2026-10-25 per TabaPay "
        "(unconfirmed which); the later date, where both agree, is used. The category before "
        "is not given.",
        network=Network.VISA,
    ),
    _iso(
        "83",
        "security decline grouping, sent with a Merchant Advice Code",
        None,
        sources=_MC_ADVICE_SOURCES,
        notes=_MC_ADVICE + " Severity and action are None.",
        network=Network.MASTERCARD,
    ),
    _iso(
        "91",
        "issuer or switch inoperative",
        _TWO,
        stripe="issuer_not_available",
        action=_A.RETRY,
    ),
    _iso(
        "93",
        "cannot be completed, violation of law",
        _MOVED,
        sources=_MOVED_SOURCES,
        notes=_MOVED_NOTE,
    ),
    _iso("96", "system malfunction", _TWO),
    _iso(
        "1A",
        "additional customer authentication required (SCA soft decline)",
        _FOUR,
        action=_A.CUSTOMER_ACTION,
        notes="Visa category 3 in Europe and CEMEA. Action: the customer authenticates "
        "(SCA soft decline, §4.3).",
    ),
    _iso("N7", "CVV2 failure", _THREE),
    _iso(
        "R0",
        "stop payment",
        _ONE,
        stripe="stop_payment_order",
        action=_A.DO_NOT_RETRY,
    ),
    _iso(
        "R1",
        "revoke authorisation",
        _ONE,
        stripe="revocation_of_authorization",
        action=_A.DO_NOT_RETRY,
    ),
    _iso(
        "R3",
        "revoke all authorisations",
        _ONE,
        stripe="revocation_of_all_authorizations",
        action=_A.DO_NOT_RETRY,
    ),
    _iso(
        "5C",
        "not supported or blocked by issuer",
        ((dt.date(2025, 4, 11), _TWO),),
        sources=("TabaPay changelog 11/27/24",),
        notes="In use from 2025-04-11.",
    ),
    _iso(
        "9G",
        "blocked by cardholder",
        ((dt.date(2025, 4, 11), _TWO),),
        sources=("TabaPay changelog 11/27/24",),
        notes="In use from 2025-04-11.",
    ),
)
"""Every row of §3.2, one record per code."""
