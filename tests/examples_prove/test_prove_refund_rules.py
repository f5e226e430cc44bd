"""Runs examples/prove_refund_rules/ in the repository's test run, so the example cannot rot.

The example is written as a user would write it (plain imports of its own modules), so its
directory goes on ``sys.path`` and its tests are re-exported here for pytest to collect.
"""

from __future__ import annotations

import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "prove_refund_rules"
if str(EXAMPLE) not in sys.path:
    sys.path.insert(0, str(EXAMPLE))

from test_flawed_policy import (  # noqa: E402
    TestFixedPolicyOverAPaymentsLife,
    test_fixed_policy_passes_every_refund_check,
    test_flawed_policy_never_approves_more_than_refundable,
    test_the_counterexample_reads_like_a_support_ticket,
)

__all__ = [
    "TestFixedPolicyOverAPaymentsLife",
    "test_fixed_policy_passes_every_refund_check",
    "test_flawed_policy_never_approves_more_than_refundable",
    "test_the_counterexample_reads_like_a_support_ticket",
]
