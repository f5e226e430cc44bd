"""Shared test configuration: Hypothesis profiles.

The default profile keeps the README's test command under four minutes on two cores (40
examples per property, 30 steps per stateful run); ``ci`` is the same, derandomized, and is
chosen when the ``CI`` variable is set. ``PAYSUPPORT_HYPOTHESIS_PROFILE=deep`` runs thousands
of examples per property and 100 steps per stateful run, for long runs; ``--slow`` adds the
seeded-bug catch rates over 20 seeds and the every-state stateful runs (docs/testing.md).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
settings.register_profile(
    "deep",
    max_examples=5_000,
    stateful_step_count=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# CI runs derandomized (the same examples every run, so a landing never hangs on a rare
# draw); local runs stay random and keep exploring. PAYSUPPORT_HYPOTHESIS_PROFILE wins.
_default = "ci" if os.environ.get("CI") else "default"
settings.load_profile(os.environ.get("PAYSUPPORT_HYPOTHESIS_PROFILE", _default))


def _pin_local_constants() -> None:
    """Draw no constants from whichever local modules happen to be imported already.

    Hypothesis mixes constants found in the local (non-library) modules loaded so far into
    its draws, and caches them on first use, so a check with a fixed seed draws other
    examples depending on which tests ran before it in the same process (xdist workers
    differ from run to run). The seeded-bug proof and the stateful depth checks assert what
    fixed seeds find, so the test suite pins that pool empty: every seed draws the same
    examples in any order, alone or in the whole run. A private Hypothesis hook: if it is
    gone, nothing is pinned.
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a Hypothesis without the hook
        return
    if not hasattr(providers, "_get_local_constants"):  # pragma: no cover
        return
    empty = type(providers.GLOBAL_CONSTANTS)(
        integers=type(providers.GLOBAL_CONSTANTS.integers)(),
        floats=type(providers.GLOBAL_CONSTANTS.floats)(key=providers.float_to_int),
        bytes=type(providers.GLOBAL_CONSTANTS.bytes)(),
        strings=type(providers.GLOBAL_CONSTANTS.strings)(),
    )
    providers._get_local_constants = lambda: empty


_pin_local_constants()


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--slow`` also runs the long property runs (seeded-bug catch rates, deep machines)."""
    parser.addoption(
        "--slow",
        action="store_true",
        default=False,
        help="also run tests marked slow (long property runs, see docs/testing.md)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests marked ``slow`` unless ``--slow`` is given."""
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="long run: pass --slow (see docs/testing.md)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
