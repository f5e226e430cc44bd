from __future__ import annotations

from datetime import timedelta

import pytest

from paysupport.errors import InvalidTransition
from paysupport.models import RecoveryStatus
from paysupport.providers import stripe_failure_fields
from paysupport.workflows import (
    NotifyCustomer,
    RequestNewPaymentMethod,
    RetryResult,
    ScheduleRetry,
    give_up_recovery,
    handle_decline,
    record_retry_result,
)

from ._support import at, failure


def scheduled():
    out = handle_decline(failure(), now=at())
    return out, out.after("failure", "fail_1")


def test_soft_decline_schedules_a_retry() -> None:
    out, f = scheduled()
    assert out.decisions[0].outcome.value == "retry"
    (effect,) = out.effects
    assert isinstance(effect, ScheduleRetry) and effect.attempt == 2
    assert f.status is RecoveryStatus.RETRY_SCHEDULED and f.next_retry_at == effect.at
    again = handle_decline(f, now=at(1))
    assert again.effects == out.effects and again.changes == ()


@pytest.mark.parametrize(
    "fields",
    [
        {"network_decline_code": "43"},
        {"network_decline_code": None, **stripe_failure_fields({"decline_code": "stolen_card"})},
    ],
)
def test_hard_decline_asks_for_a_new_payment_method(fields) -> None:
    out = handle_decline(failure(**fields), now=at())
    f = out.after("failure", "fail_1")
    assert f.status is RecoveryStatus.NEEDS_CUSTOMER_ACTION
    (effect,) = out.effects
    assert isinstance(effect, RequestNewPaymentMethod) and effect.ask == "new_payment_method"


def test_mac_21_stops() -> None:
    out = handle_decline(failure(network="mastercard", merchant_advice_code="21"), now=at())
    assert out.after("failure", "fail_1").status is RecoveryStatus.EXHAUSTED
    assert out.effects == ()


def test_unknown_code_goes_to_review() -> None:
    out = handle_decline(failure(network_decline_code=None, decline_code="zz_new_code"), now=at())
    assert out.is_empty and out.note_codes == ("needs_review",)


def test_retry_succeeds() -> None:
    _, f = scheduled()
    out = record_retry_result(f, RetryResult(succeeded=True), now=f.next_retry_at)
    assert out.after("failure", "fail_1").status is RecoveryStatus.RECOVERED
    assert isinstance(out.effects[0], NotifyCustomer)
    assert [t.event.event for t in out.transitions] == ["start_retry", "retry_succeeded"]


def test_retry_soft_decline_plans_the_next() -> None:
    _, f = scheduled()
    t = f.next_retry_at
    out = record_retry_result(f, RetryResult(succeeded=False, network_decline_code="51"), now=t)
    after = out.after("failure", "fail_1")
    assert after.status is RecoveryStatus.RETRY_SCHEDULED and after.attempt == 2
    assert out.effects[0].attempt == 3 and out.effects[0].at > t


def test_retry_hard_decline_needs_the_customer() -> None:
    _, f = scheduled()
    out = record_retry_result(
        f, RetryResult(succeeded=False, network_decline_code="43"), now=f.next_retry_at
    )
    assert out.after("failure", "fail_1").status is RecoveryStatus.NEEDS_CUSTOMER_ACTION
    assert isinstance(out.effects[0], RequestNewPaymentMethod)


def test_retry_not_due_is_refused() -> None:
    _, f = scheduled()
    with pytest.raises(InvalidTransition):
        record_retry_result(
            f, RetryResult(succeeded=True), now=f.next_retry_at - timedelta(hours=1)
        )


def test_customer_acts_then_recovers_or_gives_up() -> None:
    f = handle_decline(failure(network_decline_code="43"), now=at()).after("failure", "fail_1")
    ok = record_retry_result(f, RetryResult(succeeded=True), now=at(5))
    assert ok.after("failure", "fail_1").status is RecoveryStatus.RECOVERED
    out = give_up_recovery(f, now=at(days=10), reason="no answer")
    assert out.after("failure", "fail_1").status is RecoveryStatus.EXHAUSTED
    assert handle_decline(out.after("failure", "fail_1"), now=at(days=11)).note_codes == (
        "already_handled",
    )


def test_retries_run_out() -> None:
    f = failure(network="visa")
    now = at()
    for _ in range(12):
        out = handle_decline(f, now=now)
        f = out.after("failure", "fail_1") or f
        if f.status is not RecoveryStatus.RETRY_SCHEDULED:
            break
        now = f.next_retry_at
        f = record_retry_result(
            f, RetryResult(succeeded=False, network_decline_code="51"), now=now
        ).after("failure", "fail_1")
        if f.status is not RecoveryStatus.RETRY_SCHEDULED:
            break
    assert f.status is RecoveryStatus.NEEDS_CUSTOMER_ACTION


@pytest.mark.parametrize(
    "fields",
    [{}, {"network_decline_code": "43"}, {"network": "mastercard", "merchant_advice_code": "21"}],
)
def test_handle_decline_into_writes_what_handle_decline_returns(fields) -> None:
    from paysupport.workflows._build import Builder
    from paysupport.workflows.failures import handle_decline_into

    f = failure(**fields)
    alone = handle_decline(f, now=at())
    b = Builder()
    handle_decline_into(b, f, now=at())
    assert b.build() == alone
    # Into a builder holding another workflow's records: the same as absorbing the outcome.
    first = handle_decline(failure(id="fail_0"), now=at())
    into, absorbed = Builder(), Builder()
    into.absorb(first)
    absorbed.absorb(first)
    handle_decline_into(into, f, now=at())
    absorbed.absorb(alone)
    merged = into.build()
    assert merged == absorbed.build()
    assert len(merged.decisions) == 2 and len(merged.changes) == len(alone.changes) + 1
