"""A fake payment service provider: answers like one, keeps its own ledger, pays once per key.

Rules (by the amount's last two minor digits, so tests can pick an outcome):

- ``.13`` — the refund is declined by the provider (``failed``, reason ``declined``);
- ``.99`` — the call times out: the provider *did* take the refund, but the answer is lost
  (the host must record the refund as ``unknown`` and settle it from the provider later);
- ``.42`` — the provider accepts the refund (``pending``); its notification says later how
  it ended (:meth:`FakeGateway.adyen_refund_notification`);
- anything else succeeds.

Like Stripe and Adyen, the fake honours idempotency keys: the same key returns the first
answer again and never moves money twice. :attr:`FakeGateway.ledger` is the provider's own
book, which tests read to assert that a refund was paid exactly once.

It can also write the notifications a real provider would send (Stripe event bodies), so
tests can close a dispute the way production does: through the webhook endpoint.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from paysupport.money import Money
from paysupport.workflows import AcceptDispute, CancelPayment, IssueRefund, SubmitEvidence

Outcome = Literal["succeeded", "failed", "pending"]


class GatewayTimeout(TimeoutError):
    """The provider did not answer in time; whether it acted is unknown to the caller."""


@dataclass(frozen=True, slots=True)
class GatewayAnswer:
    """What the provider answered to one call."""

    outcome: Outcome
    reference: str
    failure_reason: str | None = None
    raw_status: str = ""


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One money movement or filing at the provider."""

    operation: str
    reference: str
    target: str
    amount: Money | None
    idempotency_key: str
    detail: tuple[str, ...] = ()


@dataclass
class FakeGateway:
    """An in-memory provider with idempotency keys and a ledger (one per test or process)."""

    name: str = "fakepsp"
    ledger: list[LedgerEntry] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    _answers: dict[str, GatewayAnswer] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # ------------------------------------------------------------------ helpers
    def _replay(self, operation: str, key: str) -> GatewayAnswer | None:
        self.calls.append((operation, key))
        return self._answers.get(key)

    def _book(self, entry: LedgerEntry, answer: GatewayAnswer) -> GatewayAnswer:
        if answer.outcome != "failed":
            self.ledger.append(entry)
        self._answers[entry.idempotency_key] = answer
        return answer

    def _ref(self, prefix: str) -> str:
        return f"{prefix}_{self.name}_{next(self._ids):04d}"

    def entries(self, operation: str, target: str | None = None) -> list[LedgerEntry]:
        """Ledger entries of one operation (and target), in order."""
        return [
            e
            for e in self.ledger
            if e.operation == operation and (target is None or e.target == target)
        ]

    # ------------------------------------------------------------------ API calls
    def refund(
        self, *, payment_reference: str, amount: Money, idempotency_key: str
    ) -> GatewayAnswer:
        """Refund ``amount`` of a payment. Raises :class:`GatewayTimeout` for ``.99``."""
        again = self._replay("refund", idempotency_key)
        if again is not None:
            return again
        cents = amount.minor % 100
        ref = self._ref("re")
        entry = LedgerEntry("refund", ref, payment_reference, amount, idempotency_key)
        if cents == 13:
            return self._book(
                entry, GatewayAnswer("failed", ref, failure_reason="declined", raw_status="failed")
            )
        if cents == 42:
            return self._book(entry, GatewayAnswer("pending", ref, raw_status="received"))
        answer = self._book(entry, GatewayAnswer("succeeded", ref, raw_status="succeeded"))
        if cents == 99:
            raise GatewayTimeout(f"refund of {amount} on {payment_reference}: no answer")
        return answer

    def cancel(self, *, payment_reference: str, idempotency_key: str) -> GatewayAnswer:
        """Void an uncaptured authorization."""
        again = self._replay("cancel", idempotency_key)
        if again is not None:
            return again
        ref = self._ref("void")
        entry = LedgerEntry("cancel", ref, payment_reference, None, idempotency_key)
        return self._book(entry, GatewayAnswer("succeeded", ref, raw_status="canceled"))

    def file_evidence(
        self, *, dispute_reference: str, evidence: tuple[str, ...], idempotency_key: str
    ) -> GatewayAnswer:
        """File evidence for a dispute; the issuer decides later (a webhook says how)."""
        again = self._replay("submit_evidence", idempotency_key)
        if again is not None:
            return again
        ref = self._ref("ev")
        entry = LedgerEntry(
            "submit_evidence", ref, dispute_reference, None, idempotency_key, evidence
        )
        return self._book(entry, GatewayAnswer("pending", ref, raw_status="under_review"))

    def concede_dispute(self, *, dispute_reference: str, idempotency_key: str) -> GatewayAnswer:
        """Concede a dispute: the merchant keeps the loss."""
        again = self._replay("accept_dispute", idempotency_key)
        if again is not None:
            return again
        ref = self._ref("acc")
        entry = LedgerEntry("accept_dispute", ref, dispute_reference, None, idempotency_key)
        return self._book(entry, GatewayAnswer("succeeded", ref, raw_status="lost"))

    def retry_payment(
        self, *, payment_reference: str, amount: Money, idempotency_key: str
    ) -> GatewayAnswer:
        """Charge a declined payment again. ``.51`` declines again (insufficient funds)."""
        again = self._replay("retry_payment", idempotency_key)
        if again is not None:
            return again
        ref = self._ref("ch")
        entry = LedgerEntry("retry_payment", ref, payment_reference, amount, idempotency_key)
        if amount.minor % 100 == 51:
            return self._book(
                entry,
                GatewayAnswer("failed", ref, failure_reason="insufficient_funds", raw_status="51"),
            )
        return self._book(entry, GatewayAnswer("succeeded", ref, raw_status="succeeded"))

    # ------------------------------------------------------------------ the PaymentGateway port
    def issue_refund(self, effect: IssueRefund) -> GatewayAnswer:
        """Carry out :class:`IssueRefund` with its idempotency key."""
        return self.refund(
            payment_reference=effect.provider_reference or effect.payment_id,
            amount=effect.amount,
            idempotency_key=effect.idempotency_key,
        )

    def cancel_payment(self, effect: CancelPayment) -> GatewayAnswer:
        """Carry out :class:`CancelPayment`."""
        return self.cancel(
            payment_reference=effect.provider_reference or effect.payment_id,
            idempotency_key=effect.idempotency_key,
        )

    def submit_evidence(self, effect: SubmitEvidence) -> GatewayAnswer:
        """Carry out :class:`SubmitEvidence`: file every document on record."""
        return self.file_evidence(
            dispute_reference=effect.provider_reference or effect.dispute_id,
            evidence=tuple(f"{e.kind.value}:{e.reference or ''}" for e in effect.evidence),
            idempotency_key=effect.idempotency_key,
        )

    def accept_dispute(self, effect: AcceptDispute) -> GatewayAnswer:
        """Carry out :class:`AcceptDispute`."""
        return self.concede_dispute(
            dispute_reference=effect.provider_reference or effect.dispute_id,
            idempotency_key=effect.idempotency_key,
        )

    # ------------------------------------------------------------------ notifications
    def adyen_refund_notification(
        self,
        *,
        psp_reference: str,
        original_reference: str,
        amount: Money,
        at: datetime,
        event_code: str = "REFUND_FAILED",
        reason: str = "Refund Failed",
    ) -> dict[str, Any]:
        """An Adyen notification body about a refund, in Adyen's published shape."""
        item = {
            "amount": {"currency": amount.currency.code, "value": amount.minor},
            "eventCode": event_code,
            "eventDate": at.isoformat(),
            "merchantAccountCode": "ACME_ECOM",
            "merchantReference": original_reference,
            "originalReference": original_reference,
            "paymentMethod": "visa",
            "pspReference": psp_reference,
            "reason": reason,
            "success": "true",
        }
        return {"live": "false", "notificationItems": [{"NotificationRequestItem": item}]}

    def stripe_dispute_event(
        self,
        *,
        dispute_id: str,
        charge_id: str,
        amount: Money,
        status: str,
        at: datetime,
        reason_code: str = "13.1",
        brand: str = "visa",
        event_type: str = "charge.dispute.closed",
    ) -> dict[str, Any]:
        """A Stripe ``charge.dispute.*`` event body, as the provider would POST it."""
        return {
            "id": f"evt_{dispute_id}_{status}",
            "object": "event",
            "type": event_type,
            "created": int(at.timestamp()),
            "livemode": False,
            "data": {
                "object": {
                    "id": dispute_id,
                    "object": "dispute",
                    "amount": amount.minor,
                    "currency": amount.currency.code.lower(),
                    "charge": charge_id,
                    "status": status,
                    "reason": "product_not_received",
                    "is_charge_refundable": False,
                    "evidence_details": {"due_by": 0, "has_evidence": True},
                    "payment_method_details": {
                        "type": "card",
                        "card": {"brand": brand, "network_reason_code": reason_code},
                    },
                }
            },
        }
