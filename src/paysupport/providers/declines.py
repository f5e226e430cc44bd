"""Stripe's decline vocabulary: its ``decline_code`` values and the fields of a declined payment.

The core classifies a decline by the network's ISO 8583 response code
([`decline_code`][paysupport.networks.decline_code]); Stripe's own ``decline_code`` strings
(``insufficient_funds``, ``lost_card``) are Stripe's vocabulary and live here. Each is a
[`DeclineCode`][paysupport.networks.DeclineCode] record (the same shape as an ISO code's:
meaning, severity, action, dated Visa categories, sources and confidence), read on first use
from ``providers/data/stripe_declines.json``.

A [`PaymentFailure`][paysupport.models.PaymentFailure] carries the provider's record in
``provider_decline``; `stripe_failure_fields` fills it (with the codes as received) from a
PaymentIntent's ``last_payment_error`` or a Charge's ``outcome``:

    >>> from datetime import UTC, datetime
    >>> from paysupport.models import PaymentFailure
    >>> from paysupport.money import Money
    >>> error = {"code": "card_declined", "decline_code": "insufficient_funds"}
    >>> failure = PaymentFailure(
    ...     id="pf_1", merchant_id="m_1", amount=Money.of("20.00", "EUR"),
    ...     declined_at=datetime(2026, 3, 1, tzinfo=UTC), **stripe_failure_fields(error),
    ... )
    >>> failure.decline.code, failure.decline.action.value
    ('insufficient_funds', 'retry_later')
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any, TypedDict

from paysupport.errors import UnknownDeclineCode
from paysupport.networks import DeclineCode

# The one catalogue reader (schema-checked, cached); the file lives in this package.
from paysupport.networks._data import CatalogueDataError, read_records
from paysupport.providers._payload import Obj

__all__ = ["StripeFailureFields", "stripe_decline", "stripe_declines", "stripe_failure_fields"]

_SCHEME = "stripe"
_FILE = "stripe_declines.json"


@cache
def _codes() -> tuple[DeclineCode, ...]:
    codes = read_records(_FILE, "codes", DeclineCode, package=__name__.rpartition(".")[0])
    for index, dc in enumerate(codes):
        if dc.scheme != _SCHEME:
            field = f"{_FILE}: codes[{index}] {dc.code!r}.scheme"
            raise CatalogueDataError(field, "catalogue_scheme", f"expected {_SCHEME!r}")
    return codes


@cache
def _by_code() -> Mapping[str, DeclineCode]:
    return MappingProxyType({dc.code: dc for dc in _codes()})


def stripe_declines() -> tuple[DeclineCode, ...]:
    """Every Stripe ``decline_code`` the catalogue knows, in the notes' order."""
    return _codes()


def stripe_decline(code: str) -> DeclineCode:
    """The record of a Stripe ``decline_code``, e.g. ``stripe_decline("lost_card")``.

    Args:
        code: the code; surrounding whitespace is ignored and it is read lower-case.

    Raises:
        UnknownDeclineCode: the code is empty or not in the catalogue.

    Examples:
        >>> stripe_decline("lost_card").is_hard
        True
    """
    if not isinstance(code, str) or not code.strip():
        raise UnknownDeclineCode("Stripe decline code", str(code), known=("a non-empty code",))
    found = _by_code().get(code.strip().lower())
    if found is None:
        raise UnknownDeclineCode(
            "Stripe decline code", code, known=("docs.stripe.com/declines/codes",)
        )
    return found


class StripeFailureFields(TypedDict):
    """The [`PaymentFailure`][paysupport.models.PaymentFailure] fields a Stripe decline gives."""

    decline_code: str | None
    network_decline_code: str | None
    merchant_advice_code: str | None
    advice_code: str | None
    provider_decline: DeclineCode | None


def _known(code: str | None) -> DeclineCode | None:
    try:
        return stripe_decline(code) if code else None
    except UnknownDeclineCode:
        return None  # kept as received; the core treats an unknown code conservatively


def stripe_failure_fields(error: Mapping[str, Any]) -> StripeFailureFields:
    """The decline fields of a ``PaymentFailure``, from what Stripe reported.

    ``error`` is a PaymentIntent's ``last_payment_error``, a PaymentIntent (its
    ``last_payment_error`` is read), or a Charge (its ``outcome``: ``reason`` when it is a
    decline code, ``network_decline_code``, ``network_advice_code``, ``advice_code``). The
    codes are kept as received; ``provider_decline`` is the catalogue record of the Stripe
    ``decline_code`` (``None`` when Stripe sent none or one the catalogue does not know).

    Raises:
        ProviderPayloadError: a field has the wrong type (the error names it).
    """
    o = Obj(error)
    if o.raw("object") == "payment_intent":
        o = o.obj("last_payment_error")
    elif o.raw("object") == "charge":
        outcome = o.obj("outcome")
        reason = outcome.opt_str("reason")
        return StripeFailureFields(
            decline_code=reason if _known(reason) else None,
            network_decline_code=outcome.opt_str("network_decline_code"),
            merchant_advice_code=outcome.opt_str("network_advice_code"),
            advice_code=outcome.opt_str("advice_code"),
            provider_decline=_known(reason),
        )
    decline = o.opt_str("decline_code")
    return StripeFailureFields(
        decline_code=decline,
        network_decline_code=o.opt_str("network_decline_code"),
        merchant_advice_code=o.opt_str("network_advice_code"),
        advice_code=o.opt_str("advice_code"),
        provider_decline=_known(decline),
    )
