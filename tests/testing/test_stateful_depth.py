"""The stateful machines go deep: most steps are events that can happen, every state is reached.

Each base runs as a user would run it; `run_stats` then says how many events a run accepted
on average and which declared states no run reached. The default run checks depth on a
modest number of runs; `--slow` runs enough to require every declared state.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, settings

from paysupport.testing import stateful


class Payments(stateful.PaymentLifecycleMachine):
    pass


class Refunds(stateful.RefundLifecycleMachine):
    pass


class Disputes(stateful.DisputeLifecycleMachine):
    pass


class Recoveries(stateful.RecoveryLifecycleMachine):
    pass


class Cases(stateful.CaseLifecycleMachine):
    pass


MACHINES = [Payments, Refunds, Disputes, Recoveries, Cases]


def _run(machine: type[stateful.LifecycleStateMachine], runs: int) -> stateful.RunStats:
    quiet = settings(
        max_examples=runs,
        stateful_step_count=30,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    stateful.as_test_case(machine, settings=quiet)("runTest").runTest()
    return stateful.run_stats(machine)


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.__name__)
def test_runs_accept_at_least_five_events_on_average(
    machine: type[stateful.LifecycleStateMachine],
) -> None:
    stats = _run(machine, 40)
    assert stats.runs >= 30  # Hypothesis may abandon a run before its first step
    assert stats.mean_accepted >= 5, str(stats)


@pytest.mark.slow
@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.__name__)
def test_runs_reach_every_declared_state(machine: type[stateful.LifecycleStateMachine]) -> None:
    # A dispute has 23 states, several of them endings a run takes in a few steps in a
    # hundred (an acceptance or expiry at the chargeback): more runs to reach them all.
    stats = _run(machine, 1200 if machine is Disputes else 400)
    assert stats.unreached(machine.lifecycle) == set(), str(stats)
