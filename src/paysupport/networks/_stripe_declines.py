"""Stripe card ``decline_code`` values, refunds-and-failed-payments §3.1.

Source: docs.stripe.com/declines/codes (stored copy ingested 2026-04-15). ``action`` is the
notes' "class" column; **NR** (Stripe Billing's non-retryable list) comes from
docs.stripe.com/billing/revenue-recovery/smart-retries. A Stripe code's Visa categories are
those of the ISO 8583 code the notes tie it to.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from . import _iso8583
from ._decline_types import DeclineCode, RetryAction, classify
from ._types import Confidence

__all__ = ["CODES"]

_A = RetryAction
_DOCS = "docs.stripe.com/declines/codes"
_NR_SOURCE = "docs.stripe.com/billing/revenue-recovery/smart-retries"
_ISO: Mapping[str, DeclineCode] = MappingProxyType({dc.code: dc for dc in _iso8583.CODES})


def _stripe(
    codes: str,
    meaning: str,
    action: RetryAction,
    *,
    network: str = "",
    nr: bool = False,
    deprecated: bool = False,
    notes: str = "",
) -> tuple[DeclineCode, ...]:
    network_codes = tuple(network.split())
    timeline = _ISO[network_codes[0]].visa_categories if network_codes else ()
    latest = timeline[-1][1] if timeline else None
    sources = (_DOCS, _NR_SOURCE) if nr else (_DOCS,)
    return tuple(
        DeclineCode(
            scheme="stripe",
            code=code,
            meaning=meaning,
            severity=classify(latest, action),
            action=action,
            visa_categories=timeline,
            stripe_non_retryable=nr,
            confidence=Confidence.CONFIRMED,
            sources=sources,
            notes=notes,
            network_codes=network_codes,
            deprecated=deprecated,
        )
        for code in codes.split()
    )


_ROWS = (
    _stripe(
        "authentication_required",
        "soft decline: authenticate (3DS); off-session, bring the customer back on-session",
        _A.CUSTOMER_ACTION,
        nr=True,
    ),
    _stripe(
        "authentication_not_handled",
        "run 3DS/SCA; off-session, prepare authentication on-session first",
        _A.CUSTOMER_ACTION,
    ),
    _stripe(
        "approve_with_id",
        "retry once; if it still fails, contact the issuer",
        _A.RETRY_THEN_CONTACT,
    ),
    _stripe("call_issuer", "the customer contacts the issuer", _A.CONTACT_ISSUER),
    _stripe(
        "card_not_supported",
        "the issuer must allow this purchase type",
        _A.NEW_PAYMENT_METHOD,
    ),
    _stripe(
        "card_velocity_exceeded",
        "over balance, credit or amount limit; contact the issuer",
        _A.RETRY_LATER,
        network="61 65",
    ),
    _stripe(
        "currency_not_supported",
        "the card can't be charged in this currency",
        _A.NEW_PAYMENT_METHOD,
    ),
    _stripe(
        "do_not_honor",
        "unknown reason; contact the issuer",
        _A.CONTACT_ISSUER,
        network="05",
        notes="ISO 05 is Visa category 4: retry allowed.",
    ),
    _stripe(
        "do_not_try_again",
        "contact the issuer",
        _A.DO_NOT_RETRY,
        deprecated=True,
        notes="Deprecated: the guidance now comes in `advice_code`.",
    ),
    _stripe(
        "duplicate_transaction",
        "identical amount and card submitted very recently; check for an existing payment",
        _A.DO_NOT_RETRY,
        notes="Do not retry: deduplicate. Hard only in the sense that the same attempt must "
        "not be repeated.",
    ),
    _stripe("expired_card", "use another card", _A.NEW_PAYMENT_METHOD, network="54"),
    _stripe("fraudulent", "show the customer a generic decline", _A.DO_NOT_RETRY),
    _stripe(
        "generic_decline",
        "unknown reason, or blocked by Radar / Adaptive Acceptance",
        _A.CONTACT_ISSUER,
        notes="Stripe also returns it when it blocks Visa retries after the 15th "
        "(`outcome.reason=previously_declined_do_not_retry`).",
    ),
    _stripe(
        "incorrect_address incorrect_cvc incorrect_zip incorrect_pin invalid_cvc "
        "invalid_expiry_month invalid_expiry_year invalid_number invalid_pin",
        "retry with corrected data",
        _A.FIX_DATA,
    ),
    _stripe(
        "incorrect_number",
        "retry with the correct number",
        _A.FIX_DATA,
        nr=True,
        notes="Never retry the same PAN.",
    ),
    _stripe(
        "insufficient_funds",
        "Stripe says use another payment method",
        _A.RETRY_LATER,
        network="51",
        notes="The notes' class is retry_later (Visa 51 = category 2) or new_payment_method.",
    ),
    _stripe(
        "invalid_account",
        "card or account invalid; contact the issuer",
        _A.NEW_PAYMENT_METHOD,
    ),
    _stripe(
        "invalid_amount",
        "amount invalid or over limit",
        _A.FIX_DATA,
        notes="The notes' class is fix_data or contact_issuer.",
    ),
    _stripe(
        "issuer_not_available",
        "retry; then contact the issuer",
        _A.RETRY,
        network="91",
    ),
    _stripe(
        "lost_card",
        "show as generic_decline",
        _A.DO_NOT_RETRY,
        network="41",
        nr=True,
    ),
    _stripe(
        "merchant_blacklist",
        "matches the merchant's block list; show as generic",
        _A.DO_NOT_RETRY,
    ),
    _stripe(
        "new_account_information_available",
        "contact the issuer or get new details",
        _A.UPDATE_CARD,
        notes="Compare Mastercard MAC 01.",
    ),
    _stripe(
        "no_action_taken not_permitted security_violation service_not_allowed "
        "transaction_not_allowed",
        "contact the issuer",
        _A.CONTACT_ISSUER,
        network="57",
        notes="The notes tie these to Visa 57 (category 1), so they classify as hard. "
        'ISO 63 "security violation" is category 4, a conflict for `security_violation`.',
    ),
    _stripe(
        "offline_pin_required online_or_offline_pin_required mobile_device_authentication_required",
        "card-present: PIN or tap again",
        _A.CUSTOMER_ACTION,
    ),
    _stripe(
        "pickup_card",
        "the card can't be used (possibly lost or stolen)",
        _A.DO_NOT_RETRY,
        network="04 07",
        nr=True,
    ),
    _stripe("pin_try_exceeded", "use another card", _A.NEW_PAYMENT_METHOD),
    _stripe("processing_error", "retry; if it still fails, try later", _A.RETRY),
    _stripe(
        "reenter_transaction",
        "retry; then contact the issuer",
        _A.RETRY,
        network="19",
    ),
    _stripe(
        "restricted_card",
        "contact the issuer",
        _A.CONTACT_ISSUER,
        network="62",
        notes="Visa 62 is category 2 since 2021.",
    ),
    _stripe(
        "revocation_of_authorization",
        "contact the issuer",
        _A.DO_NOT_RETRY,
        network="R1",
        nr=True,
    ),
    _stripe(
        "revocation_of_all_authorizations",
        "contact the issuer",
        _A.DO_NOT_RETRY,
        network="R3",
        nr=True,
    ),
    _stripe(
        "stop_payment_order",
        "contact the issuer",
        _A.DO_NOT_RETRY,
        network="R0",
        notes="Stripe does not list stop_payment_order as non-retryable.",
    ),
    _stripe(
        "stolen_card",
        "show as generic",
        _A.DO_NOT_RETRY,
        network="43",
        notes="Not on Stripe's non-retryable list, but Visa category 1.",
    ),
    _stripe("testmode_decline", "test card used in live mode", _A.FIX_DATA),
    _stripe(
        "try_again_later",
        "the customer retries; then contacts the issuer",
        _A.RETRY_LATER,
        deprecated=True,
        notes="Deprecated: the guidance now comes in `advice_code`.",
    ),
    _stripe(
        "withdrawal_count_limit_exceeded",
        "use another payment method",
        _A.NEW_PAYMENT_METHOD,
    ),
)

CODES: tuple[DeclineCode, ...] = tuple(dc for row in _ROWS for dc in row)
"""Every Stripe decline code of §3.1, one record per code, in the notes' order."""
