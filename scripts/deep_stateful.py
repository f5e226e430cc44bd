"""Deep stateful runs: every lifecycle machine of paysupport.testing.stateful, many times over.

Runs each base machine (payment, refund, dispute, recovery, case) for ``--examples`` runs
(default 10,000 per lifecycle) of ``--steps`` steps, split over ``--workers`` processes, with
every invariant of the kit checked after every step, and prints per lifecycle: runs, mean
accepted events per run, states reached out of those declared, the unreached ones, and the
time taken. Exits 1 if a run breaks an invariant or a declared state is never reached.

    python scripts/deep_stateful.py                      # 10,000 runs per lifecycle
    python scripts/deep_stateful.py --examples 500 --workers 2 --only refund dispute

Each process makes its runs as independent Hypothesis searches of ``--search`` runs (default
250, each with a fresh seed): a single long search drifts towards short runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from paysupport.testing import stateful

MACHINES: dict[str, type[stateful.LifecycleStateMachine]] = {
    "payment": stateful.PaymentLifecycleMachine,
    "refund": stateful.RefundLifecycleMachine,
    "dispute": stateful.DisputeLifecycleMachine,
    "recovery": stateful.RecoveryLifecycleMachine,
    "case": stateful.CaseLifecycleMachine,
}


@dataclass
class Share:
    """What one worker's runs of one machine did."""

    name: str
    runs: int
    accepted: int
    refused: int
    states: set[str]
    seconds: float
    failure: str | None = None


def run_share(name: str, examples: int, steps: int, search: int) -> Share:
    """Run machine ``name`` for ``examples`` runs in this process.

    The runs are made as independent Hypothesis searches of ``search`` runs each (a fresh
    random seed each): one long search spends more and more of its runs on new short
    prefixes of runs it has already made, so many short searches go deeper on average.
    """
    machine = MACHINES[name]
    stats = stateful.run_stats(machine)
    started = time.perf_counter()
    failure = None
    while failure is None and stats.runs < examples:
        quiet = settings(
            max_examples=min(search, examples - stats.runs),
            stateful_step_count=steps,
            deadline=None,
            database=None,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        before = stats.runs
        try:
            run_state_machine_as_test(machine, settings=quiet)
        except Exception as exc:  # a broken invariant: report it, keep the other machines going
            failure = f"{type(exc).__name__}: {exc}"
        if stats.runs == before:  # a search that made no run would loop forever
            break
    seconds = time.perf_counter() - started
    return Share(name, stats.runs, stats.accepted, stats.refused, stats.states, seconds, failure)


def main(argv: list[str] | None = None) -> int:
    """Run the machines and print one line per lifecycle; 1 if anything failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=10_000, help="runs per lifecycle")
    parser.add_argument("--steps", type=int, default=30, help="steps per run")
    parser.add_argument("--workers", type=int, default=1, help="processes per lifecycle")
    parser.add_argument(
        "--search", type=int, default=250, help="runs per independent Hypothesis search"
    )
    parser.add_argument("--only", nargs="*", choices=sorted(MACHINES), default=list(MACHINES))
    args = parser.parse_args(argv)
    per_worker = -(-args.examples // args.workers)
    ok = True
    print(
        f"{args.examples} runs x {args.steps} steps per lifecycle, {args.workers} process(es), "
        f"searches of {args.search} runs"
    )
    header = ("lifecycle", "runs", "accepted/run", "states", "seconds")
    print("{:<10} {:>7} {:>13} {:>8} {:>8}  unreached".format(*header))
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for name in args.only:
            started = time.perf_counter()
            jobs = [
                pool.submit(run_share, name, per_worker, args.steps, args.search)
                for _ in range(args.workers)
            ]
            shares = [j.result() for j in jobs]
            seconds = time.perf_counter() - started
            runs = sum(s.runs for s in shares)
            accepted = sum(s.accepted for s in shares)
            reached = set().union(*(s.states for s in shares))
            lifecycle = MACHINES[name].lifecycle
            unreached = sorted(set(lifecycle.states) - reached)
            mean = accepted / runs if runs else 0.0
            states = f"{len(reached & set(lifecycle.states))}/{len(lifecycle.states)}"
            print(
                f"{name:<10} {runs:>7} {mean:>13.1f} {states:>8} {seconds:>8.0f}  "
                f"{', '.join(unreached) or '-'}"
            )
            for s in shares:
                if s.failure:
                    print(f"  FAILED ({name}): {s.failure}")
            ok = ok and not unreached and not any(s.failure for s in shares)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
