"""Render the providers' mapping tables as Markdown, for docs/providers.md and its test."""

from __future__ import annotations

from enum import Enum

from paysupport.providers import AdyenOutcome, AdyenTarget
from paysupport.providers.adyen import (
    ADYEN_CANCEL_OR_REFUND_ACTION,
    ADYEN_DISPUTE_STATUS,
    ADYEN_EVENT_CODES,
)
from paysupport.providers.requests import ADYEN_REFUND_REASONS, STRIPE_CREATABLE_REFUND_REASONS
from paysupport.providers.stripe import (
    STRIPE_DISPUTE_STATUS,
    STRIPE_EVENT_TYPES,
    STRIPE_PAYMENT_INTENT_STATUS,
    STRIPE_REFUND_STATUS,
)
from paysupport.workflows.provider_events import NOTE_CODES


def _v(x: object) -> str:
    if x is None:
        return "–"
    return f"`{x.value}`" if isinstance(x, Enum) else f"`{x}`"


def _table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _target(t: AdyenTarget) -> list[str]:
    return [_v(t.kind), _v(t.stage), _v(t.status), _v(t.refund_status), _v(t.payment_status)]


def tables() -> dict[str, str]:
    """Every table, by the name of the marker that precedes it in the doc."""
    out: dict[str, str] = {}
    out["stripe-dispute-status"] = _table(
        ["Stripe `status`", "stage", "status"],
        [[_v(k), _v(s), _v(t)] for k, (s, t) in STRIPE_DISPUTE_STATUS.items()],
    )
    out["stripe-refund-status"] = _table(
        ["Stripe `status`", "RefundStatus"],
        [[_v(k), _v(v)] for k, v in STRIPE_REFUND_STATUS.items()],
    )
    out["stripe-payment-intent-status"] = _table(
        ["PaymentIntent `status`", "PaymentStatus"],
        [[_v(k), _v(v)] for k, v in STRIPE_PAYMENT_INTENT_STATUS.items()],
    )
    out["stripe-event-types"] = _table(
        ["Stripe `type`", "object", "kind"],
        [
            [_v(k), _v(s.object), _v(s.kind) if s.kind else "from the object's status"]
            for k, s in STRIPE_EVENT_TYPES.items()
        ],
    )
    rows: list[list[str]] = []
    for code, entry in ADYEN_EVENT_CODES.items():
        if isinstance(entry, AdyenTarget):
            rows.append([_v(code), "any", *_target(entry)])
        else:
            rows.append([_v(code), '`"true"`', *_target(entry.if_true)])
            rows.append([_v(code), '`"false"`', *_target(entry.if_false)])
    out["adyen-event-codes"] = _table(
        [
            "eventCode",
            "success",
            "kind",
            "stage",
            "dispute status",
            "refund status",
            "payment status",
        ],
        rows,
    )
    out["adyen-dispute-status"] = _table(
        ["`disputeStatus`", "DisputeStatus"],
        [[_v(k), _v(v)] for k, v in ADYEN_DISPUTE_STATUS.items()],
    )
    out["adyen-cancel-or-refund"] = _table(
        ["`modification.action`", "kind"],
        [[_v(k), _v(t.kind)] for k, t in ADYEN_CANCEL_OR_REFUND_ACTION.items()],
    )
    out["refund-reasons"] = _table(
        ["RefundReason", "Stripe `reason`", "Adyen `merchantRefundReason`"],
        [
            [
                _v(r),
                _v(STRIPE_CREATABLE_REFUND_REASONS.get(r))
                if r in STRIPE_CREATABLE_REFUND_REASONS
                else "omitted (metadata)",
                _v(a),
            ]
            for r, a in ADYEN_REFUND_REASONS.items()
        ],
    )
    out["apply-notes"] = _table(
        ["note", "what it tells the host"], [[_v(k), v] for k, v in NOTE_CODES.items()]
    )
    assert all(isinstance(e, AdyenTarget | AdyenOutcome) for e in ADYEN_EVENT_CODES.values())
    return out
