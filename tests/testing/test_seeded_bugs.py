"""The kit catches seeded bugs: each realistic mistake is found in every one of 20 seeds.

The flawed policies live in examples/prove_refund_rules/seeded_bugs.py. Each run uses the
kit's default checks with the default example count (100) and a different seed; shrinking
is off (a caught bug is what is measured here, not the shape of its counterexample).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings

from paysupport.policies import OperatorAuthority, RefundFairness, RetrySchedule
from paysupport.testing.properties import (
    PropertyViolation,
    check_escalation_policy,
    check_refund_policy,
    check_retry_policy,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "prove_refund_rules"
if str(EXAMPLE) not in sys.path:
    sys.path.insert(0, str(EXAMPLE))

import seeded_bugs  # noqa: E402

SEEDS = range(20)
# The default example count a user gets; no shrinking and no database, so each seed is an
# independent try and the run stays fast.
CATCH = settings(
    max_examples=100,
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _check(policy: Any, seed: int) -> None:
    if policy in seeded_bugs.REFUND_BUGS:
        check_refund_policy(policy, settings=CATCH, seed=seed, fail_fast=True)
    elif policy in seeded_bugs.APPROVAL_BUGS:
        check_escalation_policy(
            seeded_bugs.TEAM_ESCALATION, authority=policy, settings=CATCH, seed=seed, fail_fast=True
        )
    elif policy in seeded_bugs.ESCALATION_BUGS:
        check_escalation_policy(policy, settings=CATCH, seed=seed, fail_fast=True)
    else:
        check_retry_policy(policy, settings=CATCH, seed=seed, fail_fast=True)


ALL_BUGS = (
    *seeded_bugs.REFUND_BUGS,
    *seeded_bugs.APPROVAL_BUGS,
    *seeded_bugs.ESCALATION_BUGS,
    *seeded_bugs.RETRY_BUGS,
)


def test_there_are_at_least_ten_distinct_mistakes() -> None:
    assert len({type(p) for p in ALL_BUGS}) >= 10


def _missed(policy: Any, seeds: range) -> list[int]:
    missed = []
    for seed in seeds:
        try:
            _check(policy, seed)
        except PropertyViolation:
            continue
        missed.append(seed)
    return missed


@pytest.mark.parametrize("policy", ALL_BUGS, ids=lambda p: type(p).__name__)
def test_the_first_seed_catches_the_bug(policy: Any) -> None:
    missed = _missed(policy, range(1))
    assert not missed, f"{type(policy).__name__} escaped the kit with seeds {missed}"


@pytest.mark.slow
@pytest.mark.parametrize("policy", ALL_BUGS, ids=lambda p: type(p).__name__)
def test_every_one_of_20_seeds_catches_the_bug(policy: Any) -> None:
    missed = _missed(policy, SEEDS)
    assert not missed, f"{type(policy).__name__} escaped the kit with seeds {missed}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "check",
    [
        lambda s: check_refund_policy(RefundFairness(), settings=CATCH, seed=s),
        lambda s: check_escalation_policy(
            seeded_bugs.TEAM_ESCALATION, authority=OperatorAuthority(), settings=CATCH, seed=s
        ),
        lambda s: check_retry_policy(seeded_bugs.TeamRetryRules(), settings=CATCH, seed=s),
    ],
    ids=["refund_fairness", "operator_authority", "correct_retry_rules"],
)
def test_the_correct_policies_pass_the_same_checks(check: Any) -> None:
    # The checks are not simply strict: the library's own policies and a correct team rule
    # set pass them on the same seeds.
    check(0)


@pytest.mark.parametrize(
    "policy", [RetrySchedule(), seeded_bugs.TeamRetryRules()], ids=["library", "team"]
)
def test_correct_retry_policies_never_retry_a_hard_decline(policy: Any) -> None:
    # The library's own retry schedule and the lifecycle agree on what a hard decline is.
    check_retry_policy(policy, settings=CATCH, seed=0)
