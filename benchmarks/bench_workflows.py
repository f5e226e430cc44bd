"""Benchmark: ``request_refund`` end to end against its parts, and a batch simulation.

Run: ``python benchmarks/bench_workflows.py [--n 20000] [--repeat 3] [--seed 7]``

Contenders, each over the same ``--n`` generated (payment, request) pairs, µs per request
(median of ``--repeat`` runs):

* ``RefundFairness.decide`` (baseline): the policy decision alone, on contexts built before
  timing.
* ``context + decide``: building the :class:`RefundContext` too (what the workflow does).
* ``request_refund``: the whole workflow: context, decision, the new ``Refund``, the payment
  re-validated with it (``with_refund``), the ``IssueRefund`` effect and its SHA-256 key.
* ``request_refund + commit``: plus the version check and the new store dict.

Batch simulation: every request goes through request → commit → ``settle_refund``
(succeeded) → commit, the full life of a refund; reported as requests per second.
Ratios are against the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from paysupport.models import Capture, Payment, RefundReason, RefundRequest
from paysupport.money import Money
from paysupport.policies import RefundContext, RefundFairness
from paysupport.workflows import RefundResult, commit, key_of, request_refund, settle_refund

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def generate(n: int, seed: int) -> list[tuple[Payment, RefundRequest]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        minor = rng.randint(100, 200_000)
        amount = Money.from_minor(minor, "EUR")
        captured_at = NOW - timedelta(days=rng.randint(1, 200))
        p = Payment(
            id=f"pay_{i}",
            merchant_id="m_1",
            customer_id=f"cus_{i % 997}",
            amount=amount,
            status="captured",
            created_at=captured_at,
            captures=(Capture(id=f"cap_{i}", amount=amount, captured_at=captured_at),),
            provider="stripe",
            provider_reference=f"ch_{i}",
        )
        ask = None if rng.random() < 0.5 else Money.from_minor(rng.randint(1, minor), "EUR")
        reason = rng.choice([RefundReason.REQUESTED_BY_CUSTOMER, RefundReason.GOODWILL])
        r = RefundRequest(
            id=f"rr_{i}", payment_id=p.id, amount=ask, reason=reason, requested_at=NOW
        )
        out.append((p, r))
    return out


def timed(fn: Callable[[], object], n: int, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) / n * 1e6)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    n = args.n
    data = generate(n, args.seed)
    policy = RefundFairness()
    contexts = [RefundContext(p, r) for p, r in data]

    def baseline() -> None:
        for c in contexts:
            policy.decide(c, NOW)

    def with_context() -> None:
        for p, r in data:
            policy.decide(RefundContext(p, r), NOW)

    def workflow() -> None:
        for p, r in data:
            request_refund(p, r, now=NOW)

    def workflow_commit() -> None:
        for p, r in data:
            out = request_refund(p, r, now=NOW)
            commit(out, {key_of(p): p})

    results = {
        "RefundFairness.decide (baseline)": timed(baseline, n, args.repeat),
        "context + decide": timed(with_context, n, args.repeat),
        "request_refund": timed(workflow, n, args.repeat),
        "request_refund + commit": timed(workflow_commit, n, args.repeat),
    }
    base = results["RefundFairness.decide (baseline)"]
    print(f"n={n} repeat={args.repeat} seed={args.seed}")
    print(f"{'contender':<36}{'µs/request':>12}{'× baseline':>12}")
    for name, us in results.items():
        print(f"{name:<36}{us:>12.1f}{us / base:>12.1f}")

    # batch simulation: request → commit → settle (succeeded) → commit
    gc.collect()
    t = time.perf_counter()
    issued = settled = 0
    for p, r in data:
        key = key_of(p)
        store = commit(request_refund(p, r, now=NOW), {key: p})
        paid = store[key]
        if paid is p:
            continue
        issued += 1
        refund_id = paid.refunds[-1].id
        out = settle_refund(paid, refund_id, RefundResult.succeeded(), now=NOW)
        store = commit(out, store)
        settled += 1
    secs = time.perf_counter() - t
    print(
        f"batch: {n} requests, {issued} refunds issued and settled in {secs:.2f} s "
        f"= {n / secs:,.0f} requests/s ({secs / n * 1e6:.1f} µs each, "
        f"{secs / n * 1e6 / base:.1f}× baseline)"
    )


if __name__ == "__main__":
    main()
