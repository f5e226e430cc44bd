"""Run every benchmark in ``benchmarks/`` and print one summary table of the targets.

Run: ``python benchmarks/run_all.py [--quick] [--only NAME ...] [--timeout SECONDS]``

Each ``bench_*.py`` script runs in its own subprocess, one after the other (never two at a
time: they would share the two cores and measure each other), with sizes chosen so that the
whole run stays under three minutes on a two-core machine. Every script measures its own
baselines in the same run (a plain pydantic model, a dict table, the ``transitions`` library,
the decision alone, pandas, a serial loop) and prints its rows and one met/missed line per
target; this runner prints each script's output as it was, then one table that collects the
targets of issue 13 (the everyday path), issue 14 (portfolio health) and issue 15 (backtests)
with the value and the verdict *the script printed*. Nothing is recomputed here.

The health (10,000,000 events) and backtest (1,000,000 cases) targets are about sizes this
runner does not use: it runs those scripts small (the backtest target is projected from the
measured rate; the health time is only comparable at full size). Their full-size commands are
``python benchmarks/bench_health.py`` and ``python benchmarks/bench_backtest.py``.

``--quick`` runs every script at a smoke-test size: the figures are noise, the point is that
each script still runs and prints every line the summary needs.

Exit status: 0 unless a script crashed (a traceback, a signal, a non-zero exit without a single
verdict line) or ran past ``--timeout``; a missed target is a result, not a failure.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
VERDICT = re.compile(r"\b(met|missed)\b", re.IGNORECASE)
DIV = r"[ \t]*(?:÷|/)[ \t]*"


@dataclass(frozen=True)
class Script:
    """One benchmark script and the options this runner gives it."""

    name: str
    file: str
    options: tuple[str, ...]
    quick: tuple[str, ...]
    note: str = ""


SCRIPTS: tuple[Script, ...] = (
    Script(
        "models",
        "bench_models.py",
        ("--n", "500", "--repeat", "3"),
        ("--n", "100", "--repeat", "1"),
    ),
    Script(
        "workflows",
        "bench_workflows.py",
        ("--n", "300", "--repeat", "3"),
        ("--n", "60", "--repeat", "1"),
    ),
    Script(
        "lifecycles",
        "bench_lifecycles.py",
        ("--n", "3000", "--rounds", "3", "--n-mem", "1000", "--n-statemachine", "100"),
        ("--n", "300", "--rounds", "1", "--n-mem", "100", "--n-statemachine", "10"),
    ),
    Script(
        "policies",
        "bench_policies.py",
        ("--n", "3000", "--repeat", "3", "--zen-n", "1000"),
        ("--n", "300", "--repeat", "1", "--zen-n", "50"),
    ),
    Script(
        "health",
        "bench_health.py",
        ("--n", "200000", "--merchants", "200"),
        ("--n", "20000", "--merchants", "50"),
        "small size; the target is for `python benchmarks/bench_health.py` (10,000,000 events)",
    ),
    Script(
        "backtest",
        "bench_backtest.py",
        ("--n", "2000", "--chunk", "500", "--workers", "2"),
        ("--n", "200", "--chunk", "100", "--workers", "2"),
        "projected from a small run; full size: `python benchmarks/bench_backtest.py`",
    ),
)


def _a(label: str) -> str:
    """Label, then the bound, then ``: value``, then the verdict (``<= 5: 8.5 -> missed``)."""
    return (
        label + r"[^\n]*?(?P<target>[<>≤≥]=?[ \t]*[\d.,]+)[^:\n]*:[ \t]*"
        r"(?P<value>\d[\d.,]*)[ \t]*(?:->[ \t]*)?(?P<verdict>met|missed)\b"
    )


def _b(label: str) -> str:
    """Label, then the value, then ``target <bound>``, then the verdict."""
    return (
        label + r"[^\d\n]*?(?P<value>\d[\d.,]*)[ \t]+target[ \t]+"
        r"(?P<target>[<>≤≥]=?[ \t]*[\d.,]+)[ \t]*:?[ \t]*(?P<verdict>met|missed)\b"
    )


@dataclass(frozen=True)
class Target:
    """One summary row: which script prints it and how to read its line.

    ``patterns`` are tried on every line of the script's output, first match wins; each has
    the groups ``value`` and ``verdict`` and may have ``target`` (the bound as printed).
    ``details`` are ``(label, regex)`` pairs searched the same way (group ``d``), appended to
    the value as context.
    """

    key: str
    script: str
    label: str
    patterns: tuple[str, ...]
    details: tuple[tuple[str, str], ...] = ()


def _both(label: str) -> tuple[str, ...]:
    return (_b(label), _a(label))


TARGETS: tuple[Target, ...] = (
    Target(
        "refund_commit",
        "workflows",
        "request_refund + commit ÷ RefundFairness.decide",
        _both(r"request_refund[ \t]*\+[ \t]*commit" + DIV + r"[^\n]*?decide"),
        (
            ("µs", r"^request_refund \+ commit[ \t]+(?P<d>\d[\d.,]*)"),
            # The same ratio with the rows taking turns on every 25 requests (load-robust).
            ("taking turns", r"^request_refund \+ commit ÷ baseline A:[ \t]*(?P<d>\d[\d.,]*)"),
        ),
    ),
    Target(
        "validate_json",
        "models",
        "Payment.model_validate_json ÷ plain pydantic model",
        _both(r"(?:validate_json ratio|model_validate_json" + DIV + ")"),
        (("µs", r"^Payment\.model_validate_json[ \t]+(?P<d>\d[\d.,]*)"),),
    ),
    Target(
        "json_path",
        "workflows",
        "JSON → Payment + RefundRequest → request_refund → commit ÷ plain",
        _both(r"JSON[^\n]*?commit" + DIV),
        (
            ("µs", r"^JSON[^\n]*?commit[ \t]+(?P<d>\d[\d.,]*)"),
            # What the path cannot do without, keeping every check (bench_workflows' floor).
            ("× plain at the floor", r"^floor ÷ plain pydantic[^:\n]*:[ \t]*(?P<d>\d[\d.,]*)"),
            ("taking turns", r"^JSON[^\n]*?commit ÷ baseline B:[ \t]*(?P<d>\d[\d.,]*)"),
        ),
    ),
    Target(
        "fire",
        "lifecycles",
        "transitions ÷ fire on a pydantic Dispute",
        _both(r"transitions" + DIV + r"fire"),
    ),
    Target(
        "batch",
        "lifecycles",
        "transitions ÷ batch route (records)",
        _both(r"transitions" + DIV + r"(?:the[ \t]+)?batch"),
    ),
    Target(
        "dict",
        "lifecycles",
        "batch route ÷ dict table",
        _both(r"batch route" + DIV + r"(?:a[ \t]+|the[ \t]+)?dict"),
    ),
    Target(
        "context",
        "policies",
        "building the policy context ÷ the decision",
        _both(r"context" + DIV + r"(?:the[ \t]+)?decision"),
    ),
    Target(
        "bytes",
        "models",
        "bytes per live Payment ÷ plain (halve the ratio)",
        _both(r"bytes (?:per live Payment )?ratio"),
        (
            ("B", r"^bytes per live Payment[ \t]+(?P<d>\d[\d,]*)"),
            ("B plain", r"^bytes per live PlainPayment[^\d\n]*(?P<d>\d[\d,]*)"),
        ),
    ),
    Target(
        "health_time",
        "health",
        "portfolio_health time",
        (
            r"(?P<verdict>met|missed)[ \t]+health[ \t]*(?P<target><[ \t]*[\d.]+[ \t]*s)[ \t]*:"
            r"[ \t]*(?P<value>\d[\d.,]*[ \t]*s)",
        ),
        (("events", r"over (?P<d>[\d,]+) events"),),
    ),
    Target(
        "health_memory",
        "health",
        "portfolio_health peak memory",
        (
            r"(?P<verdict>met|missed)[ \t]+peak[ \t]*(?P<target><[ \t]*[\d.]+[ \t]*GiB)[ \t]*:"
            r"[ \t]*(?P<value>\d[\d.,]*[ \t]*GiB)",
        ),
        (("events", r"over (?P<d>[\d,]+) events"),),
    ),
    Target(
        "health_pandas",
        "health",
        "portfolio_health at least as fast as pandas",
        (r"(?P<verdict>met|missed)[ \t]+at least as fast as pandas[ \t]*:[ \t]*(?P<value>\S+)",),
        (("events", r"over (?P<d>[\d,]+) events"),),
    ),
    Target(
        "backtest_time",
        "backtest",
        "backtest 1,000,000 cases, projected from the wall rate",
        (
            r"target time:[^\n]*?in[ \t]+(?P<value>\d[\d.,]*[ \t]*s)[ \t]+projected[ \t]*"
            r"\((?P<target><=?[ \t]*[\d.,]+[ \t]*s)\)[ \t]*:[ \t]*(?P<verdict>met|missed)\b",
        ),
        (("cases run", r"(?P<d>[\d,]+) synthetic cases"),),
    ),
    Target(
        "backtest_idle",
        "backtest",
        "backtest 1,000,000 cases, projected on idle cores (CPU time)",
        (
            r"target time:[^\n]*?\((?P<target><=?[ \t]*[\d.,]+[ \t]*s)\)[^\n]*?idle cores[^:\n]*:"
            r"[ \t]*(?P<value>\d[\d.,]*[ \t]*s)[ \t]*:[ \t]*(?P<verdict>met|missed)\b",
        ),
        (("cases run", r"(?P<d>[\d,]+) synthetic cases"),),
    ),
    Target(
        "backtest_every_case",
        "backtest",
        "backtest 1,000,000 cases that share nothing (every case runs), on idle cores",
        (
            r"every case run[^\n]*?1,000,000 in[ \t]+(?P<value>\d[\d.,]*[ \t]*s)[^(\n]*"
            r"\((?P<target><=?[ \t]*[\d.,]+[ \t]*s)[ \t]*:[ \t]*(?P<verdict>met|missed)\b",
        ),
        (
            ("cases run", r"every case run[^\n]*?(?P<d>[\d,]+) cases:"),
            ("µs on 1 worker", r"contention check:[^\n]*?1 worker takes (?P<d>[\d,]+) µs"),
        ),
    ),
    Target(
        "backtest_memory",
        "backtest",
        "backtest peak memory (all processes)",
        (
            r"target memory:[ \t]*(?P<value>\d[\d.,]*[ \t]*MiB)[^(\n]*\((?P<target><=?[ \t]*"
            r"[\d.,]+[ \t]*MiB)[^)\n]*\)[ \t]*:[ \t]*(?P<verdict>met|missed)\b",
        ),
    ),
)


@dataclass(frozen=True)
class Run:
    """What one script printed, how it ended and how long it took."""

    script: Script
    argv: tuple[str, ...]
    stdout: str
    stderr: str
    returncode: int | None
    seconds: float
    dropped: tuple[str, ...] = ()

    @property
    def failure(self) -> str | None:
        """Why the script's figures cannot be trusted (None when it finished)."""
        if self.returncode is None:
            return f"timed out after {self.seconds:.0f} s"
        last = _last_line(self.stderr)
        if self.returncode < 0:
            return f"killed by signal {-self.returncode}"
        if "Traceback (most recent call last)" in self.stderr:
            return f"crashed: {last}"
        if self.returncode != 0 and not VERDICT.search(self.stdout):
            return f"exited {self.returncode} without a verdict line: {last}"
        return None


@dataclass(frozen=True)
class Row:
    """One line of the summary table."""

    target: Target
    value: str
    bound: str
    verdict: str
    reason: str = ""


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def _search(pattern: str, lines: Sequence[str]) -> re.Match[str] | None:
    compiled = re.compile(pattern, re.IGNORECASE)
    for line in lines:
        found = compiled.search(line.strip())
        if found:
            return found
    return None


def _details(target: Target, lines: Sequence[str]) -> str:
    parts = []
    for label, pattern in target.details:
        found = _search(pattern, lines)
        if found:
            parts.append(f"{found.group('d')} {label}")
    return f" ({', '.join(parts)})" if parts else ""


def parse_target(target: Target, output: str) -> Row:
    """Read one target's value, bound and verdict from a script's printed output."""
    lines = output.splitlines()
    for pattern in target.patterns:
        found = _search(pattern, lines)
        if found:
            groups = found.groupdict()
            verdict = "met" if groups["verdict"].lower() == "met" else "MISSED"
            value = groups["value"].strip() + _details(target, lines)
            return Row(target, value, (groups.get("target") or "").strip(), verdict)
    return Row(target, "", "", "not measured", "no line for this target in the script's output")


def summarise(runs: Mapping[str, Run]) -> list[Row]:
    """One row per target of every script that ran (in the table's order)."""
    rows = []
    for target in TARGETS:
        run = runs.get(target.script)
        if run is None:
            continue
        reason = run.failure
        if reason is None:
            rows.append(parse_target(target, run.stdout))
        else:
            rows.append(Row(target, "", "", "not measured", f"{run.script.file} {reason}"))
    return rows


def render(rows: Iterable[Row]) -> str:
    """The summary table as aligned plain text (verdict, target, value, bound, script).

    A ``*`` after the verdict marks a script run smaller than its target's size (its note,
    printed under the table, says what the full-size command is).
    """
    small = {script.name for script in SCRIPTS if script.note}
    table = [("verdict", "target", "measured", "bound", "script")]
    for row in rows:
        value = row.value if row.verdict != "not measured" else row.reason
        mark = "*" if row.target.script in small and row.verdict != "not measured" else ""
        table.append((row.verdict + mark, row.target.label, value, row.bound, row.target.script))
    widths = [max(len(line[i]) for line in table) for i in range(4)]
    out = []
    for i, line in enumerate(table):
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        out.append("  ".join([*cells, line[4]]).rstrip())
        if i == 0:
            out.append("-" * len(out[0]))
    return "\n".join(out)


def supported(script: Script, options: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Keep the ``--opt value`` pairs the script's source mentions; return (kept, dropped)."""
    source = (HERE / script.file).read_text(encoding="utf-8")
    kept: list[str] = []
    dropped: list[str] = []
    for flag, value in zip(options[::2], options[1::2], strict=True):
        if f'"{flag}"' in source or f"'{flag}'" in source:
            kept += [flag, value]
        else:
            dropped.append(flag)
    return tuple(kept), tuple(dropped)


def run_script(script: Script, *, quick: bool, timeout: float) -> Run:
    """Run one script in a subprocess (this interpreter, the repository as working directory)."""
    if not (HERE / script.file).is_file():
        return Run(script, (), "", f"benchmarks/{script.file} not found", 127, 0.0)
    options, dropped = supported(script, script.quick if quick else script.options)
    argv = (sys.executable, str(HERE / script.file), *options)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, cwd=HERE.parent, check=False
        )
    except subprocess.TimeoutExpired as late:
        out = late.stdout.decode() if isinstance(late.stdout, bytes) else late.stdout or ""
        err = late.stderr.decode() if isinstance(late.stderr, bytes) else late.stderr or ""
        return Run(script, argv, out, err, None, time.perf_counter() - start, dropped)
    seconds = time.perf_counter() - start
    return Run(script, argv, done.stdout, done.stderr, done.returncode, seconds, dropped)


def _show(run: Run) -> None:
    shown = " ".join(["python", f"benchmarks/{run.script.file}", *run.argv[2:]])
    print(f"\n=== {shown}   ({run.seconds:.1f} s wall)", flush=True)
    if run.dropped:
        print(f"    (options this script does not offer, left out: {', '.join(run.dropped)})")
    print(run.stdout.rstrip())
    if run.failure is not None:
        print(f"--- {run.script.file}: {run.failure}\n{run.stderr.rstrip()}")


def _short(name: str) -> str:
    """``bench_models.py``, ``bench_models`` and ``models`` all name the models script."""
    return Path(name).name.removesuffix(".py").removeprefix("bench_")


def _pick(names: Sequence[str] | None) -> list[Script]:
    if not names:
        return list(SCRIPTS)
    wanted = {_short(name) for name in names}
    return [script for script in SCRIPTS if script.name in wanted]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the scripts, print their output and the summary table; 1 if one crashed."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    names = [script.name for script in SCRIPTS]
    ap.add_argument("--only", action="append", metavar="NAME", help=f"one of {names}")
    ap.add_argument("--quick", action="store_true", help="smoke-test sizes (figures are noise)")
    ap.add_argument("--timeout", type=float, default=150.0, help="seconds per script")
    args = ap.parse_args(argv)
    unknown = sorted({_short(name) for name in args.only or ()} - set(names))
    if unknown:
        ap.error(f"--only: unknown {unknown}; choose from {names}")
    load_before, start = os.getloadavg(), time.perf_counter()
    runs = {}
    for script in _pick(args.only):
        runs[script.name] = run_script(script, quick=args.quick, timeout=args.timeout)
        _show(runs[script.name])
    total = time.perf_counter() - start
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"\n=== summary ({when}; {os.cpu_count()} cores; load average {load_before[0]:.1f} "
        f"before, {os.getloadavg()[0]:.1f} after; {total:.0f} s in all"
        f"{'; --quick: sizes too small for figures' if args.quick else ''})"
    )
    print(render(summarise(runs)))
    for script in SCRIPTS:
        if script.name in runs and script.note:
            print(f"* {script.name}: {script.note}")
    return 1 if any(run.failure is not None for run in runs.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
