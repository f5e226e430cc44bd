from __future__ import annotations

import pytest

from paysupport.errors import InvalidTransition, NotAuthorized, NotFound, ValidationFailed
from paysupport.models import RefundReason, RefundStatus, RequesterKind, Tier
from paysupport.workflows import (
    CancelPayment,
    IssueRefund,
    NotifyCustomer,
    RefundResult,
    RequestApproval,
    approve_refund,
    commit,
    deny_refund,
    request_refund,
    settle_refund,
)

from ._support import at, captured, dispute, eur, operator, request

KEY = ("payment", "pay_1")


def granted(amount: str = "49.90", **req: object):
    p = captured(amount)
    out = request_refund(p, request(**req), now=at())
    return p, out, out.after("payment", "pay_1")


def test_approved_request_records_intent_and_issues_refund() -> None:
    p, out, after = granted()
    assert out.decisions[0].outcome.value == "approve"
    (effect,) = out.effects
    assert isinstance(effect, IssueRefund)
    assert effect.refund_id == "rf_rr_1" and effect.amount == eur("49.90")
    assert effect.provider_reference == "ch_1"
    refund = after.refund("rf_rr_1")
    # intent, not execution: nothing is pending before the provider answers
    assert refund.status is RefundStatus.REQUESTED and refund.request_id == "rr_1"
    assert p.refunds == ()  # input untouched
    assert out.changes[0].base_version == 0


def test_same_request_twice_has_the_same_key_and_no_new_refund() -> None:
    p, out, after = granted()
    again = request_refund(after, request(), now=at(1))
    assert again.changes == () and again.note_codes == ("already_requested",)
    assert again.effects[0].idempotency_key == out.effects[0].idempotency_key
    assert request_refund(p, request(), now=at()).effects == out.effects


def test_key_is_stable_across_processes() -> None:
    _, out, _ = granted()
    assert out.effects[0].idempotency_key == "issue_refund:fc0d2141c1d56b1d8300fa8205f2a93e"


def test_denied_request_changes_nothing_and_tells_the_customer() -> None:
    p = captured(created_at=at(days=-400), captures=())
    p = captured()
    out = request_refund(
        p,
        request(amount=eur("10"), reason=RefundReason.OVERCHARGE, correct_amount=eur("49.90")),
        now=at(),
    )
    assert out.decisions[0].outcome.value == "deny"
    assert out.changes == ()
    (note,) = out.effects
    assert isinstance(note, NotifyCustomer) and note.template == "refund_denied"


def test_operator_denied_request_does_not_notify() -> None:
    p = captured()
    out = request_refund(
        p,
        request(
            reason=RefundReason.OVERCHARGE,
            correct_amount=eur("60"),
            requested_by=RequesterKind.OPERATOR,
            requester_id="op_j",
        ),
        operator=operator(),
        now=at(),
    )
    assert out.effects == () and "refund_denied" in out.note_codes


def by_op_j(p, at_: object = None, **req: object):
    """op_j (junior, 100 EUR) files a request for the whole payment."""
    return request_refund(
        p,
        request(requester_id="op_j", requested_by="operator", **req),
        operators={"op_j": operator()},
        now=at_ or at(),
    )


def test_review_parks_refund_awaiting_approval() -> None:
    p = captured("2000")
    out = by_op_j(p)
    after = out.after("payment", "pay_1")
    assert after.refund("rf_rr_1").status is RefundStatus.AWAITING_APPROVAL
    (effect,) = out.effects
    assert isinstance(effect, RequestApproval)
    assert effect.tier is Tier.SENIOR and effect.requested_by == "op_j"
    assert out.note_codes == ("awaiting_approval",)
    again = by_op_j(after, at(1))
    assert again.effects == out.effects


def test_the_review_decision_and_the_approval_name_the_same_tier() -> None:
    # 2000 EUR: fairness sends it to review (its review tier is middle), but only a senior
    # may approve 2000 EUR: the decision and the RequestApproval both say senior.
    out = by_op_j(captured("2000"))
    (review,) = [d for d in out.decisions if d.outcome.value == "review"]
    (effect,) = out.effects_of(RequestApproval)
    assert review.tier is effect.tier is Tier.SENIOR
    assert "(tier senior)" in review.explain()


def test_operator_above_limit_needs_four_eyes() -> None:
    p = captured("300")
    op = operator()  # junior: 100 EUR
    out = request_refund(
        p, request(requester_id="op_j", requested_by="operator"), operator=op, now=at()
    )
    # one refund decision: authority's routing of the fairness decision, naming the tier
    (decision,) = out.decisions
    assert decision.outcome.value == "review" and decision.tier is Tier.MIDDLE
    assert [d.outcome.value for d in decision.parts] == ["approve", "deny"]
    assert isinstance(out.effects[0], RequestApproval)
    assert out.effects[0].tier is Tier.MIDDLE


def test_an_operators_request_without_the_operator_is_refused_not_issued() -> None:
    # Issue 18: 300 EUR by junior op_j (100 EUR limit), no operator= passed.
    p = captured("300")
    req = request(requester_id="op_j", requested_by="operator")
    with pytest.raises(NotAuthorized, match="unknown"):
        request_refund(p, req, now=at())
    with pytest.raises(NotAuthorized, match="unknown"):
        request_refund(p, req, operators={"op_x": operator("op_x")}, now=at())
    with pytest.raises(NotAuthorized, match="unknown"):  # someone else handling it
        request_refund(p, req, operator=operator("op_s", Tier.SENIOR), now=at())
    with pytest.raises(NotAuthorized):  # an operator's request naming nobody
        request_refund(p, request(requested_by="operator"), now=at())


@pytest.mark.parametrize(
    "who",
    [
        {"operators": {"op_j": operator()}},
        {"operators": {"OP_J": operator()}},
        {"operator": operator()},
        {"operator": operator("OP_J")},
    ],
)
def test_an_operators_request_is_checked_against_their_authority(who) -> None:
    p = captured("300")
    out = request_refund(p, request(requester_id="op_j", requested_by="operator"), **who, now=at())
    assert out.effects_of(IssueRefund) == ()
    (ask,) = out.effects_of(RequestApproval)
    assert ask.tier is Tier.MIDDLE and ask.requested_by == "op_j"
    refund = out.after("payment", "pay_1").refund("rf_rr_1")
    assert refund.status is RefundStatus.AWAITING_APPROVAL


def test_operator_within_limit_issues_directly() -> None:
    p = captured("50")
    out = request_refund(p, request(requester_id="op_j"), operator=operator(), now=at())
    assert isinstance(out.effects[0], IssueRefund)


def test_approve_four_eyes_and_authority() -> None:
    p = captured("2000")
    pay = by_op_j(p).after("payment", "pay_1")
    with pytest.raises(NotAuthorized, match="own request"):
        approve_refund(pay, "rf_rr_1", operator("op_j", Tier.SENIOR), now=at(1))
    for spelling in ("OP_J", "Op_j"):  # ids compare normalised
        with pytest.raises(NotAuthorized, match="own request"):
            approve_refund(pay, "rf_rr_1", operator(spelling, Tier.SENIOR), now=at(1))
    with pytest.raises(NotAuthorized, match="limit"):
        approve_refund(pay, "rf_rr_1", operator("op_m", Tier.MIDDLE), now=at(1))
    ok = approve_refund(pay, "rf_rr_1", operator("op_s", Tier.SENIOR), now=at(1))
    refund = ok.after("payment", "pay_1").refund("rf_rr_1")
    assert refund.status is RefundStatus.REQUESTED and refund.approved_by == "op_s"
    assert isinstance(ok.effects[0], IssueRefund)
    twice = approve_refund(
        ok.after("payment", "pay_1"), "rf_rr_1", operator("op_s", Tier.SENIOR), now=at(2)
    )
    assert twice.changes == () and twice.effects == ok.effects


def test_deny_refund() -> None:
    pay = by_op_j(captured("2000")).after("payment", "pay_1")
    out = deny_refund(pay, "rf_rr_1", operator("op_s", Tier.SENIOR), now=at(1), reason="no")
    assert out.after("payment", "pay_1").refund("rf_rr_1").status is RefundStatus.CANCELED
    assert isinstance(out.effects[0], NotifyCustomer)


def test_uncaptured_payment_is_voided() -> None:
    p = captured(status="authorized", captures=())
    out = request_refund(p, request(), now=at())
    assert isinstance(out.effects[0], CancelPayment) and out.changes == ()


def test_request_for_other_payment_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        request_refund(captured(), request(payment_id="pay_2"), now=at())


@pytest.mark.parametrize(
    ("result", "status", "payment_status", "template"),
    [
        (RefundResult.succeeded("re_1"), RefundStatus.SUCCEEDED, "refunded", "refund_succeeded"),
        (RefundResult.pending("re_1"), RefundStatus.PENDING, "captured", None),
        (
            RefundResult.failed("lost_or_stolen_card"),
            RefundStatus.FAILED,
            "captured",
            "refund_failed",
        ),
        (RefundResult.unknown(), RefundStatus.UNKNOWN, "captured", None),
        (
            RefundResult(status="requires_action"),
            RefundStatus.REQUIRES_ACTION,
            "captured",
            "refund_requires_action",
        ),
        (RefundResult(status="canceled"), RefundStatus.CANCELED, "captured", "refund_canceled"),
    ],
)
def test_settle_refund_paths(result, status, payment_status, template) -> None:
    _, _, pay = granted()
    out = settle_refund(pay, "rf_rr_1", result, now=at(1))
    after = out.after("payment", "pay_1")
    assert after.refund("rf_rr_1").status is status
    assert after.status.value == payment_status
    templates = [e.template for e in out.effects if isinstance(e, NotifyCustomer)]
    assert templates == ([template] if template else [])
    if status is RefundStatus.UNKNOWN:
        assert out.note_codes == ("outcome_unknown",)


def test_unknown_then_provider_answer_settles_it() -> None:
    _, _, pay = granted()
    pay = settle_refund(pay, "rf_rr_1", RefundResult.unknown(), now=at(1)).after("payment", "pay_1")
    out = settle_refund(pay, "rf_rr_1", RefundResult.succeeded("re_1"), now=at(2))
    after = out.after("payment", "pay_1")
    assert after.refund("rf_rr_1").status is RefundStatus.SUCCEEDED
    assert after.refund("rf_rr_1").provider_reference == "re_1"


def test_late_reversal_moves_money_back() -> None:
    _, _, pay = granted()
    pay = settle_refund(pay, "rf_rr_1", RefundResult.succeeded("re_1"), now=at(1)).after(
        "payment", "pay_1"
    )
    out = settle_refund(
        pay,
        "re_1",
        RefundResult(status="reversed", failure_reason="expired_or_canceled_card"),
        now=at(days=5),
    )
    after = out.after("payment", "pay_1")
    assert after.refund("rf_rr_1").status is RefundStatus.REVERSED
    assert after.status.value == "captured" and after.amount_refunded == eur("0")
    assert [t.event.event for t in out.transitions] == ["reverse_refund", "reverse"]


def test_same_answer_twice_and_impossible_answers_change_nothing() -> None:
    _, _, pay = granted()
    pay = settle_refund(pay, "rf_rr_1", RefundResult.succeeded(), now=at(1)).after(
        "payment", "pay_1"
    )
    assert settle_refund(pay, "rf_rr_1", RefundResult.succeeded(), now=at(2)).note_codes == (
        "already_succeeded",
    )
    late = settle_refund(pay, "rf_rr_1", RefundResult.pending(), now=at(2))
    assert late.is_empty and late.note_codes == ("not_applicable",)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"status": "requested"}, "status"),
        ({"status": "awaiting_approval"}, "status"),
        ({"status": "refunded!"}, "status"),
        ({"status": "failed", "failure_reason": "no_idea"}, "failure_reason"),
    ],
)
def test_refund_result_refuses_non_answers(fields: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        RefundResult(**fields)  # type: ignore[arg-type]
    assert info.value.field == field


@pytest.mark.parametrize(
    "call",
    [
        lambda p: settle_refund(p, "nope", RefundResult.succeeded(), now=at()),
        lambda p: approve_refund(p, "nope", operator("op_s", Tier.SENIOR), now=at()),
        lambda p: deny_refund(p, "nope", operator("op_s", Tier.SENIOR), now=at()),
    ],
)
def test_unknown_refund_id_is_not_found_naming_the_field(call) -> None:
    with pytest.raises(NotFound) as info:
        call(captured())
    assert (info.value.kind, info.value.id, info.value.field) == ("refund", "nope", "refund_id")


def test_awaiting_approval_cannot_be_settled_or_approved_twice_wrongly() -> None:
    _, _, pay = granted()
    with pytest.raises(InvalidTransition):
        approve_refund(pay, "rf_rr_1", operator("op_s", Tier.SENIOR), now=at(1))


def test_commit_refuses_a_stale_outcome() -> None:
    from paysupport.errors import ConflictError

    p = captured()
    a = request_refund(p, request(id="rr_a", amount=eur("30")), now=at())
    b = request_refund(p, request(id="rr_b", amount=eur("30")), now=at())
    store = commit(a, {KEY: p})
    with pytest.raises(ConflictError):
        commit(b, store)
    assert store[KEY].refund("rf_rr_a").amount == eur("30")


def test_refund_confirmed_after_a_chargeback_opened_is_recorded_in_full() -> None:
    # Granted, then the customer disputed while the refund was pending at the provider.
    _, _, pay = granted()
    pay = pay.with_dispute(dispute(opened_at=at(0.5)))
    out = settle_refund(pay, "rf_rr_1", RefundResult.succeeded("re_1"), now=at(1))
    after = out.after("payment", "pay_1")
    assert after.refund("rf_rr_1").status is RefundStatus.SUCCEEDED
    assert after.status.value == "refunded"  # the payment's status follows the fact
    assert "payment_status_not_updated" not in out.note_codes


def pending_refund():
    _, _, pay = granted()
    return settle_refund(pay, "rf_rr_1", RefundResult.pending("re_1"), now=at(1)).after(
        "payment", "pay_1"
    )


def test_a_failed_answer_on_a_pending_refund_is_one_fail_event() -> None:
    pay = pending_refund()
    out = settle_refund(pay, "re_1", RefundResult.failed("lost_or_stolen_card"), now=at(2))
    refund = out.after("payment", "pay_1").refund("rf_rr_1")
    assert refund.status is RefundStatus.FAILED
    assert [t.event.event for t in out.transitions] == ["fail"]
    assert [e.event for e in refund.history] == ["submit", "fail"]


@pytest.mark.parametrize("settle_first", [False, True])
def test_a_reversal_of_a_refund_that_never_succeeded_ends_failed(settle_first: bool) -> None:
    # Adyen REFUND_FAILED on a refund still pending: no invented success, no "reversed".
    pay = pending_refund()
    if settle_first:  # the answer never came
        pay = settle_refund(pay, "re_1", RefundResult.unknown(), now=at(1.5))
        pay = pay.after("payment", "pay_1") if pay.changes else pending_refund()
    out = settle_refund(
        pay,
        "re_1",
        RefundResult(status="reversed", failure_reason="expired_or_canceled_card"),
        now=at(2),
    )
    after = out.after("payment", "pay_1")
    refund = after.refund("rf_rr_1")
    assert refund.status is RefundStatus.FAILED
    assert refund.failure_reason.value == "expired_or_canceled_card"
    assert [t.event.event for t in out.transitions] == ["fail"]
    assert "succeed" not in [e.event for e in refund.history]
    assert after.amount_refunded == eur("0") and after.status.value == "captured"
    (told,) = out.effects_of(NotifyCustomer)
    assert told.template == "refund_failed"
