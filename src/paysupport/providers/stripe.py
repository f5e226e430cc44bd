"""Stripe objects and webhook events into paysupport models and `ProviderEvent`.

Pure functions: a ``Mapping`` in (the parsed JSON of a Stripe object or event), a model out.
Amounts are read with `from_provider_amount`, so Stripe's
own exponents (ISK ×100, MGA zero-decimal, ...) never reach the core. Every function is
all-or-nothing: a missing, mistyped or unknown field raises
`ProviderPayloadError` whose ``field`` is the dotted path in the
payload given (``"evidence_details.due_by"``; ``"data.object.amount"`` inside an event).

The mapping tables below are data: extend them when Stripe adds a value. Each names its row in
``shared/domain`` (``refunds`` = ``refunds-and-failed-payments.md``, ``disputes`` =
``disputes.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final

from paysupport.models import (
    Capture,
    Card,
    CardBrand,
    Dispute,
    DisputeStatus,
    Funding,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundFailureReason,
    RefundReason,
    RefundStatus,
)
from paysupport.money import Money
from paysupport.networks import DisputeStage, Network
from paysupport.providers._payload import (
    Obj,
    converting_model_errors,
    epoch_to_datetime,
    fail,
    no_pan_id,
)
from paysupport.providers._tables import (
    UNKNOWN_VALUE,
    check_reason_code,
    known_reason_code,
    lookup,
    parse_network,
)
from paysupport.providers.events import EventKind, ProviderEvent, sequence_for

__all__ = [
    "STRIPE_CARD_BRANDS",
    "STRIPE_CHARGE_STATUS",
    "STRIPE_DISPUTE_CLOSED_KIND",
    "STRIPE_DISPUTE_REASONS",
    "STRIPE_DISPUTE_STATUS",
    "STRIPE_EVENT_TYPES",
    "STRIPE_FUNDING",
    "STRIPE_PAYMENT_INTENT_STATUS",
    "STRIPE_REFUND_FAILURE_REASONS",
    "STRIPE_REFUND_KIND",
    "STRIPE_REFUND_REASONS",
    "STRIPE_REFUND_STATUS",
    "StripeEventType",
    "dispute_from_stripe",
    "event_from_stripe",
    "payment_from_charge",
    "payment_from_payment_intent",
    "refund_from_stripe",
]

PROVIDER: Final = "stripe"

# --------------------------------------------------------------------------- tables

#: Stripe dispute ``status`` → (stage, status). Source: disputes §5.1 ``status`` row and
#: refunds §1.4 (the ``warning_*`` values are inquiries). ``prevented`` (a dispute stopped by a
#: prevention tool before it became a chargeback) is read as a closed chargeback: no funds
#: lost, nothing to answer.
STRIPE_DISPUTE_STATUS: Final[Mapping[str, tuple[DisputeStage, DisputeStatus]]] = MappingProxyType(
    {
        "warning_needs_response": (DisputeStage.INQUIRY, DisputeStatus.NEEDS_RESPONSE),
        "warning_under_review": (DisputeStage.INQUIRY, DisputeStatus.UNDER_REVIEW),
        "warning_closed": (DisputeStage.INQUIRY, DisputeStatus.CLOSED),
        "needs_response": (DisputeStage.CHARGEBACK, DisputeStatus.NEEDS_RESPONSE),
        "under_review": (DisputeStage.CHARGEBACK, DisputeStatus.UNDER_REVIEW),
        "won": (DisputeStage.CHARGEBACK, DisputeStatus.WON),
        "lost": (DisputeStage.CHARGEBACK, DisputeStatus.LOST),
        "prevented": (DisputeStage.CHARGEBACK, DisputeStatus.CLOSED),
    }
)

#: Stripe dispute ``reason`` values: the 15 the API documents (stripe-python 16's
#: ``Dispute.reason``; docs.stripe.com/disputes/categories). Anything else is refused
#: (``unknown_value``), or an event of kind ``unknown`` with ``strict=False``.
STRIPE_DISPUTE_REASONS: Final[frozenset[str]] = frozenset(
    {
        "bank_cannot_process",
        "check_returned",
        "credit_not_processed",
        "customer_initiated",
        "debit_not_authorized",
        "duplicate",
        "fraudulent",
        "general",
        "incorrect_account_details",
        "insufficient_funds",
        "noncompliant",
        "product_not_received",
        "product_unacceptable",
        "subscription_canceled",
        "unrecognized",
    }
)

#: ``charge.dispute.closed``: the kind follows the final status (disputes §5.1 statuses).
STRIPE_DISPUTE_CLOSED_KIND: Final[Mapping[str, EventKind]] = MappingProxyType(
    {
        "won": EventKind.DISPUTE_WON,
        "lost": EventKind.DISPUTE_LOST,
        "warning_closed": EventKind.DISPUTE_CLOSED,
        "prevented": EventKind.DISPUTE_CLOSED,
    }
)

#: Refund ``status`` (refunds §1.3 ``status`` row). ``failed`` after ``succeeded`` is read as
#: `RefundStatus.REVERSED` (refunds §7.3), see `refund_from_stripe`.
STRIPE_REFUND_STATUS: Final[Mapping[str, RefundStatus]] = MappingProxyType(
    {
        "pending": RefundStatus.PENDING,
        "requires_action": RefundStatus.REQUIRES_ACTION,
        "succeeded": RefundStatus.SUCCEEDED,
        "failed": RefundStatus.FAILED,
        "canceled": RefundStatus.CANCELED,
    }
)

#: Refund ``reason`` as read (refunds §1.3 ``reason (read)`` row). A null reason (none given)
#: reads as `RefundReason.OTHER`: the model has no "no reason" value.
STRIPE_REFUND_REASONS: Final[Mapping[str, RefundReason]] = MappingProxyType(
    {
        "duplicate": RefundReason.DUPLICATE,
        "expired_uncaptured_charge": RefundReason.EXPIRED_UNCAPTURED_CHARGE,
        "fraudulent": RefundReason.FRAUDULENT,
        "requested_by_customer": RefundReason.REQUESTED_BY_CUSTOMER,
    }
)

#: Refund ``failure_reason`` (refunds §1.3 ``failure_reason`` row).
STRIPE_REFUND_FAILURE_REASONS: Final[Mapping[str, RefundFailureReason]] = MappingProxyType(
    {r.value: r for r in RefundFailureReason}
)

#: Event kind of a refund event, by the refund's normalised status.
STRIPE_REFUND_KIND: Final[Mapping[RefundStatus, EventKind]] = MappingProxyType(
    {
        RefundStatus.PENDING: EventKind.REFUND_PENDING,
        RefundStatus.REQUIRES_ACTION: EventKind.REFUND_REQUIRES_ACTION,
        RefundStatus.SUCCEEDED: EventKind.REFUND_SUCCEEDED,
        RefundStatus.FAILED: EventKind.REFUND_FAILED,
        RefundStatus.CANCELED: EventKind.REFUND_CANCELED,
        RefundStatus.REVERSED: EventKind.REFUND_REVERSED,
    }
)

#: Charge ``status`` (refunds §1.2 ``status`` row). ``succeeded`` is refined by ``captured``
#: and ``amount_refunded`` in `payment_from_charge`: not captured → authorized (or
#: canceled once Stripe marks an expired authorization refunded); captured and refunded in
#: part / in full → partially_refunded / refunded.
STRIPE_CHARGE_STATUS: Final[Mapping[str, PaymentStatus]] = MappingProxyType(
    {
        "pending": PaymentStatus.PENDING,
        "failed": PaymentStatus.FAILED,
        "succeeded": PaymentStatus.CAPTURED,
    }
)

#: PaymentIntent ``status`` (refunds §1.1 ``status`` row), each onto `PaymentStatus`:
#: the four "not yet authorized" states are ``pending`` (``requires_payment_method`` with a
#: ``last_payment_error`` is ``failed``: the last attempt was declined); ``requires_capture``
#: is an authorization waiting for capture; ``succeeded`` has collected ``amount_received``.
STRIPE_PAYMENT_INTENT_STATUS: Final[Mapping[str, PaymentStatus]] = MappingProxyType(
    {
        "requires_payment_method": PaymentStatus.PENDING,
        "requires_confirmation": PaymentStatus.PENDING,
        "requires_action": PaymentStatus.PENDING,
        "processing": PaymentStatus.PENDING,
        "requires_capture": PaymentStatus.AUTHORIZED,
        "canceled": PaymentStatus.CANCELED,
        "succeeded": PaymentStatus.CAPTURED,
    }
)

#: ``payment_method_details.card.brand`` (disputes §5.1 ``card.brand`` row). ``link`` has no
#: [`CardBrand`][paysupport.models.CardBrand] and is refused.
STRIPE_CARD_BRANDS: Final[Mapping[str, CardBrand]] = MappingProxyType(
    {b.value: b for b in CardBrand}
)

#: ``payment_method_details.card.funding`` values.
STRIPE_FUNDING: Final[Mapping[str, Funding]] = MappingProxyType({f.value: f for f in Funding})


@dataclass(frozen=True, slots=True)
class StripeEventType:
    """What one Stripe event ``type`` carries and means.

    Attributes:
        object: the ``data.object.object`` value the event carries.
        kind: the event's kind; ``None`` when it follows the object's status (dispute closed,
            refund events).
    """

    object: str
    kind: EventKind | None


_CH, _DP, _RF, _PI = "charge", "dispute", "refund", "payment_intent"
_EFW = "radar.early_fraud_warning"

#: Stripe event ``type`` → object and kind. Sources: refunds §1.3 ``webhooks`` row, disputes
#: §5.1 ``webhook events`` row, refunds §1.1 (PaymentIntent) and §1.4 (EFW).
STRIPE_EVENT_TYPES: Final[Mapping[str, StripeEventType]] = MappingProxyType(
    {
        "charge.pending": StripeEventType(_CH, EventKind.PAYMENT_PENDING),
        "charge.succeeded": StripeEventType(_CH, EventKind.PAYMENT_SUCCEEDED),
        "charge.captured": StripeEventType(_CH, EventKind.PAYMENT_CAPTURED),
        "charge.failed": StripeEventType(_CH, EventKind.PAYMENT_FAILED),
        "charge.expired": StripeEventType(_CH, EventKind.PAYMENT_EXPIRED),
        "charge.refunded": StripeEventType(_CH, EventKind.PAYMENT_REFUNDED),
        "charge.updated": StripeEventType(_CH, EventKind.PAYMENT_UPDATED),
        "charge.dispute.created": StripeEventType(_DP, EventKind.DISPUTE_OPENED),
        "charge.dispute.updated": StripeEventType(_DP, EventKind.DISPUTE_UPDATED),
        "charge.dispute.closed": StripeEventType(_DP, None),
        "charge.dispute.funds_withdrawn": StripeEventType(_DP, EventKind.DISPUTE_FUNDS_WITHDRAWN),
        "charge.dispute.funds_reinstated": StripeEventType(_DP, EventKind.DISPUTE_FUNDS_REINSTATED),
        "charge.refund.updated": StripeEventType(_RF, None),
        "refund.created": StripeEventType(_RF, None),
        "refund.updated": StripeEventType(_RF, None),
        "refund.failed": StripeEventType(_RF, None),
        "payment_intent.created": StripeEventType(_PI, EventKind.PAYMENT_CREATED),
        "payment_intent.processing": StripeEventType(_PI, EventKind.PAYMENT_PROCESSING),
        "payment_intent.requires_action": StripeEventType(_PI, EventKind.PAYMENT_REQUIRES_ACTION),
        "payment_intent.amount_capturable_updated": StripeEventType(
            _PI, EventKind.PAYMENT_AUTHORIZED
        ),
        "payment_intent.partially_funded": StripeEventType(_PI, EventKind.PAYMENT_UPDATED),
        "payment_intent.succeeded": StripeEventType(_PI, EventKind.PAYMENT_SUCCEEDED),
        "payment_intent.payment_failed": StripeEventType(_PI, EventKind.PAYMENT_FAILED),
        "payment_intent.canceled": StripeEventType(_PI, EventKind.PAYMENT_CANCELED),
        "radar.early_fraud_warning.created": StripeEventType(_EFW, EventKind.FRAUD_WARNING),
        "radar.early_fraud_warning.updated": StripeEventType(_EFW, EventKind.FRAUD_WARNING_UPDATED),
    }
)

# --------------------------------------------------------------------------- shared readers


def _card(o: Obj) -> Card:
    brand = lookup(STRIPE_CARD_BRANDS, o.str_("brand"), o.at("brand"), "card brand")
    funding_raw = o.opt_str("funding")
    funding = (
        Funding.UNKNOWN
        if funding_raw is None
        else lookup(STRIPE_FUNDING, funding_raw, o.at("funding"), "card funding")
    )
    fields = {
        "brand": "brand",
        "last4": "last4",
        "fingerprint": "fingerprint",
        "exp_month": "exp_month",
        "exp_year": "exp_year",
        "country": "country",
    }
    with converting_model_errors({k: o.at(v) for k, v in fields.items()}, o.path):
        return Card(
            brand=brand,
            last4=o.str_("last4"),
            fingerprint=o.ident("fingerprint", required=False),
            exp_month=o.opt_int("exp_month"),
            exp_year=o.opt_int("exp_year"),
            funding=funding,
            country=o.opt_str("country"),
        )


def _payment_method(details: Obj | None) -> PaymentMethod:
    if details is None:
        return PaymentMethod()
    pm_type = details.str_("type")
    card_obj = details.opt_obj("card") if pm_type == "card" else None
    card = _card(card_obj) if card_obj is not None else None
    with converting_model_errors({"type": details.at("type")}, details.path):
        return PaymentMethod(type=pm_type, card=card)


def _expect_object(o: Obj, expected: str) -> None:
    found = o.opt_str("object")
    if found is not None and found != expected:
        fail(o.at("object"), "object_type", f"expected a {expected} object, got {found!r}")


def _payment_ref(o: Obj) -> str | None:
    """The charge the object points at, or its PaymentIntent when it has no charge."""
    return o.id_of("charge", required=False) or o.id_of("payment_intent", required=False)


# --------------------------------------------------------------------------- refunds


def _refund_status(o: Obj, previous_status: str | None) -> RefundStatus:
    status = lookup(STRIPE_REFUND_STATUS, o.str_("status"), o.at("status"), "refund status")
    if status is RefundStatus.FAILED and previous_status == "succeeded":
        return RefundStatus.REVERSED
    return status


def _refund(o: Obj, *, payment_id: str | None, previous_status: str | None) -> Refund:
    _expect_object(o, "refund")
    status = _refund_status(o, previous_status)
    reason_raw = o.opt_str("reason")
    reason = (
        RefundReason.OTHER
        if reason_raw is None
        else lookup(STRIPE_REFUND_REASONS, reason_raw, o.at("reason"), "refund reason")
    )
    failure_raw = o.opt_str("failure_reason")
    failure = (
        None
        if failure_raw is None
        else lookup(
            STRIPE_REFUND_FAILURE_REASONS, failure_raw, o.at("failure_reason"), "failure_reason"
        )
    )
    pay = payment_id or _payment_ref(o)
    if pay is None:
        fail(o.at("charge"), "required", "a refund needs a charge or a payment_intent")
    amount = o.money("amount", "currency", PROVIDER)
    rid = o.req_ident("id")
    fields = {
        "id": o.at("id"),
        "payment_id": o.at("charge"),
        "amount": o.at("amount"),
        "created_at": o.at("created"),
        "failure_reason": o.at("failure_reason"),
    }
    with converting_model_errors(fields, o.path):
        return Refund(
            id=rid,
            payment_id=pay,
            amount=amount,
            reason=reason,
            status=status,
            created_at=o.epoch("created"),
            failure_reason=failure,
            provider=PROVIDER,
            provider_reference=rid,
            provider_status=o.str_("status"),
        )


def refund_from_stripe(
    obj: Mapping[str, Any],
    *,
    payment_id: str | None = None,
    previous_status: str | None = None,
) -> Refund:
    """A [`Refund`][paysupport.models.Refund] from a Stripe Refund object.

    Args:
        obj: the Refund object (``"object": "refund"``).
        payment_id: our payment id, when the host keys payments by something other than the
            Stripe charge (default: ``charge``, or ``payment_intent`` for charge-less refunds).
        previous_status: the status before this update (an event's
            ``data.previous_attributes.status``); ``failed`` after ``succeeded`` reads as
            ``reversed``.

    Returns:
        The refund, with ``provider_status`` the raw status and ``failure_reason`` mapped.

    Raises:
        ProviderPayloadError: a field is missing, mistyped or has an unknown value.
    """
    return _refund(Obj(obj), payment_id=payment_id, previous_status=previous_status)


# --------------------------------------------------------------------------- disputes


def _dispute_card(o: Obj) -> Obj | None:
    details = o.opt_obj("payment_method_details")
    return details.opt_obj("card") if details is not None else None


def _reason_code_raw(o: Obj) -> tuple[str | None, str]:
    """The network reason code (card-level first, then top-level) and its path.

    For a non-card dispute (Klarna, PayPal) it is the method's own ``reason_code``; Amazon
    Pay sends only ``dispute_type``.
    """
    details = o.opt_obj("payment_method_details")
    method = details.opt_str("type") if details is not None else None
    if details is not None and method not in (None, "card"):
        sub = details.opt_obj(method) if method is not None else None
        if sub is not None:
            for key in ("reason_code", "dispute_type"):
                if sub.has(key):
                    return sub.str_(key).strip(), sub.at(key)
        return None, details.at(f"{method}.reason_code")
    card = _dispute_card(o)
    if card is not None and card.has("network_reason_code"):
        return card.str_("network_reason_code").strip(), card.at("network_reason_code")
    if o.has("network_reason_code"):
        return o.str_("network_reason_code").strip(), o.at("network_reason_code")
    path = card.at("network_reason_code") if card is not None else o.at("network_reason_code")
    return None, path


def _brand(o: Obj) -> tuple[str | None, str]:
    """The dispute's network and the path it was read from.

    The card ``network`` that processed the charge (a co-badged Visa processed on
    ``cartes_bancaires`` is a Cartes Bancaires dispute), else the card ``brand``; for a
    non-card dispute, the payment method type.
    """
    details = o.opt_obj("payment_method_details")
    if details is None:
        return None, o.at("payment_method_details.card.brand")
    method = details.opt_str("type")
    if method is not None and method != "card":
        return method.strip().lower(), details.at("type")
    card = details.opt_obj("card")
    if card is None:
        return None, details.at("card.brand")
    network = card.opt_str("network")
    if network is not None and network.strip().lower() not in ("unknown", "link"):
        return network.strip().lower(), card.at("network")
    brand = card.opt_str("brand")
    return (brand.strip().lower() if brand else None), card.at("brand")


def _dispute_reason(o: Obj) -> str:
    """Stripe's ``reason``, one of `STRIPE_DISPUTE_REASONS`."""
    raw = o.str_("reason")
    if raw not in STRIPE_DISPUTE_REASONS:
        known = ", ".join(sorted(STRIPE_DISPUTE_REASONS))
        fail(o.at("reason"), UNKNOWN_VALUE, f"unknown dispute reason {raw!r}; known: {known}")
    return raw


@dataclass(frozen=True, slots=True)
class _Classified:
    """A dispute's network and reason code, and whether the catalogues know them."""

    network: Network | str
    code: str
    catalogued: bool


def _classify(o: Obj, reason: str, *, strict: bool = True) -> _Classified:
    """Network and code as the catalogues know them, or raw and marked uncatalogued.

    A catalogued network with an uncatalogued code is accepted raw only for Stripe's
    ``noncompliant`` reason (Visa compliance conditions such as C028 are outside the dispute
    catalogue); otherwise (strict) it is refused with ``reason_code_known``.
    """
    brand, brand_path = _brand(o)
    if brand is None:
        fail(brand_path, "required", "a dispute needs the card brand or payment method type")
    code, code_path = _reason_code_raw(o)
    network = parse_network(brand)
    if network is None:
        return _Classified(no_pan_id(brand, brand_path), code or "unknown", False)
    if code is None:
        fail(code_path, "required", "a dispute needs the network's reason code")
    known = known_reason_code(network, code)
    if known is not None:
        return _Classified(network, known, True)
    if reason == "noncompliant" or not strict:
        return _Classified(network, code, False)
    check_reason_code(network, code, code_path)  # raises reason_code_known
    raise AssertionError("unreachable")  # pragma: no cover


def _due_by(o: Obj) -> datetime | None:
    details = o.opt_obj("evidence_details")
    if details is None:
        return None
    raw = details.opt_int("due_by")
    if raw is None or raw == 0:  # 0: the issuer allows no response (disputes §5.2)
        return None
    return epoch_to_datetime(raw, details.at("due_by"))


def _dispute(o: Obj, *, payment_id: str | None) -> Dispute:
    _expect_object(o, "dispute")
    status_raw = o.str_("status")
    stage, status = lookup(STRIPE_DISPUTE_STATUS, status_raw, o.at("status"), "dispute status")
    reason = _dispute_reason(o)
    found = _classify(o, reason)
    pay = payment_id or _payment_ref(o)
    if pay is None:
        fail(o.at("charge"), "required", "a dispute needs a charge")
    did = o.req_ident("id")
    _, brand_path = _brand(o)
    _, code_path = _reason_code_raw(o)
    fields = {
        "id": o.at("id"),
        "payment_id": o.at("charge"),
        "network": brand_path,
        "reason_code": code_path,
        "stage": o.at("status"),
        "status": o.at("status"),
        "amount": o.at("amount"),
        "opened_at": o.at("created"),
        "due_by": o.at("evidence_details.due_by"),
    }
    amount = o.money("amount", "currency", PROVIDER)
    due_by = _due_by(o)
    with converting_model_errors(fields, o.path):
        return Dispute(
            id=did,
            payment_id=pay,
            network=found.network,
            reason_code=found.code,
            catalogued=found.catalogued,
            stage=stage,
            status=status,
            amount=amount,
            opened_at=o.epoch("created"),
            due_by=due_by,
            is_charge_refundable=o.opt_bool("is_charge_refundable"),
            provider=PROVIDER,
            provider_reference=did,
            provider_status=status_raw,
            provider_reason=reason,
        )


def dispute_from_stripe(obj: Mapping[str, Any], *, payment_id: str | None = None) -> Dispute:
    """A [`Dispute`][paysupport.models.Dispute] from a Stripe Dispute object.

    The network comes from ``payment_method_details.card.brand``; the reason code from
    ``payment_method_details.card.network_reason_code`` (or the older top-level
    ``network_reason_code``). The status maps to stage × status by
    `STRIPE_DISPUTE_STATUS`; ``reason`` must be one of `STRIPE_DISPUTE_REASONS`;
    the raw status and reason are kept in ``provider_status`` / ``provider_reason``.
    ``evidence_details.due_by`` of ``0`` (no response possible) reads as ``due_by=None``.

    Disputes outside the catalogues are kept with ``catalogued=False``, the raw values and
    Stripe's own deadline (never one of ours): other card brands (``jcb``, ``unionpay``,
    ``diners``, ``cartes_bancaires``, ``eftpos_au``), non-card disputes (``klarna``,
    ``paypal``, ``amazon_pay``: the network is the method type, the code its ``reason_code``
    or ``dispute_type``, ``"unknown"`` when none is sent) and, for ``noncompliant`` disputes,
    network codes the catalogue lacks (Visa compliance conditions such as ``C028``).

    Args:
        obj: the Dispute object (``"object": "dispute"``): a mapping, or a ``stripe.Dispute``
            (anything with ``to_dict()``).
        payment_id: our payment id, if not the Stripe charge id.

    Returns:
        The dispute.

    Raises:
        ProviderPayloadError: a field is missing or mistyped, the status or reason is unknown
            (``unknown_value``), an amount is negative (``non_negative``), an id holds a card
            number (``no_full_card_number``), or a catalogued network's reason code is not in
            the catalogue outside a ``noncompliant`` dispute (``reason_code_known``).
    """
    return _dispute(Obj(obj), payment_id=payment_id)


# --------------------------------------------------------------------------- payments


#: Refund statuses Stripe counts in a charge's ``amount_refunded`` (a refund counts from its
#: creation until it fails or is canceled).
_COUNTED_IN_AMOUNT_REFUNDED = frozenset(
    {RefundStatus.PENDING, RefundStatus.REQUIRES_ACTION, RefundStatus.SUCCEEDED}
)


def _charge_refunds(o: Obj, payment_id: str) -> list[Refund]:
    """The refunds a charge lists (only when ``refunds`` is expanded, API >= 2022-11-15)."""
    refunds_obj = o.opt_obj("refunds")
    if refunds_obj is None:
        return []
    return [
        _refund(Obj(item, refunds_obj.at(f"data.{i}")), payment_id=payment_id, previous_status=None)
        for i, item in enumerate(refunds_obj.list_("data"))
    ]


def _unitemised(o: Obj, refunds: list[Refund]) -> Money | None:
    """What ``amount_refunded`` says was refunded beyond the refunds listed, or ``None``.

    Stripe omits a charge's ``refunds`` list unless it is expanded (API 2022-11-15 on), and
    a list may be cut short (``has_more``); ``amount_refunded`` is always sent. The part no
    listed refund explains is refunded all the same, so it counts against the refundable.
    """
    total_minor = o.amount_int("amount_refunded", required=False)
    if total_minor is None and o.bool_("refunded", default=False):
        fail(o.at("amount_refunded"), "required", "a refunded charge must say amount_refunded")
    if not total_minor:
        return None
    total = o.money("amount_refunded", "currency", PROVIDER)
    rest = total.minor - _listed_minor(refunds)
    return Money.from_minor(rest, total.currency) if rest > 0 else None


def _listed_minor(refunds: list[Refund]) -> int:
    return sum((r.amount.minor for r in refunds if r.status in _COUNTED_IN_AMOUNT_REFUNDED), 0)


def _check_listed(o: Obj, refunds: list[Refund]) -> None:
    """The listed refunds cannot exceed ``amount_refunded`` (the payload contradicts itself)."""
    total = o.amount_int("amount_refunded", required=False) or 0
    if _listed_minor(refunds) > total:
        fail(
            o.at("refunds.data"),
            "refunds_exceed_amount_refunded",
            "the listed refunds total more than the charge's amount_refunded",
        )


def _charge_status(o: Obj) -> PaymentStatus:
    status = lookup(STRIPE_CHARGE_STATUS, o.str_("status"), o.at("status"), "charge status")
    if status is not PaymentStatus.CAPTURED:
        return status
    captured = o.bool_("captured", default=True)
    refunded_minor = o.amount_int("amount_refunded", required=False) or 0
    if not captured:
        # An expired authorization is "marked refunded" by Stripe (refunds §1.2).
        return (
            PaymentStatus.CANCELED
            if o.bool_("refunded", default=False)
            else (PaymentStatus.AUTHORIZED)
        )
    captured_minor = o.amount_int("amount_captured", required=False)
    if captured_minor is None:
        captured_minor = o.amount_int("amount")
    assert captured_minor is not None
    if refunded_minor and refunded_minor >= captured_minor:
        return PaymentStatus.REFUNDED
    if refunded_minor:
        return PaymentStatus.PARTIALLY_REFUNDED
    return PaymentStatus.CAPTURED


def payment_from_charge(charge: Mapping[str, Any], *, merchant_id: str) -> Payment:
    """A [`Payment`][paysupport.models.Payment] from a Stripe Charge object.

    ``amount`` is the authorized amount; a captured charge gets one `Capture` of
    ``amount_captured`` (dated ``created``: the charge does not say when it was captured);
    ``refunds.data`` (when expanded) become `Refund` models, and whatever
    ``amount_refunded`` holds beyond the listed refunds (all of it when ``refunds`` is not
    expanded, the default since API 2022-11-15) becomes ``Payment.refunded_unitemised``, so it
    counts against the refundable; an expanded ``dispute``
    object becomes a `Dispute`; ``payment_method_details.card`` becomes a `Card`
    (brand, last4, fingerprint, expiry, funding, country: never the number). The status
    follows `STRIPE_CHARGE_STATUS`, refined by ``captured`` and ``amount_refunded``.

    Args:
        charge: the Charge object (``"object": "charge"``).
        merchant_id: our merchant id (Stripe's charge does not carry one).

    Returns:
        The payment, ``id`` and ``provider_reference`` the charge id.

    Raises:
        ProviderPayloadError: a field is missing, mistyped or unknown, or the amounts break
            the payment's invariants (e.g. ``refund_total_exceeds_captured``).
    """
    o = Obj(charge)
    _expect_object(o, "charge")
    cid = o.req_ident("id")
    created = o.epoch("created")
    amount = o.money("amount", "currency", PROVIDER)
    status = _charge_status(o)
    captures: list[Capture] = []
    if status not in (PaymentStatus.PENDING, PaymentStatus.FAILED, PaymentStatus.AUTHORIZED) and (
        status is not PaymentStatus.CANCELED
    ):
        captured = (
            o.money("amount_captured", "currency", PROVIDER) if o.has("amount_captured") else amount
        )
        if captured.is_positive():
            with converting_model_errors({"amount": o.at("amount_captured")}, o.path):
                captures.append(Capture(id=f"{cid}:capture", amount=captured, captured_at=created))
    refunds = _charge_refunds(o, cid)
    unitemised = _unitemised(o, refunds) if captures else None
    disputes: list[Dispute] = []
    raw_dispute = o.raw("dispute")
    if isinstance(raw_dispute, Mapping):
        disputes.append(_dispute(Obj(raw_dispute, o.at("dispute")), payment_id=cid))
    fields = {
        "id": o.at("id"),
        "amount": o.at("amount"),
        "status": o.at("status"),
        "captures": o.at("amount_captured"),
        "refunds": o.at("refunds.data"),
        "refunded_unitemised": o.at("amount_refunded"),
        "disputes": o.at("dispute"),
        "created_at": o.at("created"),
        "customer_id": o.at("customer"),
        "description": o.at("description"),
        "metadata": o.at("metadata"),
    }
    with converting_model_errors(fields, o.path):
        payment = Payment(
            id=cid,
            merchant_id=merchant_id,
            customer_id=o.id_of("customer", required=False),
            amount=amount,
            status=status,
            payment_method=_payment_method(o.opt_obj("payment_method_details")),
            created_at=created,
            captures=tuple(captures),
            refunds=tuple(refunds),
            refunded_unitemised=unitemised,
            disputes=tuple(disputes),
            description=o.opt_str("description"),
            provider=PROVIDER,
            provider_reference=cid,
            metadata=o.str_map("metadata"),
        )
    _check_listed(o, refunds)
    return payment


def _pi_status(o: Obj) -> PaymentStatus:
    status = lookup(
        STRIPE_PAYMENT_INTENT_STATUS, o.str_("status"), o.at("status"), "PaymentIntent status"
    )
    declined = o.str_("status") == "requires_payment_method" and o.has("last_payment_error")
    return PaymentStatus.FAILED if declined else status


def _pi_card(o: Obj) -> PaymentMethod:
    """The card of an expanded ``payment_method`` (a PaymentIntent holds only its id)."""
    raw = o.raw("payment_method")
    if not isinstance(raw, Mapping):
        types = o.list_("payment_method_types")
        only = types[0] if len(types) == 1 and isinstance(types[0], str) else "card"
        with converting_model_errors({"type": o.at("payment_method_types")}, o.path):
            return PaymentMethod(type=only)
    return _payment_method(Obj(raw, o.at("payment_method")))


def _latest_charge(o: Obj) -> Obj:
    """The expanded ``latest_charge``: only the charge says what was refunded."""
    raw = o.raw("latest_charge")
    if not isinstance(raw, Mapping):
        fail(
            o.at("latest_charge"),
            "expand_required",
            "a succeeded PaymentIntent needs latest_charge expanded (expand[]=latest_charge): "
            "only the charge's amount_refunded says what was refunded already",
        )
    charge = Obj(raw, o.at("latest_charge"))
    _expect_object(charge, "charge")
    return charge


def payment_from_payment_intent(pi: Mapping[str, Any], *, merchant_id: str) -> Payment:
    """A [`Payment`][paysupport.models.Payment] from a Stripe PaymentIntent object.

    The status maps by `STRIPE_PAYMENT_INTENT_STATUS`: ``requires_payment_method``,
    ``requires_confirmation``, ``requires_action`` and ``processing`` → ``pending``
    (``requires_payment_method`` after a declined attempt, i.e. with ``last_payment_error``
    → ``failed``); ``requires_capture`` → ``authorized``; ``canceled`` → ``canceled``;
    ``succeeded`` → ``captured`` with one `Capture` of ``amount_received`` (id the
    ``latest_charge``). The card is read from an expanded ``payment_method``.

    A succeeded PaymentIntent must come with ``latest_charge`` expanded: only the charge says
    what was refunded (``amount_refunded``, and its ``refunds`` list when that is expanded
    too), read as `payment_from_charge` reads it, so a refund made elsewhere is never
    offered again.

    Args:
        pi: the PaymentIntent object (``"object": "payment_intent"``).
        merchant_id: our merchant id.

    Returns:
        The payment, ``id`` and ``provider_reference`` the PaymentIntent id.

    Raises:
        ProviderPayloadError: a field is missing, mistyped, negative or unknown, or a
            succeeded PaymentIntent's ``latest_charge`` is not expanded (``expand_required``).
    """
    o = Obj(pi)
    _expect_object(o, "payment_intent")
    pid = o.req_ident("id")
    created = o.epoch("created")
    amount = o.money("amount", "currency", PROVIDER)
    status = _pi_status(o)
    captures: list[Capture] = []
    refunds: list[Refund] = []
    unitemised: Money | None = None
    if status is PaymentStatus.CAPTURED:
        received = o.money("amount_received", "currency", PROVIDER)
        if received.is_positive():
            cap_id = o.id_of("latest_charge", required=False) or f"{pid}:capture"
            with converting_model_errors({"amount": o.at("amount_received")}, o.path):
                captures.append(Capture(id=cap_id, amount=received, captured_at=created))
            charge = _latest_charge(o)
            refunds = _charge_refunds(charge, pid)
            unitemised = _unitemised(charge, refunds)
            _check_listed(charge, refunds)
            refined = _charge_status(charge)
            if refined in (PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED):
                status = refined
    fields = {
        "id": o.at("id"),
        "amount": o.at("amount"),
        "status": o.at("status"),
        "captures": o.at("amount_received"),
        "refunds": o.at("latest_charge.refunds.data"),
        "refunded_unitemised": o.at("latest_charge.amount_refunded"),
        "created_at": o.at("created"),
        "customer_id": o.at("customer"),
        "description": o.at("description"),
        "metadata": o.at("metadata"),
    }
    with converting_model_errors(fields, o.path):
        return Payment(
            id=pid,
            merchant_id=merchant_id,
            customer_id=o.id_of("customer", required=False),
            amount=amount,
            status=status,
            payment_method=_pi_card(o),
            created_at=created,
            captures=tuple(captures),
            refunds=tuple(refunds),
            refunded_unitemised=unitemised,
            multicapture=False,
            description=o.opt_str("description"),
            provider=PROVIDER,
            provider_reference=pid,
            metadata=o.str_map("metadata"),
        )


# --------------------------------------------------------------------------- events


def _previous_status(data: Obj) -> str | None:
    prev = data.opt_obj("previous_attributes")
    return None if prev is None else prev.opt_str("status")


def _dispute_event(
    base: dict[str, Any], o: Obj, spec: StripeEventType, event_type: str, strict: bool
) -> dict[str, Any]:
    status_raw = o.str_("status")
    stage, status = lookup(STRIPE_DISPUTE_STATUS, status_raw, o.at("status"), "dispute status")
    if spec.kind is None:
        kind = lookup(
            STRIPE_DISPUTE_CLOSED_KIND, status_raw, o.at("status"), f"status for {event_type}"
        )
    elif spec.kind is EventKind.DISPUTE_OPENED and stage is DisputeStage.INQUIRY:
        kind = EventKind.INQUIRY_OPENED
    else:
        kind = spec.kind
    reason = _dispute_reason(o)
    brand, _ = _brand(o)
    found = _classify(o, reason, strict=strict) if brand is not None else None
    code = found.code if found is not None else _reason_code_raw(o)[0]
    network = found.network if found is not None else None
    details = o.opt_obj("evidence_details")
    return {
        **base,
        "kind": kind,
        "amount": o.money("amount", "currency", PROVIDER),
        "payment_reference": _payment_ref(o),
        "dispute_stage": stage,
        "dispute_status": status,
        "raw_status": status_raw,
        "raw_reason": reason,
        "reason_code": code,
        "network": network if isinstance(network, Network) else None,
        "raw_network": brand,
        "catalogued": found.catalogued if found is not None else None,
        "due_by": _due_by(o) if details is not None else None,
        "is_charge_refundable": o.opt_bool("is_charge_refundable"),
    }


def _refund_event(base: dict[str, Any], o: Obj, data: Obj, event_type: str) -> dict[str, Any]:
    status = _refund_status(o, _previous_status(data))
    kind = STRIPE_REFUND_KIND[status]
    if event_type == "refund.failed" and status not in (RefundStatus.FAILED, RefundStatus.REVERSED):
        fail(o.at("status"), "status_matches_event", f"refund.failed with status {status.value!r}")
    failure_raw = o.opt_str("failure_reason")
    failure = (
        None
        if failure_raw is None
        else lookup(
            STRIPE_REFUND_FAILURE_REASONS, failure_raw, o.at("failure_reason"), "failure_reason"
        )
    )
    return {
        **base,
        "kind": kind,
        "amount": o.money("amount", "currency", PROVIDER),
        "payment_reference": _payment_ref(o),
        "refund_status": status,
        "refund_failure_reason": failure,
        "raw_status": o.str_("status"),
        "raw_reason": o.opt_str("reason"),
    }


def _payment_event(
    base: dict[str, Any], o: Obj, spec: StripeEventType, is_charge: bool
) -> dict[str, Any]:
    assert spec.kind is not None
    status = _charge_status(o) if is_charge else _pi_status(o)
    card = None
    if is_charge:
        details = o.opt_obj("payment_method_details")
        card = details.opt_obj("card") if details is not None else None
    brand = card.opt_str("brand") if card is not None else None
    return {
        **base,
        "kind": spec.kind,
        "amount": o.money("amount", "currency", PROVIDER),
        "payment_reference": o.req_ident("id"),
        "amount_refunded": (
            o.money("amount_refunded", "currency", PROVIDER)
            if is_charge and o.has("amount_refunded")
            else None
        ),
        "payment_status": status,
        "raw_status": o.str_("status"),
        "raw_reason": o.opt_str("failure_code") if is_charge else o.opt_str("cancellation_reason"),
        "network": parse_network(brand),
        "raw_network": brand,
    }


def _efw_event(base: dict[str, Any], o: Obj, spec: StripeEventType) -> dict[str, Any]:
    return {
        **base,
        "kind": spec.kind,
        "payment_reference": o.id_of("charge"),
        "raw_reason": o.str_("fraud_type"),
        "amount": o.money("amount", "currency", PROVIDER) if o.has("amount") else None,
        "raw_status": "actionable" if o.bool_("actionable") else "not_actionable",
    }


def event_from_stripe(event: Mapping[str, Any], *, strict: bool = True) -> ProviderEvent:
    """A `ProviderEvent` from a Stripe Event object (a webhook body).

    Handles the types in `STRIPE_EVENT_TYPES`: ``charge.*``, ``charge.dispute.*``,
    ``charge.refund.updated``, ``refund.*``, ``payment_intent.*`` and
    ``radar.early_fraud_warning.*``. ``occurred_at`` is the event's ``created``. A charge
    event carries the charge's ``amount_refunded`` (what ``apply_provider_event`` needs to
    never refund twice); a dispute event says whether its network and code are
    ``catalogued`` (see [`dispute_from_stripe`][paysupport.providers.dispute_from_stripe]).

    Args:
        event: the Event (``{"id": "evt_...", "type": ..., "created": ..., "data": {...}}``),
            a mapping or a ``stripe.Event`` (anything with ``to_dict()``).
        strict: with ``True`` (default) an unknown ``type``, status or dispute ``reason``
            raises ``ProviderPayloadError(rule="unknown_value")`` and a catalogued network's
            reason code outside the catalogue raises ``reason_code_known`` (except on a
            ``noncompliant`` dispute); with ``False`` they yield an event of kind
            ``unknown`` carrying the raw strings (reason codes are then kept unchecked).

    Returns:
        The normalised event.

    Raises:
        ProviderPayloadError: a field is missing, mistyped or negative (in either mode), an
            id holds a card number (``no_full_card_number``), or a value is unknown (strict).
    """
    e = Obj(event)
    if e.opt_str("object") not in (None, "event"):
        fail("object", "object_type", f"expected an event, got {e.opt_str('object')!r}")
    event_type = e.str_("type")
    data = e.obj("data")
    o = data.obj("object")
    base: dict[str, Any] = {
        "provider": PROVIDER,
        "event_id": e.req_ident("id"),
        "event_type": event_type,
        "occurred_at": e.epoch("created"),
        "object_type": o.opt_str("object"),
        "object_id": o.ident("id", required=False),
        "merchant_account": e.ident("account", required=False),
        "livemode": e.bool_("livemode", default=False) if e.has("livemode") else None,
    }
    try:
        spec = lookup(STRIPE_EVENT_TYPES, event_type, "type", "Stripe event type")
        if spec.object == _EFW and o.opt_str("object") == "early_fraud_warning":
            pass  # older API versions name the object without the "radar." prefix
        else:
            _expect_object(o, spec.object)
        o.req_ident("id")
        if spec.object == _DP:
            fields = _dispute_event(base, o, spec, event_type, strict)
        elif spec.object == _RF:
            fields = _refund_event(base, o, data, event_type)
        elif spec.object in (_CH, _PI):
            fields = _payment_event(base, o, spec, spec.object == _CH)
        else:
            fields = _efw_event(base, o, spec)
    except Exception as exc:
        if strict or getattr(exc, "rule", None) != UNKNOWN_VALUE:
            raise
        status = o.raw("status")
        fields = {
            **base,
            "kind": EventKind.UNKNOWN,
            "raw_status": status if isinstance(status, str) else None,
        }
    kind = fields["kind"]
    fields["sequence"] = sequence_for(kind, fields.get("dispute_stage"))
    if fields.get("object_type") == "radar.early_fraud_warning":
        fields["object_type"] = "early_fraud_warning"
    with converting_model_errors({"event_id": "id", "occurred_at": "created"}, "data.object"):
        return ProviderEvent(**fields)
