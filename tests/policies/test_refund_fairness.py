"""Refund fairness: a table per rule (with boundaries) and properties."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from policy_factories import T0, customer, merchant, payment, refund_ctx, request

from paysupport.models import RefundReason, RefundStatus, Tier
from paysupport.policies import ExchangeRates, RefundContext, RefundFairness, Verdict

P = RefundFairness()
NOW = T0 + timedelta(days=3)
A, AP, R, D = Verdict.APPROVE, Verdict.APPROVE_PARTIAL, Verdict.REVIEW, Verdict.DENY


def decide(ctx, now=NOW, policy=P):
    return policy.decide(ctx, now)


# ------------------------------------------------------------------ window since capture
@pytest.mark.parametrize(
    ("method", "age", "outcome"),
    [
        ("card", timedelta(days=180), A),  # exactly at the window's end: inside
        ("card", timedelta(days=180, microseconds=1), D),
        ("card", timedelta(days=179), A),
        ("amazon_pay", timedelta(days=90), A),
        ("amazon_pay", timedelta(days=90, seconds=1), D),
        ("klarna", timedelta(days=180), A),  # unknown method: default window
        ("klarna", timedelta(days=181), D),
    ],
)
def test_refund_window(method, age, outcome):
    ctx = refund_ctx(payment(method=method, fingerprint=None))
    d = decide(ctx, T0 + age)
    assert d.outcome is outcome
    if outcome is D:
        assert d.codes == ("outside_refund_window",)
        assert d.reasons[0].value("method") == method


def test_window_is_tunable_per_method():
    p = RefundFairness(refund_window_days={"card": 30})
    ctx = refund_ctx()
    assert decide(ctx, T0 + timedelta(days=30), p).outcome is A
    assert decide(ctx, T0 + timedelta(days=31), p).outcome is D


# ------------------------------------------------------------------ refundable amount
@pytest.mark.parametrize(
    ("refunded", "asked", "outcome", "granted"),
    [
        ((), None, A, 10_000),
        ((), 10_000, A, 10_000),  # exactly the remaining amount
        ((), 10_001, AP, 10_000),  # one minor unit more
        (((4_000, RefundStatus.SUCCEEDED),), 6_000, A, 6_000),
        (((4_000, RefundStatus.SUCCEEDED),), 6_001, AP, 6_000),
        (((4_000, RefundStatus.PENDING),), 6_001, AP, 6_000),  # pending counts
        (((4_000, RefundStatus.FAILED),), 10_000, A, 10_000),  # failed does not
        (((10_000, RefundStatus.SUCCEEDED),), None, D, None),
        (((6_000, RefundStatus.SUCCEEDED), (4_000, RefundStatus.UNKNOWN)), 1, D, None),
    ],
)
def test_refundable_amount(refunded, asked, outcome, granted):
    ctx = refund_ctx(payment(refunded=refunded), request(amount=asked))
    d = decide(ctx)
    assert d.outcome is outcome
    if granted is not None:
        assert d.amount.minor == granted
    if outcome is D:
        assert d.codes == ("nothing_refundable",)
    if outcome is AP:
        assert "exceeds_refundable" in d.codes


def test_partial_can_be_turned_off():
    p = RefundFairness(allow_partial=False)
    d = decide(refund_ctx(req=request(amount=10_001)), policy=p)
    assert d.outcome is D
    assert d.codes == ("exceeds_refundable",)


def test_currency_mismatch_is_denied():
    d = decide(refund_ctx(req=request(amount=100, currency="USD")))
    assert d.outcome is D
    assert d.codes == ("currency_mismatch",)


# ------------------------------------------------------------------ auto-approve limit
@pytest.mark.parametrize(
    ("amount", "currency", "outcome", "code"),
    [
        (50_000, "EUR", A, "within_policy"),  # exactly at the limit
        (50_001, "EUR", R, "above_auto_approve_limit"),
        (1_000, "JPY", R, "no_exchange_rate"),  # EUR limit, no JPY rate given
    ],
)
def test_auto_approve_limit(amount, currency, outcome, code):
    ctx = refund_ctx(payment(amount=amount, currency=currency), request(currency=currency))
    d = decide(ctx)
    assert d.outcome is outcome
    assert code in d.codes
    if outcome is R:
        assert d.tier is Tier.MIDDLE
        assert d.amount.minor == amount


# ------------------------------------------------------------------ history
def _past(n, days_ago=10, minor=1_000):
    return tuple((NOW - timedelta(days=days_ago), minor) for _ in range(n))


@pytest.mark.parametrize(
    ("past", "outcome", "code"),
    [
        (_past(3), A, "within_policy"),  # at history_max_count: fine
        (_past(4), R, "refund_history_count"),
        (_past(7), R, "refund_history_count"),
        (_past(8), D, "serial_refunder"),  # at serial_refunder_count
        (_past(8, days_ago=91), A, "within_policy"),  # outside the history window
        (_past(8, days_ago=90), D, "serial_refunder"),  # exactly at the window's start
        (_past(2, minor=50_000), A, "within_policy"),  # 100,000: at the amount cap
        (((NOW - timedelta(days=1), 100_001),), R, "refund_history_amount"),
    ],
)
def test_refund_history(past, outcome, code):
    d = decide(refund_ctx(cust=customer(past)))
    assert d.outcome is outcome
    assert code in d.codes


def test_history_amount_counts_only_the_same_currency():
    cust = customer(((NOW - timedelta(days=1), 500_000),), currency="USD")
    assert decide(refund_ctx(cust=cust)).outcome is A


# ------------------------------------------------------------------ duplicates
def _other(gap_s, *, fingerprint="fp_card_1", amount=10_000, merchant_id="m_1", id="pay_0"):
    return payment(
        id=id,
        amount=amount,
        fingerprint=fingerprint,
        merchant_id=merchant_id,
        captured_at=T0 - timedelta(seconds=gap_s),
    )


@pytest.mark.parametrize(
    ("other", "outcome", "code"),
    [
        (_other(300), A, "duplicate_charge"),  # exactly at the window
        (_other(301), R, "duplicate_not_confirmed"),
        (_other(10, fingerprint="fp_other"), R, "duplicate_not_confirmed"),
        (_other(10, amount=9_999), R, "duplicate_not_confirmed"),
        (_other(10, merchant_id="m_2"), R, "duplicate_not_confirmed"),
    ],
)
def test_duplicate_charge(other, outcome, code):
    ctx = refund_ctx(req=request(reason=RefundReason.DUPLICATE), related=(other,))
    d = decide(ctx)
    assert d.outcome is outcome
    assert d.codes == (code,)
    if outcome is A:
        assert d.amount.minor == 10_000  # in full
        assert d.reasons[0].value("duplicate_of") == "pay_0"


def test_duplicate_of_names_the_payment():
    others = (_other(10, id="pay_a"), _other(20, id="pay_b"))
    ctx = refund_ctx(
        req=request(reason=RefundReason.DUPLICATE, duplicate_of="pay_b"), related=others
    )
    assert decide(ctx).reasons[0].value("duplicate_of") == "pay_b"


def test_duplicate_refunded_in_full_even_above_auto_limit():
    pay = payment(amount=90_000)
    other = payment(id="pay_0", amount=90_000, captured_at=T0 - timedelta(seconds=5))
    d = decide(refund_ctx(pay, request(reason=RefundReason.DUPLICATE), related=(other,)))
    assert (d.outcome, d.amount.minor) == (A, 90_000)


# ------------------------------------------------------------------ overcharge
@pytest.mark.parametrize(
    ("correct", "asked", "outcome", "granted", "code"),
    [
        (7_000, None, AP, 3_000, "overcharge"),
        (7_000, 3_000, A, 3_000, "overcharge"),
        (7_000, 2_000, A, 2_000, "overcharge"),
        (9_999, None, AP, 1, "overcharge"),
        (10_000, None, D, None, "no_overcharge"),
        (12_000, None, D, None, "no_overcharge"),
        (0, None, A, 10_000, "overcharge"),
        (None, None, R, None, "overcharge_amount_missing"),
    ],
)
def test_overcharge(correct, asked, outcome, granted, code):
    req = request(reason=RefundReason.OVERCHARGE, correct=correct, amount=asked)
    d = decide(refund_ctx(req=req))
    assert d.outcome is outcome
    assert code in d.codes
    if granted is not None:
        assert d.amount.minor == granted


def test_overcharge_never_exceeds_refundable():
    pay = payment(refunded=((9_000, RefundStatus.SUCCEEDED),))
    req = request(reason=RefundReason.OVERCHARGE, correct=7_000)
    d = decide(refund_ctx(pay, req))
    assert d.amount.minor == 1_000


# ------------------------------------------------------------------ disputes and EFW
@pytest.mark.parametrize(
    ("dispute", "outcome", "codes"),
    [
        ({}, D, ("open_chargeback",)),
        ({"is_charge_refundable": True}, A, ("dispute_allows_refund", "within_policy")),
        ({"status": "won"}, A, ("within_policy",)),  # closed dispute: no block
        ({"status": "under_review"}, D, ("open_chargeback",)),
        # An open inquiry never blocks a refund (the payment lifecycle agrees).
        ({"stage": "inquiry"}, A, ("within_policy",)),
        ({"stage": "pre_arbitration"}, D, ("open_chargeback",)),
    ],
)
def test_open_chargeback(dispute, outcome, codes):
    d = decide(refund_ctx(payment(disputes=(dispute,))))
    assert d.outcome is outcome
    assert d.codes == codes


def test_lost_chargeback_reduces_refundable():
    d = decide(refund_ctx(payment(disputes=({"status": "lost", "amount": 10_000},))))
    assert d.outcome is D
    assert d.codes == ("nothing_refundable",)


@pytest.mark.parametrize(
    ("age_days", "cust_past", "outcome"),
    [(3, 0, A), (400, 0, A), (3, 9, A)],  # favours a refund over window and history
)
def test_early_fraud_warning(age_days, cust_past, outcome):
    ctx = refund_ctx(payment(efw=True), cust=customer(_past(cust_past)))
    d = decide(ctx, T0 + timedelta(days=age_days))
    assert d.outcome is outcome
    assert d.codes == ("early_fraud_warning",)


def test_open_chargeback_beats_efw():
    assert decide(refund_ctx(payment(efw=True, disputes=({},)))).outcome is D


# ------------------------------------------------------------------ goods returned
@pytest.mark.parametrize(
    ("require", "returned", "outcome"),
    [(False, False, A), (True, False, R), (True, True, A), (True, None, A)],
)
def test_goods_returned(require, returned, outcome):
    p = RefundFairness(require_return=require)
    d = decide(refund_ctx(req=request(goods_returned=returned)), policy=p)
    assert d.outcome is outcome
    if outcome is R:
        assert "goods_not_returned" in d.codes


def test_review_tier_is_a_parameter():
    p = RefundFairness(review_tier=Tier.SENIOR)
    d = decide(refund_ctx(payment(amount=60_000)), policy=p)
    assert (d.outcome, d.tier) == (R, Tier.SENIOR)


def test_segment_is_on_the_context():
    from paysupport.models import MerchantSegment

    assert refund_ctx(merch=merchant(MerchantSegment.VIP)).segment is MerchantSegment.VIP


def test_decide_many_equals_decide():
    ctxs = [refund_ctx(req=request(amount=a)) for a in (1, 10_000, 10_001)]
    assert P.decide_many(ctxs, NOW) == [P.decide(c, NOW) for c in ctxs]


# ------------------------------------------------------------------ properties
refund_status = st.sampled_from(list(RefundStatus))


@st.composite
def contexts(draw):
    amount = draw(st.integers(1, 200_000))
    captured = draw(st.integers(0, amount))
    refunded = []
    left = captured
    for _ in range(draw(st.integers(0, 3))):
        if left <= 0:
            break
        m = draw(st.integers(1, left))
        s = draw(refund_status)
        if s.holds_funds:
            left -= m
        refunded.append((m, s))
    reason = draw(st.sampled_from(list(RefundReason)))
    correct = None
    if reason is RefundReason.OVERCHARGE:
        correct = draw(st.none() | st.integers(0, amount * 2))
    asked = draw(st.none() | st.integers(1, amount * 2))
    states = [
        ("chargeback", "needs_response"),
        ("chargeback", "won"),
        ("chargeback", "under_review"),
        ("inquiry", "needs_response"),
        ("inquiry", "under_review"),
        ("pre_arbitration", "needs_response"),
    ]
    disputes = [
        {
            "is_charge_refundable": draw(st.booleans()),
            "stage": stage,
            "status": status,
            "amount": max(1, captured),
        }
        for stage, status in draw(st.lists(st.sampled_from(states), max_size=1 if captured else 0))
    ]
    pay = payment(
        amount=amount,
        captured=captured,
        refunded=tuple(refunded),
        efw=draw(st.booleans()),
        disputes=tuple(disputes),
        method=draw(st.sampled_from(["card", "amazon_pay", "klarna"])),
    )
    req = request(
        amount=asked,
        reason=reason,
        correct=correct,
        goods_returned=draw(st.none() | st.booleans()),
    )
    past = tuple(
        (T0 - timedelta(days=d), m)
        for d, m in draw(
            st.lists(st.tuples(st.integers(0, 200), st.integers(1, 90_000)), max_size=10)
        )
    )
    return refund_ctx(pay, req, cust=customer(past))


ages = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400))


@given(contexts(), ages)
def test_approval_never_exceeds_refundable(ctx, age):
    d = P.decide(ctx, T0 + age)
    if (d.outcome.is_approval or d.outcome is R) and d.amount is not None:
        assert 0 < d.amount.minor <= ctx.refundable.minor
    if d.outcome.is_approval:
        assert d.amount is not None
        if ctx.request.amount is not None:
            assert d.amount.minor <= ctx.request.amount.minor


@given(contexts(), ages)
def test_decisions_are_deterministic_and_explained(ctx, age):
    now = T0 + age
    d1, d2 = P.decide(ctx, now), RefundFairness().decide(ctx, now)
    assert d1 == d2
    assert d1.reasons  # every outcome explains itself; deny/review always
    assert d1.fingerprint == P.fingerprint
    for r in d1.reasons:
        assert r.message


@given(contexts(), ages)
def test_floor_of_open_chargeback(ctx, age):
    d = P.decide(ctx, T0 + age)
    if any(x.blocks_refund for x in ctx.payment.disputes):
        assert d.outcome is D  # open_chargeback, or an earlier deny (nothing refundable)


def test_partially_captured_payment_goes_to_review_until_the_capture_is_final() -> None:
    open_capture = payment(amount=10_000, captured=6_000).evolve(status="partially_captured")
    d = P.decide(refund_ctx(open_capture), T0 + timedelta(days=1))
    assert d.outcome is Verdict.REVIEW
    assert d.codes == ("capture_not_final",)
    assert d.tier is Tier.MIDDLE
    assert d.amount is not None
    assert d.amount.minor == 6_000  # never more than what was captured
    # Once the rest is released (status captured), the same request is decided normally.
    final = open_capture.evolve(status="captured")
    assert P.decide(refund_ctx(final), T0 + timedelta(days=1)).outcome is not Verdict.REVIEW


# ------------------------------------------------------------------ duplicate detection
def test_duplicate_match_is_the_closest_payment():
    near = payment(id="p_near", captured_at=T0 - timedelta(seconds=7))
    far = payment(id="p_far", captured_at=T0 - timedelta(seconds=70))
    d = decide(refund_ctx(req=request(reason=RefundReason.DUPLICATE), related=(far, near)))
    assert d.codes == ("duplicate_charge",)
    assert d.reasons[0].value("duplicate_of") == "p_near"
    assert d.reasons[0].value("gap_seconds") == 7


def test_no_fingerprint_no_duplicate():
    pay = payment(fingerprint=None)
    other = payment(id="p2", fingerprint=None)
    d = decide(refund_ctx(pay, request(reason=RefundReason.DUPLICATE), related=(other,)))
    assert (d.outcome, d.codes) == (R, ("duplicate_not_confirmed",))
    assert d.reasons[0].value("gap_seconds") is None


# ------------------------------------------------------------------ who decided
def test_every_reason_names_its_policy_and_rule():
    d = decide(refund_ctx(payment(amount=60_000), cust=customer(_past(5))))
    assert d.outcome is R
    assert {r.policy for r in d.reasons} == {"refund_fairness"}
    assert all(r.rule for r in d.reasons)
    assert "[refund_fairness:auto_approve_limit]" in d.explain()


def test_rules_are_a_table_of_named_rules():
    names = [r.name for r in RefundFairness.RULES]
    assert len(names) == len(set(names))
    assert names[0] == "currency" and names[-1] == "settle"
    codes = {c for r in RefundFairness.RULES for c in r.codes}
    # Every code the policy gives is listed by a rule (checked on a sweep of cases).
    seen = set()
    for amount in (0, 100, 60_000):
        for reason in RefundReason:
            for past in (0, 5, 9):
                ctx = refund_ctx(
                    payment(amount=max(amount, 1), captured=amount),
                    request(
                        reason=reason, correct=50 if reason is RefundReason.OVERCHARGE else None
                    ),
                    cust=customer(_past(past)),
                )
                seen.update(decide(ctx, T0 + timedelta(days=200)).codes)
                seen.update(decide(ctx).codes)
    assert seen <= codes


# ------------------------------------------------------------------ limits in any currency
RATES = ExchangeRates("EUR", {"JPY": "0.0061", "USD": "0.92"})


@pytest.mark.parametrize(
    ("minor", "outcome", "code"),
    [
        (81_967, A, "within_policy"),  # 81,967 JPY = 499.99 EUR: under the 500 EUR limit
        (81_968, R, "above_auto_approve_limit"),  # 500.0048 EUR: above, exactly compared
    ],
)
def test_reference_limit_covers_other_currencies(minor, outcome, code):
    pay = payment(amount=minor, currency="JPY")
    ctx = RefundContext(pay, request(currency="JPY"), rates=RATES)
    d = decide(ctx)
    assert (d.outcome, code in d.codes) == (outcome, True)


def test_missing_rate_goes_to_review_naming_the_pair():
    pay = payment(amount=10_000, currency="JPY")
    d = decide(
        RefundContext(pay, request(currency="JPY"), rates=ExchangeRates("EUR", {"USD": "1"}))
    )
    assert d.outcome is R
    assert d.codes == ("no_exchange_rate",)
    assert "JPY->EUR" in d.reasons[0].message


def test_decision_refuses_a_missing_verdict():
    from paysupport.errors import ValidationFailed
    from paysupport.policies import Decision, PolicyInfo

    info = PolicyInfo.of({"kind": "x"})
    for bad in (None, "approve", 1):
        with pytest.raises(ValidationFailed) as exc:
            Decision(bad, (), info)  # type: ignore[arg-type]
        assert (exc.value.field, exc.value.rule) == ("outcome", "verdict_expected")
    assert Decision(Verdict.APPROVE, (), info).approved
