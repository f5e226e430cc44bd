"""Retry schedules for failed payments: network rules, MACs, limits, and properties."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from policy_factories import T0

from paysupport.models import PaymentFailure, RetryAttempt
from paysupport.money import Money
from paysupport.networks import DeclineSeverity, VisaDeclineCategory, decline_code
from paysupport.policies import RetryContext, RetrySchedule, Verdict, network_limits
from paysupport.providers import stripe_failure_fields

P = RetrySchedule()
NOW = T0 + timedelta(minutes=5)


def failure(code="51", network="visa", mac=None, attempts=(), declined_at=T0, amount=1_000):
    return PaymentFailure(
        id="f_1",
        merchant_id="m_1",
        amount=Money.from_minor(amount, "EUR"),
        network=network,
        network_decline_code=code if len(code) <= 2 else None,
        decline_code=code if len(code) > 2 else None,
        # A Stripe code is classified at the provider boundary (issue 12: providers own it).
        provider_decline=stripe_failure_fields({"decline_code": code})["provider_decline"]
        if len(code) > 2
        else None,
        merchant_advice_code=mac,
        declined_at=declined_at,
        attempts=tuple(RetryAttempt(at=a, succeeded=False) for a in attempts),
    )


def plan(f, now=NOW, declines=(), policy=P):
    return policy.decide(RetryContext(f, declines), now)


@pytest.mark.parametrize(
    ("code", "network", "mac", "outcome", "reason", "ask"),
    [
        ("51", "visa", None, Verdict.RETRY, "retry_scheduled", ""),
        ("43", "visa", None, Verdict.ASK_CUSTOMER, "visa_category_1", "new_payment_method"),
        ("04", "mastercard", None, Verdict.ASK_CUSTOMER, "hard_decline", "new_payment_method"),
        ("stolen_card", None, None, Verdict.ASK_CUSTOMER, "visa_category_1", "new_payment_method"),
        ("51", "mastercard", "03", Verdict.ASK_CUSTOMER, "mac_do_not_retry", "new_payment_method"),
        ("51", "mastercard", "21", Verdict.STOP, "mac_stop_recurring", ""),
        ("51", "mastercard", "01", Verdict.ASK_CUSTOMER, "mac_update_card", "update_card"),
        ("54", "visa", None, Verdict.ASK_CUSTOMER, "customer_must_act", "new_payment_method"),
        ("1A", "visa", None, Verdict.ASK_CUSTOMER, "customer_must_act", "authenticate"),
        (
            "authentication_required",
            None,
            None,
            Verdict.ASK_CUSTOMER,
            "stripe_non_retryable",
            "authenticate",
        ),
        ("zz_unknown_code", None, None, Verdict.REVIEW, "unknown_decline_code", None),
        ("51", "mastercard", "99", Verdict.REVIEW, "unknown_advice_code", None),
    ],
)
def test_rules(code, network, mac, outcome, reason, ask):
    d = plan(failure(code, network, mac))
    assert d.outcome is outcome
    assert reason in d.codes
    if ask is not None and d.detail is not None:
        assert d.detail.ask == ask
    if outcome is not Verdict.RETRY:
        assert d.detail is None or d.detail.schedule == ()


def test_visa_code_03_moved_to_category_2_in_2021():
    assert decline_code("03").visa_category_on(date(2021, 4, 16)) is (
        VisaDeclineCategory.ISSUER_WILL_NEVER_APPROVE
    )
    assert plan(failure("03")).outcome is Verdict.RETRY


def test_default_schedule_waits():
    d = plan(failure("51"))
    s = d.detail.schedule
    assert len(s) == 8
    assert s[0] == T0 + timedelta(hours=24)
    assert s[1] == s[0] + timedelta(hours=48)
    assert all(b > a for a, b in itertools.pairwise(s))
    assert s[-1] <= T0 + timedelta(days=30)


@pytest.mark.parametrize(
    ("mac", "first"),
    [
        ("24", timedelta(hours=24)),  # 1 h advice, but our first wait is 24 h
        ("26", timedelta(days=2)),
        ("30", timedelta(days=10)),
        ("02", timedelta(hours=72)),
    ],
)
def test_mac_retry_after(mac, first):
    d = plan(failure("51", "mastercard", mac))
    assert d.outcome is Verdict.RETRY
    assert d.detail.schedule[0] == T0 + first


def test_retry_then_contact_retries_once():
    d = plan(failure("approve_with_id", None))
    assert d.outcome is Verdict.RETRY
    assert len(d.detail.schedule) == 1
    assert d.detail.ask == "contact_issuer"


@pytest.mark.parametrize(("made", "left"), [(0, 8), (7, 1), (8, 0)])
def test_team_cap(made, left):
    attempts = [T0 + timedelta(hours=i + 1) for i in range(made)]
    d = plan(failure("51", attempts=attempts), now=T0 + timedelta(hours=made + 1))
    if left:
        assert len(d.detail.schedule) == left
    else:
        assert (d.outcome, d.codes) == (Verdict.ASK_CUSTOMER, ("retries_exhausted",))


@pytest.mark.parametrize(
    ("on", "limit"),
    [(date(2025, 5, 24), 15), (date(2025, 5, 25), 20), (date(2021, 1, 1), 15)],
)
def test_visa_reattempt_limit_by_date(on, limit):
    assert network_limits(on).visa_reattempts_30d == limit


def test_visa_limit_caps_the_schedule():
    p = RetrySchedule(max_retries=50, waits_hours=[1], horizon_days=30)
    t0 = T0.replace(year=2025, month=4, day=1)
    d = p.decide(RetryContext(failure("51", declined_at=t0)), t0)
    assert len(d.detail.schedule) == 15  # before 2025-05-25: 15 in 30 days
    d = p.decide(RetryContext(failure("51", declined_at=T0)), T0)
    assert len(d.detail.schedule) == 20


def test_mastercard_daily_limit_pushes_retries():
    declines = tuple(NOW - timedelta(minutes=i + 1) for i in range(9))  # 9 + the decline = 10
    p = RetrySchedule(waits_hours=[1])
    d = p.decide(
        RetryContext(failure("51", "mastercard", declined_at=NOW - timedelta(minutes=1)), declines),
        NOW,
    )
    first = d.detail.schedule[0]
    window = [x for x in (*declines, NOW - timedelta(minutes=1)) if first - timedelta(hours=24) < x]
    assert len(window) < 10


def test_horizon():
    p = RetrySchedule(horizon_days=1, waits_hours=[20])
    d = p.decide(RetryContext(failure("51")), NOW)
    assert len(d.detail.schedule) == 1


def test_soft_decline_severity_matches_catalogue():
    assert decline_code("51").severity is DeclineSeverity.SOFT


CODES = [
    "51",
    "05",
    "43",
    "04",
    "54",
    "1A",
    "91",
    "03",
    "61",
    "R1",
    "insufficient_funds",
    "stolen_card",
    "generic_decline",
    "approve_with_id",
    "lost_card",
    "expired_card",
]


@given(
    st.sampled_from(CODES),
    st.sampled_from([None, "visa", "mastercard", "amex"]),
    st.sampled_from([None, "02", "03", "21", "24", "25", "30", "01"]),
    st.lists(st.integers(1, 60 * 24 * 40), max_size=25),
    st.lists(st.integers(1, 60 * 48), max_size=15),
    st.integers(0, 60 * 24 * 45),
)
def test_schedule_obeys_network_limits(code, network, mac, attempt_min, decline_min, now_min):
    attempts = sorted(T0 + timedelta(minutes=m) for m in attempt_min)
    now = T0 + timedelta(minutes=now_min)
    if attempts and attempts[-1] > now:
        now = attempts[-1]
    declines = tuple(now - timedelta(minutes=m) for m in decline_min)
    f = failure(code, network, mac, attempts=attempts)
    d = plan(f, now=now, declines=declines)
    assert d.reasons
    sched = d.detail.schedule if d.detail is not None else ()
    dc = f.decline
    if dc is not None and (dc.is_hard or dc.severity_on(now.date()) is DeclineSeverity.HARD):
        assert not sched  # never retry a hard decline
    if (
        dc is not None
        and dc.visa_category_on(now.date()) is VisaDeclineCategory.ISSUER_WILL_NEVER_APPROVE
        and network in (None, "visa")
    ):
        assert not sched
    if mac in ("03", "21") and network == "mastercard":
        assert not sched
    assert len(attempts) + len(sched) <= max(P.max_retries, len(attempts))
    for t in sched:
        assert t >= now
        lim = network_limits(t.date())
        retries = [*attempts, *sched]
        if network in (None, "visa"):
            assert sum(t - timedelta(days=30) < x <= t for x in retries) <= lim.visa_reattempts_30d
        if network in (None, "mastercard"):
            all_declines = [f.declined_at, *attempts, *declines, *sched]
            assert (
                sum(t - timedelta(hours=24) < x <= t for x in all_declines) <= lim.mc_declines_24h
            )
            same = [f.declined_at, *attempts, *sched]
            assert sum(t - timedelta(days=30) < x <= t for x in same) <= 35


# ------------------------------------------------------------------ one definition of "hard"
def _hard_cases():
    from paysupport.networks import decline_codes

    days = (date(2020, 6, 1), date(2021, 4, 17), date(2025, 6, 1))
    for dc in decline_codes():
        if len(dc.code) <= 2:
            for day in days:
                yield dc.code, day


@pytest.mark.parametrize(("code", "day"), list(_hard_cases()))
def test_retry_policy_and_recovery_lifecycle_agree_on_hard_declines(code, day):
    from datetime import UTC, datetime

    from paysupport.lifecycles import hard_decline_reason

    now = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    f = failure(code=code, declined_at=now - timedelta(minutes=5))
    d = plan(f, now=now)
    policy_hard = bool({"visa_category_1", "hard_decline"} & set(d.codes))
    lifecycle_hard = hard_decline_reason(f.decline, None, day) is not None
    assert policy_hard == lifecycle_hard, (code, day, d.codes)


@pytest.mark.parametrize("earlier", [8, 9])
def test_mastercard_daily_limit_binds_exactly_at_the_limit(earlier):
    # The decline plus `earlier` card declines in the last minutes: with 9 in the window the
    # first retry keeps its wait; the 10th decline in 24 h (the limit) pushes the next one
    # until the oldest leaves the window.
    declines = tuple(NOW - timedelta(minutes=i + 2) for i in range(earlier))
    p = RetrySchedule(waits_hours=[1], max_retries=3)
    f = failure("51", "mastercard", declined_at=NOW - timedelta(minutes=1))
    sched = p.decide(RetryContext(f, declines), NOW).detail.schedule
    first = NOW + timedelta(minutes=59)
    oldest = NOW - timedelta(minutes=earlier + 1)
    pushed = oldest + timedelta(hours=24, microseconds=1)
    if earlier == 8:  # 9 in the window: the first retry fits; the second would be the 11th
        assert sched[0] == first
        assert sched[1] == pushed
    else:  # already 10 in the window: the first retry waits for the oldest to leave
        assert sched[0] == pushed
