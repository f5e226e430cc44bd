"""Every result exports to pandas, polars and Arrow, shows compact HTML, and plots."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import matplotlib.pyplot as plt
import polars as pl
import pyarrow as pa
import pytest

from paysupport.analytics import (
    History,
    business_review,
    portfolio_health,
    rule_quality,
    synthetic,
    team_performance,
)
from paysupport.analytics.rules import labelled_transactions
from paysupport.errors import ValidationFailed


@pytest.fixture(scope="module")
def portfolio() -> History:
    return synthetic(seed=11, n_payments=6_000, n_merchants=6, months=9)


def _results(h: History) -> dict[str, Any]:
    health = portfolio_health(h)
    fraud = h.events.filter(pl.col("kind") == "fraud_report")["merchant_id"].mode()
    merchant = fraud.sort()[0]
    return {
        "health": health,
        "review": business_review(h, "2025Q3", merchant_id=merchant),
        "rules": rule_quality(labelled_transactions(h, merchant)),
        "team": team_performance(h),
    }


def test_exports_display_and_plot(portfolio: History) -> None:
    for name, result in _results(portfolio).items():
        main = result.to_polars()
        assert isinstance(main, pl.DataFrame) and main.height > 0, name
        assert result.to_pandas().shape == main.shape
        arrow = result.to_arrow()
        assert isinstance(arrow, pa.Table) and arrow.num_rows == main.height
        page = result._repr_html_()
        assert page.startswith("<div><b>") and page.count("<tr>") <= 9, name
        ax = result.plot()
        assert ax.has_data(), name
        plt.close("all")


def test_health_tables_by_name_and_merchant_plot(portfolio: History) -> None:
    health = portfolio_health(portfolio)
    assert health.to_polars("monitoring").equals(health.monitoring)
    assert health.to_pandas("outlook").shape == health.outlook.shape
    with pytest.raises(ValidationFailed):
        health.to_polars("nonsense")
    merchant = health.at_risk(1)["merchant_id"][0]
    ax = health.plot(merchant)
    labels = [line.get_label() for line in ax.get_lines()]
    assert any(label.endswith("threshold") for label in labels)
    plt.close("all")


def test_import_paysupport_stays_light() -> None:
    code = (
        "import sys, paysupport, paysupport.analytics; "
        "paysupport.analytics.queue_report; "
        "print(sorted(m for m in ('polars', 'pyarrow', 'narwhals', 'pandas', 'matplotlib') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_missing_extra_is_a_clear_error() -> None:
    code = (
        "import sys; sys.modules['polars'] = None\n"
        "import paysupport.analytics as a\n"
        "try:\n    a.History\n"
        "except a.MissingExtra as e:\n    print(type(e).__mro__[1].__name__, e.module, e.extra)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "PaysupportError polars analytics"
