from __future__ import annotations

from datetime import timedelta

import pytest

from paysupport.errors import InvalidTransition
from paysupport.models import (
    CaseStatus,
    EarlyFraudWarning,
    RecoveryStatus,
    RefundReason,
    RefundStatus,
    Tier,
)
from paysupport.workflows import (
    AssignCase,
    CaseContext,
    IssueRefund,
    NotifyCustomer,
    RequestApproval,
    RequestEvidence,
    ScheduleRetry,
    close,
    escalate_if_sla_near,
    reopen,
    resolve,
    triage,
)

from ._support import at, captured, case, dispute, eur, failure


def test_refund_claim_routes_to_request_refund() -> None:
    p = captured()
    out = triage(case(), CaseContext(payments=[p]), now=at(1))
    c = out.after("case", "case_1")
    assert c.status is CaseStatus.IN_PROGRESS and c.tier is Tier.JUNIOR
    assert c.sla_due_at == at() + timedelta(hours=72)
    kinds = [type(e) for e in out.effects]
    assert kinds == [AssignCase, IssueRefund]
    assert out.after("payment", "pay_1").refund("rf_case_1.refund").status is RefundStatus.REQUESTED
    assert [d.policy.kind for d in out.decisions] == [
        "escalation_tier",
        "resolution",
        "refund_fairness",
    ]
    again = triage(c, CaseContext(payments=[p]), now=at(2))
    assert again.changes == () and again.effects == (out.effects[0],)


def test_duplicate_charge_refunds_the_later_payment() -> None:
    from paysupport.models import Card, PaymentMethod

    pm = PaymentMethod(card=Card(brand="visa", last4="4242", fingerprint="fp_abcd"))
    first = captured(id="pay_1", payment_method=pm, created_at=at(days=-3))
    second = captured(id="pay_2", payment_method=pm, created_at=at(days=-3) + timedelta(seconds=30))
    out = triage(
        case(claim="duplicate_charge", payment_ids=("pay_1", "pay_2")),
        CaseContext(payments=[first, second]),
        now=at(1),
    )
    (refund_effect,) = out.effects_of(IssueRefund)
    assert refund_effect.payment_id == "pay_2" and refund_effect.reason is RefundReason.DUPLICATE
    assert out.decisions[-1].codes == ("duplicate_charge",)


def test_overcharge_refunds_the_difference() -> None:
    out = triage(
        case(claim="overcharge"),
        CaseContext(payments=[captured()], correct_amount=eur("39.90")),
        now=at(1),
    )
    assert out.effects_of(IssueRefund)[0].amount == eur("10.00")


def test_unrecognized_charge_asks_the_customer() -> None:
    out = triage(case(claim="unrecognized_charge"), CaseContext(payments=[captured()]), now=at(1))
    c = out.after("case", "case_1")
    assert c.status is CaseStatus.WAITING_ON_CUSTOMER and c.tier is Tier.MIDDLE
    assert out.effects_of(NotifyCustomer)[0].template == "identify_charge"


def test_unrecognized_charge_with_fraud_warning_refunds() -> None:
    p = captured(early_fraud_warning=EarlyFraudWarning(id="issfr_1", created_at=at(-1)))
    out = triage(case(claim="unrecognized_charge"), CaseContext(payments=[p]), now=at(1))
    assert out.effects_of(IssueRefund)[0].reason is RefundReason.FRAUDULENT


def test_missing_payment_asks_customer_to_identify_it() -> None:
    out = triage(case(payment_ids=()), CaseContext(), now=at(1))
    assert out.effects_of(NotifyCustomer)[0].template == "identify_payment"


def test_failed_payment_routes_to_handle_decline() -> None:
    out = triage(
        case(claim="failed_payment", payment_ids=()),
        CaseContext(failure=failure()),
        now=at(1),
    )
    assert out.after("failure", "fail_1").status is RecoveryStatus.RETRY_SCHEDULED
    assert out.effects_of(ScheduleRetry)
    no_failure = triage(case(claim="failed_payment", payment_ids=()), now=at(1))
    assert "failure_not_loaded" in no_failure.note_codes


def test_dispute_case_plans_the_response() -> None:
    p = captured("1000")
    p = p.with_dispute(dispute(amount=eur("1000")))
    out = triage(
        case(claim="dispute_received", dispute_id="dp_1", payment_ids=()),
        CaseContext(payments=[p]),
        now=at(1),
    )
    assert out.after("case", "case_1").tier is Tier.SENIOR  # 1000 EUR band
    assert out.effects_of(RequestEvidence)
    assert triage(case(claim="dispute_received"), now=at(1)).note_codes[-1] == "dispute_not_loaded"


def test_escalation_near_sla_breach() -> None:
    c = triage(case(), CaseContext(payments=[captured()]), now=at(1)).after("case", "case_1")
    assert escalate_if_sla_near(c, now=at(2)).note_codes == ("sla_ok",)
    out = escalate_if_sla_near(c, now=at(70))
    up = out.after("case", "case_1")
    assert up.status is CaseStatus.ESCALATED and up.tier is Tier.MIDDLE
    assert out.effects_of(AssignCase)[0].reason == "sla_near_breach"
    top = escalate_if_sla_near(up.evolve(tier=Tier.SENIOR), now=at(71))
    assert top.note_codes == ("sla_at_risk_top_tier",) and top.changes == ()
    assert escalate_if_sla_near(case(), now=at(70)).note_codes == ("not_applicable",)


def test_resolve_and_close() -> None:
    c = triage(case(claim="unrecognized_charge"), CaseContext(payments=[captured()]), now=at(1))
    c2 = c.after("case", "case_1")
    done = resolve(c2, now=at(3), resolution="customer recognised it")
    resolved = done.after("case", "case_1")
    assert resolved.status is CaseStatus.RESOLVED
    assert done.effects_of(NotifyCustomer)[0].template == "case_resolved"
    assert resolve(resolved, now=at(4)).note_codes == ("already_resolved",)
    closed = close(resolved, now=at(5)).after("case", "case_1")
    assert closed.status is CaseStatus.CLOSED
    assert close(closed, now=at(6)).note_codes == ("already_closed",)
    with pytest.raises(InvalidTransition):
        close(c2, now=at(6))


def resolved_case():
    c = triage(case(claim="unrecognized_charge"), CaseContext(payments=[captured()]), now=at(1))
    return resolve(c.after("case", "case_1"), now=at(3)).after("case", "case_1")


def test_reopen_a_resolved_case_when_the_customer_writes_back() -> None:
    done = resolved_case()
    out = reopen(done, now=at(days=2), actor="op_j", reason="customer wrote back")
    c = out.after("case", "case_1")
    assert c.status is CaseStatus.IN_PROGRESS and c.contacts == done.contacts + 1
    assert c.resolved_at is None and c.tier is done.tier
    assert [t.event.event for t in out.transitions] == ["reopen"]
    (assign,) = out.effects_of(AssignCase)
    assert assign.tier is done.tier and assign.reason == f"reopened:{c.contacts}"
    # open already: nothing to do; resolved and reopened again: routed again, new key
    assert reopen(c, now=at(days=3)).note_codes == ("already_open",)
    again = reopen(resolve(c, now=at(days=3)).after("case", "case_1"), now=at(days=4))
    assert again.effects_of(AssignCase)[0].idempotency_key != assign.idempotency_key


def test_reopen_refuses_late_or_closed_cases() -> None:
    done = resolved_case()
    with pytest.raises(InvalidTransition, match="open a new case"):
        reopen(done, now=at(days=30))
    closed = close(done, now=at(days=1)).after("case", "case_1")
    with pytest.raises(InvalidTransition):
        reopen(closed, now=at(days=2))


def test_a_yen_refund_claim_is_never_a_dead_end_and_uses_the_hosts_rates() -> None:
    # issue 11.4 through triage: limits in EUR, a JPY payment, a junior operator
    from decimal import Decimal

    from paysupport.models import Capture, Payment
    from paysupport.money import Money
    from paysupport.policies import ExchangeRates

    from ._support import operator

    yen = Money.of("10000", "JPY")
    p = Payment(
        id="pay_1",
        merchant_id="m_1",
        customer_id="cus_1",
        amount=yen,
        status="captured",
        created_at=at(days=-3),
        captures=(Capture(id="cap_1", amount=yen, captured_at=at(days=-3)),),
    )
    no_rates = triage(case(), CaseContext(payments=[p], operator=operator()), now=at(1))
    (ask,) = no_rates.effects_of(RequestApproval)
    assert ask.tier is Tier.SENIOR  # the top tier can always approve
    rates = ExchangeRates("EUR", {"JPY": Decimal("0.0062")})  # 10,000 JPY = 62 EUR
    out = triage(case(), CaseContext(payments=[p], operator=operator(), rates=rates), now=at(1))
    (issued,) = out.effects_of(IssueRefund)
    assert issued.amount == yen
