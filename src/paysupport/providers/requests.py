"""Outbound request bodies: our effects, as the Stripe and Adyen APIs take them.

Each builder takes plain arguments (the workflows layer calls them from its effects) and
returns a `ProviderRequest`: method, path, body and the caller's idempotency key, which
both Stripe and Adyen take as the ``Idempotency-Key`` header. Nothing is sent: the host does
that. Amounts go through `to_provider_amount`, so a
request holds exactly the provider's units (ISK ×100 and KWD with a last digit of 0 for
Stripe; ISO minor units for Adyen) or is refused with
[`InvalidAmount`][paysupport.errors.InvalidAmount]; nothing is rounded silently.

`stripe_request_for` and `adyen_request_for` turn the money-moving effects
(`IssueRefund`, `CancelPayment`,
`SubmitEvidence`, `AcceptDispute`)
into these requests. The request's ``Idempotency-Key`` is always the effect's
``idempotency_key``, so sending the same effect twice never refunds twice. Other effects
(notifications, assignments) are not provider calls and are refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, Literal

from paysupport.errors import InvalidAmount, ValidationFailed
from paysupport.models import RefundReason
from paysupport.money import Money
from paysupport.networks import EvidenceKind
from paysupport.networks.evidence import STRIPE_EVIDENCE_FIELDS
from paysupport.providers._payload import fail
from paysupport.providers.currency import to_provider_amount
from paysupport.workflows.effects import (
    AcceptDispute,
    CancelPayment,
    Effect,
    IssueRefund,
    SubmitEvidence,
)

__all__ = [
    "ADYEN_IDEMPOTENCY_KEY_MAX",
    "ADYEN_REFUND_REASONS",
    "STRIPE_CREATABLE_REFUND_REASONS",
    "STRIPE_EVIDENCE_FIELD_MAX",
    "STRIPE_EVIDENCE_TOTAL_MAX",
    "STRIPE_IDEMPOTENCY_KEY_MAX",
    "ProviderRequest",
    "adyen_accept_dispute_request",
    "adyen_cancel_request",
    "adyen_defend_dispute_request",
    "adyen_refund_request",
    "adyen_request_for",
    "adyen_reversal_request",
    "stripe_close_dispute",
    "stripe_dispute_evidence_params",
    "stripe_evidence_for",
    "stripe_refund_params",
    "stripe_request_for",
]

#: Stripe's ``POST /v1/disputes/{id}`` limits (disputes §5.3 "Update limits"): all evidence
#: fields together, and one long text field.
STRIPE_EVIDENCE_TOTAL_MAX: Final = 150_000
STRIPE_EVIDENCE_FIELD_MAX: Final = 20_000

#: Idempotency-key lengths: Stripe accepts up to 255 characters; Adyen up to 64
#: (docs.stripe.com/api/idempotent_requests; docs.adyen.com/development-resources/
#: api-idempotency; neither is in shared/domain yet).
STRIPE_IDEMPOTENCY_KEY_MAX: Final = 255
ADYEN_IDEMPOTENCY_KEY_MAX: Final = 64

#: The refund reasons Stripe lets a caller set (refunds §1.3 ``reason (create)``). Others are
#: omitted from ``reason`` and sent as ``metadata[paysupport_reason]``.
STRIPE_CREATABLE_REFUND_REASONS: Final[Mapping[RefundReason, str]] = MappingProxyType(
    {
        RefundReason.DUPLICATE: "duplicate",
        RefundReason.FRAUDULENT: "fraudulent",
        RefundReason.REQUESTED_BY_CUSTOMER: "requested_by_customer",
    }
)

#: Our refund reason → Adyen ``merchantRefundReason`` (refunds §2.1 ``refund reason`` row:
#: FRAUD, CUSTOMER REQUEST, RETURN, DUPLICATE, OTHER).
ADYEN_REFUND_REASONS: Final[Mapping[RefundReason, str]] = MappingProxyType(
    {
        RefundReason.DUPLICATE: "DUPLICATE",
        RefundReason.FRAUDULENT: "FRAUD",
        RefundReason.EARLY_FRAUD_WARNING: "FRAUD",
        RefundReason.REQUESTED_BY_CUSTOMER: "CUSTOMER REQUEST",
        RefundReason.GOODS_RETURNED: "RETURN",
        RefundReason.EXPIRED_UNCAPTURED_CHARGE: "OTHER",
        RefundReason.OVERCHARGE: "OTHER",
        RefundReason.GOODWILL: "OTHER",
        RefundReason.OTHER: "OTHER",
    }
)

# Stripe metadata limits (docs.stripe.com/api/metadata): 50 keys, 40-char keys, 500-char values.
_STRIPE_METADATA_KEYS = 50
_STRIPE_METADATA_KEY_LEN = 40
_STRIPE_METADATA_VALUE_LEN = 500


@dataclass(frozen=True, slots=True)
class ProviderRequest:
    """One API call for the host to make.

    Attributes:
        provider: ``"stripe"`` or ``"adyen"``.
        api: which API the path is relative to: ``"stripe"`` (api.stripe.com),
            ``"adyen_checkout"`` (Checkout API v71) or ``"adyen_disputes"`` (Disputes API v30).
        method: the HTTP method.
        path: the path, ids filled in (``"/v1/refunds"``, ``"/payments/{psp}/refunds"``).
        body: the request parameters as nested dicts (Stripe: send them form-encoded, see
            `form_items`; Adyen: send JSON).
        idempotency_key: the caller's key, sent as the ``Idempotency-Key`` header.
    """

    provider: Literal["stripe", "adyen"]
    api: Literal["stripe", "adyen_checkout", "adyen_disputes"]
    method: Literal["POST"]
    path: str
    body: Mapping[str, Any] = field(hash=False)
    idempotency_key: str

    @property
    def headers(self) -> dict[str, str]:
        """The headers this request needs besides authentication."""
        return {"Idempotency-Key": self.idempotency_key}

    def form_items(self) -> list[tuple[str, str]]:
        """The body flattened to Stripe's form encoding (``metadata[key]=value``)."""
        return list(_flatten(self.body, ""))


def _flatten(value: Any, prefix: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from _flatten(v, f"{prefix}[{k}]" if prefix else str(k))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _flatten(v, f"{prefix}[{i}]")
    elif isinstance(value, bool):
        yield prefix, "true" if value else "false"
    else:
        yield prefix, str(value)


def _key(key: str, limit: int) -> str:
    if not isinstance(key, str) or not key.strip():
        fail("idempotency_key", "required", "an idempotency key is required")
    if len(key) > limit:
        fail("idempotency_key", "max_length", f"idempotency keys are at most {limit} characters")
    return key


def _id(value: str | None, name: str) -> str:
    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value):
        fail(name, "required", f"{name} must be a non-empty id without spaces")
    return value


def _text(value: str | None, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        fail(name, "required", f"{name} must be a non-empty string")
    return value


def _positive(amount: Money) -> None:
    if not isinstance(amount, Money):
        raise InvalidAmount("amount", "money_type", f"expected Money, got {type(amount).__name__}")
    if not amount.is_positive():
        raise InvalidAmount("amount", "refund_amount_positive", "a refund amount must be positive")


# --------------------------------------------------------------------------- Stripe


def stripe_refund_params(
    *,
    payment_intent: str | None = None,
    charge: str | None = None,
    amount: Money,
    reason: RefundReason,
    idempotency_key: str,
    metadata: Mapping[str, str] | None = None,
) -> ProviderRequest:
    """``POST /v1/refunds``: refund (part of) a charge or PaymentIntent.

    Args:
        payment_intent: the PaymentIntent to refund (exactly one of this and ``charge``).
        charge: the charge to refund.
        amount: how much, converted to Stripe's units (ISK ×100; KWD must end in 0).
        reason: our reason; sent as ``reason`` only when Stripe accepts it
            (`STRIPE_CREATABLE_REFUND_REASONS`), always as
            ``metadata[paysupport_reason]``. ``fraudulent`` also adds the card and e-mail
            to Radar block lists (refunds §6).
        idempotency_key: the caller's key (derived from the effect's cause).
        metadata: extra metadata (Stripe's limits: 50 keys, 40/500 characters).

    Returns:
        The request.

    Raises:
        ProviderPayloadError: neither or both of ``charge`` / ``payment_intent``, or bad
            metadata or idempotency key.
        InvalidAmount: the amount is not positive or Stripe cannot take it exactly.
    """
    if (payment_intent is None) == (charge is None):
        fail(
            "charge",
            "one_of_charge_or_payment_intent",
            "give exactly one of charge, payment_intent",
        )
    _positive(amount)
    body: dict[str, Any] = {"amount": to_provider_amount(amount, "stripe")}
    if payment_intent is not None:
        body["payment_intent"] = _id(payment_intent, "payment_intent")
    else:
        body["charge"] = _id(charge, "charge")
    reason = RefundReason(reason)
    if reason in STRIPE_CREATABLE_REFUND_REASONS:
        body["reason"] = STRIPE_CREATABLE_REFUND_REASONS[reason]
    meta = dict(metadata or {})
    meta.setdefault("paysupport_reason", reason.value)
    _check_metadata(meta)
    body["metadata"] = meta
    return ProviderRequest(
        "stripe",
        "stripe",
        "POST",
        "/v1/refunds",
        body,
        _key(idempotency_key, STRIPE_IDEMPOTENCY_KEY_MAX),
    )


def _check_metadata(meta: Mapping[str, str]) -> None:
    if len(meta) > _STRIPE_METADATA_KEYS:
        fail("metadata", "max_items", f"Stripe takes at most {_STRIPE_METADATA_KEYS} keys")
    for k, v in meta.items():
        if not isinstance(k, str) or not k or len(k) > _STRIPE_METADATA_KEY_LEN or "[" in k:
            fail(f"metadata.{k}", "metadata_key", "keys are 1-40 characters without brackets")
        if not isinstance(v, str) or len(v) > _STRIPE_METADATA_VALUE_LEN:
            fail(f"metadata.{k}", "metadata_value", "values are strings of at most 500 characters")


def _put(body: dict[str, Any], dotted: str, value: str) -> None:
    parts = dotted.split(".")
    node = body
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            fail(f"evidence.{dotted}", "evidence_conflict", f"{part} is both a field and a group")
        node = child
    if parts[-1] in node:
        fail(f"evidence.{dotted}", "evidence_conflict", f"{dotted} is given twice")
    node[parts[-1]] = value


def stripe_dispute_evidence_params(
    dispute_id: str,
    evidence: Mapping[EvidenceKind, str | Mapping[str, str]],
    *,
    submit: bool,
    idempotency_key: str,
) -> ProviderRequest:
    """``POST /v1/disputes/{id}``: stage (``submit=False``) or submit dispute evidence.

    Each kind goes to its Stripe ``evidence.*`` fields (``STRIPE_EVIDENCE_FIELDS`` in
    [`networks`][paysupport.networks]):

    - a mapping gives values per Stripe field of that kind
      (``{EvidenceKind.PROOF_OF_DELIVERY: {"shipping_carrier": "DHL", ...}}``);
    - a string goes to the kind's only field when it has exactly one (``receipt``,
      ``access_activity_log``, ...); kinds with no Stripe field (``refund_issued``,
      ``cardholder_withdrawal``, ``other``) are written as labelled paragraphs of
      ``uncategorized_text``.

    Args:
        dispute_id: the Stripe dispute id (``dp_...``).
        evidence: the evidence by kind. File fields take Stripe file ids (``file_...``).
        submit: ``True`` submits (usually possible once); ``False`` only stages it.
        idempotency_key: the caller's key.

    Returns:
        The request, body ``{"evidence": {...}, "submit": bool}``.

    Raises:
        ProviderPayloadError: a field that is not the kind's (``evidence_field``), a string for
            a kind with several fields (``evidence_field_ambiguous``), a field over 20,000
            characters (``stripe_evidence_field_length``) or all fields over 150,000
            (``stripe_evidence_total_length``).
    """
    did = _id(dispute_id, "dispute_id")
    body: dict[str, Any] = {}
    paragraphs: list[str] = []
    for raw_kind, value in evidence.items():
        _place_evidence(body, paragraphs, _evidence_kind(raw_kind), value)
    if paragraphs:
        if "uncategorized_text" in body:
            paragraphs.insert(0, body.pop("uncategorized_text"))
        body["uncategorized_text"] = "\n\n".join(paragraphs)
    _check_evidence_lengths(body)
    return ProviderRequest(
        "stripe",
        "stripe",
        "POST",
        f"/v1/disputes/{did}",
        {"evidence": body, "submit": bool(submit)},
        _key(idempotency_key, STRIPE_IDEMPOTENCY_KEY_MAX),
    )


def _evidence_kind(raw: object) -> EvidenceKind:
    try:
        return EvidenceKind(str(raw))
    except ValueError:
        fail("evidence", "evidence_kind_known", f"{str(raw)[:40]!r} is not an EvidenceKind")


def _place_evidence(
    body: dict[str, Any], paragraphs: list[str], kind: EvidenceKind, value: object
) -> None:
    """Put one kind's evidence in its Stripe fields, or a paragraph of uncategorized_text."""
    fields = STRIPE_EVIDENCE_FIELDS.get(kind, ())
    where = f"evidence.{kind.value}"
    if isinstance(value, Mapping):
        for name, text in value.items():
            if name not in fields:
                fail(
                    f"{where}.{name}",
                    "evidence_field",
                    f"{name!r} is not a Stripe field for {kind.value}; fields: {fields}",
                )
            if not isinstance(text, str):
                fail(f"{where}.{name}", "type", "evidence values are strings")
            _put(body, name, text)
    elif isinstance(value, str):
        direct = [f for f in fields if f not in ("uncategorized_file", "uncategorized_text")]
        if kind is EvidenceKind.OTHER or not fields:
            paragraphs.append(f"{kind.value}: {value}")
        elif len(direct) == 1 and "." not in direct[0]:
            _put(body, direct[0], value)
        else:
            fail(
                where,
                "evidence_field_ambiguous",
                f"{kind.value} has several Stripe fields {fields}; pass a mapping",
            )
    else:
        fail(where, "type", "evidence is a string or a mapping of Stripe field to string")


def _check_evidence_lengths(body: dict[str, Any]) -> None:
    """Stripe's limits: one field, and all fields together."""
    total = 0
    for name, text in _flatten(body, ""):
        if len(text) > STRIPE_EVIDENCE_FIELD_MAX:
            fail(
                f"evidence.{name}",
                "stripe_evidence_field_length",
                f"{len(text)} characters; Stripe takes at most {STRIPE_EVIDENCE_FIELD_MAX}",
            )
        total += len(text)
    if total > STRIPE_EVIDENCE_TOTAL_MAX:
        fail(
            "evidence",
            "stripe_evidence_total_length",
            f"{total} characters in all; Stripe takes at most {STRIPE_EVIDENCE_TOTAL_MAX}",
        )


def stripe_close_dispute(dispute_id: str, *, idempotency_key: str) -> ProviderRequest:
    """``POST /v1/disputes/{id}/close``: accept the dispute as lost (irreversible, §5.4).

    Args:
        dispute_id: the Stripe dispute id.
        idempotency_key: the caller's key.

    Returns:
        The request (empty body).
    """
    did = _id(dispute_id, "dispute_id")
    return ProviderRequest(
        "stripe",
        "stripe",
        "POST",
        f"/v1/disputes/{did}/close",
        {},
        _key(idempotency_key, STRIPE_IDEMPOTENCY_KEY_MAX),
    )


# --------------------------------------------------------------------------- Adyen


def _adyen_amount(amount: Money) -> dict[str, Any]:
    return {"value": to_provider_amount(amount, "adyen"), "currency": amount.currency.code}


def adyen_refund_request(
    *,
    psp_reference: str,
    merchant_account: str,
    amount: Money,
    reference: str,
    reason: RefundReason,
    idempotency_key: str,
) -> ProviderRequest:
    """``POST /payments/{pspReference}/refunds`` (Checkout API v71): refund a captured payment.

    Args:
        psp_reference: the payment's pspReference.
        merchant_account: the merchant account.
        amount: how much (ISO minor units; the sum of refunds must stay ≤ captured).
        reference: our reference for the refund (the REFUND webhook echoes it).
        reason: mapped to ``merchantRefundReason`` by `ADYEN_REFUND_REASONS`.
        idempotency_key: the caller's key (at most 64 characters).

    Returns:
        The request. The synchronous answer is only ``received``; the outcome comes by a
        REFUND notification.
    """
    _positive(amount)
    psp = _id(psp_reference, "psp_reference")
    body = {
        "amount": _adyen_amount(amount),
        "merchantAccount": _id(merchant_account, "merchant_account"),
        "reference": _text(reference, "reference"),
        "merchantRefundReason": ADYEN_REFUND_REASONS[RefundReason(reason)],
    }
    return ProviderRequest(
        "adyen",
        "adyen_checkout",
        "POST",
        f"/payments/{psp}/refunds",
        body,
        _key(idempotency_key, ADYEN_IDEMPOTENCY_KEY_MAX),
    )


def _adyen_modification(
    action: str, psp_reference: str, merchant_account: str, reference: str, idempotency_key: str
) -> ProviderRequest:
    """A body-only modification of a payment: ``POST /payments/{pspReference}/{action}``."""
    psp = _id(psp_reference, "psp_reference")
    body = {
        "merchantAccount": _id(merchant_account, "merchant_account"),
        "reference": _text(reference, "reference"),
    }
    return ProviderRequest(
        "adyen",
        "adyen_checkout",
        "POST",
        f"/payments/{psp}/{action}",
        body,
        _key(idempotency_key, ADYEN_IDEMPOTENCY_KEY_MAX),
    )


def adyen_cancel_request(
    *, psp_reference: str, merchant_account: str, reference: str, idempotency_key: str
) -> ProviderRequest:
    """``POST /payments/{pspReference}/cancels``: cancel a payment not yet captured.

    Args:
        psp_reference: the payment's pspReference.
        merchant_account: the merchant account.
        reference: our reference for the cancellation.
        idempotency_key: the caller's key.

    Returns:
        The request; the outcome comes by a CANCELLATION notification.
    """
    return _adyen_modification(
        "cancels", psp_reference, merchant_account, reference, idempotency_key
    )


def adyen_reversal_request(
    *, psp_reference: str, merchant_account: str, reference: str, idempotency_key: str
) -> ProviderRequest:
    """``POST /payments/{pspReference}/reversals``: cancel or refund, for the full amount.

    For when the capture state is unknown (refunds §2.1); not with multiple partial captures.

    Args:
        psp_reference: the payment's pspReference.
        merchant_account: the merchant account.
        reference: our reference.
        idempotency_key: the caller's key.

    Returns:
        The request; the outcome comes by a CANCEL_OR_REFUND notification.
    """
    return _adyen_modification(
        "reversals", psp_reference, merchant_account, reference, idempotency_key
    )


def adyen_accept_dispute_request(
    *, dispute_psp_reference: str, merchant_account: str, idempotency_key: str
) -> ProviderRequest:
    """``POST /acceptDispute`` (Disputes API v30): accept liability for a dispute.

    Args:
        dispute_psp_reference: the dispute's pspReference (the notification's pspReference).
        merchant_account: the merchant account (sent as ``merchantAccountCode``).
        idempotency_key: the caller's key.

    Returns:
        The request.
    """
    body = {
        "disputePspReference": _id(dispute_psp_reference, "dispute_psp_reference"),
        "merchantAccountCode": _id(merchant_account, "merchant_account"),
    }
    return ProviderRequest(
        "adyen",
        "adyen_disputes",
        "POST",
        "/acceptDispute",
        body,
        _key(idempotency_key, ADYEN_IDEMPOTENCY_KEY_MAX),
    )


def adyen_defend_dispute_request(
    *,
    dispute_psp_reference: str,
    merchant_account: str,
    defense_reason_code: str,
    idempotency_key: str,
) -> ProviderRequest:
    """``POST /defendDispute`` (Disputes API v30): defend a dispute with a defense reason.

    Upload the documents first (``/supplyDefenseDocument``); the applicable codes come from
    ``/retrieveApplicableDefenseReasons``.

    Args:
        dispute_psp_reference: the dispute's pspReference.
        merchant_account: the merchant account (sent as ``merchantAccountCode``).
        defense_reason_code: one of the dispute's applicable defense reason codes.
        idempotency_key: the caller's key.

    Returns:
        The request.
    """
    body = {
        "defenseReasonCode": _id(defense_reason_code, "defense_reason_code"),
        "disputePspReference": _id(dispute_psp_reference, "dispute_psp_reference"),
        "merchantAccountCode": _id(merchant_account, "merchant_account"),
    }
    return ProviderRequest(
        "adyen",
        "adyen_disputes",
        "POST",
        "/defendDispute",
        body,
        _key(idempotency_key, ADYEN_IDEMPOTENCY_KEY_MAX),
    )


# --------------------------------------------------------------------------- effects


def _reference(value: str | None, field: str) -> str:
    if not value:
        raise ValidationFailed(
            field, "provider_reference_needed", f"the effect has no {field}: load it first"
        )
    return value


def stripe_evidence_for(effect: SubmitEvidence) -> dict[EvidenceKind, str]:
    """The effect's evidence as ``stripe_dispute_evidence_params`` takes it.

    A kind with exactly one Stripe field gets the evidence's reference (a ``file_...`` id or
    text) or description; every other kind becomes a labelled paragraph of
    ``uncategorized_text``.
    """
    out: dict[EvidenceKind, str] = {}
    other: list[str] = []
    for e in effect.evidence:
        value = e.reference or e.description
        if not value:
            continue
        fields = [
            f
            for f in STRIPE_EVIDENCE_FIELDS.get(e.kind, ())
            if f not in ("uncategorized_file", "uncategorized_text")
        ]
        if len(fields) == 1 and "." not in fields[0] and e.kind not in out:
            out[e.kind] = value
        else:
            other.append(f"{e.kind.value}: {value}")
    if other:
        out[EvidenceKind.OTHER] = "\n".join(other)
    return out


def stripe_request_for(
    effect: Effect,
    *,
    evidence: Mapping[EvidenceKind, str | Mapping[str, str]] | None = None,
    metadata: Mapping[str, str] | None = None,
) -> ProviderRequest:
    """The Stripe API call that carries out ``effect``.

    - `IssueRefund` → ``POST /v1/refunds`` on the payment's ``provider_reference``
      (a ``pi_...`` is a PaymentIntent, anything else a charge), with
      ``metadata[paysupport_refund_id]``.
    - `CancelPayment` → ``POST /v1/payment_intents/{id}/cancel``.
    - `SubmitEvidence` → ``POST /v1/disputes/{id}`` with ``submit=true``; the evidence
      is ``evidence`` if given, else `stripe_evidence_for`.
    - [`AcceptDispute`][paysupport.workflows.AcceptDispute] → ``POST /v1/disputes/{id}/close``.

    Raises:
        ValidationFailed: the effect is not a Stripe call (``not_a_provider_call``) or lacks
            the provider reference it needs.
        ProviderPayloadError: the builders refused a value (see their docs).
    """
    key = effect.idempotency_key
    if isinstance(effect, IssueRefund):
        ref = _reference(effect.provider_reference, "provider_reference")
        meta = {"paysupport_refund_id": effect.refund_id, **(metadata or {})}
        target = {"payment_intent": ref} if ref.startswith("pi_") else {"charge": ref}
        return stripe_refund_params(
            **target, amount=effect.amount, reason=effect.reason, idempotency_key=key, metadata=meta
        )
    if isinstance(effect, CancelPayment):
        ref = _reference(effect.provider_reference, "provider_reference")
        reason = (
            effect.reason if effect.reason in _STRIPE_CANCEL_REASONS else "requested_by_customer"
        )
        return ProviderRequest(
            "stripe",
            "stripe",
            "POST",
            f"/v1/payment_intents/{ref}/cancel",
            {"cancellation_reason": reason},
            key[:STRIPE_IDEMPOTENCY_KEY_MAX],
        )
    if isinstance(effect, SubmitEvidence):
        ref = _reference(effect.provider_reference, "provider_reference")
        given = evidence if evidence is not None else stripe_evidence_for(effect)
        return stripe_dispute_evidence_params(ref, given, submit=True, idempotency_key=key)
    if isinstance(effect, AcceptDispute):
        ref = _reference(effect.provider_reference, "provider_reference")
        return stripe_close_dispute(ref, idempotency_key=key)
    raise ValidationFailed(
        "effect", "not_a_provider_call", f"{type(effect).__name__} is not a Stripe API call"
    )


#: Stripe's ``cancellation_reason`` values a caller may set.
_STRIPE_CANCEL_REASONS = frozenset(
    {"duplicate", "fraudulent", "requested_by_customer", "abandoned"}
)


def adyen_request_for(
    effect: Effect,
    *,
    merchant_account: str,
    defense_reason_code: str | None = None,
) -> ProviderRequest:
    """The Adyen API call that carries out ``effect``.

    - `IssueRefund` → ``POST /payments/{pspReference}/refunds`` (reference: our
      refund id, echoed by the REFUND notification).
    - `CancelPayment` → ``POST /payments/{pspReference}/cancels``.
    - `SubmitEvidence` → ``POST /defendDispute`` with ``defense_reason_code`` (upload
      the documents with ``/supplyDefenseDocument`` first).
    - [`AcceptDispute`][paysupport.workflows.AcceptDispute] → ``POST /acceptDispute``.

    Raises:
        ValidationFailed: the effect is not an Adyen call (``not_a_provider_call``), or a
            missing provider reference or defense reason code.
    """
    key = effect.idempotency_key
    if isinstance(effect, IssueRefund):
        return adyen_refund_request(
            psp_reference=_reference(effect.provider_reference, "provider_reference"),
            merchant_account=merchant_account,
            amount=effect.amount,
            reference=effect.refund_id,
            reason=effect.reason,
            idempotency_key=key,
        )
    if isinstance(effect, CancelPayment):
        return adyen_cancel_request(
            psp_reference=_reference(effect.provider_reference, "provider_reference"),
            merchant_account=merchant_account,
            reference=f"cancel-{effect.payment_id}",
            idempotency_key=key,
        )
    if isinstance(effect, SubmitEvidence):
        return adyen_defend_dispute_request(
            dispute_psp_reference=_reference(effect.provider_reference, "provider_reference"),
            merchant_account=merchant_account,
            defense_reason_code=_reference(defense_reason_code, "defense_reason_code"),
            idempotency_key=key,
        )
    if isinstance(effect, AcceptDispute):
        return adyen_accept_dispute_request(
            dispute_psp_reference=_reference(effect.provider_reference, "provider_reference"),
            merchant_account=merchant_account,
            idempotency_key=key,
        )
    raise ValidationFailed(
        "effect", "not_a_provider_call", f"{type(effect).__name__} is not an Adyen API call"
    )
