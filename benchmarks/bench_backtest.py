"""Benchmark: backtesting synthetic cases on a process pool against a serial loop.

Run: ``python benchmarks/bench_backtest.py [--n 40000] [--workers <cores>] [--chunk 5000]``

Contenders, over the same ``--n`` cases of :class:`SyntheticCases` (seed 7):

* ``serial loop`` (baseline): ``run_case`` on every case in one process, nothing recorded.
* ``backtest serial``: the engine in this process (rows built, summarised per chunk).
* ``backtest process pool``: the engine on ``--workers`` spawned processes, rows not kept
  (``keep_rows=False``): each chunk comes back as a partial summary, so memory stays flat.

Reported: wall time, cases/s and cases/s/core, how many cases ran their workflow (a chunk runs
cases that share every input object once: the synthetic templates' copies) and the projection
for cases that share nothing, the pool's start-up, peak resident memory of
this process and of the largest worker, time per case by kind (where the time goes), and
whether the target (1,000,000 cases in <= 60 s and <= 1 GiB on 2 cores) is met, projected
from the measured rate.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

from paysupport.analytics.backtest import SyntheticCases, backtest, run_case
from paysupport.policies.policy_set import DEFAULTS

START = datetime(2026, 1, 1, tzinfo=UTC)
_KIND_TEMPLATES = ("refund", "dispute", "decline", "support")
TARGET_CASES = 1_000_000
TARGET_SECONDS = 60.0
TARGET_BYTES = 1 << 30


def _cores() -> int:
    """The cores this process may run on (the worker count by default)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def _rss_bytes(who: int) -> int:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(who).ru_maxrss * scale


def _warm(n: int) -> tuple[int, float]:
    """Start a process up: imports, the template pool, and one small backtest (first-use
    costs: Arrow's time zones, compiled lifecycles, lookup caches); its pid and CPU time so
    far (taken away from the workers' CPU, so the rate measured is the steady one).
    """
    SyntheticCases(n, seed=7, start=START).cases(0, 1)
    backtest(DEFAULTS, SyntheticCases(300, seed=1, start=START), chunk_size=100, keep_rows=False)
    time.sleep(0.2)  # let the other workers take their share of the warm-up tasks
    return os.getpid(), time.process_time()


def _cpu_now(_: object) -> tuple[int, float]:
    """A worker's pid and CPU time so far (asked once the work is done)."""
    time.sleep(0.2)  # let the other workers take their share of these tasks
    return os.getpid(), time.process_time()


def _work_cpu(pool: ProcessPoolExecutor, warm: dict[int, float], workers: int) -> float:
    """The workers' CPU seconds from the end of their warm-up to now (every worker asked).

    Read inside the workers once the work is done, not from the children's resource usage
    after they exit: a worker's exit (freeing its heap, a fraction of a second) does not grow
    with the number of cases, and would count as per-case CPU in a short run.
    """
    done: dict[int, float] = {}
    while len(done) < workers:
        done.update(pool.map(_cpu_now, [None] * workers))
    return sum(done[pid] - warm[pid] for pid in done)


def _polars_threads_for_workers(workers: int) -> str:
    """The Polars thread pool size the spawned workers start with (``POLARS_MAX_THREADS``).

    Polars sizes its pool once, at import, from the environment, which spawned workers
    inherit. With one worker per core, every worker's default pool (one thread per core)
    oversubscribes the cores: on the loaded 2-core machine, four interleaved rounds of
    20,000 cases gave 223-282 µs of workers' CPU per case with one thread each against
    255-329 µs with the default (two rounds apart, two within the noise). Unless the caller
    set it, each worker gets its share of the cores; this process keeps the pool it has.
    """
    if "POLARS_MAX_THREADS" not in os.environ:
        os.environ["POLARS_MAX_THREADS"] = str(max(1, _cores() // workers))
    return os.environ["POLARS_MAX_THREADS"]


def serial_loop(source: SyntheticCases, chunk: int) -> tuple[float, float, dict[str, float]]:
    """``run_case`` over every case, chunk by chunk (the cases are never all in memory)."""
    per_kind: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    cpu_clock = time.process_time  # per case: CPU time, which other processes' load inflates less
    c0 = cpu_clock()
    t0 = time.perf_counter()
    for start in range(0, len(source), chunk):
        for case in source.cases(start, start + chunk):
            t = cpu_clock()
            run_case(case, DEFAULTS)
            per_kind[case.kind.value] += cpu_clock() - t
            count[case.kind.value] += 1
    wall = time.perf_counter() - t0
    cpu = cpu_clock() - c0
    return wall, cpu, {k: per_kind[k] / count[k] * 1e6 for k in sorted(per_kind)}


#: Where a sample's stack can be: (label, what a frame's file name holds). Areas nest (the
#: workflows call the policies, lifecycles and models; a lifecycle event builds a model).
_AREAS = (
    ("workflows (paysupport.workflows)", ("paysupport/workflows", "paysupport.workflows")),
    ("policy decisions and contexts", ("paysupport/policies", "paysupport.policies")),
    ("lifecycle events (fire)", ("paysupport/lifecycles",)),
    ("models (validation, with_refund, ...)", ("paysupport/models",)),
    ("money", ("paysupport/money",)),
    ("rows (row_of)", ("backtest/_rows",)),
    ("synthetic case generation", ("backtest/_synthetic",)),
    ("summaries (cube, merge)", ("backtest/_summary", "polars", "pyarrow")),
)


def profile(source: SyntheticCases, n: int) -> None:
    """Where the CPU goes over ``n`` cases through the engine, serially, every case run.

    Sampled, not traced: at each tick of the CPU-time profiling timer (``SIGPROF``, asked
    for every millisecond; the kernel rounds up to its tick) the Python stack is read. A
    sample counts for every area with a frame on the stack (so areas nest and their shares
    add up to more than 100 %), and for the kind of the case being run (the ``case`` of the
    ``run_case`` frame; outside it, the engine's own work: cases, rows, summaries and freeing
    each case's objects). Python notices a signal only between bytecodes, so time in a C
    call (pydantic-core, Decimal) is charged to a frame nearby: the enclosing calls, which
    the stack holds, are charged right. A tracing profiler (cProfile) instead charges its
    per-call overhead to code made of many small calls, and overstates it.
    """
    import signal

    from paysupport.analytics.backtest import _engine

    if not hasattr(signal, "setitimer"):  # pragma: no cover - Windows
        print("  where the time goes: needs SIGPROF (Linux, macOS)")
        return
    small = SyntheticCases(n, seed=source.seed, start=source.start)
    backtest(DEFAULTS, SyntheticCases(50, seed=1, start=source.start))  # imports, caches
    areas: dict[str, int] = defaultdict(int)
    kinds: dict[str, int] = defaultdict(int)
    samples = [0]

    def sample(_signum: int, frame: Any) -> None:
        samples[0] += 1
        kind = "engine: cases, rows, summaries"
        files = set()
        f = frame
        while f is not None:
            files.add(f.f_code.co_filename)
            if f.f_code.co_name == "run_case" and "case" in f.f_locals:
                kind = f"{f.f_locals['case'].kind}"
            f = f.f_back
        kinds[kind] += 1
        for area, keys in _AREAS:
            if any(k in name for name in files for k in keys):
                areas[area] += 1

    reuse, _engine._REUSE_COPIES = _engine._REUSE_COPIES, False
    previous = signal.signal(signal.SIGPROF, sample)
    signal.setitimer(signal.ITIMER_PROF, 0.001, 0.001)
    try:
        backtest(DEFAULTS, small, keep_rows=False)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, previous)
        _engine._REUSE_COPIES = reuse
    total = samples[0] or 1
    print(f"  where the time goes ({n:,} cases, every case run, {total:,} CPU samples):")
    print("  by case kind:")
    for kind, count in sorted(kinds.items(), key=lambda kv: -kv[1]):
        print(f"    {kind:46s} {count / total:6.1%}")
    print("  under each area (areas nest):")
    for area, _keys in _AREAS:
        print(f"    {area:46s} {areas[area] / total:6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40_000)
    parser.add_argument("--workers", type=int, default=_cores(), help="default: the cores")
    parser.add_argument("--chunk", type=int, default=5_000)
    parser.add_argument(
        "--profile", type=int, default=0, help="sample where the CPU goes over this many cases"
    )
    parser.add_argument("--dask", action="store_true", help="also run on a Dask LocalCluster")
    parser.add_argument(
        "--every",
        type=int,
        default=0,
        help="only: run this many cases end to end on a cold pool, every case its own workflow",
    )
    args = parser.parse_args()
    if args.every:
        every_end_to_end(args.every, args.workers, args.chunk)
        return
    source = SyntheticCases(args.n, seed=7, start=START)
    _warm(args.n)

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"backtest benchmark: {args.n:,} synthetic cases, {args.workers} workers, "
        f"chunks of {args.chunk:,}; load average {load} on {_cores()} cores"
    )
    wall_loop, cpu_loop, per_kind = serial_loop(source, args.chunk)
    base_rate = args.n / wall_loop
    base_cpu_rate = args.n / cpu_loop
    print(
        f"  serial loop (baseline)   {wall_loop:7.2f} s  {base_rate:9,.0f} cases/s  "
        f"(CPU {cpu_loop:.2f} s: {base_cpu_rate:,.0f} cases per CPU-second)"
    )
    print(
        "    µs of CPU per case by kind: " + ", ".join(f"{k} {v:.0f}" for k, v in per_kind.items())
    )

    t0 = time.perf_counter()
    c0 = time.process_time()
    serial = backtest(DEFAULTS, source, chunk_size=args.chunk, keep_rows=False)
    cpu_serial = time.process_time() - c0
    wall_serial = time.perf_counter() - t0
    rate_serial = args.n / wall_serial
    print(
        f"  backtest serial          {wall_serial:7.2f} s  {rate_serial:9,.0f} cases/s"
        f"  ({wall_serial / wall_loop:.2f}x the loop: rows + summaries; CPU "
        f"{cpu_serial / args.n * 1e6:.0f} µs per case, {cpu_serial / cpu_loop:.2f}x the loop's)"
    )

    context = multiprocessing.get_context("spawn")
    threads = _polars_threads_for_workers(args.workers)
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.workers, mp_context=context) as pool:
        warm: dict[int, float] = {}
        while len(warm) < args.workers:  # until every worker has started and warmed up
            warm.update(pool.map(_warm, [args.n] * args.workers))
        startup = time.perf_counter() - t0
        t1 = time.perf_counter()
        pooled = backtest(
            DEFAULTS,
            source,
            chunk_size=args.chunk,
            workers=args.workers,
            executor=pool,
            keep_rows=False,
        )
        wall_pool = time.perf_counter() - t1
        cpu_pool = _work_cpu(pool, warm, args.workers)
    rate_pool = args.n / wall_pool
    per_core = rate_pool / args.workers
    print(
        f"  backtest process pool    {wall_pool:7.2f} s  {rate_pool:9,.0f} cases/s  "
        f"{per_core:,.0f} cases/s/core  (speed-up {rate_pool / rate_serial:.2f}x on "
        f"{args.workers} workers, {threads} Polars thread(s) each; pool start-up {startup:.1f} s)"
    )
    print(
        f"    workers' CPU after start-up: {cpu_pool:.2f} s = {args.n / cpu_pool:,.0f} cases per "
        f"CPU-second (the rate per core on an idle machine; wall rates shrink when the cores "
        f"are shared)"
    )
    same = (
        pooled.summary("reason_code").to_polars().equals(serial.summary("reason_code").to_polars())
    )
    print(f"  pool summary == serial summary: {same}")

    parent = _rss_bytes(resource.RUSAGE_SELF)
    child = _rss_bytes(resource.RUSAGE_CHILDREN)
    print(
        f"  peak RSS: this process {parent / 2**20:,.0f} MiB, "
        f"largest worker {child / 2**20:,.0f} MiB"
    )

    projected = TARGET_CASES / rate_pool
    idle = TARGET_CASES / (args.n / cpu_pool * args.workers) if cpu_pool > 0 else float("inf")
    peak = parent + args.workers * child
    ok_time = "met" if projected <= TARGET_SECONDS else "MISSED"
    ok_mem = "met" if peak <= TARGET_BYTES else "MISSED"
    print(
        f"  target time: 1,000,000 cases in {projected:,.0f} s projected "
        f"(<= {TARGET_SECONDS:.0f} s): {ok_time}; on {args.workers} idle cores from CPU time: "
        f"{idle:,.0f} s: {'met' if idle <= TARGET_SECONDS else 'MISSED'}"
    )
    print(
        f"  target memory: {peak / 2**20:,.0f} MiB total peak (<= 1024 MiB; flat in n, "
        f"rows not kept): {ok_mem}"
    )
    needed = TARGET_CASES / TARGET_SECONDS / args.workers
    print(
        f"  needed: {needed:,.0f} cases/s/core = {1e6 / needed:.0f} µs per case; "
        f"the workflows alone take {1e6 / base_cpu_rate:.0f} µs of CPU per case here"
    )
    reuse(source, args, context)
    if args.dask:
        dask_run(source, args, serial)
    if args.profile:
        profile(source, args.profile)


def _every_case_runs() -> None:
    """A pool worker's initializer: run every case's workflow (no reuse of copies' rows)."""
    from paysupport.analytics.backtest import _engine

    _engine._REUSE_COPIES = False


def reuse(source: SyntheticCases, args: argparse.Namespace, context: Any) -> None:
    """How many cases ran their workflow, and the pool's CPU when every case runs its own.

    A chunk runs the cases that share every input object (all but the id) once: here the
    synthetic templates' copies. A history's cases are built one by one and share nothing;
    a second pool, whose workers run every case (``_REUSE_COPIES`` off), measures that; then
    the same on one worker: two workers each paying much more CPU per case than one says the
    cores are shared (other jobs running), so the projection for idle cores is pessimistic.
    """
    from paysupport.analytics.backtest._engine import _inputs

    n = len(source)
    ran = 0
    for start in range(0, n, args.chunk):
        ran += len({tuple(map(id, _inputs(c))) for c in source.cases(start, start + args.chunk)})
    print(
        f"  workflows run: {ran:,} of {n:,} cases ({ran / n:.0%}); the other {n - ran:,} share "
        f"every input object with an earlier case of their chunk ({len(_KIND_TEMPLATES)} kinds "
        f"x {source.templates} synthetic templates) and reuse its row"
    )
    m = min(n, 20_000)
    wall, cpu = _every_case_cpu(source, m, args.workers, args.chunk, context)
    idle = TARGET_CASES * (cpu / m) / args.workers
    print(
        f"  every case run (no reuse, as for a history's cases), {m:,} cases: {wall:.2f} s, "
        f"workers' CPU {cpu / m * 1e6:.0f} µs per case: 1,000,000 in {idle:,.0f} s on "
        f"{args.workers} idle cores (<= {TARGET_SECONDS:.0f} s: "
        f"{'met' if idle <= TARGET_SECONDS else 'MISSED'})"
    )
    if args.workers > 1:
        _, alone = _every_case_cpu(source, m, 1, args.chunk, context)
        print(
            f"  contention check: the same pool on 1 worker takes {alone / m * 1e6:.0f} µs of "
            f"CPU per case, {args.workers} workers {cpu / alone:.2f}x that each (the cores' "
            f"sharing: with other jobs on the machine, each worker pays for it)"
        )


def _every_case_cpu(
    source: SyntheticCases, m: int, workers: int, chunk: int, context: Any
) -> tuple[float, float]:
    """Wall seconds and workers' CPU seconds (after start-up) of the every-case pool."""
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_every_case_runs) as pool:
        warm: dict[int, float] = {}
        while len(warm) < workers:
            warm.update(pool.map(_warm, [len(source)] * workers))
        t0 = time.perf_counter()
        backtest(
            DEFAULTS,
            SyntheticCases(m, seed=source.seed, start=source.start),
            chunk_size=chunk,
            workers=workers,
            executor=pool,
            keep_rows=False,
        )
        wall = time.perf_counter() - t0
        cpu = _work_cpu(pool, warm, workers)
    return wall, cpu


def every_end_to_end(n: int, workers: int, chunk: int) -> None:
    """``n`` cases that share nothing, measured end to end (not projected from a sample).

    A cold pool: the clock starts before the workers are spawned, so their start-up (imports,
    the template pool) counts, and stops when the summaries are back. Every case runs its own
    workflow (``_REUSE_COPIES`` off in the workers), as a history's cases do.
    """
    context = multiprocessing.get_context("spawn")
    threads = _polars_threads_for_workers(workers)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"backtest end to end: {n:,} synthetic cases, every case its own workflow, "
        f"{workers} workers ({threads} Polars thread(s) each), chunks of {chunk:,}; "
        f"load average {load} on {_cores()} cores"
    )
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_every_case_runs) as pool:
        result = backtest(
            DEFAULTS,
            SyntheticCases(n, seed=7, start=START),
            chunk_size=chunk,
            workers=workers,
            executor=pool,
            keep_rows=False,
        )
        wall = time.perf_counter() - t0
        cpu = sum(cpu for _, cpu in _drain_cpu(pool, workers))
    parent = _rss_bytes(resource.RUSAGE_SELF)
    child = _rss_bytes(resource.RUSAGE_CHILDREN)
    peak = parent + workers * child
    cases = result.total("cases")
    verdict = "met" if wall <= TARGET_SECONDS * n / TARGET_CASES else "MISSED"
    print(
        f"  {cases:,} cases in {wall:.1f} s wall, pool start-up included ({n / wall:,.0f} "
        f"cases/s, {n / wall / workers:,.0f} cases/s/core); workers' CPU {cpu:.1f} s = "
        f"{cpu / n * 1e6:.0f} µs per case"
    )
    print(
        f"  peak RSS: this process {parent / 2**20:,.0f} MiB, largest worker "
        f"{child / 2**20:,.0f} MiB, {peak / 2**20:,.0f} MiB in all (<= 1024 MiB: "
        f"{'met' if peak <= TARGET_BYTES else 'MISSED'})"
    )
    print(
        f"  target: {TARGET_CASES:,} cases in <= {TARGET_SECONDS:.0f} s, so {n:,} in "
        f"<= {TARGET_SECONDS * n / TARGET_CASES:.1f} s: {verdict}"
    )


def _drain_cpu(pool: ProcessPoolExecutor, workers: int) -> list[tuple[int, float]]:
    """Every worker's pid and whole CPU time (start-up included), each asked once."""
    done: dict[int, float] = {}
    while len(done) < workers:
        done.update(pool.map(_cpu_now, [None] * workers))
    return sorted(done.items())


def dask_run(source: SyntheticCases, args: argparse.Namespace, serial: object) -> None:
    """The same cases on a LocalCluster of ``--workers`` processes (one thread each)."""
    from distributed import Client, LocalCluster

    t0 = time.perf_counter()
    with (
        LocalCluster(  # type: ignore[no-untyped-call]  # distributed's __init__ is untyped
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        client.run(_warm, args.n)
        startup = time.perf_counter() - t0
        t1 = time.perf_counter()
        result = backtest(DEFAULTS, source, chunk_size=args.chunk, client=client, keep_rows=False)
        wall = time.perf_counter() - t1
    same = (
        result.summary("reason_code")
        .to_polars()
        .equals(
            serial.summary("reason_code").to_polars()  # type: ignore[attr-defined]
        )
    )
    rate = args.n / wall
    print(
        f"  dask LocalCluster         {wall:7.2f} s  {rate:9,.0f} cases/s  "
        f"{rate / args.workers:,.0f} cases/s/worker (cluster start-up {startup:.1f} s); "
        f"summary == serial: {same}"
    )


if __name__ == "__main__":
    main()
