"""Benchmark: the default refund-fairness Decision against a hand-written floor and zen-engine.

Run: ``python benchmarks/bench_policies.py [--n 100000] [--repeat 5] [--seed 7]``

Every contender decides the same generated requests with the same rules:

* ``floor``: a hand-written function over the same :class:`RefundContext` facts, returning
  ``(outcome, minor)`` and no explanation: the cost of the rules alone.
* ``floor + attrs record``: the floor returning a small frozen attrs record.
* ``RefundFairness.decide``: the full explainable :class:`Decision` (reasons, policy info,
  fingerprint), one call per request; and ``decide_many`` on the whole list.
* ``zen-engine``: the same rules as a GoRules decision table (first hit), one ``ZenEngine``
  with a static loader and ``engine.evaluate(key, context)`` per request, without and with
  ``trace=True``. zen's input dicts are built before timing (which favours zen: the dict
  holds facts, like the customer's recent refund count, that the policies compute).

The contexts (pydantic models plus derived facts) are built before timing too; rebuilding
them from the same models is timed as its own row, and the target "building the policy
context ÷ the decision ≤ 1" (issue 13) is printed with a met/missed line. Before timing,
the outcomes and amounts of all contenders are compared and
must agree on every request. Numbers are medians of ``--repeat`` runs, in µs per decision.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from paysupport.models import (
    Capture,
    Card,
    CardBrand,
    Customer,
    Dispute,
    EarlyFraudWarning,
    Merchant,
    MerchantSegment,
    PastRefund,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundReason,
    RefundRequest,
    RefundStatus,
)
from paysupport.money import Money
from paysupport.policies import RefundContext, RefundFairness
from paysupport.policies.refund_fairness import closest_duplicate

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CURRENCIES = ("EUR", "EUR", "EUR", "USD", "USD", "GBP", "JPY")
METHODS = ("card",) * 17 + ("amazon_pay", "ideal", "klarna")
SCALE = {"EUR": 1, "USD": 1, "GBP": 1, "JPY": 150}


# --------------------------------------------------------------------------- generation
def generate(n: int, seed: int) -> list[RefundContext]:
    rnd = random.Random(seed)
    merchants = [
        Merchant(id=f"m_{i}", name=f"Shop {i}", segment=rnd.choice(list(MerchantSegment)))
        for i in range(50)
    ]
    out: list[RefundContext] = []
    for i in range(n):
        cur = rnd.choice(CURRENCIES)
        scale = SCALE[cur]
        amount = (
            rnd.randint(100, 120_000) * scale // 100 * 100
            if scale > 1
            else rnd.randint(100, 120_000)
        )
        merchant = rnd.choice(merchants)
        method = rnd.choice(METHODS)
        age_days = rnd.choice((1, 5, 20, 60, 89, 90, 91, 150, 179, 180, 181, 200, 400))
        captured_at = NOW - timedelta(days=age_days, hours=rnd.choice((0, 0, 0, 1)))
        pid = f"pay_{i}"
        fp = f"fp_{rnd.randint(0, n)}"
        roll = rnd.random()
        refunds: list[Refund] = []
        disputes: list[Dispute] = []
        efw = None
        reason = RefundReason.REQUESTED_BY_CUSTOMER
        asked: int | None = None if rnd.random() < 0.5 else rnd.randint(1, amount)
        correct: int | None = None
        dup_of: str | None = None
        related: list[Payment] = []
        goods = rnd.choice((None, None, True, False))
        if roll < 0.08:
            asked = amount + rnd.randint(1, 5_000)
        elif roll < 0.14:
            part = rnd.randint(1, amount)
            status = rnd.choice((RefundStatus.SUCCEEDED, RefundStatus.PENDING))
            refunds.append(
                Refund(
                    id=f"re_{i}",
                    payment_id=pid,
                    amount=Money.from_minor(part, cur),
                    status=status,
                    created_at=captured_at + timedelta(hours=2),
                )
            )
        elif roll < 0.19:
            disputes.append(
                Dispute(
                    id=f"dp_{i}",
                    payment_id=pid,
                    network="visa",
                    reason_code="13.1",
                    amount=Money.from_minor(amount, cur),
                    opened_at=captured_at + timedelta(days=1),
                    due_by=captured_at + timedelta(days=400),
                    is_charge_refundable=rnd.random() < 0.5,
                )
            )
        elif roll < 0.23:
            efw = EarlyFraudWarning(id=f"efw_{i}", created_at=captured_at)
        elif roll < 0.28:
            reason = RefundReason.DUPLICATE
            gap = timedelta(seconds=rnd.choice((30, 299, 300, 301, 3600)))
            other = Payment(
                id=f"pay_{i}_dup",
                merchant_id=merchant.id,
                amount=Money.from_minor(amount, cur),
                status=PaymentStatus.CAPTURED,
                payment_method=PaymentMethod(
                    type="card", card=Card(brand=CardBrand.VISA, last4="4242", fingerprint=fp)
                ),
                created_at=captured_at - gap,
                captures=(
                    Capture(
                        id="c", amount=Money.from_minor(amount, cur), captured_at=captured_at - gap
                    ),
                ),
            )
            related.append(other)
            method = "card"
        elif roll < 0.32:
            reason = RefundReason.OVERCHARGE
            asked = None
            correct = rnd.choice((None, rnd.randint(0, amount + 1000)))
        payment = Payment(
            id=pid,
            merchant_id=merchant.id,
            amount=Money.from_minor(amount, cur),
            status=PaymentStatus.CAPTURED,
            payment_method=PaymentMethod(
                type=method,
                card=Card(brand=CardBrand.VISA, last4="4242", fingerprint=fp)
                if method == "card"
                else None,
            ),
            created_at=captured_at,
            captures=(
                Capture(id="c", amount=Money.from_minor(amount, cur), captured_at=captured_at),
            ),
            refunds=tuple(refunds),
            disputes=tuple(disputes),
            early_fraud_warning=efw,
        )
        k = rnd.choice((0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 8, 9))
        past = tuple(
            PastRefund(
                at=NOW - timedelta(days=rnd.randint(1, 200)),
                amount=Money.from_minor(rnd.randint(100, 60_000), cur),
            )
            for _ in range(k)
        )
        customer = Customer(id=f"cus_{i}", past_refunds=past)
        req = RefundRequest(
            id=f"rr_{i}",
            payment_id=pid,
            amount=None if asked is None else Money.from_minor(asked, cur),
            reason=reason,
            requested_at=NOW,
            goods_returned=goods,
            correct_amount=None if correct is None else Money.from_minor(correct, cur),
            duplicate_of=dup_of,
        )
        out.append(RefundContext(payment, req, customer, merchant, tuple(related)))
    return out


# --------------------------------------------------------------------------- the floor
def make_floor(p: RefundFairness) -> Callable[[RefundContext, datetime], tuple[str, int]]:
    """The same rules as ``p``, hand-written, with no explanation."""
    windows = {m: timedelta(days=d) for m, d in p.refund_window_days}
    default_window = timedelta(days=p.default_window_days)
    hist_window = timedelta(days=p.history_window_days)
    hist_amount = dict(p.history_max_amount)
    limits = dict(p.auto_approve_limit)
    dup_window = timedelta(seconds=p.duplicate_window_seconds)
    serial, max_count = p.serial_refunder_count, p.history_max_count
    require_return, allow_partial = p.require_return, p.allow_partial

    def floor(ctx: RefundContext, now: datetime) -> tuple[str, int]:
        req = ctx.request
        refundable = ctx.refundable
        asked = req.amount
        if asked is not None and asked.currency is not refundable.currency:
            return ("deny", 0)
        left = refundable.minor
        if left <= 0:
            return ("deny", 0)
        if ctx.blocking_dispute:
            return ("deny", 0)
        wanted = left if asked is None else asked.minor
        if ctx.efw_actionable:
            return ("approve", wanted) if wanted <= left else ("approve_partial", left)
        if ctx.is_duplicate_claim:
            match = closest_duplicate(ctx)
            if match is not None and match[0] <= dup_window:
                return ("approve", wanted) if wanted <= left else ("approve_partial", left)
            return ("review", min(wanted, left))
        if req.reason is RefundReason.OVERCHARGE:
            correct = req.correct_amount
            if correct is None:
                return ("review", 0)
            diff = ctx.captured.minor - correct.minor
            if diff <= 0:
                return ("deny", 0)
            grant = min(diff, left)
            return ("approve", wanted) if grant >= wanted else ("approve_partial", grant)
        cap_at = ctx.captured_at
        if cap_at is not None and now - cap_at > windows.get(ctx.method, default_window):
            return ("deny", 0)
        review = False
        if ctx.history:
            since = now - hist_window
            count = total = 0
            for at, minor, code in ctx.history:
                if at >= since:
                    count += 1
                    if code == ctx.currency:
                        total += minor
            if count >= serial:
                return ("deny", 0)
            cap = hist_amount.get(ctx.currency)
            review = count > max_count or (cap is not None and total > cap)
        if require_return and req.goods_returned is False:
            review = True
        grant = wanted
        partial = grant > left
        if partial:
            if not allow_partial:
                return ("deny", 0)
            grant = left
        limit = limits.get(ctx.currency)
        if limit is None or grant > limit:
            review = True
        if review:
            return ("review", grant)
        return ("approve_partial", grant) if partial else ("approve", grant)

    return floor


@attrs.frozen(slots=True)
class Record:
    outcome: str
    amount: int
    code: str


def make_floor_record(p: RefundFairness) -> Callable[[RefundContext, datetime], Record]:
    floor = make_floor(p)

    def with_record(ctx: RefundContext, now: datetime) -> Record:
        o, a = floor(ctx, now)
        return Record(o, a, o)

    return with_record


# --------------------------------------------------------------------------- zen-engine
def zen_graph(p: RefundFairness) -> dict[str, Any]:
    """The same rules as a GoRules decision table (first hit)."""
    rows: list[tuple[str, str, str]] = [
        ("currency_ok == false", "'deny'", "0"),
        ("refundable <= 0", "'deny'", "0"),
        ("blocking_dispute", "'deny'", "0"),
        ("efw and wanted <= refundable", "'approve'", "wanted"),
        ("efw", "'approve_partial'", "refundable"),
        (
            f"dup_claim and dup_gap != null and dup_gap <= {p.duplicate_window_seconds} "
            "and wanted <= refundable",
            "'approve'",
            "wanted",
        ),
        (
            f"dup_claim and dup_gap != null and dup_gap <= {p.duplicate_window_seconds}",
            "'approve_partial'",
            "refundable",
        ),
        ("dup_claim", "'review'", "min([wanted, refundable])"),
        ("overcharge and correct == null", "'review'", "0"),
        ("overcharge and captured - correct <= 0", "'deny'", "0"),
        ("overcharge and min([captured - correct, refundable]) >= wanted", "'approve'", "wanted"),
        ("overcharge", "'approve_partial'", "min([captured - correct, refundable])"),
    ]
    known = [m for m, _ in p.refund_window_days]
    for m, days in p.refund_window_days:
        rows.append((f"method == '{m}' and age != null and age > {days * 86400}", "'deny'", "0"))
    others = ", ".join(f"'{m}'" for m in known)
    rows.append(
        (
            f"not (method in [{others}]) and age != null and age > {p.default_window_days * 86400}",
            "'deny'",
            "0",
        )
    )
    rows.append((f"hist_count >= {p.serial_refunder_count}", "'deny'", "0"))
    caps = " or ".join(
        f"(currency == '{c}' and hist_amount > {v})" for c, v in p.history_max_amount
    )
    limits = " or ".join(
        f"(currency == '{c}' and min([wanted, refundable]) <= {v})" for c, v in p.auto_approve_limit
    )
    review = f"hist_count > {p.history_max_count} or {caps} or not ({limits})" + (
        " or goods_returned == false" if p.require_return else ""
    )
    rows.append((f"({review})", "'review'", "min([wanted, refundable])"))
    if not p.allow_partial:
        rows.append(("wanted > refundable", "'deny'", "0"))
    rows.append(("wanted > refundable", "'approve_partial'", "refundable"))
    rows.append(("", "'approve'", "wanted"))
    rules = [
        {"_id": f"r{i}", "i1": cond, "o1": out, "o2": amt}
        for i, (cond, out, amt) in enumerate(rows)
    ]
    return {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "Request", "position": {"x": 0, "y": 0}},
            {
                "id": "tbl",
                "type": "decisionTableNode",
                "name": "RefundFairness",
                "position": {"x": 200, "y": 0},
                "content": {
                    "hitPolicy": "first",
                    "inputs": [{"id": "i1", "name": "Rule"}],
                    "outputs": [
                        {"id": "o1", "name": "Outcome", "field": "outcome"},
                        {"id": "o2", "name": "Amount", "field": "amount"},
                    ],
                    "rules": rules,
                },
            },
            {"id": "out", "type": "outputNode", "name": "Decision", "position": {"x": 400, "y": 0}},
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "tbl", "type": "edge"},
            {"id": "e2", "sourceId": "tbl", "targetId": "out", "type": "edge"},
        ],
    }


def zen_input(ctx: RefundContext, p: RefundFairness, now: datetime) -> dict[str, Any]:
    req = ctx.request
    asked = req.amount
    since = now - timedelta(days=p.history_window_days)
    recent = [(m, c) for at, m, c in ctx.history if at >= since]
    dup = closest_duplicate(ctx)
    return {
        "currency_ok": asked is None or asked.currency is ctx.refundable.currency,
        "currency": ctx.currency,
        "refundable": ctx.refundable.minor,
        "wanted": ctx.refundable.minor if asked is None else asked.minor,
        "blocking_dispute": ctx.blocking_dispute,
        "efw": ctx.efw_actionable,
        "dup_claim": ctx.is_duplicate_claim,
        "dup_gap": None if dup is None else dup[0] / timedelta(seconds=1),
        "overcharge": req.reason is RefundReason.OVERCHARGE,
        "captured": ctx.captured.minor,
        "correct": None if req.correct_amount is None else req.correct_amount.minor,
        "method": ctx.method,
        "age": None if ctx.captured_at is None else (now - ctx.captured_at) / timedelta(seconds=1),
        "hist_count": len(recent),
        "hist_amount": sum(m for m, c in recent if c == ctx.currency),
        "goods_returned": req.goods_returned,
    }


# --------------------------------------------------------------------------- timing
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--zen-n", type=int, default=None, help="requests for zen (default: --n)")
    args = ap.parse_args(argv)
    n = args.n

    import zen

    policy = RefundFairness()
    print(f"generating {n:,} requests (seed {args.seed}) ...", flush=True)
    t0 = time.perf_counter()
    ctxs = generate(n, args.seed)
    gen_s = time.perf_counter() - t0
    # Context construction alone (facts derived from the models), on the same models.
    t0 = time.perf_counter_ns()
    for c in ctxs:
        RefundContext(c.payment, c.request, c.customer, c.merchant, c.related_payments)
    ctx_us = (time.perf_counter_ns() - t0) / n / 1000

    floor = make_floor(policy)
    floor_rec = make_floor_record(policy)
    decide = policy.decide
    now = NOW

    engine = zen.ZenEngine(
        {"loader": (lambda text: lambda key: text)(json.dumps(zen_graph(policy)))}
    )
    zn = min(n, args.zen_n or n)
    zen_inputs = [zen_input(c, policy, now) for c in ctxs[:zn]]

    # Agreement first: every contender decides every request the same way.
    ours = policy.decide_many(ctxs, now)
    floors = [floor(c, now) for c in ctxs]
    mismatch = 0
    for d, f in zip(ours, floors, strict=True):
        amt = d.amount.minor if d.amount is not None and d.outcome is not d.outcome.DENY else 0
        if d.outcome.value != f[0] or (f[0] != "review" and amt != f[1]):
            mismatch += 1
    zen_mismatch = 0
    for d, zi in zip(ours[:zn], zen_inputs, strict=True):
        r = engine.evaluate("refund", zi)["result"]
        amt = d.amount.minor if d.amount is not None and d.outcome.value != "deny" else 0
        if r["outcome"] != d.outcome.value or (
            r["outcome"] != "review" and int(r["amount"]) != amt
        ):
            zen_mismatch += 1
    mix = Counter(d.outcome.value for d in ours)
    codes = Counter(c for d in ours for c in d.codes)

    def run_floor() -> None:
        for c in ctxs:
            floor(c, now)

    def run_floor_rec() -> None:
        for c in ctxs:
            floor_rec(c, now)

    def run_decide() -> None:
        for c in ctxs:
            decide(c, now)

    def run_list() -> None:
        [decide(c, now) for c in ctxs]

    def run_many() -> None:
        policy.decide_many(ctxs, now)

    def run_context() -> None:
        for c in ctxs:
            RefundContext(c.payment, c.request, c.customer, c.merchant, c.related_payments)

    ev = engine.evaluate

    def run_zen() -> None:
        for zi in zen_inputs:
            ev("refund", zi)

    trace = {"trace": True}

    def run_zen_trace() -> None:
        for zi in zen_inputs:
            ev("refund", zi, trace)

    rep = args.repeat
    contenders: dict[str, tuple[Callable[[], None], int]] = {
        "floor": (run_floor, n),
        "rec": (run_floor_rec, n),
        "dec": (run_decide, n),
        "list": (run_list, n),
        "many": (run_many, n),
        "zen": (run_zen, zn),
        "zen_tr": (run_zen_trace, zn),
        "ctx": (run_context, n),
    }
    # Interleaved: each round runs every contender once, so load from other processes
    # spreads over all of them; the median of the rounds is reported.
    samples: dict[str, list[float]] = {k: [] for k in contenders}
    for r in range(rep):
        names = list(contenders)
        names = names[r % len(names) :] + names[: r % len(names)]
        for name in names:
            fn, count = contenders[name]
            gc.collect()
            t0 = time.perf_counter_ns()
            fn()
            samples[name].append((time.perf_counter_ns() - t0) / count / 1000)
    med = {k: statistics.median(v) for k, v in samples.items()}
    t_floor, t_rec, t_dec, t_list = med["floor"], med["rec"], med["dec"], med["list"]
    t_many, t_zen, t_zen_tr = med["many"], med["zen"], med["zen_tr"]
    t_ctx = med["ctx"]

    print()
    print(
        f"python {sys.version.split()[0]}, zen-engine {getattr(zen, '__version__', '2.1.x')}, "
        f"n={n:,} (zen n={zn:,}), median of {rep} runs; generation {gen_s:.1f} s"
    )
    print(f"outcome mix: {dict(sorted(mix.items()))}")
    print(f"top reasons: {dict(codes.most_common(8))}")
    print(f"agreement: floor {n - mismatch:,}/{n:,}, zen {zn - zen_mismatch:,}/{zn:,}")
    print()
    head = f"{'contender':44} {'µs/decision':>12} {'decisions/s':>14} {'× floor':>9}"
    print(head)
    print("-" * len(head))

    def row(name: str, us: float) -> None:
        print(f"{name:44} {us:12.3f} {1e6 / us:14,.0f} {us / t_floor:9.2f}")

    row("floor (hand-written, no explanation)", t_floor)
    row("floor + frozen attrs record", t_rec)
    row("RefundFairness.decide -> Decision", t_dec)
    row("plain loop keeping the Decisions (a list)", t_list)
    row("RefundFairness.decide_many (batch)", t_many)
    row("zen-engine evaluate(key, ctx)", t_zen)
    row("zen-engine evaluate(key, ctx, trace=True)", t_zen_tr)
    row("RefundContext build (facts from the models)", t_ctx)
    print(f"{'(first, cold RefundContext build)':44} {ctx_us:12.3f} {1e6 / ctx_us:14,.0f}")
    print()

    def target(label: str, value: float, op: str, goal: float) -> bool:
        ok = value <= goal if op == "<=" else value >= goal
        print(f"  {label:52} {value:7.2f}  target {op} {goal:<4g} {'met' if ok else 'missed'}")
        return ok

    print("targets:")
    results = [
        target("Decision / floor", t_dec / t_floor, "<=", 25),
        target("zen evaluate / Decision", t_zen / t_dec, ">=", 3),
        target("zen evaluate trace=True / Decision", t_zen_tr / t_dec, ">=", 7),
        target("building the policy context / the decision", t_ctx / t_dec, "<=", 1),
    ]
    print(
        f"  {'batch decide_many / plain loop keeping decisions':52} {t_many / t_list:7.2f}"
        "  (≈ 1: no per-call overhead)"
    )
    print(
        f"  {'batch decide_many / single decide (discarded)':52} {t_many / t_dec:7.2f}"
        "  (keeping n decisions alive costs allocation and GC)"
    )
    ok = all(results) and mismatch == 0 and zen_mismatch == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
