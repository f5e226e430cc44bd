"""Our effects as Stripe and Adyen request bodies, with the effect's idempotency key.

:func:`stripe_request_for` and :func:`adyen_request_for` turn the money-moving effects
(:class:`~paysupport.workflows.IssueRefund`, :class:`~paysupport.workflows.CancelPayment`,
:class:`~paysupport.workflows.SubmitEvidence`, :class:`~paysupport.workflows.AcceptDispute`)
into :class:`~paysupport.providers.ProviderRequest` values through the builders in
:mod:`paysupport.providers.requests`. The request's ``Idempotency-Key`` is always the
effect's ``idempotency_key``, so sending the same effect twice never refunds twice. Other
effects (notifications, assignments) are not provider calls and are refused.
"""

from __future__ import annotations

from collections.abc import Mapping

from paysupport.errors import ValidationFailed
from paysupport.networks import STRIPE_EVIDENCE_FIELDS, EvidenceKind
from paysupport.providers.requests import (
    STRIPE_IDEMPOTENCY_KEY_MAX,
    ProviderRequest,
    adyen_accept_dispute_request,
    adyen_cancel_request,
    adyen_defend_dispute_request,
    adyen_refund_request,
    stripe_close_dispute,
    stripe_dispute_evidence_params,
    stripe_refund_params,
)
from paysupport.workflows.effects import (
    AcceptDispute,
    CancelPayment,
    Effect,
    IssueRefund,
    SubmitEvidence,
)

__all__ = ["adyen_request_for", "stripe_evidence_for", "stripe_request_for"]


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

    - :class:`IssueRefund` → ``POST /v1/refunds`` on the payment's ``provider_reference``
      (a ``pi_...`` is a PaymentIntent, anything else a charge), with
      ``metadata[paysupport_refund_id]``.
    - :class:`CancelPayment` → ``POST /v1/payment_intents/{id}/cancel``.
    - :class:`SubmitEvidence` → ``POST /v1/disputes/{id}`` with ``submit=true``; the evidence
      is ``evidence`` if given, else :func:`stripe_evidence_for`.
    - :class:`AcceptDispute` → ``POST /v1/disputes/{id}/close``.

    Raises:
        TypeError: the effect is not a Stripe call.
        ValidationFailed: the effect lacks the provider reference it needs.
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
    raise TypeError(f"{type(effect).__name__} is not a Stripe API call")


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

    - :class:`IssueRefund` → ``POST /payments/{pspReference}/refunds`` (reference: our
      refund id, echoed by the REFUND notification).
    - :class:`CancelPayment` → ``POST /payments/{pspReference}/cancels``.
    - :class:`SubmitEvidence` → ``POST /defendDispute`` with ``defense_reason_code`` (upload
      the documents with ``/supplyDefenseDocument`` first).
    - :class:`AcceptDispute` → ``POST /acceptDispute``.

    Raises:
        TypeError: the effect is not an Adyen call.
        ValidationFailed: a missing provider reference or defense reason code.
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
    raise TypeError(f"{type(effect).__name__} is not an Adyen API call")
