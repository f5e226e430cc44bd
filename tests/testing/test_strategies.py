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


def reached(strategy: st.SearchStrategy[Any], key: Callable[[Any], Hashable], n: int) -> set[Any]:
    """Every value of ``key`` seen over ``n`` generated examples (no shrinking: it is cheap)."""
    seen: set[Any] = set()

    @settings(
        max_examples=n,
        phases=[Phase.generate],
        derandomize=True,  # deterministic: a pass here never turns into a flaky fail
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        k = key(value)
        event(str(k))
        seen.add(k)

    collect()
    return seen


def test_every_payment_status_is_generated() -> None:
    assert reached(ps.payments(), lambda p: p.status, 600) == set(PaymentStatus)


def test_every_refund_status_is_generated() -> None:
    assert reached(ps.refunds(), lambda r: r.status, 1000) == set(RefundStatus)


def test_every_dispute_stage_and_status_is_generated() -> None:
    assert reached(ps.disputes(), lambda d: d.status, 600) == set(DisputeStatus)
    assert reached(ps.disputes(), lambda d: d.stage, 300) == set(DisputeStage)


def test_every_recovery_status_is_generated() -> None:
    assert reached(ps.payment_failures(), lambda f: f.status, 600) == set(RecoveryStatus)


def test_every_case_status_and_claim_is_generated() -> None:
    assert reached(ps.support_cases(), lambda c: c.status, 600) == set(CaseStatus)
    assert reached(ps.support_cases(), lambda c: c.claim, 600) == set(ClaimKind)


def test_every_reason_code_category_of_every_network_is_generated() -> None:
    expected = {(rc.network, rc.category) for rc in reason_codes()}
    assert reached(ps.disputes(), lambda d: (d.network, d.category), 600) == expected


def test_payments_shrink_to_small_readable_examples() -> None:
    p = find(ps.payments(with_disputes=False), lambda p: len(p.refunds) >= 1, settings=FIND)
    assert len(p.refunds) == 1
    assert p.refunds[0].amount.minor == 1
    assert p.amount.minor <= 10
    assert p.captures[0].amount.minor <= 10


def test_refund_requests_shrink_to_the_smallest_amount() -> None:
    payment = find(
        ps.payments(with_disputes=False, with_refunds=False),
        lambda p: p.amount_captured.minor > 100,
        settings=FIND,
    )
    r = find(ps.refund_requests(payment), lambda r: r.amount is not None, settings=FIND)
    assert r.amount is not None
    assert r.amount.minor == 1


@pytest.mark.parametrize("model", [Payment, Refund, Dispute, PaymentFailure, SupportCase, Money])
def test_from_type_is_registered(model: type) -> None:
    value = find(st.from_type(model), lambda _: True, settings=FIND)
    assert isinstance(value, model)
