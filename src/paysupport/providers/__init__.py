"""Pure translators between public payment-provider payload shapes and paysupport models.

No network calls: data in, data out. Provider-specific currency exponents live here
(`paysupport.providers.currency`), not in [`Money`][paysupport.money.Money].

- `stripe`: Charge, PaymentIntent, Refund and Dispute objects into
  models; Stripe events into [`ProviderEvent`][paysupport.providers.ProviderEvent].
- `adyen`: notification items into [`ProviderEvent`][paysupport.providers.ProviderEvent] and
  [`Dispute`][paysupport.models.Dispute].
- `declines`: Stripe's ``decline_code`` vocabulary (`stripe_decline`) and the decline
  fields of a `PaymentFailure` from a Stripe error, charge or PaymentIntent
  (`stripe_failure_fields`); the core itself classifies by the networks' ISO 8583 codes.
- `requests`: our effects into Stripe and Adyen request bodies
  (`stripe_request_for`, `adyen_request_for` and the builders they use).

Every translator is all-or-nothing: a malformed or unknown payload raises
`ProviderPayloadError` naming the field (a dotted path into the
payload) and a stable rule code; nothing partial is returned.
"""

from paysupport.providers.adyen import (
    AdyenOutcome,
    AdyenTarget,
    adyen_event_id,
    dispute_from_adyen,
    event_from_adyen,
)
from paysupport.providers.currency import (
    ProviderCurrencyRule,
    from_provider_amount,
    provider_rule,
    to_provider_amount,
)
from paysupport.providers.declines import stripe_decline, stripe_declines, stripe_failure_fields
from paysupport.providers.events import EventKind, ProviderEvent
from paysupport.providers.requests import (
    ProviderRequest,
    adyen_accept_dispute_request,
    adyen_cancel_request,
    adyen_defend_dispute_request,
    adyen_refund_request,
    adyen_request_for,
    adyen_reversal_request,
    stripe_close_dispute,
    stripe_dispute_evidence_params,
    stripe_evidence_for,
    stripe_refund_params,
    stripe_request_for,
)
from paysupport.providers.stripe import (
    StripeEventType,
    dispute_from_stripe,
    event_from_stripe,
    payment_from_charge,
    payment_from_payment_intent,
    refund_from_stripe,
)
from paysupport.providers.stripe_categories import stripe_reason_for

__all__ = [
    "AdyenOutcome",
    "AdyenTarget",
    "EventKind",
    "ProviderCurrencyRule",
    "ProviderEvent",
    "ProviderRequest",
    "StripeEventType",
    "adyen_accept_dispute_request",
    "adyen_cancel_request",
    "adyen_defend_dispute_request",
    "adyen_event_id",
    "adyen_refund_request",
    "adyen_request_for",
    "adyen_reversal_request",
    "dispute_from_adyen",
    "dispute_from_stripe",
    "event_from_adyen",
    "event_from_stripe",
    "from_provider_amount",
    "payment_from_charge",
    "payment_from_payment_intent",
    "provider_rule",
    "refund_from_stripe",
    "stripe_close_dispute",
    "stripe_decline",
    "stripe_declines",
    "stripe_dispute_evidence_params",
    "stripe_evidence_for",
    "stripe_failure_fields",
    "stripe_reason_for",
    "stripe_refund_params",
    "stripe_request_for",
    "to_provider_amount",
]
