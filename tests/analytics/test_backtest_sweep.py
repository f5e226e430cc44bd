"""sweep(): every grid point is the backtest of its own evolved policy set."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import matplotlib
import pytest
from backtest_support import dispute_case, mixed_cases, refund_case

from paysupport.analytics.backtest import backtest, set_parameter, sweep
from paysupport.errors import ValidationFailed
from paysupport.policies.policy_set import DEFAULTS

matplotlib.use("Agg")

CASES = mixed_cases(32) + [dispute_case(f"v{i}", 20_000 + 9_000 * i) for i in range(8)]
GRID = {
    "dispute_response.win_rates[visa:13.1]": [Decimal("0.2"), Decimal("0.9")],
    "refund.auto_approve_limit[EUR]": [10_000, 100_000],
}


@pytest.fixture(scope="module")
def swept():
    return sweep(DEFAULTS, CASES, GRID, chunk_size=9)


def test_a_grid_point_equals_a_separate_backtest(swept):
    assert len(swept) == 4
    for point, result in zip(swept.points, swept.results, strict=True):
        policies = DEFAULTS
        for path, value in point.items():
            policies = set_parameter(policies, path, value)
        alone = backtest(policies, CASES)
        assert alone.fingerprint == result.fingerprint
        for by in ("all", "reason_code"):
            assert alone.summary(by).to_polars().equals(result.summary(by).to_polars())


def test_the_table_has_one_row_per_point_and_currency(swept):
    table = swept.to_polars()
    assert table.height == 4  # every case is in EUR
    assert table["refund.auto_approve_limit[EUR]"].to_list() == [10_000, 100_000] * 2
    assert table["dispute_response.win_rates[visa:13.1]"].to_list() == ["0.2"] * 2 + ["0.9"] * 2
    # a higher win chance contests more 13.1 disputes; a higher limit reviews fewer refunds
    contested = dict(zip(table["point"], table["contested"], strict=True))
    reviews = dict(zip(table["point"], table["reviews"], strict=True))
    assert contested[2] > contested[0]
    assert reviews[1] < reviews[0]


def test_set_parameter_changes_only_that_key():
    changed = set_parameter(DEFAULTS, "authority.tier_limits[junior][EUR]", 20_000)
    limits = dict(changed.authority.tier_limits)
    assert dict(limits["junior"])["EUR"] == 20_000
    assert (
        dict(limits["junior"])["USD"] == dict(dict(DEFAULTS.authority.tier_limits)["junior"])["USD"]
    )
    assert changed.refund == DEFAULTS.refund
    margin = set_parameter(DEFAULTS, "resolution.safety_margin_hours", 24)
    assert margin.dispute_safety_margin == timedelta(hours=24)
    window = set_parameter(DEFAULTS, "refund.refund_window_days[card]", 30)
    assert dict(window.refund.refund_window_days)["card"] == 30
    assert backtest(window, [refund_case("r", 1_000, age_days=45)]).row(0)["verdict"] == "deny"


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("nonsense", "known_field"),
        ("refund.no_such_param", "known_parameter"),
        ("refund..x", "parameter_path"),
        ("refund[EUR]", "parameter_path"),
    ],
)
def test_bad_paths_are_refused(path, rule):
    with pytest.raises(ValidationFailed) as err:
        set_parameter(DEFAULTS, path, 1)
    assert err.value.rule == rule


def test_a_value_the_policy_refuses_is_a_typed_error():
    with pytest.raises(ValidationFailed):
        set_parameter(DEFAULTS, "dispute_response.default_win_rate", Decimal("1.5"))


def test_an_empty_grid_or_value_list_is_refused():
    with pytest.raises(ValidationFailed) as err:
        sweep(DEFAULTS, CASES, {})
    assert err.value.field == "grid"
    with pytest.raises(ValidationFailed) as err:
        sweep(DEFAULTS, CASES, {"refund.default_window_days": []})
    assert err.value.field == "grid.refund.default_window_days"


def test_plot_draws_one_line_per_other_parameter(swept):
    ax = swept.plot("contested", x="dispute_response.win_rates[visa:13.1]")
    assert len(ax.get_lines()) == 2
    assert ax.get_xlabel() == "dispute_response.win_rates[visa:13.1]"
    assert "<table" in swept._repr_html_()
