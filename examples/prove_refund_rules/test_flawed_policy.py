"""Prove Acme Outdoor's refund rules with paysupport's ready-made properties.

Run from the repository root: ``pytest examples/prove_refund_rules`` (the repository's own
test run collects these tests through ``tests/examples_prove/``).

The first version of the policy has a bug; the check that finds it is kept as a strict
expected failure, so that fixing the bug in ``GoodsBackPolicy`` makes this example fail until
it is updated, and a change in the library that stopped finding the bug would too.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from flawed_policy import GoodsBackPolicy, GoodsBackPolicyFixed
from hypothesis import settings

from paysupport.testing.properties import (
    PropertyViolation,
    check_refund_policy,
    never_approves_more_than_refundable,
)
from paysupport.testing.stateful import PaymentLifecycleMachine, as_test_case

# Expected failures stay out of the Hypothesis example database. About one drawn case in
# ten can show this bug (goods back on a payment with earlier or in-flight refunds), so 200
# examples find it in every run.
NO_DATABASE = settings(database=None, max_examples=200)


@pytest.mark.xfail(
    strict=True,
    raises=PropertyViolation,
    reason="GoodsBackPolicy refunds the whole capture when goods come back, forgetting "
    "earlier partial refunds and refunds in flight",
)
def test_flawed_policy_never_approves_more_than_refundable() -> None:
    never_approves_more_than_refundable(GoodsBackPolicy(), settings=NO_DATABASE)


def test_the_counterexample_reads_like_a_support_ticket() -> None:
    with pytest.raises(PropertyViolation) as found:
        never_approves_more_than_refundable(GoodsBackPolicy(), settings=NO_DATABASE)
    message = str(found.value)
    # e.g. "Policy 'GoodsBackPolicy' approved 0.04 EUR on payment pay_gen, but only 0.01 EUR
    # is refundable (captured 0.04 EUR, refunded 0.00 EUR, in flight 0.03 EUR). Request:
    # duplicate, full amount, goods returned, 3 days after capture, requested by customer."
    assert message.startswith("Policy 'GoodsBackPolicy' approved ")
    assert "is refundable (captured " in message
    assert "goods returned" in message


def test_fixed_policy_passes_every_refund_check(paysupport_now: datetime) -> None:
    check_refund_policy(GoodsBackPolicyFixed(), now=paysupport_now)


class FixedPolicyOverAPaymentsLife(PaymentLifecycleMachine):
    """Requests, refunds and reversals on one payment, with the fixed policy deciding."""

    def refund_policy(self) -> GoodsBackPolicyFixed:
        return GoodsBackPolicyFixed()


# A third of the profile's examples keeps the example quick; the deep profile scales it.
TestFixedPolicyOverAPaymentsLife = as_test_case(
    FixedPolicyOverAPaymentsLife,
    settings=settings(settings.default, max_examples=max(25, settings.default.max_examples // 3)),
)
