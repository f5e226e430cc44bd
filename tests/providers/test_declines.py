"""Stripe's decline vocabulary lives in providers; the core classifies by ISO code or the record."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from paysupport.errors import ModelValidationError, ProviderPayloadError, UnknownDeclineCode
from paysupport.models import Initiator, PaymentFailure, RecoveryStatus
from paysupport.money import Money
from paysupport.networks import DeclineCode, decline_code
from paysupport.policies import RetryContext, RetrySchedule, Verdict
from paysupport.providers import stripe_decline, stripe_declines, stripe_failure_fields
from paysupport.workflows import RetryResult, handle_decline, record_retry_result

# The retry decisions of the library before the Stripe table moved out of networks/ (commit
# 14317e7, where the core looked Stripe codes up itself), for every Stripe code on Visa and
# Mastercard, CIT and MIT, on a day before and after Visa's 2021-04-17 re-categorisation.
GOLDEN = Path(__file__).parent / "golden" / "stripe_decline_retry_decisions.json"
T0 = datetime(2026, 3, 2, 10, tzinfo=UTC)


def _failure(extra: dict[str, Any], **fields: Any) -> PaymentFailure:
    base: dict[str, Any] = {
        "id": "pf_1",
        "merchant_id": "m_1",
        "amount": Money.of("20.00", "EUR"),
        "declined_at": T0,
    }
    return PaymentFailure(**(base | fields | extra))


def _decisions() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for dc in stripe_declines():
        for network in ("visa", "mastercard"):
            for initiator in ("customer", "merchant"):
                for when in (datetime(2021, 4, 16, tzinfo=UTC), T0):
                    f = _failure(
                        dict(stripe_failure_fields({"decline_code": dc.code})),
                        network=network,
                        initiator=Initiator(initiator),
                        declined_at=when,
                    )
                    d = RetrySchedule().decide(RetryContext(f), when)
                    out[f"{dc.code}|{network}|{initiator}|{when.date()}"] = {
                        "verdict": d.outcome.value,
                        "reasons": [[r.code, r.message] for r in d.reasons],
                        "plan": repr((d.detail, d.steps)),
                    }
    return out


def test_retry_decisions_are_those_of_the_core_lookup_before_the_move() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert len(golden) == 400
    assert _decisions() == golden


def test_every_stripe_code_is_a_sourced_stripe_record() -> None:
    codes = stripe_declines()
    assert len(codes) == 50
    for dc in codes:
        assert type(dc) is DeclineCode and dc.scheme == "stripe"
        assert dc.sources and dc.confidence
        assert stripe_decline(dc.code.upper()) is dc


@pytest.mark.parametrize("bad", ["", "  ", "05", "not_a_code"])
def test_unknown_stripe_codes_are_refused(bad: str) -> None:
    with pytest.raises(UnknownDeclineCode):
        stripe_decline(bad)


LAST_PAYMENT_ERROR = {
    "code": "card_declined",
    "decline_code": "lost_card",
    "advice_code": "do_not_try_again",
    "network_decline_code": None,
    "network_advice_code": None,
    "charge": "ch_1",
}


def test_fields_from_a_last_payment_error() -> None:
    fields = stripe_failure_fields(LAST_PAYMENT_ERROR)
    assert fields == {
        "decline_code": "lost_card",
        "network_decline_code": None,
        "merchant_advice_code": None,
        "advice_code": "do_not_try_again",
        "provider_decline": stripe_decline("lost_card"),
    }
    f = _failure(dict(fields))
    assert f.decline is stripe_decline("lost_card")


def test_fields_from_a_payment_intent_read_its_last_payment_error() -> None:
    pi = {"object": "payment_intent", "id": "pi_1", "last_payment_error": LAST_PAYMENT_ERROR}
    assert stripe_failure_fields(pi) == stripe_failure_fields(LAST_PAYMENT_ERROR)


def test_fields_from_a_charge_read_its_outcome() -> None:
    charge = {
        "object": "charge",
        "id": "ch_1",
        "failure_code": "card_declined",
        "outcome": {
            "type": "issuer_declined",
            "reason": "insufficient_funds",
            "network_decline_code": "51",
            "network_advice_code": "01",
            "advice_code": "try_again_later",
        },
    }
    fields = stripe_failure_fields(charge)
    assert fields["decline_code"] == "insufficient_funds"
    assert fields["provider_decline"] is stripe_decline("insufficient_funds")
    assert (fields["network_decline_code"], fields["merchant_advice_code"]) == ("51", "01")
    f = _failure(dict(fields), network="mastercard")
    assert f.decline is decline_code("51")  # the network's code first, as before
    charge["outcome"] = {"type": "blocked", "reason": "highest_risk_level"}
    assert stripe_failure_fields(charge)["decline_code"] is None  # a Radar reason, no decline


def test_an_unknown_stripe_code_is_kept_but_not_classified() -> None:
    fields = stripe_failure_fields({"decline_code": "brand_new_code"})
    assert fields["decline_code"] == "brand_new_code" and fields["provider_decline"] is None
    f = _failure(dict(fields))
    assert f.decline is None
    d = RetrySchedule().decide(RetryContext(f), T0)
    assert d.outcome is Verdict.REVIEW
    assert [r.code for r in d.reasons] == ["unknown_decline_code"]


def test_a_mistyped_field_names_its_path() -> None:
    with pytest.raises(ProviderPayloadError) as caught:
        stripe_failure_fields(
            {"object": "payment_intent", "last_payment_error": {"decline_code": 5}}
        )
    assert caught.value.field == "last_payment_error.decline_code"


def test_the_core_alone_does_not_read_stripe_codes() -> None:
    # Without the provider's record the core knows only the networks' ISO codes.
    assert _failure({"decline_code": "lost_card"}).decline is None
    with pytest.raises(UnknownDeclineCode):
        decline_code("lost_card")


def test_the_record_must_classify_the_code_it_sits_beside() -> None:
    with pytest.raises(ModelValidationError) as caught:
        _failure({"decline_code": "lost_card", "provider_decline": stripe_decline("stolen_card")})
    assert "provider_decline_matches" in str(caught.value)


def test_a_failure_with_its_record_round_trips_through_json() -> None:
    f = _failure(dict(stripe_failure_fields(LAST_PAYMENT_ERROR)))
    back = PaymentFailure.model_validate_json(f.model_dump_json())
    assert back == f and back.decline == stripe_decline("lost_card")


def _scheduled() -> PaymentFailure:
    fields = stripe_failure_fields({"decline_code": "insufficient_funds"})
    f = _failure(dict(fields), network="visa", customer_id="cus_1")
    out = handle_decline(f, now=T0)
    after = out.after("failure", "pf_1")
    assert after is not None and after.status is RecoveryStatus.RETRY_SCHEDULED
    return after


def test_a_retry_that_comes_back_with_a_hard_stripe_code_stops_retries() -> None:
    f = _scheduled()
    assert f.next_retry_at is not None
    result = RetryResult(succeeded=False, **stripe_failure_fields(LAST_PAYMENT_ERROR))
    out = record_retry_result(f, result, now=f.next_retry_at)
    after = out.after("failure", "pf_1")
    assert after is not None and after.status is RecoveryStatus.NEEDS_CUSTOMER_ACTION
    # The record travelled through the event data as JSON: equal, not the same object.
    assert after.provider_decline == stripe_decline("lost_card") == after.decline
    assert after.history[-1].data["provider_decline"]


def test_a_retry_that_comes_back_soft_is_planned_again() -> None:
    f = _scheduled()
    assert f.next_retry_at is not None
    result = RetryResult(
        succeeded=False, **stripe_failure_fields({"decline_code": "insufficient_funds"})
    )
    out = record_retry_result(f, result, now=f.next_retry_at + timedelta(minutes=1))
    after = out.after("failure", "pf_1")
    assert after is not None and after.status is RecoveryStatus.RETRY_SCHEDULED
    assert after.attempt == 2
