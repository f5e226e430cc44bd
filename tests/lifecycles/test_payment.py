"""Example tests: every payment transition and every refusal."""

from __future__ import annotations

from typing import Any

import pytest

from paysupport.errors import InvalidTransition
from paysupport.lifecycles import payment
from paysupport.models import Payment
from tests.lifecycles._support import at, eur, make_dispute, make_payment


def fire(p: Payment, event: str, hours: float = 1, **data: Any) -> Payment:
    return payment.fire(p, event, now=at(hours), **data)


def captured(amount: str = "100", **fields: Any) -> Payment:
    return fire(make_payment(**fields), "capture", amount=eur(amount))


@pytest.mark.parametrize(
    ("start", "event", "data", "target"),
    [
        ("pending", "authorize", {}, "authorized"),
        ("pending", "fail", {}, "failed"),
        ("pending", "cancel", {}, "canceled"),
        ("authorized", "cancel", {}, "canceled"),
        ("authorized", "expire", {}, "canceled"),
        ("authorized", "capture", {}, "captured"),
        ("authorized", "capture", {"amount": eur("40")}, "captured"),
    ],
)
def test_simple_transitions(start: str, event: str, data: dict[str, Any], target: str) -> None:
    p = make_payment(status=start)
    out = fire(p, event, **data)
    assert out.status.value == target
    assert p.status.value == start and p.history == () and p.version == 0
    assert out.version == 1
    ev = out.history[-1]
    assert (ev.event, ev.source, ev.target, ev.at) == (event, start, target, at(1))


def test_partial_capture_without_multicapture_releases_the_rest() -> None:
    out = captured("40")
    assert out.status.value == "captured"
    assert out.amount_captured == eur("40") and out.amount_capturable == eur("0")


def test_multicapture_keeps_the_remainder_open() -> None:
    p = captured("40", multicapture=True)
    assert p.status.value == "partially_captured"
    p = fire(p, "capture", 2, amount=eur("30"))
    assert p.status.value == "partially_captured"
    assert [c.id for c in p.captures] == ["pi_1-capture-1", "pi_1-capture-2"]
    assert fire(p, "capture", 3).status.value == "captured"
    assert fire(p, "release_remainder", 3).status.value == "captured"


@pytest.mark.parametrize(
    ("amount", "why"),
    [
        (eur("150"), "exceeds the capturable"),
        (eur("0"), "above zero"),
    ],
)
def test_capture_refusals(amount: Any, why: str) -> None:
    p = make_payment()
    with pytest.raises(InvalidTransition, match=why) as exc:
        fire(p, "capture", amount=amount)
    assert (exc.value.machine, exc.value.state, exc.value.event) == (
        "payment",
        "authorized",
        "capture",
    )


def test_capture_in_another_currency_is_refused() -> None:
    from paysupport.money import Money

    with pytest.raises(InvalidTransition, match="USD"):
        fire(make_payment(), "capture", amount=Money.of("10", "USD"))


def test_partial_then_full_refund() -> None:
    p = captured()
    p = fire(p, "refund", 2, refund_id="re_1", amount=eur("30"))
    assert p.status.value == "partially_refunded" and p.amount_refunded == eur("30")
    p = fire(p, "refund", 3, refund_id="re_2")
    assert p.status.value == "refunded" and p.amount_refunded == eur("100")
    assert p.is_fully_refunded


def test_full_refund_at_once() -> None:
    p = fire(captured("60"), "refund", 2, refund_id="re_1", amount=eur("60"))
    assert p.status.value == "refunded"


def test_refund_more_than_captured_is_refused_and_changes_nothing() -> None:
    p = fire(captured("60"), "refund", 2, refund_id="re_1", amount=eur("50"))
    snapshot = p.model_dump()
    with pytest.raises(InvalidTransition, match=r"exceeds the refundable 10\.00 EUR"):
        fire(p, "refund", 3, refund_id="re_2", amount=eur("20"))
    assert p.model_dump() == snapshot


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ({}, "needs 'refund_id'"),
        ({"refund_id": "re_1", "amount": "12 apples"}, "not an amount"),
    ],
)
def test_refund_data_refusals(data: dict[str, Any], why: str) -> None:
    with pytest.raises(InvalidTransition, match=why):
        fire(captured(), "refund", 2, **data)


def test_refund_id_cannot_be_recorded_twice() -> None:
    p = fire(captured(), "refund", 2, refund_id="re_1", amount=eur("10"))
    with pytest.raises(InvalidTransition, match="already succeeded"):
        fire(p, "refund", 3, refund_id="re_1", amount=eur("10"))


def test_refund_before_capture_is_refused() -> None:
    with pytest.raises(InvalidTransition, match="not possible from authorized"):
        fire(make_payment(), "refund", refund_id="re_1")


def _disputed(refundable: bool, stage: str = "chargeback") -> Payment:
    p = captured()
    d = make_dispute(
        is_charge_refundable=refundable, stage=stage, code="13.1" if stage != "inquiry" else "30"
    )
    return p.with_dispute(d)


def test_open_chargeback_blocks_refund() -> None:
    with pytest.raises(InvalidTransition, match="dispute 'dp_1' is open at the chargeback stage"):
        fire(_disputed(False), "refund", 2, refund_id="re_1")


def test_provider_confirmed_refund_is_recorded_despite_an_open_chargeback() -> None:
    # The chargeback opened while the refund was pending: the money has moved anyway.
    settled = fire(_disputed(False), "settle_refund", 2, refund_id="re_1")
    assert settled.status.value == "refunded"
    assert settled.history[-1].event == "settle_refund"
    # The money rules still hold: nothing beyond what was captured.
    with pytest.raises(InvalidTransition):
        fire(settled, "settle_refund", 3, refund_id="re_2", amount="0.01 EUR")


def test_refundable_chargeback_allows_refund() -> None:
    assert fire(_disputed(True), "refund", 2, refund_id="re_1").status.value == "refunded"


def test_inquiry_does_not_block_refund() -> None:
    assert (
        fire(_disputed(False, "inquiry"), "refund", 2, refund_id="re_1").status.value == "refunded"
    )


def test_disputed_payment_keeps_its_status() -> None:
    assert _disputed(False).status.value == "captured"


def test_refund_reversal() -> None:
    p = fire(captured(), "refund", 2, refund_id="re_1", amount=eur("30"))
    p = fire(p, "refund", 3, refund_id="re_2")
    p = fire(p, "reverse_refund", 4, refund_id="re_2")
    assert p.status.value == "partially_refunded" and p.amount_refunded == eur("30")
    assert p.refund("re_2").status.value == "reversed"
    p = fire(p, "reverse_refund", 5, refund_id="re_1")
    assert p.status.value == "captured" and p.amount_refunded == eur("0")
    with pytest.raises(InvalidTransition, match="not possible from captured"):
        fire(p, "reverse_refund", 6, refund_id="re_1")


def test_reverse_refund_needs_a_succeeded_refund() -> None:
    p = fire(captured(), "refund", 2, refund_id="re_1", amount=eur("30"))
    with pytest.raises(InvalidTransition, match="no succeeded refund 're_9'"):
        fire(p, "reverse_refund", 3, refund_id="re_9")
    with pytest.raises(InvalidTransition, match="needs 'refund_id'"):
        fire(p, "reverse_refund", 3)


@pytest.mark.parametrize("final", ["canceled", "failed"])
def test_final_states_refuse_everything(final: str) -> None:
    p = fire(make_payment(status="pending"), "cancel" if final == "canceled" else "fail")
    for event in payment.events:
        with pytest.raises(InvalidTransition, match="a final state"):
            fire(p, event, 2)
