"""Portfolio health over N transactions (default 10,000,000), against pandas groupby.

    python benchmarks/bench_health.py            # 10,000,000 events
    python benchmarks/bench_health.py --n 2000000

The parent generates a seeded synthetic history (tiled to N) and writes it as Arrow IPC; two
child processes then load it and measure, each with its own peak resident memory counted
from once the file is loaded (Linux VmHWM, reset with clear_refs; else ru_maxrss):
``portfolio_health`` (polars), and the same per-merchant, per-network, per-month counts and
sums with pandas groupby as the baseline. Targets: health < 10 s, peak < 2 GiB, at least
as fast as pandas.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 10.0
TARGET_BYTES = 2 * 1024**3


def _peak_bytes() -> int:
    """Peak resident memory since the last :func:`_reset_peak` (or since start)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _reset_peak() -> None:
    """Restart the peak count (Linux: clear_refs 5), so loading the file is not counted."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass


def _generate(n: int, merchants: int, folder: Path, copies: int = 10) -> tuple[int, float]:
    """A seeded synthetic history of about ``n / copies`` events, tiled ``copies`` times.

    Each copy gets its own event and payment ids (a suffix), so payments stay distinct and
    every merchant carries ``copies`` times the volume; generating 10,000,000 events
    directly would take most of the run.
    """
    import polars as pl

    from paysupport.analytics import synthetic

    started = time.perf_counter()
    base_n = max(n // copies, 1)
    history = synthetic(seed=7, n_payments=int(base_n / 1.9) + 1_000, n_merchants=merchants)
    base = history.events.head(base_n)
    tiles = [
        base.with_columns(pl.col("event_id") + f"_{k}", pl.col("payment_id") + f"_{k}")
        for k in range(copies)
    ]
    events = pl.concat(tiles).head(n)
    events.write_ipc(folder / "events.arrow", compression="lz4")
    history.merchants.write_ipc(folder / "merchants.arrow")
    pl.DataFrame(
        {"currency": list(history.usd_rates), "rate": [str(r) for r in history.usd_rates.values()]}
    ).write_ipc(folder / "rates.arrow")
    return events.height, time.perf_counter() - started


def _child_polars(folder: Path) -> dict[str, float]:
    import polars as pl

    from paysupport.analytics import History, portfolio_health

    events = pl.read_ipc(folder / "events.arrow")
    merchants = pl.read_ipc(folder / "merchants.arrow")
    rates = dict(pl.read_ipc(folder / "rates.arrow").iter_rows())
    loaded = _peak_bytes()
    _reset_peak()
    started = time.perf_counter()
    history = History.from_frames(events, merchants, usd_rates=rates)
    door = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    report = portfolio_health(history)
    health = time.perf_counter() - started
    cpu = time.process_time() - cpu
    return {
        "door": door,
        "health": health,
        "peak": _peak_bytes(),
        "loaded": loaded,
        "cpu": cpu,
        "rows": float(report.kpis.height),
    }


def _child_pandas(folder: Path) -> dict[str, float]:
    import pandas as pd

    events = pd.read_feather(folder / "events.arrow")
    rates = pd.read_feather(folder / "rates.arrow")
    _reset_peak()
    started, cpu = time.perf_counter(), time.process_time()
    per_minor = {
        c: float(r) / 10 ** _exponent(c) for c, r in zip(rates.currency, rates.rate, strict=True)
    }
    kind = events["kind"].astype(str)
    usd = events["amount_minor"] * events["currency"].astype(str).map(per_minor)
    frame = pd.DataFrame(
        {
            "merchant_id": events["merchant_id"],
            "network": events["network"].astype(str),
            "month": events["at"].dt.tz_localize(None).dt.to_period("M"),
            "attempts": kind.eq("authorization"),
            "approved": kind.eq("authorization") & events["approved"].fillna(False).astype(bool),
            "sales": kind.eq("capture"),
            "cnp_sales": kind.eq("capture") & ~events["card_present"],
            "refunds": kind.eq("refund"),
            "disputes": kind.eq("dispute"),
            "won": kind.eq("dispute") & events["outcome"].eq("won"),
            "lost": kind.eq("dispute") & events["outcome"].eq("lost"),
            "fraud_reports": kind.eq("fraud_report"),
            "sales_usd": usd.where(kind.eq("capture"), 0.0),
            "refunds_usd": usd.where(kind.eq("refund"), 0.0),
            "fraud_usd": usd.where(kind.eq("fraud_report"), 0.0),
            "auth_payment": events["payment_id"].where(kind.eq("authorization")),
            "cap_payment": events["payment_id"].where(kind.eq("capture")),
        }
    )
    keys = ["merchant_id", "network", "month"]
    grouped = frame.groupby(keys, observed=True, sort=False)
    sums = grouped[
        [c for c in frame.columns if c not in (*keys, "auth_payment", "cap_payment")]
    ].sum()
    distinct = grouped[["auth_payment", "cap_payment"]].nunique()
    cube = sums.join(distinct)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    return {"health": elapsed, "cpu": cpu, "peak": _peak_bytes(), "rows": float(len(cube))}


def _exponent(code: str) -> int:
    from paysupport.money import currency

    return currency(code).exponent


def _run_child(kind: str, folder: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--folder", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _verdict(name: str, ok: bool, detail: str) -> str:
    return f"  {'met   ' if ok else 'MISSED'} {name}: {detail}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="events (transactions)")
    parser.add_argument("--merchants", type=int, default=1_000)
    parser.add_argument("--child", choices=["polars", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run = _child_polars if args.child == "polars" else _child_pandas
        print(json.dumps(run(Path(args.folder))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows, generated = _generate(args.n, args.merchants, folder)
        size = os.path.getsize(folder / "events.arrow")
        print(
            f"portfolio health over {rows:,} events, {args.merchants:,} merchants "
            f"(generated in {generated:.1f} s, {size / 1024**2:,.0f} MiB Arrow)"
        )
        ours = _run_child("polars", folder)
        base = _run_child("pandas", folder)
    load = os.getloadavg()[0]
    print(f"  machine: {os.cpu_count()} cores, load average {load:.1f} at the end")
    print(
        f"  paysupport: door (History.from_frames) {ours['door']:.2f} s; portfolio_health "
        f"{ours['health']:.2f} s wall, {ours['cpu']:.2f} s CPU; peak {ours['peak'] / 1024**3:.2f}"
        f" GiB after loading (data alone {ours['loaded'] / 1024**3:.2f} GiB)"
    )
    print(
        f"  pandas groupby (same counts and sums): {base['health']:.2f} s wall, "
        f"{base['cpu']:.2f} s CPU; peak {base['peak'] / 1024**3:.2f} GiB after loading"
    )
    ratio = base["health"] / ours["health"]
    print(f"  ratio: paysupport is {ratio:.2f}x pandas")
    print(_verdict("health < 10 s", ours["health"] < TARGET_SECONDS, f"{ours['health']:.2f} s"))
    print(
        _verdict("peak < 2 GiB", ours["peak"] < TARGET_BYTES, f"{ours['peak'] / 1024**3:.2f} GiB")
    )
    print(_verdict("at least as fast as pandas", ratio >= 1.0, f"{ratio:.2f}x"))


if __name__ == "__main__":
    main()
