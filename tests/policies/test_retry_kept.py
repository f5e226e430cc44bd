"""The retry policy keeps what its code rules gave per (codes, network, day), and gives it again.

``RetrySchedule.decide`` runs the rules that read only the failure's codes, network and the
day once per such key; a subclass (or a failure of another class) runs the whole table. The
kept answer must equal the whole table's, and the status rule still runs first.
"""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from policy_factories import T0

from paysupport.models import PaymentFailure, RecoveryStatus
from paysupport.money import Money
from paysupport.policies import RetryContext, RetrySchedule, Verdict
from paysupport.providers import stripe_failure_fields
from paysupport.workflows import handle_decline


@attrs.frozen(slots=False)
class _WholeTable(RetrySchedule):
    """Not the exact class: decides with the whole table every time."""


def _failure(code: str, network: str | None, mac: str | None, fid: str = "f_1") -> PaymentFailure:
    stripe = len(code) > 2
    return PaymentFailure(
        id=fid,
        merchant_id="m_1",
        amount=Money.from_minor(1_000, "EUR"),
        network=network,
        network_decline_code=None if stripe else code,
        decline_code=code if stripe else None,
        provider_decline=stripe_failure_fields({"decline_code": code})["provider_decline"]
        if stripe
        else None,
        merchant_advice_code=mac,
        declined_at=T0,
    )


CODES = [
    ("51", "visa", None),
    ("43", "visa", None),
    ("03", "visa", None),  # Visa moved 03 between categories: the day matters
    ("04", "mastercard", None),
    ("51", "mastercard", "01"),
    ("51", "mastercard", "02"),
    ("51", "mastercard", "03"),
    ("51", "mastercard", "21"),
    ("51", "mastercard", "99"),  # an advice code the catalogue does not know
    ("54", "visa", None),
    ("1A", "visa", None),
    ("ZZ", "visa", None),  # a decline code the catalogue does not know
    ("51", None, None),
    ("authentication_required", None, None),
    ("insufficient_funds", None, None),
]


@pytest.mark.parametrize(("code", "network", "mac"), CODES)
def test_the_kept_answer_is_the_whole_tables(code, network, mac):
    kept, whole = RetrySchedule(), _WholeTable()
    for now in (T0 + timedelta(minutes=5), T0.replace(year=2020)):
        f = _failure(code, network, mac)
        if now < f.declined_at:
            f = f.evolve(declined_at=now)
        first = kept.decide(RetryContext(f), now)
        again = kept.decide(RetryContext(f.evolve(id="f_2")), now)
        full = whole.decide(RetryContext(f), now)
        for d in (first, again):
            assert (d.outcome, d.reasons, d.detail) == (full.outcome, full.reasons, full.detail)


def test_the_status_rule_runs_before_the_kept_answer():
    policy = RetrySchedule()
    f = _failure("54", "visa", None)
    assert policy.decide(RetryContext(f), T0).outcome is Verdict.ASK_CUSTOMER
    done = f.evolve(status=RecoveryStatus.RECOVERED)
    assert policy.decide(RetryContext(done), T0).codes == ("already_recovered",)


def test_handling_two_failures_with_the_same_codes_on_a_day_decides_once():
    a = handle_decline(_failure("54", "visa", None, "f_a"), now=T0)
    b = handle_decline(_failure("54", "visa", None, "f_b"), now=T0 + timedelta(hours=1))
    assert a.decisions[0] is b.decisions[0]
    later = handle_decline(_failure("54", "visa", None, "f_c"), now=T0 + timedelta(days=1))
    assert later.decisions[0] is not a.decisions[0]
    assert later.decisions[0] == a.decisions[0]


def test_the_lowest_limits_are_each_limits_lowest_on_any_day():
    from datetime import date

    from paysupport.policies import network_limits
    from paysupport.policies.retry import _lowest_limits

    low = _lowest_limits()
    days = [date(2019, 1, 1) + timedelta(days=i) for i in range(0, 3300, 3)]
    every = [network_limits(d) for d in days]
    assert low.visa_reattempts_30d == min(x.visa_reattempts_30d for x in every)
    assert low.mc_declines_24h == min(x.mc_declines_24h for x in every)
    same = [x.mc_declines_same_amount_30d for x in every]
    assert low.mc_declines_same_amount_30d == min(n for n in same if n is not None)
