"""A backtest row is what the workflow returns when a support tool calls it directly."""

from __future__ import annotations

from datetime import datetime

import attrs
import pytest
from backtest_support import (
    JUNIOR,
    T0,
    decline_case,
    dispute_case,
    mixed_cases,
    refund_case,
    triage_case,
)

from paysupport.analytics.backtest import backtest, run_case
from paysupport.errors import PaysupportError, ValidationFailed
from paysupport.policies import RefundFairness
from paysupport.policies.policy_set import DEFAULTS
from paysupport.workflows import (
    handle_decline,
    receive_dispute,
    request_refund,
    respond_to_dispute,
    triage,
)

STRICT = attrs.evolve(DEFAULTS, refund=RefundFairness(auto_approve_limit={"EUR": 1_000}))


@pytest.mark.parametrize("policies", [DEFAULTS, STRICT], ids=["defaults", "strict"])
def test_refund_case_equals_request_refund(policies):
    case = refund_case("r1", 30_000, operator=JUNIOR)
    direct = request_refund(
        case.payment,
        case.request,
        policies=policies,
        customer=case.customer,
        merchant=case.merchant,
        operator=case.operator,
        now=case.at,
    )
    assert run_case(case, policies) == direct
    assert direct.decisions  # a real decision was compared, not two empty outcomes


def test_dispute_case_equals_receive_then_respond():
    case = dispute_case("d1", 90_000, code="10.4")
    received = receive_dispute(case.payment, case.dispute, merchant=case.merchant, now=case.at)
    after = received.after("payment", case.payment.id)
    answered = respond_to_dispute(after, case.dispute.id, merchant=case.merchant, now=case.at)
    assert run_case(case, DEFAULTS) == received.merge(answered)
    assert answered.decisions[-1].outcome.value in {"accept", "contest"}


def test_decline_case_equals_handle_decline():
    case = decline_case("f1", 5_000)
    direct = handle_decline(case.failure, merchant=case.merchant, now=case.at)
    assert run_case(case, DEFAULTS) == direct
    assert direct.effects


def test_triage_case_equals_triage():
    case = triage_case("s1", 25_000, operator=JUNIOR)
    direct = triage(case.case, case.context, now=case.at)
    assert run_case(case, DEFAULTS) == direct
    assert len(direct.decisions) >= 3  # escalation, resolution and the routed refund


def test_each_row_reports_the_direct_workflow_call():
    cases = mixed_cases(24)
    result = backtest(DEFAULTS, cases)
    rows = result.to_polars()
    assert rows.height == len(cases)
    for case, row in zip(cases, rows.iter_rows(named=True), strict=True):
        outcome = run_case(case, DEFAULTS)
        assert row["case_id"] == case.id
        assert row["effects"] == [e.kind for e in outcome.effects]
        assert row["notes"] == list(outcome.note_codes)
        refunded = sum(e.amount.minor for e in outcome.effects if e.kind == "issue_refund")
        assert row["refund_minor"] == refunded


def test_a_case_needs_an_aware_time():
    case = refund_case("r1", 1_000)
    with pytest.raises(ValidationFailed) as err:
        attrs.evolve(case, at=datetime(2026, 3, 2, 9, 0))
    assert err.value.field == "at"
    assert err.value.rule == "timezone_aware"


def test_a_refund_case_must_be_about_its_payment():
    case = refund_case("r1", 1_000)
    other = refund_case("r2", 1_000)
    with pytest.raises(ValidationFailed) as err:
        attrs.evolve(case, payment=other.payment)
    assert err.value.field == "request.payment_id"


def test_a_case_id_is_required():
    with pytest.raises(PaysupportError):
        attrs.evolve(decline_case("f1", 100), id="")


def test_realised_result_is_never_seen_by_the_workflow():
    won = dispute_case("d1", 90_000, result="won", at=T0)
    lost = attrs.evolve(won, realised_result="lost")
    assert run_case(won, DEFAULTS) == run_case(lost, DEFAULTS)


def test_run_case_refuses_what_is_not_a_case():
    with pytest.raises(ValidationFailed) as err:
        run_case({"id": "r1"}, DEFAULTS)  # type: ignore[arg-type]
    assert err.value.field == "case"


def test_synthetic_dispute_cases_equal_receive_then_respond():
    from paysupport.analytics.backtest import DisputeCase, SyntheticCases

    source = SyntheticCases(400, seed=3, start=T0)
    cases = [c for c in source.cases(0, 400) if isinstance(c, DisputeCase)]
    assert len(cases) > 50
    verdicts = set()
    for case in cases:
        received = receive_dispute(case.payment, case.dispute, merchant=case.merchant, now=case.at)
        after = received.after("payment", case.payment.id) or case.payment
        answered = respond_to_dispute(after, case.dispute.id, merchant=case.merchant, now=case.at)
        assert run_case(case, DEFAULTS) == received.merge(answered)
        verdicts.add(answered.decisions[-1].outcome.value)
    assert {"accept", "contest"} <= verdicts
