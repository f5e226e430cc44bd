from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from hypothesis import given

from paysupport.errors import ModelValidationError, PaysupportError
from paysupport.models import Capture, Dispute, Payment, Refund, RefundStatus
from paysupport.money import Money
from paysupport.testing.strategies import payments
from tests.models._support import NOW, eur


def refund(amount: str, status: str = "succeeded", rid: str = "re_1", pid: str = "pay_1") -> Refund:
    return Refund(id=rid, payment_id=pid, amount=eur(amount), status=status, created_at=NOW)


def rules_of(exc: pytest.ExceptionInfo[ModelValidationError]) -> set[str]:
    return set(exc.value.rules)


def test_derived_amounts(captured: Payment) -> None:
    p = captured.evolve(
        status="partially_refunded",
        refunds=[refund("10"), refund("5", "pending", "re_2"), refund("7", "failed", "re_3")],
    )
    assert p.amount_captured == eur("60")
    assert p.amount_refunded == eur("10")
    assert p.amount_refund_in_flight == eur("5")
    assert p.amount_refundable == eur("45")
    assert p.amount_capturable == Money.zero("EUR")  # not in an authorized state
    assert not p.is_fully_refunded
    assert p.currency.code == "EUR"
    assert p.captured_at == NOW


def test_captured_at_is_the_first_capture(captured: Payment) -> None:
    later = Capture(id="cap_2", amount=eur("10"), captured_at=NOW + timedelta(hours=2))
    earlier = Capture(id="cap_0", amount=eur("10"), captured_at=NOW - timedelta(hours=1))
    assert captured.captured_at == NOW
    both = captured.evolve(multicapture=True, captures=(*captured.captures, later, earlier))
    assert both.captured_at == NOW - timedelta(hours=1)
    assert captured.evolve(status="authorized", captures=()).captured_at is None


@pytest.mark.parametrize(
    ("amounts", "ok"),
    [
        (["60"], True),  # exactly what was captured
        (["30", "30"], True),
        (["60.01"], False),  # one minor unit more
        (["30", "30.01"], False),
    ],
)
def test_refunds_never_exceed_captured_boundary(
    captured: Payment, amounts: list[str], ok: bool
) -> None:
    refunds = [refund(a, "pending", f"re_{i}") for i, a in enumerate(amounts)]
    if ok:
        assert captured.evolve(refunds=refunds).amount_refundable == Money.zero("EUR")
    else:
        with pytest.raises(ModelValidationError) as info:
            captured.evolve(refunds=refunds)
        assert info.value.violations[0].field == "refunds"
        assert rules_of(info) == {"refund_total_exceeds_captured"}


def test_failed_and_reversed_refunds_free_the_amount(captured: Payment) -> None:
    p = captured.evolve(refunds=[refund("60", "reversed"), refund("60", "pending", "re_2")])
    assert p.amount_refunded == Money.zero("EUR")
    assert p.amount_refund_in_flight == eur("60")


@pytest.mark.parametrize(
    ("changes", "rule", "field"),
    [
        (
            {"captures": [Capture(id="c", amount=eur("100.01"), captured_at=NOW)]},
            "captured_exceeds_authorized",
            "captures",
        ),
        (
            {"captures": [Capture(id="c", amount=Money.of("1", "USD"), captured_at=NOW)]},
            "currency_matches_payment",
            "captures.0.amount",
        ),
        ({"refunds": [refund("1", pid="pay_other")]}, "belongs_to_payment", "refunds.0.payment_id"),
        ({"refunds": [refund("1"), refund("2")]}, "unique_ids", "refunds"),
        ({"created_at": datetime(2026, 1, 1)}, "timezone_aware", "created_at"),
        ({"status": "authorized"}, "status_matches_captures", "status"),
        ({"status": "canceled"}, "canceled_after_capture", "status"),
        ({"amount": eur("0")}, "payment_amount_positive", "amount"),
        ({"amount": {"minor": 1.5, "currency": "EUR"}}, "no_float", "amount"),
        ({"surprise": 1}, "extra_forbidden", "surprise"),
    ],
)
def test_each_rule_is_named(
    captured: Payment, changes: dict[str, object], rule: str, field: str
) -> None:
    with pytest.raises(ModelValidationError) as info:
        captured.evolve(**changes)
    assert rule in info.value.rules
    assert any(v.field == field for v in info.value.violations if v.rule == rule)
    assert isinstance(info.value, PaysupportError) and isinstance(info.value, ValueError)


def test_refund_needs_capture() -> None:
    with pytest.raises(ModelValidationError) as info:
        Payment(
            id="pay_1",
            merchant_id="m",
            amount=eur("10"),
            created_at=NOW,
            refunds=[refund("1")],
        )
    assert "refund_needs_capture" in info.value.rules


def test_models_are_immutable_values(captured: Payment) -> None:
    before = captured.model_dump()
    with pytest.raises(ModelValidationError) as info:
        captured.status = "refunded"  # type: ignore[misc]
    assert (info.value.field, info.value.rule) == ("status", "frozen_instance")
    with pytest.raises(ModelValidationError):
        captured.refunds = (refund("61"),)  # type: ignore[misc]
    assert captured.model_dump() == before


def test_evolve_leaves_the_original(captured: Payment) -> None:
    p = captured.with_refund(refund("10"))
    assert captured.refunds == ()
    assert p.refunds[0].amount == eur("10")
    p2 = p.with_refund(refund("10", "failed"))
    assert [r.status for r in p2.refunds] == [RefundStatus.FAILED]


def test_dispute_amount_within_captured(captured: Payment) -> None:
    d = Dispute.opened(
        id="dp_1",
        payment_id="pay_1",
        network="visa",
        reason_code="13.1",
        amount=eur("60.01"),
        opened_at=NOW,
    )
    with pytest.raises(ModelValidationError) as info:
        captured.with_dispute(d)
    assert "dispute_exceeds_captured" in info.value.rules
    ok = captured.with_dispute(d.evolve(amount=eur("60")))
    assert ok.is_disputed and ok.open_disputes[0].id == "dp_1"
    lost = ok.with_dispute(ok.disputes[0].evolve(status="lost"))
    assert not lost.is_disputed
    assert lost.amount_charged_back == eur("60")
    assert lost.amount_refundable == Money.zero("EUR")


def test_full_card_numbers_are_masked_everywhere(captured: Payment) -> None:
    p = captured.evolve(
        description="customer pasted 4242 4242 4242 4242 in chat",
        metadata={"note": "card 5555-5555-5555-4444"},
    )
    assert p.description == "customer pasted [card ending 4242] in chat"
    assert p.metadata["note"] == "card [card ending 4444]"
    for text in (repr(p), str(p), p.model_dump_json()):
        assert "4242424242424242" not in text.replace(" ", "")
        assert "5555555555554444" not in text.replace("-", "")
    # Order numbers that are not Luhn-valid stay as they were.
    assert captured.evolve(description="order 1234567890123").description == "order 1234567890123"


def test_json_round_trip_and_schema(captured: Payment) -> None:
    p = captured.with_refund(refund("10"))
    assert Payment.model_validate_json(p.model_dump_json()) == p
    schema = Payment.model_json_schema()
    assert "amount" in schema["required"]
    assert schema["$defs"]["Refund"]["properties"]["amount"]["title"] == "Money"


@given(payments())
def test_generated_payments_hold_every_invariant(p: Payment) -> None:
    committed = p.amount_refunded + p.amount_refund_in_flight
    assert committed <= p.amount_captured <= p.amount
    assert not p.amount_refundable.is_negative()
    assert {c.amount.currency for c in p.captures} <= {p.currency}
    assert Payment.model_validate_json(p.model_dump_json()) == p


@given(payments())
def test_one_minor_unit_over_is_always_rejected_with_the_rule(p: Payment) -> None:
    # The model's invariant: refunds (succeeded or in flight) never exceed captures.
    room = p.amount_captured - p.amount_refunded - p.amount_refund_in_flight
    over = room + Money.from_minor(1, p.currency)
    extra = Refund(
        id="re_over",
        payment_id=p.id,
        amount=over,
        status="pending",
        created_at=p.created_at + timedelta(days=1),
    )
    with pytest.raises(ModelValidationError) as info:
        p.with_refund(extra)
    expected = "refund_total_exceeds_captured" if p.captures else "refund_needs_capture"
    assert expected in info.value.rules
    if room.is_positive():
        assert p.with_refund(extra.evolve(amount=room)).amount_refundable.is_zero()


@given(payments())
def test_amounts_summary_agrees_with_each_property(p: Payment) -> None:
    s = p.amounts()
    assert s.captured == p.amount_captured.minor
    assert s.refunded == p.amount_refunded.minor
    assert s.in_flight == p.amount_refund_in_flight.minor
    assert s.charged_back == p.amount_charged_back.minor
    assert s.refundable == p.amount_refundable.minor
    assert s.authorized == p.amount.minor
    # Money is neither created nor lost: the parts never exceed what was captured.
    assert s.refunded + s.in_flight <= s.captured


def test_refunds_reported_only_as_a_total_count_as_refunded(captured: Payment) -> None:
    # 60 EUR captured; the provider says 10 EUR was refunded, without the refund records.
    p = captured.evolve(refunded_unitemised=eur("10"))
    assert p.amount_refunded == eur("10")
    assert p.amount_refundable == eur("50")
    assert p.amounts().refunded == 1000
    with_record = p.with_refund(
        Refund(id="re_1", payment_id="pay_1", amount=eur("50"), status="succeeded", created_at=NOW)
    )
    assert with_record.is_fully_refunded and with_record.amount_refundable == Money.zero("EUR")
    for value, rule in (
        (eur("60.01"), "refund_total_exceeds_captured"),
        (Money.of("5", "USD"), "currency_matches_payment"),
        (Money.zero("EUR"), "refunded_unitemised_positive"),
    ):
        with pytest.raises(ModelValidationError) as info:
            captured.evolve(refunded_unitemised=value)
        assert (info.value.field, info.value.rule) == ("refunded_unitemised", rule)
    with pytest.raises(ModelValidationError) as info:
        p.with_refund(Refund(id="re_1", payment_id="pay_1", amount=eur("55"), created_at=NOW))
    assert info.value.rule == "refund_total_exceeds_captured"
    uncaptured = captured.evolve(captures=(), status="authorized")
    with pytest.raises(ModelValidationError) as info:
        uncaptured.evolve(refunded_unitemised=eur("1"))
    assert info.value.rule == "refund_needs_capture"


def test_unknown_ids_are_not_found_naming_the_field(captured: Payment) -> None:
    from paysupport.errors import NotFound

    with pytest.raises(NotFound) as info:
        captured.refund("re_missing")
    assert (info.value.kind, info.value.id, info.value.field) == (
        "refund",
        "re_missing",
        "refund_id",
    )
    with pytest.raises(NotFound) as info:
        captured.dispute("dp_missing")
    assert info.value.field == "dispute_id"


def test_with_capture_adds_or_replaces(captured: Payment) -> None:
    more = captured.with_capture(Capture(id="cap_2", amount=eur("40"), captured_at=NOW))
    assert more.amount_captured == eur("100")
    same = more.with_capture(Capture(id="cap_2", amount=eur("10"), captured_at=NOW))
    assert [c.id for c in same.captures] == ["cap_1", "cap_2"]
    assert same.amount_captured == eur("70")
    with pytest.raises(ModelValidationError) as info:
        captured.with_capture(Capture(id="cap_2", amount=eur("40.01"), captured_at=NOW))
    assert (info.value.field, info.value.rule) == ("captures", "captured_exceeds_authorized")
    assert captured.amount_captured == eur("60")


def test_derived_amounts_are_computed_once_per_payment(captured: Payment) -> None:
    assert captured.amounts() is captured.amounts()
    changed = captured.model_copy(update={"captures": ()})
    assert changed.amounts().captured == 0  # a copy never reuses a stale cache


def test_payments_with_the_same_fields_share_one_fields_set(captured: Payment) -> None:
    # Memory: the per-instance "fields given" set is shared; copies never change another's.
    a = Payment.model_validate_json(captured.model_dump_json())
    b = Payment.model_validate_json(captured.model_dump_json())
    assert a.model_fields_set is b.model_fields_set
    before = set(b.model_fields_set)
    changed = a.model_copy(update={"description": "x"})
    assert "description" in changed.model_fields_set
    assert b.model_fields_set == before == a.model_fields_set


def test_json_amounts_are_shared_values_and_bad_ones_still_refused() -> None:
    """Money read from JSON is one shared immutable value per amount; refusals are unchanged."""
    doc = {
        "id": "pay_j",
        "merchant_id": "m_1",
        "amount": {"minor": 4321, "currency": "EUR"},
        "created_at": "2026-06-01T12:00:00Z",
    }
    a = Payment.model_validate_json(json.dumps(doc))
    b = Payment.model_validate_json(json.dumps(doc))
    assert a.amount == Money.from_minor(4321, "EUR")
    assert a.amount is b.amount
    for bad, rule in (
        ({"minor": 1, "currency": "XAU"}, "iso4217_has_minor_unit"),
        ({"minor": 1, "currency": "ZZZ"}, "iso4217_active_code"),
        ({"minor": 1.5, "currency": "EUR"}, "no_float"),
        ({"minor": 10**200, "currency": "EUR"}, "amount_in_range"),
        ({"minor": True, "currency": "EUR"}, "not_a_number"),
    ):
        with pytest.raises(ModelValidationError) as info:
            Payment.model_validate_json(json.dumps({**doc, "amount": bad}))
        assert [(v.field, v.rule) for v in info.value.violations] == [("amount", rule)]
