"""Adyen notification items into `ProviderEvent` and `Dispute`.

Adyen sends a ``NotificationRequest`` whose ``notificationItems`` each wrap one
``NotificationRequestItem``; these functions take one item, wrapped
(``{"NotificationRequestItem": {...}}``) or bare. Amounts are ``{"value": int, "currency":
"EUR"}`` in ISO 4217 minor units; ``success`` is the string ``"true"`` or ``"false"``;
``eventDate`` is ISO 8601 with an offset.

What an ``eventCode`` means is data (`ADYEN_EVENT_CODES`), and so is
``additionalData.disputeStatus`` (`ADYEN_DISPUTE_STATUS`). Adyen sends event codes its
own published enum lacks (disputes §6.1), so an unknown code is an error in strict mode and an
event of kind ``unknown`` otherwise, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final

from paysupport.errors import ProviderPayloadError
from paysupport.models import Dispute, DisputeStatus, PaymentStatus, RefundStatus
from paysupport.networks import DisputeStage, Network
from paysupport.providers._payload import Obj, converting_model_errors, fail, no_pan_id
from paysupport.providers._tables import (
    UNKNOWN_VALUE,
    check_reason_code,
    known_reason_code,
    lookup,
    parse_network,
)
from paysupport.providers.events import EventKind, ProviderEvent, sequence_for

__all__ = [
    "ADYEN_CANCEL_OR_REFUND_ACTION",
    "ADYEN_DISPUTE_STATUS",
    "ADYEN_EVENT_CODES",
    "AdyenOutcome",
    "AdyenTarget",
    "adyen_event_id",
    "dispute_from_adyen",
    "event_from_adyen",
]

PROVIDER: Final = "adyen"

_S = DisputeStage
_D = DisputeStatus
_K = EventKind


@dataclass(frozen=True, slots=True)
class AdyenTarget:
    """What one notification means: its kind and the target values it implies.

    Attributes:
        kind: the normalised kind.
        stage: the dispute stage the notification puts the dispute in, if any.
        status: the dispute status it implies when ``additionalData.disputeStatus`` is absent.
        refund_status: the refund status it implies, if any.
        payment_status: the payment status it implies, if any.
    """

    kind: EventKind
    stage: DisputeStage | None = None
    status: DisputeStatus | None = None
    refund_status: RefundStatus | None = None
    payment_status: PaymentStatus | None = None


@dataclass(frozen=True, slots=True)
class AdyenOutcome:
    """An event code whose meaning depends on ``success`` (``"true"`` / ``"false"``).

    Attributes:
        if_true: the target when ``success`` is ``"true"``.
        if_false: the target when ``success`` is ``"false"``.
    """

    if_true: AdyenTarget
    if_false: AdyenTarget


def _t(
    kind: EventKind, stage: DisputeStage | None = None, status: DisputeStatus | None = None
) -> AdyenTarget:
    return AdyenTarget(kind, stage, status)


#: ``eventCode`` → meaning. A plain `AdyenTarget` means ``success`` does not change the
#: meaning (dispute codes; REFUND_FAILED and REFUNDED_REVERSED, where the code is the outcome:
#: refunds §2.2 modelling note). Sources per row: disputes §6.1 (dispute codes, quoted
#: meanings), refunds §2.1–2.2 (modification and refund codes).
ADYEN_EVENT_CODES: Final[Mapping[str, AdyenTarget | AdyenOutcome]] = MappingProxyType(
    {
        # disputes §6.1 "Issuer sent fraud alert notification" (TC40 / SAFE): informational.
        "NOTIFICATION_OF_FRAUD": _t(_K.FRAUD_WARNING),
        # disputes §6.1 "Issuer opened Request for Information (RFI)".
        "REQUEST_FOR_INFORMATION": _t(_K.INQUIRY_OPENED, _S.INQUIRY, _D.NEEDS_RESPONSE),
        # disputes §6.1 "Dispute process opened": funds not yet deducted.
        "NOTIFICATION_OF_CHARGEBACK": _t(_K.DISPUTE_OPENED, _S.CHARGEBACK, _D.NEEDS_RESPONSE),
        # disputes §6.1 "Payment charged back; funds deducted". May be the first notification.
        "CHARGEBACK": _t(_K.DISPUTE_FUNDS_WITHDRAWN, _S.CHARGEBACK, _D.NEEDS_RESPONSE),
        # disputes §6.1 "Defense documents uploaded or dispute auto-defended"; stage not sent.
        "INFORMATION_SUPPLIED": _t(_K.INFORMATION_SUPPLIED, None, _D.UNDER_REVIEW),
        # disputes §6.1 "not defended in time, or liability was accepted": expired at the
        # current stage (stage not sent) unless additionalData.disputeStatus says otherwise
        # (``Accepted``).
        "DISPUTE_DEFENSE_PERIOD_ENDED": _t(_K.DEFENSE_PERIOD_ENDED, None, _D.EXPIRED),
        # disputes §6.1 "Issuer included comments": no state change.
        "ISSUER_COMMENTS": _t(_K.ISSUER_COMMENTS),
        # disputes §6.1 "Chargeback successfully defended" ("This stage is not final").
        "CHARGEBACK_REVERSED": _t(_K.DISPUTE_REVERSED, _S.CHARGEBACK, _D.WON),
        # disputes §6.1 "Issuer accepted defense or did not respond".
        "ISSUER_RESPONSE_TIMEFRAME_EXPIRED": _t(_K.ISSUER_RESPONSE_EXPIRED, _S.CHARGEBACK, _D.WON),
        # disputes §6.1 "Issuing bank declined chargeback defense; amount deducted". Adyen's
        # Mastercard flow (§6.2) puts the 2nd chargeback after pre-arbitration.
        "SECOND_CHARGEBACK": _t(_K.SECOND_CHARGEBACK, _S.PRE_ARBITRATION, _D.LOST),
        # disputes §6.1 "Cardholder's bank opened the pre-arbitration case".
        "PREARBITRATION_OPEN": _t(_K.PREARBITRATION_OPENED, _S.PRE_ARBITRATION, _D.NEEDS_RESPONSE),
        # disputes §6.1 "Cardholder's bank accepted pre-arbitration case": the merchant won.
        "PREARBITRATION_WON": _t(_K.PREARBITRATION_WON, _S.PRE_ARBITRATION, _D.WON),
        # disputes §6.1 "Cardholder's bank declined pre-arbitration case".
        "PREARBITRATION_LOST": _t(_K.PREARBITRATION_LOST, _S.PRE_ARBITRATION, _D.LOST),
        # disputes §6.1 "The pre-arbitration case was accepted" (liability accepted).
        "PREARBITRATION_ACCEPTED": _t(_K.PREARBITRATION_ACCEPTED, _S.PRE_ARBITRATION, _D.ACCEPTED),
        # disputes §6.1 "The pre-arbitration case was declined" (contested: under review).
        "PREARBITRATION_DECLINED": _t(
            _K.PREARBITRATION_DECLINED, _S.PRE_ARBITRATION, _D.UNDER_REVIEW
        ),
        # disputes §6.1 "The pre-arbitration case was withdrawn by the issuer".
        "PREARBITRATION_ISSUER_WITHDRAWN": _t(
            _K.PREARBITRATION_WITHDRAWN, _S.PRE_ARBITRATION, _D.WON
        ),
        # disputes §6.1 "escalated to scheme arbitration by the issuer".
        "SCHEME_ARBITRATION": _t(_K.ARBITRATION_OPENED, _S.ARBITRATION, _D.UNDER_REVIEW),
        # disputes §6.1 "The scheme has ruled in your favor."
        "SCHEME_ARBITRATION_WON": _t(_K.ARBITRATION_WON, _S.ARBITRATION, _D.WON),
        # disputes §6.1 "The scheme has ruled in favor of the issuer."
        "SCHEME_ARBITRATION_LOST": _t(_K.ARBITRATION_LOST, _S.ARBITRATION, _D.LOST),
        # refunds §2.2: REFUND success=false = rejected (see reason).
        "REFUND": AdyenOutcome(
            AdyenTarget(_K.REFUND_SUCCEEDED, refund_status=RefundStatus.SUCCEEDED),
            AdyenTarget(_K.REFUND_FAILED, refund_status=RefundStatus.FAILED),
        ),
        # refunds §2.2: unreferenced refund result.
        "REFUND_WITH_DATA": AdyenOutcome(
            AdyenTarget(_K.REFUND_SUCCEEDED, refund_status=RefundStatus.SUCCEEDED),
            AdyenTarget(_K.REFUND_FAILED, refund_status=RefundStatus.FAILED),
        ),
        # refunds §2.2: rejected by the scheme after acceptance; the code is the outcome. The
        # refund failed: a pending one ends failed; apply_provider_event reads a failure of a
        # refund that had succeeded as its reversal (refunds §7.3), never the other way.
        "REFUND_FAILED": AdyenTarget(_K.REFUND_FAILED, refund_status=RefundStatus.FAILED),
        # refunds §2.2: refunded amount returned to the merchant; the code is the outcome
        # (on a refund that never succeeded, apply_provider_event records a failure).
        "REFUNDED_REVERSED": AdyenTarget(_K.REFUND_REVERSED, refund_status=RefundStatus.REVERSED),
        # refunds §2.2: refund postponed until after capture: still pending.
        "POSTPONED_REFUND": AdyenTarget(_K.REFUND_PENDING, refund_status=RefundStatus.PENDING),
        # refunds §2.2: result of cancelling a POS refund.
        "VOID_PENDING_REFUND": AdyenOutcome(
            AdyenTarget(_K.REFUND_CANCELED, refund_status=RefundStatus.CANCELED),
            AdyenTarget(_K.UNKNOWN),
        ),
        # refunds §2.1: CANCEL_OR_REFUND success=true → see modification.action
        # (ADYEN_CANCEL_OR_REFUND_ACTION); false → the request was refused.
        "CANCEL_OR_REFUND": AdyenOutcome(
            AdyenTarget(_K.UNKNOWN), AdyenTarget(_K.CANCEL_OR_REFUND_FAILED)
        ),
        # refunds §2.1 cancel: CANCELLATION (by pspReference), TECHNICAL_CANCEL (by reference).
        "CANCELLATION": AdyenOutcome(
            AdyenTarget(_K.PAYMENT_CANCELED, payment_status=PaymentStatus.CANCELED),
            AdyenTarget(_K.CANCEL_FAILED),
        ),
        "TECHNICAL_CANCEL": AdyenOutcome(
            AdyenTarget(_K.PAYMENT_CANCELED, payment_status=PaymentStatus.CANCELED),
            AdyenTarget(_K.CANCEL_FAILED),
        ),
        # refunds §2.1 capture: CAPTURE (failure: CAPTURE_FAILED).
        "CAPTURE": AdyenOutcome(
            AdyenTarget(_K.PAYMENT_CAPTURED, payment_status=PaymentStatus.CAPTURED),
            AdyenTarget(_K.CAPTURE_FAILED),
        ),
        "CAPTURE_FAILED": AdyenTarget(_K.CAPTURE_FAILED),
        # refunds §2.2: the remaining uncaptured amount expired.
        "EXPIRE": AdyenTarget(_K.PAYMENT_EXPIRED),
        # Webhooks-v1 AUTHORISATION: success=true authorised, false refused.
        "AUTHORISATION": AdyenOutcome(
            AdyenTarget(_K.PAYMENT_AUTHORIZED, payment_status=PaymentStatus.AUTHORIZED),
            AdyenTarget(_K.PAYMENT_FAILED, payment_status=PaymentStatus.FAILED),
        ),
    }
)

#: CANCEL_OR_REFUND with success=true: ``additionalData["modification.action"]`` says which
#: happened (refunds §2.1 reversal row: example value ``cancel``).
ADYEN_CANCEL_OR_REFUND_ACTION: Final[Mapping[str, AdyenTarget]] = MappingProxyType(
    {
        "cancel": AdyenTarget(_K.PAYMENT_CANCELED, payment_status=PaymentStatus.CANCELED),
        "refund": AdyenTarget(_K.REFUND_SUCCEEDED, refund_status=RefundStatus.SUCCEEDED),
    }
)

#: ``additionalData.disputeStatus`` (disputes §6.2; check fact 28). ``Undefended`` (no defence
#: was sent) reads as expired, ``Pending`` (awaiting the issuer) as under review: our reading
#: of the names, the spec gives no definitions.
ADYEN_DISPUTE_STATUS: Final[Mapping[str, DisputeStatus]] = MappingProxyType(
    {
        "Unresponded": DisputeStatus.NEEDS_RESPONSE,
        "Responded": DisputeStatus.UNDER_REVIEW,
        "Pending": DisputeStatus.UNDER_REVIEW,
        "Expired": DisputeStatus.EXPIRED,
        "Undefended": DisputeStatus.EXPIRED,
        "Accepted": DisputeStatus.ACCEPTED,
        "Lost": DisputeStatus.LOST,
        "Won": DisputeStatus.WON,
    }
)

#: Where the scheme and reason code sit in additionalData, by notification family
#: (disputes §6.2 "other additionalData" row). ``nofReasonCode`` is not among the reason
#: codes: NOTIFICATION_OF_FRAUD's code is the issuer's fraud-notice type (TC40 / SAFE), not a
#: dispute reason, and is read into ``ProviderEvent.fraud_notice_type``.
_SCHEME_KEYS: Final = ("chargebackSchemeCode", "rfiSchemeCode", "nofSchemeCode")
_REASON_KEYS: Final = ("chargebackReasonCode", "rfiReasonCode")
_FRAUD_NOTICE_KEY: Final = "nofReasonCode"


@dataclass(frozen=True, slots=True)
class _DisputeFacts:
    """A dispute notification's network and reason code, catalogued or kept raw."""

    network: Network | str
    code: str
    catalogued: bool
    network_path: str
    code_path: str


def _dispute_facts(it: Obj, extra: Obj | None, *, strict: bool) -> _DisputeFacts:
    """The network (scheme code, else ``paymentMethod``) and reason code of a dispute item.

    A scheme outside the catalogues (``jcb``, ``bankTransfer_IBAN``), or a notification
    without a reason code (a REQUEST_FOR_INFORMATION may send none), gives
    ``catalogued=False`` with the raw values (``"unknown"`` for a missing code). A catalogued
    scheme's code outside its catalogue is refused in strict mode (``reason_code_known``).
    """
    scheme, scheme_path = _first(extra, _SCHEME_KEYS)
    if scheme is None:
        scheme = it.opt_str("paymentMethod")
        scheme_path = "paymentMethod" if scheme is not None else scheme_path
    if scheme is None:
        fail(scheme_path, "required", "a dispute needs the card scheme or payment method")
    code, code_path = _first(extra, _REASON_KEYS)
    network = parse_network(scheme)
    if network is None:
        raw = no_pan_id(scheme.strip().lower(), scheme_path)
        return _DisputeFacts(raw, code or "unknown", False, scheme_path, code_path)
    if code is None:
        return _DisputeFacts(network, "unknown", False, scheme_path, code_path)
    known = known_reason_code(network, code)
    if known is not None:
        return _DisputeFacts(network, known, True, scheme_path, code_path)
    if strict:
        check_reason_code(network, code, code_path)  # raises reason_code_known
    return _DisputeFacts(network, code, False, scheme_path, code_path)


#: Event codes a [`Dispute`][paysupport.models.Dispute] can be built from (each has a stage).
_DISPUTE_CODES: Final = frozenset(
    code
    for code, target in ADYEN_EVENT_CODES.items()
    if isinstance(target, AdyenTarget) and target.stage is not None
)


def _item(item: Mapping[str, Any]) -> Obj:
    root = Obj(item)
    if "NotificationRequestItem" in root.data:
        # Field paths are named relative to the item, wrapped or not.
        return Obj(root.obj("NotificationRequestItem").data, "")
    return root


def adyen_event_id(psp_reference: str, event_code: str, success: bool, event_date: datetime) -> str:
    """The stable id of one Adyen notification: the same for each redelivery.

    Adyen has no event id; a notification is identified by ``pspReference``, ``eventCode``,
    ``success`` and ``eventDate`` (in UTC, so offsets do not make two ids for one instant).
    """
    when = event_date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{psp_reference}:{event_code}:{'true' if success else 'false'}:{when}"


def _first(extra: Obj | None, keys: tuple[str, ...]) -> tuple[str | None, str]:
    """The first present key of ``keys`` in additionalData, trimmed, and its path."""
    if extra is None:
        return None, f"additionalData.{keys[0]}"
    for key in keys:
        value = extra.opt_str(key)
        if value is not None:
            return value.strip(), extra.at(key)
    return None, extra.at(keys[0])


def _target(code: str, success: bool, extra: Obj | None) -> tuple[AdyenTarget, str | None]:
    """The table's target for ``code`` and ``success``, and the raw action when used."""
    entry = lookup(ADYEN_EVENT_CODES, code, "eventCode", "Adyen eventCode")
    if isinstance(entry, AdyenTarget):
        return entry, None
    target = entry.if_true if success else entry.if_false
    if code == "CANCEL_OR_REFUND" and success:
        action, path = _first(extra, ("modification.action",))
        if action is None:
            fail(path, "required", "CANCEL_OR_REFUND needs modification.action")
        return lookup(ADYEN_CANCEL_OR_REFUND_ACTION, action, path, "modification.action"), action
    if target.kind is EventKind.UNKNOWN:
        fail("success", UNKNOWN_VALUE, f"{code} with success={success} has no known meaning")
    return target, None


def _payment_reference(it: Obj, code: str) -> str | None:
    original = it.ident("originalReference", required=False)
    if original is not None:
        return original
    return it.req_ident("pspReference") if code == "AUTHORISATION" else None


def event_from_adyen(
    item: Mapping[str, Any], *, strict: bool = True, live: bool | None = None
) -> ProviderEvent:
    """A `ProviderEvent` from one Adyen NotificationRequestItem.

    ``event_id`` is `adyen_event_id` (duplicates share it); ``occurred_at`` is
    ``eventDate``; ``object_id`` is ``pspReference``; ``payment_reference`` is
    ``originalReference``. The kind and target values follow `ADYEN_EVENT_CODES`; a
    dispute's status is ``additionalData.disputeStatus`` (`ADYEN_DISPUTE_STATUS`) when
    sent, else the table's. ``due_by`` is ``additionalData.defensePeriodEndsAt``. For dispute
    codes ``catalogued`` says whether the scheme and reason code are in the catalogues;
    NOTIFICATION_OF_FRAUD's ``nofReasonCode`` (a fraud-notice type) is ``fraud_notice_type``,
    never ``reason_code``. Amounts are never negative (``non_negative`` in both modes).

    Args:
        item: ``{"NotificationRequestItem": {...}}`` or the bare item (a mapping, or an
            object with ``to_dict()``).
        strict: with ``True`` (default) an unknown eventCode, disputeStatus or
            modification.action raises ``ProviderPayloadError(rule="unknown_value")``, and a
            reason code outside a catalogued network's catalogue raises
            ``reason_code_known``; with ``False`` the first yield an event of kind ``unknown``
            carrying the raw strings, and reason codes are kept unchecked.
        live: the request's ``live`` flag, if the caller has it (it sits outside the item).

    Returns:
        The normalised event.

    Raises:
        ProviderPayloadError: a field is missing or mistyped (in either mode), or a value is
            unknown (strict mode).
    """
    it = _item(item)
    code = it.str_("eventCode")
    base = _base_fields(it, code, live)
    try:
        fields = _meaning(it, code, base, strict=strict)
    except ProviderPayloadError as exc:
        if strict or exc.rule != UNKNOWN_VALUE:
            raise
        fields = {**base, "kind": EventKind.UNKNOWN}
        extra = it.opt_obj("additionalData")
        if code == "CANCEL_OR_REFUND" and extra is not None:
            fields["raw_status"] = _first(extra, ("modification.action",))[0]
    fields["sequence"] = sequence_for(fields["kind"], fields.get("dispute_stage"))
    with converting_model_errors(
        {"event_id": "pspReference", "occurred_at": "eventDate"}, "pspReference"
    ):
        return ProviderEvent(**fields)


def _base_fields(it: Obj, code: str, live: bool | None) -> dict[str, Any]:
    """What every notification carries, whatever its code means."""
    psp = it.req_ident("pspReference")
    success = it.str_bool("success")
    occurred = it.iso_datetime("eventDate")
    assert occurred is not None
    extra = it.opt_obj("additionalData")
    scheme, _ = _first(extra, _SCHEME_KEYS)
    raw_network = scheme or it.opt_str("paymentMethod")
    return {
        "provider": PROVIDER,
        "event_id": adyen_event_id(psp, code, success, occurred),
        "event_type": code,
        "occurred_at": occurred,
        "object_id": psp,
        "payment_reference": _payment_reference(it, code),
        "merchant_account": it.req_ident("merchantAccountCode"),
        "success": success,
        "amount": it.obj("amount").money("value", "currency", PROVIDER),
        "raw_status": _first(extra, ("disputeStatus",))[0],
        "raw_reason": it.opt_str("reason"),
        "reason_code": _first(extra, _REASON_KEYS)[0],
        "network": parse_network(raw_network),
        "raw_network": raw_network,
        "fraud_notice_type": _first(extra, (_FRAUD_NOTICE_KEY,))[0],
        "due_by": extra.iso_datetime("defensePeriodEndsAt", required=False) if extra else None,
        "livemode": live,
    }


def _meaning(it: Obj, code: str, base: dict[str, Any], *, strict: bool) -> dict[str, Any]:
    """The normalised kind and targets of a notification (``unknown_value`` if unknown)."""
    extra = it.opt_obj("additionalData")
    target, action = _target(code, bool(base["success"]), extra)
    status = target.status
    status_raw, status_path = _first(extra, ("disputeStatus",))
    if status_raw is not None:
        status = lookup(ADYEN_DISPUTE_STATUS, status_raw, status_path, "disputeStatus")
    fields = {
        **base,
        "kind": target.kind,
        "object_type": "dispute" if target.kind.is_dispute else None,
        "dispute_stage": target.stage,
        "dispute_status": status,
        "refund_status": target.refund_status,
        "payment_status": target.payment_status,
    }
    if target.kind.is_dispute and base["raw_network"] is not None:
        facts = _dispute_facts(it, extra, strict=strict)
        if facts.code != "unknown":
            fields["reason_code"] = facts.code
        fields["catalogued"] = facts.catalogued
    if action is not None:
        fields["raw_status"] = action
    return fields


def dispute_from_adyen(item: Mapping[str, Any], *, payment_id: str | None = None) -> Dispute:
    """A [`Dispute`][paysupport.models.Dispute] from an Adyen dispute notification item.

    Accepts the codes whose table entry has a stage: REQUEST_FOR_INFORMATION (inquiry),
    NOTIFICATION_OF_CHARGEBACK and CHARGEBACK (chargeback), SECOND_CHARGEBACK and
    PREARBITRATION_* (pre-arbitration), SCHEME_ARBITRATION* (arbitration), and the outcome
    codes CHARGEBACK_REVERSED / ISSUER_RESPONSE_TIMEFRAME_EXPIRED. The network comes from
    ``additionalData.chargebackSchemeCode`` (or ``rfiSchemeCode``; ``paymentMethod`` when
    neither is sent) read by `Network.parse` (``"mc"`` is Mastercard); the reason code
    from ``chargebackReasonCode`` / ``rfiReasonCode``, trimmed (Adyen's own example sends
    ``" 4853"``), and it must be in a catalogued network's catalogue. A scheme outside the
    catalogues (``jcb``, ``bankTransfer_IBAN``) or a notification without a reason code (a
    REQUEST_FOR_INFORMATION) gives ``catalogued=False`` with the raw values (``"unknown"``
    for a missing code) and only Adyen's own deadline.

    Args:
        item: ``{"NotificationRequestItem": {...}}`` or the bare item.
        payment_id: our payment id, if not Adyen's ``originalReference``.

    Returns:
        The dispute: ``id`` and ``provider_reference`` the dispute's ``pspReference``,
        ``opened_at`` the ``eventDate``, ``due_by`` the ``defensePeriodEndsAt``,
        ``provider_status`` the ``disputeStatus`` (or the eventCode), ``provider_reason`` the
        ``reason``.

    Raises:
        ProviderPayloadError: not a dispute code (``unknown_value`` at ``eventCode``), a
            missing field (``originalReference`` when ``payment_id`` is not given: some
            published notifications omit it), a negative amount (``non_negative``), a
            catalogued scheme's unknown reason code (``reason_code_known``), or a stage the
            network does not have (``stage_exists_for_network``, e.g. an Amex
            pre-arbitration).
    """
    it = _item(item)
    code = it.str_("eventCode")
    if code not in _DISPUTE_CODES:
        known = ", ".join(sorted(_DISPUTE_CODES))
        fail("eventCode", UNKNOWN_VALUE, f"{code!r} does not describe a dispute; known: {known}")
    target = ADYEN_EVENT_CODES[code]
    assert isinstance(target, AdyenTarget) and target.stage is not None
    extra = it.opt_obj("additionalData")
    facts = _dispute_facts(it, extra, strict=True)
    status_raw, status_path = _first(extra, ("disputeStatus",))
    status = target.status or DisputeStatus.NEEDS_RESPONSE
    if status_raw is not None:
        status = lookup(ADYEN_DISPUTE_STATUS, status_raw, status_path, "disputeStatus")
    psp = it.req_ident("pspReference")
    pay = payment_id or it.ident("originalReference", required=False)
    if pay is None:
        fail("originalReference", "required", "a dispute needs the disputed payment")
    amount = it.obj("amount").money("value", "currency", PROVIDER)
    opened = it.iso_datetime("eventDate")
    due_by = extra.iso_datetime("defensePeriodEndsAt", required=False) if extra else None
    fields = {
        "id": "pspReference",
        "payment_id": "originalReference",
        "network": facts.network_path,
        "reason_code": facts.code_path,
        "stage": "eventCode",
        "status": status_path,
        "amount": "amount.value",
        "opened_at": "eventDate",
        "due_by": "additionalData.defensePeriodEndsAt",
    }
    with converting_model_errors(fields, "eventCode"):
        return Dispute(
            id=psp,
            payment_id=pay,
            network=facts.network,
            reason_code=facts.code,
            catalogued=facts.catalogued,
            stage=target.stage,
            status=status,
            amount=amount,
            opened_at=opened,
            due_by=due_by,
            provider=PROVIDER,
            provider_reference=psp,
            provider_status=status_raw or code,
            provider_reason=it.opt_str("reason"),
        )
