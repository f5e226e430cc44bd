"""Self-tests of paysupport.testing.strategies: valid, complete, and small when shrunk."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, event, find, given, settings
from hypothesis import strategies as st

from paysupport.models import (
    CaseStatus,
    ClaimKind,
    Dispute,
    DisputeStatus,
    Payment,
    PaymentFailure,
    PaymentStatus,
    Portfolio,
    RecoveryStatus,
    Refund,
    RefundStatus,
    SupportCase,
)
from paysupport.money import Money
from paysupport.networks import DisputeStage, reason_codes
from paysupport.testing import strategies as ps

FIND = settings(max_examples=2_000, suppress_health_check=list(HealthCheck), database=None)


@given(ps.payments())
def test_payments_are_valid_and_round_trip(p: Payment) -> None:
    event(f"status={p.status.value}")
    event(f"currency exponent={p.currency.exponent}")
    assert p.amount_refunded + p.amount_refund_in_flight <= p.amount_captured <= p.amount
    for d in p.disputes:
        event(f"dispute={d.network.value}/{d.category.value}/{d.stage.value}")
        assert d.amount <= p.amount_captured
    # Rebuilding through validation from JSON gives the same object: it was valid.
    assert Payment.model_validate_json(p.model_dump_json()) == p


@given(ps.portfolios())
def test_portfolios_resolve_their_references(pf: Portfolio) -> None:
    assert Portfolio.model_validate_json(pf.model_dump_json()) == pf


@given(ps.payment_failures(), ps.support_cases(), ps.disputes())
def test_other_models_are_valid(f: PaymentFailure, c: SupportCase, d: Dispute) -> None:
    event(f"decline known={f.decline is not None}")
    assert PaymentFailure.model_validate_json(f.model_dump_json()) == f
    assert SupportCase.model_validate_json(c.model_dump_json()) == c
    assert Dispute.model_validate_json(d.model_dump_json()) == d


@given(ps.payments(currencies=["JPY"], max_minor=500, with_disputes=False))
def test_knobs_narrow_the_space(p: Payment) -> None:
    assert p.currency.code == "JPY"
    assert p.amount <= Money.of("500", "JPY")
    assert p.disputes == ()


@given(st.data())
def test_dates_are_relative_to_the_given_now(data: st.DataObject) -> None:
    now = datetime.fromisoformat("2031-01-01T00:00:00+00:00")
    p = data.draw(ps.payments(now=now))
    assert p.created_at <= now
    assert p.created_at.tzinfo is not None


def reached(
    strategy: st.SearchStrategy[Any], keys: dict[str, Callable[[Any], Hashable]], n: int
) -> dict[str, set[Any]]:
    """Every value of each key seen over ``n`` generated examples (no shrinking: it is cheap).

    Derandomized, so a pass never turns into a flaky fail; ``n`` is about twice the number
    of examples the strategies needed to reach everything when this was written, so a
    strategy that stops drawing a value fails here rather than rarely elsewhere.
    """
    seen: dict[str, set[Any]] = {name: set() for name in keys}

    @settings(
        max_examples=n,
        phases=[Phase.generate],
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        for name, key in keys.items():
            k = key(value)
            event(f"{name}={k}")
            seen[name].add(k)

    collect()
    return seen


def test_every_payment_status_is_generated() -> None:
    assert reached(ps.payments(), {"status": lambda p: p.status}, 200) == {
        "status": set(PaymentStatus)
    }


def test_every_refund_status_is_generated() -> None:
    assert reached(ps.refunds(), {"status": lambda r: r.status}, 300) == {
        "status": set(RefundStatus)
    }


def test_every_dispute_stage_status_and_reason_code_category_is_generated() -> None:
    keys: dict[str, Callable[[Any], Hashable]] = {
        "status": lambda d: d.status,
        "stage": lambda d: d.stage,
        "category": lambda d: (d.network, d.category),
    }
    assert reached(ps.disputes(), keys, 700) == {
        "status": set(DisputeStatus),
        "stage": set(DisputeStage),
        "category": {(rc.network, rc.category) for rc in reason_codes()},
    }


def test_every_recovery_status_is_generated() -> None:
    assert reached(ps.payment_failures(), {"status": lambda f: f.status}, 150) == {
        "status": set(RecoveryStatus)
    }


def test_every_case_status_and_claim_is_generated() -> None:
    keys: dict[str, Callable[[Any], Hashable]] = {
        "status": lambda c: c.status,
        "claim": lambda c: c.claim,
    }
    assert reached(ps.support_cases(), keys, 250) == {
        "status": set(CaseStatus),
        "claim": set(ClaimKind),
    }


def test_payments_shrink_to_small_readable_examples() -> None:
    p = find(ps.payments(with_disputes=False), lambda p: len(p.refunds) >= 1, settings=FIND)
    assert len(p.refunds) == 1
    assert p.refunds[0].amount.minor == 1
    assert p.amount.minor <= 10
    assert p.captures[0].amount.minor <= 10


def test_refund_requests_shrink_to_the_smallest_amount() -> None:
    payment = Payment.model_validate(
        {
            "id": "pay_1",
            "merchant_id": "m_1",
            "customer_id": "cus_1",
            "amount": {"minor": 5_000, "currency": "EUR"},
            "status": "captured",
            "payment_method": {"type": "card"},
            "created_at": "2030-01-01T00:00:00+00:00",
            "captures": [
                {
                    "id": "cap_1",
                    "amount": {"minor": 5_000, "currency": "EUR"},
                    "captured_at": "2030-01-01T00:01:00+00:00",
                }
            ],
        }
    )
    r = find(ps.refund_requests(payment), lambda r: r.amount is not None, settings=FIND)
    assert r.amount is not None
    assert r.amount.minor == 1


@pytest.mark.parametrize("model", [Payment, Refund, Dispute, PaymentFailure, SupportCase, Money])
def test_from_type_is_registered(model: type) -> None:
    drawn: list[Any] = []

    @settings(max_examples=3, phases=[Phase.generate], database=None)
    @given(st.from_type(model))
    def draw(value: Any) -> None:
        drawn.append(value)

    draw()
    assert drawn
    assert all(isinstance(value, model) for value in drawn)
