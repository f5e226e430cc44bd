"""The providers' official Python libraries hand the host their own objects (issue 16.3).

stripe-python 16 parses a verified webhook into a ``stripe.Event`` (a ``StripeObject``, not a
``dict``); Adyen's library checks a notification item's HMAC signature on plain dicts. The
translators take both as they come.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import Adyen.util
import pytest
import stripe

from paysupport.errors import ProviderPayloadError
from paysupport.providers import (
    EventKind,
    dispute_from_stripe,
    event_from_adyen,
    event_from_stripe,
    payment_from_charge,
)
from paysupport.workflows import apply_provider_event
from tests.providers._support import adyen_item, bare, load

SECRET = "whsec_test_secret"  # a test secret made up here, never a real one
HMAC_KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"  # test key


def _signed(payload: str, secret: str = SECRET) -> str:
    """The Stripe-Signature header Stripe would send for ``payload`` (scheme v1)."""
    stamp = int(time.time())
    mac = hmac.new(secret.encode(), f"{stamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def test_stripe_event_from_construct_event_is_accepted() -> None:
    payload = json.dumps(load("stripe/event_charge_refunded_no_refunds_list.json"))
    event = stripe.Webhook.construct_event(payload, _signed(payload), SECRET)
    assert isinstance(event, stripe.Event) and not isinstance(event, dict)
    ev = event_from_stripe(event)
    assert (ev.kind, ev.event_id) == (EventKind.PAYMENT_REFUNDED, "evt_3Prefunded")
    charge = event.data.object  # a stripe.Charge
    assert isinstance(charge, stripe.Charge)
    p = payment_from_charge(charge, merchant_id="m")
    assert p.amount_refundable.is_zero()
    assert apply_provider_event(p, ev, now=ev.occurred_at).note_codes


def test_a_forged_stripe_signature_never_reaches_the_translator() -> None:
    payload = json.dumps(load("stripe/event_charge_dispute_created.json"))
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, _signed(payload, "whsec_other"), SECRET)


def test_stripe_objects_built_by_the_library_are_accepted() -> None:
    obj = stripe.Dispute.construct_from(load("stripe/dispute_needs_response.json"), "sk_test_x")
    assert dispute_from_stripe(obj).reason_code == "13.1"


def test_an_object_that_is_neither_a_mapping_nor_has_to_dict_is_refused() -> None:
    with pytest.raises(ProviderPayloadError) as info:
        event_from_stripe(["not", "an", "event"])  # type: ignore[arg-type]
    assert (info.value.field, info.value.rule) == ("__root__", "type")


def test_a_to_dict_that_breaks_is_a_typed_error() -> None:
    class Broken:
        def to_dict(self) -> dict[str, Any]:
            raise RuntimeError("boom")

    with pytest.raises(ProviderPayloadError) as info:
        event_from_stripe(Broken())  # type: ignore[arg-type]
    assert info.value.rule == "type"


def test_adyen_item_checked_by_the_adyen_library_is_accepted() -> None:
    item = adyen_item("chargeback")
    inner = bare(item)
    signature = Adyen.util.generate_notification_sig(
        {k: v for k, v in inner.items() if k != "additionalData"}, HMAC_KEY
    ).decode()
    inner["additionalData"]["hmacSignature"] = signature
    request = {"live": "false", "notificationItems": [item]}
    assert Adyen.util.is_valid_hmac_notification(request, HMAC_KEY)
    ev = event_from_adyen(item, live=request["live"] == "true")
    assert ev.kind is EventKind.DISPUTE_FUNDS_WITHDRAWN
    inner["amount"]["value"] = 999_999  # tampered after signing
    assert not Adyen.util.is_valid_hmac_notification(request, HMAC_KEY)
