from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paysupport.errors import NotFound, ValidationFailed
from paysupport.models import DisputeStatus, Evidence, RefundStatus
from paysupport.networks import DisputeStage, EvidenceKind
from paysupport.workflows import (
    AcceptDispute,
    DisputeResult,
    RecordDisputeLoss,
    RequestEvidence,
    SubmitEvidence,
    receive_dispute,
    request_refund,
    respond_to_dispute,
    settle_dispute,
    submit_by,
)
from paysupport.workflows.disputes import receive_and_respond

from ._support import at, captured, dispute, eur, request

POD = Evidence(kind=EvidenceKind.PROOF_OF_DELIVERY, reference="file_pod")
MAIL = Evidence(kind=EvidenceKind.CUSTOMER_COMMUNICATION, reference="file_mail")
FILE = (POD, MAIL)


def big(**d: object):
    p = captured("1000")
    return p, dispute(amount=eur("1000"), **d)


def received(p, d):
    return receive_dispute(p, d, now=at(1)).after("payment", "pay_1")


def test_receive_plans_and_asks_for_missing_evidence() -> None:
    p, d = big()
    out = receive_dispute(p, d, now=at(1))
    plan, response = out.decisions
    assert plan.outcome.value == "plan" and plan.steps
    assert response.outcome.value == "contest"
    (ask,) = out.effects
    assert isinstance(ask, RequestEvidence) and ask.submit_by == d.due_by - timedelta(hours=48)
    assert out.after("payment", "pay_1").dispute("dp_1").is_open
    again = receive_dispute(out.after("payment", "pay_1"), d, now=at(2))
    assert again.changes == () and "already_received" in again.note_codes


def test_receive_cancels_refunds_not_yet_sent() -> None:
    p = captured("1000")
    p = request_refund(p, request(amount=eur("10")), now=at()).after("payment", "pay_1")
    out = receive_dispute(p, dispute(amount=eur("1000")), now=at(1))
    after = out.after("payment", "pay_1")
    assert after.refund("rf_rr_1").status is RefundStatus.CANCELED
    assert "refund_canceled_by_dispute" in out.note_codes
    # and a new refund is denied while the chargeback is open
    denied = request_refund(after, request(id="rr_2"), now=at(2))
    assert denied.decisions[0].codes == ("open_chargeback",)


def test_contest_with_evidence_submits_and_moves_to_review() -> None:
    p, d = big(evidence=FILE)
    pay = received(p, d)
    out = respond_to_dispute(pay, "dp_1", now=at(2), actor="op_m")
    (submit,) = out.effects
    assert isinstance(submit, SubmitEvidence) and submit.stage is DisputeStage.CHARGEBACK
    after = out.after("payment", "pay_1").dispute("dp_1")
    assert after.status is DisputeStatus.UNDER_REVIEW and after.evidence_submitted_at == at(2)
    assert respond_to_dispute(out.after("payment", "pay_1"), "dp_1", now=at(3)).note_codes == (
        "already_answered",
    )


def test_contest_missing_evidence_waits_until_submit_by_then_submits() -> None:
    p, d = big()
    pay = received(p, d)
    wait = respond_to_dispute(pay, "dp_1", now=at(2))
    assert wait.note_codes == ("awaiting_evidence",) and wait.changes == ()
    assert isinstance(wait.effects[0], RequestEvidence)
    late = respond_to_dispute(pay, "dp_1", now=submit_by(d) + timedelta(hours=1))
    assert isinstance(late.effects[0], SubmitEvidence) and "inside_safety_margin" in late.note_codes
    forced = respond_to_dispute(pay, "dp_1", now=at(2), force=True, evidence=[POD])
    assert forced.effects[0].evidence == (POD,)
    assert "awaiting_evidence" not in forced.note_codes


def test_accept_records_loss() -> None:
    p = captured()
    pay = received(p, dispute())
    out = respond_to_dispute(pay, "dp_1", now=at(2))
    assert out.decisions[0].outcome.value == "accept"
    accept, loss = out.effects
    assert isinstance(accept, AcceptDispute) and isinstance(loss, RecordDisputeLoss)
    assert out.after("payment", "pay_1").dispute("dp_1").status is DisputeStatus.ACCEPTED


def test_operator_override_contest() -> None:
    pay = received(captured(), dispute(evidence=FILE))
    out = respond_to_dispute(pay, "dp_1", now=at(2), contest=True)
    assert isinstance(out.effects[0], SubmitEvidence)


def test_deadline_passed_changes_nothing() -> None:
    p, d = big()
    pay = received(p, d)
    out = respond_to_dispute(pay, "dp_1", now=d.due_by + timedelta(seconds=1))
    assert out.is_empty and out.note_codes == ("deadline_passed",)


def test_inquiry_is_not_accepted() -> None:
    d = dispute(stage=DisputeStage.INQUIRY, code="13.1", due_by=at(days=20))
    pay = received(captured(), d)
    out = respond_to_dispute(pay, "dp_1", now=at(2), contest=False)
    assert out.note_codes == ("inquiry_not_acceptable",) and out.is_empty


@pytest.mark.parametrize(
    ("result", "status", "loss"),
    [
        (DisputeResult.WON, DisputeStatus.WON, False),
        (DisputeResult.LOST, DisputeStatus.LOST, True),
        (DisputeResult.REVERSED, DisputeStatus.WON, False),
    ],
)
def test_settle_dispute(result, status, loss) -> None:
    p, d = big(evidence=FILE)
    pay = respond_to_dispute(received(p, d), "dp_1", now=at(2)).after("payment", "pay_1")
    out = settle_dispute(pay, "dp_1", result, now=at(days=20))
    assert out.after("payment", "pay_1").dispute("dp_1").status is status
    assert bool(out.effects_of(RecordDisputeLoss)) is loss
    again = settle_dispute(out.after("payment", "pay_1"), "dp_1", result, now=at(days=21))
    assert again.is_empty


def test_settle_expired() -> None:
    p, d = big()
    pay = received(p, d)
    out = settle_dispute(pay, "dp_1", "expired", now=d.due_by + timedelta(days=1))
    assert out.effects_of(RecordDisputeLoss)


def test_dispute_for_other_payment() -> None:
    from paysupport.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        receive_dispute(captured(), dispute(payment_id="pay_2"), now=at())


@pytest.mark.parametrize(
    "call",
    [
        lambda p: respond_to_dispute(p, "dp_nope", now=at(2)),
        lambda p: settle_dispute(p, "dp_nope", "won", now=at(2)),
    ],
)
def test_unknown_dispute_id_is_not_found_naming_the_field(call) -> None:
    p, d = big()
    with pytest.raises(NotFound) as info:
        call(received(p, d))
    found = (info.value.kind, info.value.id, info.value.field)
    assert found == ("dispute", "dp_nope", "dispute_id")


def test_settle_dispute_refuses_a_result_that_is_not_an_ending() -> None:
    p, d = big()
    with pytest.raises(ValidationFailed) as info:
        settle_dispute(received(p, d), "dp_1", "draw", now=at(2))
    assert info.value.field == "result"


def test_explanations_show_fees_as_money_never_minor_units() -> None:
    # issue 11.20: "fees 1500+0" mixed minor units with formatted money
    p, d = big()
    out = receive_dispute(p, d, now=at(1))
    messages = [r.message for dec in out.decisions for r in dec.reasons]
    fees = [m for m in messages if "fees" in m]
    assert fees, messages
    for m in fees:
        assert not re.search(r"fees \d+\s*\+", m), m
        assert re.search(r"fees \d+\.\d\d EUR", m), m


def test_an_arbitration_without_a_catalogued_deadline_is_answered_by_the_providers() -> None:
    # issue 11.11: Visa arbitration has no catalogued window; the provider's due_by answers it
    p = received(captured(), dispute(stage="arbitration"))
    assert p.dispute("dp_1").due_by is None
    waiting = respond_to_dispute(p, "dp_1", contest=True, force=True, now=at(2))
    assert waiting.note_codes[-1] == "deadline_unknown" and not waiting.changes
    due = at(days=10)
    out = respond_to_dispute(p, "dp_1", contest=True, force=True, due_by=due, now=at(2))
    answered = out.after("payment", "pay_1").dispute("dp_1")
    assert answered.status is DisputeStatus.UNDER_REVIEW and answered.due_by == due
    (submitted,) = out.effects_of(SubmitEvidence)
    assert submitted.due_by == due and submitted.stage is DisputeStage.ARBITRATION
    late = respond_to_dispute(p, "dp_1", contest=True, due_by=at(1), now=at(2))
    assert late.note_codes[-1] == "deadline_passed"


def _two_calls(p, d, now, policies=None):
    kw = {} if policies is None else {"policies": policies}
    first = receive_dispute(p, d, now=now, **kw)
    after = first.after("payment", p.id) or p
    return first.merge(respond_to_dispute(after, d.id, now=now, **kw))


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"code": "10.4"},
        {"code": "13.1", "evidence": FILE},
        {"stage": DisputeStage.INQUIRY},
    ],
    ids=["default", "fraud", "with-evidence", "inquiry"],
)
def test_receive_and_respond_equals_the_two_calls(fields) -> None:
    p, d = big(**fields)
    assert receive_and_respond(p, d, now=at(1)) == _two_calls(p, d, at(1))
    # a notice already on the payment: the plan and the response, on the known dispute
    on = received(p, d)
    assert receive_and_respond(on, d, now=at(1)) == _two_calls(on, d, at(1))


def test_receive_and_respond_decides_once_on_the_same_models(monkeypatch) -> None:
    from paysupport.policies import DisputeResponse

    calls = []
    real = DisputeResponse.decide

    def counting(self, ctx, now):
        calls.append((ctx.payment, ctx.dispute))
        return real(self, ctx, now)

    monkeypatch.setattr(DisputeResponse, "decide", counting)
    p, d = big()
    out = receive_and_respond(p, d, now=at(1))
    assert len(calls) == 1
    assert out.decisions[1] is out.decisions[-1]  # the plan's decision answers the response
    calls.clear()
    _two_calls(p, d, at(1))
    assert len(calls) == 2  # the two public calls each decide


@given(
    code=st.sampled_from(["13.1", "10.4", "12.6.1"]),
    stage=st.sampled_from(list(DisputeStage)),
    evidence=st.sampled_from([(), (POD,), FILE]),
    days=st.sampled_from([0.1, 20, 40]),
    pending_refund=st.booleans(),
    amount=st.sampled_from(["5", "1000"]),
)
def test_receive_and_respond_equals_the_two_calls_on_any_notice(
    code, stage, evidence, days, pending_refund, amount
) -> None:
    """One builder for the notice and the response gives the merged outcome of the two public
    calls: a refund the chargeback cancels, a deadline passed, evidence asked for twice."""
    p = captured(amount)
    if pending_refund:
        p = request_refund(p, request(amount=eur("1")), now=at(0.5)).after("payment", "pay_1")
    d = dispute(code=code, stage=stage, evidence=evidence, amount=eur(amount))
    now = at(days=days)
    assert receive_and_respond(p, d, now=now) == _two_calls(p, d, now)
