"""compare(): which cases change, how, which rule caused it, and seeded bootstrap intervals."""

from __future__ import annotations

import attrs
import numpy as np
import pytest
from backtest_support import JUNIOR, mixed_cases, refund_case

from paysupport.analytics.backtest import backtest, compare
from paysupport.analytics.backtest._compare import bootstrap_sum
from paysupport.errors import ValidationFailed
from paysupport.policies.policy_set import DEFAULTS

CASES = [refund_case(f"r{i}", 5_000 + 3_000 * i, operator=JUNIOR) for i in range(30)]
# Juniors may approve refunds up to 200 EUR instead of 100 EUR.
GENEROUS = attrs.evolve(
    DEFAULTS,
    authority=attrs.evolve(
        DEFAULTS.authority,
        tier_limits={
            **{t.value: dict(m) for t, m in DEFAULTS.authority.tier_limits},
            "junior": {"EUR": 20_000},
        },
    ),
)


@pytest.fixture(scope="module")
def comparison():
    return compare(DEFAULTS, GENEROUS, CASES, seed=7, resamples=400)


def test_the_changed_cases_are_those_between_the_two_limits(comparison):
    changes = comparison.changes().to_polars()
    asked = {c.id: c.payment.amount.minor for c in CASES}
    expected = sorted(cid for cid, minor in asked.items() if 10_000 < minor <= 20_000)
    assert sorted(changes["case_id"].to_list()) == expected
    assert set(changes["approval"].to_list()) == {"true -> false"}
    assert set(changes["cause_policy"].to_list()) == {"operator_authority"}
    for cause in changes["cause"].to_list():
        # the junior's limit no longer stops the refund
        assert "-operator_authority.tier_limits:above_operator_limit" in cause


def test_differences_are_b_minus_a_with_an_interval_around_them(comparison):
    approvals = comparison.difference("approvals")
    a = backtest(DEFAULTS, CASES).total("approvals")
    b = backtest(GENEROUS, CASES).total("approvals")
    assert (approvals["a"], approvals["b"]) == (a, b)
    assert approvals["difference"] == b - a < 0
    assert approvals["ci_low"] <= approvals["difference"] <= approvals["ci_high"]
    refunds = comparison.difference("refund_minor", "EUR")
    assert refunds["difference"] == refunds["b"] - refunds["a"] > 0
    assert refunds["cases_changed"] == len(comparison.changes())


def test_the_interval_is_seeded(comparison):
    again = compare(DEFAULTS, GENEROUS, CASES, seed=7, resamples=400)
    other = compare(DEFAULTS, GENEROUS, CASES, seed=8, resamples=400)
    assert again.differences().to_polars().equals(comparison.differences().to_polars())
    assert not other.differences().to_polars().equals(comparison.differences().to_polars())


def test_identical_policies_change_nothing():
    same = compare(DEFAULTS, DEFAULTS, mixed_cases(16), resamples=50)
    assert len(same.changes()) == 0
    frame = same.differences().to_polars()
    assert frame["difference"].abs().sum() == 0
    assert frame["ci_low"].abs().sum() == frame["ci_high"].abs().sum() == 0


def test_bootstrap_matches_resampling_every_case():
    deltas = np.array([0] * 90 + [5, -3, 7, 1, 0, 2, 9, -4, 6, 3], dtype=np.int64)
    low, high = bootstrap_sum(deltas, 4_000, 0.9, np.random.default_rng(1))
    rng = np.random.default_rng(2)
    naive = np.sort([deltas[rng.integers(0, 100, 100)].sum() for _ in range(4_000)])
    assert abs(low - naive[200]) <= 4 and abs(high - naive[3_799]) <= 4
    assert low < deltas.sum() < high


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"seed": -1}, "seed"), ({"resamples": 3}, "resamples"), ({"confidence": 1.5}, "confidence")],
)
def test_bad_bootstrap_settings_are_named(kwargs, field):
    with pytest.raises(ValidationFailed) as err:
        compare(DEFAULTS, GENEROUS, CASES[:2], **kwargs)
    assert err.value.field == field


def test_plot_and_html_show_every_difference(comparison):
    import matplotlib

    matplotlib.use("Agg")
    ax = comparison.plot(currency="EUR")
    assert len(ax.patches) == len(comparison.differences())
    page = comparison._repr_html_()
    assert "changed cases" in page and "<table" in page
