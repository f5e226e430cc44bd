"""The same backtest on a Dask LocalCluster gives the same result as on this process."""

from __future__ import annotations

import pytest
from backtest_support import T0, mixed_cases

from paysupport.analytics.backtest import SyntheticCases, backtest, sweep
from paysupport.errors import ValidationFailed
from paysupport.policies.policy_set import DEFAULTS

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_dask_equals_local_on_a_list(client):
    cases = mixed_cases(40)
    local = backtest(DEFAULTS, cases, chunk_size=6)
    remote = backtest(DEFAULTS, cases, chunk_size=6, client=client)
    assert remote.to_arrow().equals(local.to_arrow())
    for by in ("all", "reason_code", "segment"):
        assert remote.summary(by).to_polars().equals(local.summary(by).to_polars())


def test_dask_equals_local_on_a_source_and_a_sweep(client):
    source = SyntheticCases(90, seed=3, start=T0, templates=16)
    grid = {"refund.auto_approve_limit[EUR]": [5_000, 50_000]}
    local = sweep(DEFAULTS, source, grid, chunk_size=25)
    remote = sweep(DEFAULTS, source, grid, chunk_size=25, backend="dask")  # the current client
    assert remote.to_polars().equals(local.to_polars())


def test_backend_dask_without_a_client_is_a_typed_error(monkeypatch):
    def no_client():
        raise ValueError("No clients found")

    monkeypatch.setattr(distributed, "get_client", no_client)
    with pytest.raises(ValidationFailed) as err:
        backtest(DEFAULTS, mixed_cases(2), backend="dask")
    assert err.value.field == "client"
