from __future__ import annotations

from datetime import timedelta

import pytest

from paysupport.errors import ModelValidationError, UnknownCode
from paysupport.models import (
    ALL_MODELS,
    Card,
    Customer,
    Operator,
    PastRefund,
    PaymentFailure,
    RefundRequest,
    SupportCase,
    Tier,
)
from paysupport.models.failure import classify_decline
from paysupport.networks import DeclineCode, DeclineSeverity, decline_code
from paysupport.providers import stripe_decline
from tests.models._support import NOW, eur


def test_tiers_are_ordered() -> None:
    assert Tier.JUNIOR < Tier.MIDDLE < Tier.SENIOR
    assert Tier.JUNIOR.bump() is Tier.MIDDLE
    assert Tier.SENIOR.bump() is Tier.SENIOR
    assert max([Tier.MIDDLE, Tier.SENIOR, Tier.JUNIOR]) is Tier.SENIOR


def test_operator_limits_match_their_currency() -> None:
    op = Operator(id="op_1", tier="junior", refund_limits={"EUR": eur("50")})
    assert op.limit_for("EUR") == eur("50")
    assert op.limit_for("USD") is None
    with pytest.raises(ModelValidationError) as info:
        Operator(id="op_1", tier="junior", refund_limits={"USD": eur("50")})
    assert info.value.violations[0].field == "refund_limits.USD"


def test_customer_refund_history_window() -> None:
    c = Customer(
        id="cus_1",
        past_refunds=[
            PastRefund(at=NOW - timedelta(days=100), amount=eur("5")),
            PastRefund(at=NOW - timedelta(days=10), amount=eur("7")),
        ],
    )
    assert [r.amount for r in c.refunds_since(NOW - timedelta(days=30))] == [eur("7")]


def test_refund_request_rules() -> None:
    base = {"id": "rr_1", "payment_id": "pay_1", "requested_at": NOW}
    assert RefundRequest(**base).amount is None  # everything refundable
    for changes, rule in [
        ({"amount": eur("0")}, "refund_amount_positive"),
        ({"correct_amount": eur("5")}, "correct_amount_only_for_overcharge"),
        ({"duplicate_of": "pay_1"}, "duplicate_of_other_payment"),
    ]:
        with pytest.raises(ModelValidationError) as info:
            RefundRequest(**base, **changes)
        assert rule in info.value.rules
    ok = RefundRequest(**base, reason="overcharge", correct_amount=eur("5"))
    assert ok.correct_amount == eur("5")


def test_card_never_holds_a_full_number() -> None:
    with pytest.raises(ModelValidationError) as info:
        Card(brand="visa", last4="4242424242424242")
    assert "string_pattern_mismatch" in info.value.rules
    with pytest.raises(ModelValidationError) as info:
        Card(brand="visa", last4="4242", fingerprint="4242424242424242")
    assert "no_full_card_number" in info.value.rules


def test_declined_renewal_with_its_codes() -> None:
    f = PaymentFailure(
        id="pf_1",
        merchant_id="m_1",
        amount=eur("9.99"),
        network="mastercard",
        decline_code="insufficient_funds",
        network_decline_code="51",
        merchant_advice_code="02",
        initiator="merchant",
        recurring=True,
        declined_at=NOW,
    )
    assert f.decline is not None and f.decline.severity is DeclineSeverity.SOFT
    assert f.advice is not None and not f.advice.never_retry
    stolen = f.evolve(
        decline_code="stolen_card", network_decline_code="43", merchant_advice_code="03"
    )
    assert stolen.decline is not None and stolen.decline.severity is DeclineSeverity.HARD
    assert stolen.advice is not None and stolen.advice.never_retry
    unknown = f.evolve(decline_code="brand_new_code", network_decline_code=None)
    assert unknown.decline is None  # kept as received, classified as unknown
    with pytest.raises(ModelValidationError) as info:
        f.evolve(decline_code=None, network_decline_code=None)
    assert "decline_code_present" in info.value.rules


def test_support_case_rules_and_sla() -> None:
    c = SupportCase(
        id="case_1", claim="refund_request", opened_at=NOW, sla_due_at=NOW + timedelta(hours=4)
    )
    assert c.sla_remaining(NOW + timedelta(hours=3)) == 0.25
    assert c.sla_remaining(NOW + timedelta(hours=5)) == -0.25
    with pytest.raises(ModelValidationError) as info:
        c.evolve(resolved_at=NOW - timedelta(seconds=1))
    assert info.value.violations[0].field == "resolved_at"
    with pytest.raises(ModelValidationError) as info:
        c.evolve(claim="duplicate_charge", payment_ids=["pay_1"])
    assert "duplicate_needs_two_payments" in info.value.rules


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_every_model_exports_a_json_schema(model: type) -> None:
    schema = model.model_json_schema()  # type: ignore[attr-defined]
    assert schema["type"] == "object"
    assert schema["title"] == model.__name__


def test_event_data_is_read_only_and_round_trips() -> None:
    import pickle

    from paysupport.models import EventData, LifecycleEvent

    ev = LifecycleEvent(event="win", source="a", target="b", at=NOW, data={"k": "v"})
    assert isinstance(ev.data, EventData)
    for mutate in (
        lambda: ev.data.__setitem__("k", "x"),
        lambda: ev.data.update(k="x"),
        lambda: ev.data.pop("k"),
        lambda: ev.data.clear(),
    ):
        with pytest.raises(TypeError):
            mutate()
    assert ev.data == {"k": "v"}
    assert LifecycleEvent.model_validate_json(ev.model_dump_json()) == ev
    assert pickle.loads(pickle.dumps(ev)) == ev


def test_dispute_stage_must_exist_for_the_reason_code() -> None:
    from paysupport.models import Dispute

    base = {
        "id": "dp",
        "payment_id": "pay",
        "network": "mastercard",
        "amount": eur("10"),
        "opened_at": NOW,
    }
    # Mastercard 4808 goes straight to arbitration: no pre-arbitration.
    with pytest.raises(ModelValidationError) as info:
        Dispute(**base, reason_code="4808", stage="pre_arbitration")
    assert "stage_exists_for_reason_code" in info.value.rules
    assert Dispute(**base, reason_code="4808", stage="arbitration").stage.value == "arbitration"
    # An inquiry may carry the code of the chargeback it may become.
    assert Dispute(**base, reason_code="4853", stage="inquiry").stage.value == "inquiry"


def test_sla_left_is_exact() -> None:
    c = SupportCase(
        id="case_1", claim="refund_request", opened_at=NOW, sla_due_at=NOW + timedelta(hours=4)
    )
    assert c.sla_left(NOW + timedelta(hours=5)) == timedelta(hours=-1)
    assert SupportCase(id="c2", claim="refund_request", opened_at=NOW).sla_left(NOW) is None


def test_failure_fingerprint_is_never_a_card_number() -> None:
    with pytest.raises(ModelValidationError) as info:
        PaymentFailure(
            id="pf",
            merchant_id="m",
            amount=eur("1"),
            decline_code="do_not_honor",
            declined_at=NOW,
            card_fingerprint="4242424242424242",
        )
    v = info.value.violations[0]
    assert (v.field, v.rule) == ("card_fingerprint", "no_full_card_number")


def test_every_error_says_whose_fault_it_is() -> None:
    import paysupport.errors as errors

    classes = [
        getattr(errors, n)
        for n in errors.__all__
        if isinstance(getattr(errors, n), type)
        and issubclass(getattr(errors, n), errors.PaysupportError)
    ]
    faults = {c.__name__: c.fault for c in classes}
    assert set(faults.values()) == set(errors.Fault)
    assert faults["ProviderPayloadError"] is errors.Fault.PROVIDER
    assert faults["EffectFailed"] is errors.Fault.HOST
    assert faults["InvalidTransition"] is faults["ConflictError"] is errors.Fault.STATE
    assert faults["NotFound"] is faults["InvalidAmount"] is errors.Fault.CALLER


def test_error_messages_never_show_a_card_number() -> None:
    from paysupport.errors import InvalidTransition, NotFound, ValidationFailed

    for exc in (
        NotFound("payment", "4242 4242 4242 4242", "payment_id"),
        ValidationFailed("note", "rule", "got 4242-4242-4242-4242"),
        InvalidTransition("refund", "pending", "fail", reason="card 4242424242424242"),
    ):
        assert "4242" * 4 not in str(exc).replace(" ", "").replace("-", "")
        assert "[card ending 4242]" in str(exc)


def test_portfolio_lookups_name_the_missing_id() -> None:
    from paysupport.errors import NotFound
    from paysupport.models import Portfolio

    with pytest.raises(NotFound) as info:
        Portfolio().payment("pay_x")
    assert (info.value.kind, info.value.field) == ("payment", "payment_id")


def _classified_by_the_rule(
    network_code: str | None, code: str | None, provider: DeclineCode | None, network: str | None
) -> DeclineCode | None:
    """`classify_decline` as it was written before its lookups were kept (the reference):
    the network's code, then the provider's record, then ``decline_code`` as an ISO code."""
    for candidate, record in ((network_code, None), (code, provider)):
        if record is not None:
            return record
        if candidate:
            try:
                return decline_code(candidate, network=network)
            except UnknownCode:
                continue
    return None


@pytest.mark.parametrize("network", [None, "visa", "mastercard"])
@pytest.mark.parametrize("network_code", [None, "", "51", "83", "zz", "05"])
@pytest.mark.parametrize("code", [None, "05", "lost_card", "nonsense"])
def test_a_failure_classifies_its_decline_in_the_documented_order(
    network: str | None, network_code: str | None, code: str | None
) -> None:
    provider = stripe_decline(code) if code == "lost_card" else None
    expected = _classified_by_the_rule(network_code, code, provider, network)
    assert classify_decline(network_code, code, provider, network) is expected
    if network_code or code:
        f = PaymentFailure(
            id="f_1",
            merchant_id="m_1",
            amount=eur(10),
            network=network,
            network_decline_code=network_code or None,
            decline_code=code,
            provider_decline=provider,
            declined_at=NOW,
        )
        assert f.decline is expected
        assert f.evolve(note="again").decline is expected  # a copy classifies alike
