"""What a failed retry reports: the provider's decline record, a code read as ISO, advice.

Written against the mutants that survived ``scripts/mutation.py lifecycles`` (docs/testing.md):
a failed retry was checked with ISO network codes only, so the provider's record carried in
the event data (as JSON), a ``decline_code`` that is an ISO code, the provider's
``advice_code`` and the attempt's outcome were not pinned.
"""

from __future__ import annotations

from typing import Any

import pytest

from paysupport.errors import InvalidTransition
from paysupport.lifecycles import recovery
from paysupport.models import PaymentFailure, RecoveryStatus
from paysupport.models.failure import provider_decline_json
from paysupport.providers import stripe_failure_fields
from tests.lifecycles._support import at, make_failure


def _retrying() -> PaymentFailure:
    f = recovery.fire(make_failure(), "schedule_retry", now=at(1), retry_at=at(24))
    return recovery.fire(f, "start_retry", now=at(24))


def _stripe(code: str) -> dict[str, Any]:
    """The retry_failed data for a Stripe-only decline, as the workflows send it."""
    record = stripe_failure_fields({"decline_code": code})["provider_decline"]
    assert record is not None
    return {"decline_code": code, "provider_decline": provider_decline_json(record)}


def test_a_provider_record_of_a_hard_decline_stops_retries() -> None:
    f = recovery.fire(_retrying(), "retry_failed", now=at(25), **_stripe("stolen_card"))
    assert f.status is RecoveryStatus.NEEDS_CUSTOMER_ACTION
    assert f.decline_code == "stolen_card"
    assert f.provider_decline is not None and f.provider_decline.code == "stolen_card"
    attempt = f.attempts[-1]
    assert (attempt.succeeded, attempt.decline_code) == (False, "stolen_card")


def test_a_provider_record_of_a_soft_decline_goes_back_to_declined() -> None:
    f = recovery.fire(_retrying(), "retry_failed", now=at(25), **_stripe("insufficient_funds"))
    assert f.status is RecoveryStatus.DECLINED
    assert f.provider_decline is not None and f.provider_decline.code == "insufficient_funds"
    assert f.attempts[-1].succeeded is False


def test_a_record_of_another_code_is_refused() -> None:
    data = {**_stripe("stolen_card"), "decline_code": "lost_card"}
    with pytest.raises(InvalidTransition, match="classifies 'stolen_card', not decline_code"):
        recovery.fire(_retrying(), "retry_failed", now=at(25), **data)


def test_a_decline_code_that_is_an_iso_code_is_read_as_one() -> None:
    f = recovery.fire(_retrying(), "retry_failed", now=at(25), decline_code="43")
    assert f.status is RecoveryStatus.NEEDS_CUSTOMER_ACTION  # stolen card: Visa category 1
    assert f.decline_code == "43" and f.network_decline_code is None


def test_the_providers_advice_to_confirm_card_data_needs_the_customer() -> None:
    f = recovery.fire(
        _retrying(),
        "retry_failed",
        now=at(25),
        decline_code="insufficient_funds",
        advice_code="confirm_card_data",
    )
    assert f.status is RecoveryStatus.NEEDS_CUSTOMER_ACTION
    assert f.advice_code == "confirm_card_data"
    assert f.attempts[-1].succeeded is False


def test_no_retry_is_scheduled_while_the_provider_asks_to_confirm_card_data() -> None:
    f = make_failure(advice_code="confirm_card_data")
    with pytest.raises(InvalidTransition) as exc:
        recovery.fire(f, "schedule_retry", now=at(1), retry_at=at(24))
    assert exc.value.reason.endswith("the provider advises confirming the card data")
