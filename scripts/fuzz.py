"""Long fuzz runs of every boundary (the CI run is short): inputs tried, refusals, crashes.

    python scripts/fuzz.py                      # every target, 10 minutes each
    python scripts/fuzz.py --minutes 1 --target event_from_stripe
    python scripts/fuzz.py --cpu --target currency     # 10 minutes of CPU time, not of the clock

Prints one line per target (with the wall and CPU seconds it took) and exits 1 if any
target crashed with an error that is not a PaysupportError (the crash is printed, shrunk).
The targets are the ones of tests/fuzz/test_boundaries.py, so the CI run and the long run
fuzz the same boundaries.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzz.test_boundaries import TARGETS  # noqa: E402

from paysupport.testing.fuzz import FuzzReport, fuzz  # noqa: E402


def _run(name: str, seconds: float, clock: Callable[[], float]) -> FuzzReport:
    """Fuzz one target until ``clock`` has moved ``seconds`` on (or it crashed)."""
    function, inputs = TARGETS[name]
    total = FuzzReport(name)
    deadline = clock() + seconds
    while clock() < deadline and not total.crashes:
        report = fuzz(name, function, inputs, max_examples=2_000)
        total.inputs += report.inputs
        total.typed_errors += report.typed_errors
        total.crashes.extend(report.crashes)
    return total


def main() -> int:
    """Fuzz the chosen targets for the chosen time and print the reports."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="per target (default 10)")
    parser.add_argument("--target", action="append", choices=sorted(TARGETS), help="repeatable")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="count the minutes as this process's CPU time (a fair share on a busy machine)",
    )
    args = parser.parse_args()
    clock = time.process_time if args.cpu else time.monotonic
    crashed = False
    for name in args.target or sorted(TARGETS):
        wall, cpu = time.monotonic(), time.process_time()
        report = _run(name, args.minutes * 60, clock)
        wall, cpu = time.monotonic() - wall, time.process_time() - cpu
        print(f"{report} ({wall:.0f} s wall, {cpu:.0f} s CPU)", flush=True)
        for crash in report.crashes:
            crashed = True
            print(f"  {crash}", flush=True)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
