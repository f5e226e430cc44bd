"""Refund fairness: past refunds are summed against the history cap, in full.

Written against the mutants ``scripts/mutation.py policies/refund_fairness.py`` left alive
on the snapshot at 4551560 (session 5): no test had two past refunds that pass the cap only
together (``total += minor`` -> ``total = minor`` survived, as the issue found).
"""

from __future__ import annotations

from datetime import timedelta

from policy_factories import T0, customer, refund_ctx

from paysupport.policies import RefundFairness, Verdict

NOW = T0 + timedelta(days=3)


def test_two_past_refunds_that_pass_the_cap_only_together_go_to_review():
    policy = RefundFairness()
    past = ((NOW - timedelta(days=2), 50_001), (NOW - timedelta(days=1), 50_000))
    d = policy.decide(refund_ctx(cust=customer(past)), NOW)
    assert d.outcome is Verdict.REVIEW
    why = d.reasons[-1].to_dict()
    assert why == {
        "code": "refund_history_amount",
        "rule": "history_max_amount",
        "policy": "refund_fairness",
        "message": "1,000.01 EUR refunded recently, more than 1,000.00 EUR",
        "values": {
            "total": {"minor": 100_001, "currency": "EUR"},
            "limit": {"minor": 100_000, "currency": "EUR"},
        },
    }
    at_cap = ((NOW - timedelta(days=2), 50_000), (NOW - timedelta(days=1), 50_000))
    assert policy.decide(refund_ctx(cust=customer(at_cap)), NOW).outcome is Verdict.APPROVE
