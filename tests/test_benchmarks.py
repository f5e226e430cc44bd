"""benchmarks/run_all.py: the summary reads every target row and verdict from the scripts' output.

The benchmarks themselves are not run here (too slow for the suite): the outputs below are
what the scripts print, copied from real runs (table lines included, so a parser that took a
table row for a target line would fail), and ``run_script`` is replaced by a canned run.
"""

# ruff: noqa: E501 (the canned outputs are the scripts' lines as printed)
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

RUN_ALL = Path(__file__).resolve().parents[1] / "benchmarks" / "run_all.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_all", RUN_ALL)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_all"] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


run_all = _load()

MODELS = """\
row                                                   µs     ratio   (ratio: ÷ the plain model's baseline above)
PlainPayment.model_validate_json (baseline)        13.60      1.00
PlainPayment.model_validate (baseline)             12.04      1.00
Payment.model_validate_json                        36.55      2.69
Payment.with_refund                                15.96      1.33
  same change, full re-validation                  39.92      3.31
bytes per live PlainPayment (baseline)              6394      1.00
bytes per live Payment                              2673      0.42

target validate_json ratio <= 1.50: 2.69 missed
target bytes ratio <= 0.46 (half of 0.91 before): 0.42 met
"""

WORKFLOWS = """\
n=300 repeat=3 seed=7
row                                           µs/request     × A     × B
RefundFairness.decide (baseline A)                  20.3     1.0     1.0
context + decide                                    27.8     1.4     1.3
request_refund                                     188.1     9.3     9.1
request_refund + commit                            173.3     8.5     8.4
plain pydantic (baseline B)                         20.6     1.0     1.0
JSON → models → request_refund → commit            304.4    15.0    14.8
target request_refund + commit ÷ RefundFairness.decide (baseline A) <= 5: 8.5 -> missed
target JSON → models → request_refund → commit ÷ plain pydantic (baseline B) <= 4: 14.8 -> missed
batch: 300 requests, 115 refunds issued and settled in 0.12 s = 2,426 requests/s (412.1 µs each)
"""

LIFECYCLES = """\
route                                 n  µs/lifecycle  transitions ÷ route  route ÷ dict  bytes/live aggregate
--------------------------------------------------------------------------------------------------------------
dict table (floor)                3,000          1.09                52.41           1.0                   368
transitions, shared Machine       3,000         57.24                 1.00          52.4                 2,877
paysupport advance (records)      3,000          5.75                 9.96           5.3                   440
paysupport fire (pydantic)        3,000         42.29                 1.35          38.7                 1,552

Targets (issue 13), from the figures above:
  transitions ÷ fire on pydantic Dispute        1.35  target >= 3: MISSED
  transitions ÷ batch route (records)           9.96  target >= 10: MISSED
  batch route ÷ dict table                      5.26  target <= 10: met
"""

POLICIES = """\
contender                                     µs/decision    decisions/s   × floor
RefundFairness.decide -> Decision                  83.022         12,045      2.45
RefundContext build (facts from the models)        61.114         16,363      1.80
targets:
  Decision / floor                                        2.45  target <= 25   met
  zen evaluate / Decision                                 5.91  target >= 3    met
  building the policy context / the decision              0.74  target <= 1    met
  batch decide_many / plain loop keeping decisions        1.02  (≈ 1: no per-call overhead)
"""

HEALTH = """\
portfolio health over 200,000 events, 200 merchants (generated in 0.7 s, 6 MiB Arrow)
  machine: 2 cores, load average 9.7 at the end
  ratio: paysupport is 1.73x pandas
  met    health < 10 s: 1.00 s
  met    peak < 2 GiB: 0.20 GiB
  MISSED at least as fast as pandas: 0.93x
"""

BACKTEST = """\
backtest benchmark: 2,000 synthetic cases, 2 workers
  serial loop (baseline)      2.81 s        712 cases/s  (CPU 0.70 s: 2,865 cases per CPU-second)
  target time: 1,000,000 cases in 3,183 s projected (<= 60 s): MISSED; on 2 idle cores from CPU time: 611 s: met
  target memory: 534 MiB total peak (<= 1024 MiB; flat in n, rows not kept): met
  every case run (no reuse, as for a history's cases), 2,000 cases: 1.52 s, workers' CPU 371 µs per case: 1,000,000 in 185 s on 2 idle cores (<= 60 s: MISSED)
"""

OUTPUTS = {
    "models": MODELS,
    "workflows": WORKFLOWS,
    "lifecycles": LIFECYCLES,
    "policies": POLICIES,
    "health": HEALTH,
    "backtest": BACKTEST,
}

# key -> (value as printed, bound as printed, verdict): read off the canned lines above.
EXPECTED = {
    "refund_commit": ("8.5", "<= 5", "MISSED"),
    "validate_json": ("2.69", "<= 1.50", "MISSED"),
    "json_path": ("14.8", "<= 4", "MISSED"),
    "fire": ("1.35", ">= 3", "MISSED"),
    "batch": ("9.96", ">= 10", "MISSED"),
    "dict": ("5.26", "<= 10", "met"),
    "context": ("0.74", "<= 1", "met"),
    "bytes": ("0.42", "<= 0.46", "met"),
    "health_time": ("1.00 s", "< 10 s", "met"),
    "health_memory": ("0.20 GiB", "< 2 GiB", "met"),
    "health_pandas": ("0.93x", "", "MISSED"),
    "backtest_time": ("3,183 s", "<= 60 s", "MISSED"),
    "backtest_idle": ("611 s", "<= 60 s", "met"),
    "backtest_every_case": ("185 s", "<= 60 s", "MISSED"),
    "backtest_memory": ("534 MiB", "<= 1024 MiB", "met"),
}


def _run(name: str, stdout: str, *, returncode: int | None = 0, stderr: str = "") -> Any:
    script = next(s for s in run_all.SCRIPTS if s.name == name)
    return run_all.Run(script, ("python", script.file), stdout, stderr, returncode, 1.0)


def _rows(runs: dict[str, Any]) -> dict[str, Any]:
    return {row.target.key: row for row in run_all.summarise(runs)}


def test_every_target_of_the_issues_has_a_row_and_a_script() -> None:
    names = {script.name for script in run_all.SCRIPTS}
    assert {target.key for target in run_all.TARGETS} == set(EXPECTED)
    assert {target.script for target in run_all.TARGETS} == names
    for script in run_all.SCRIPTS:
        assert (RUN_ALL.parent / script.file).is_file()


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_summary_reads_value_bound_and_verdict_of_each_target(key: str) -> None:
    rows = _rows({name: _run(name, out) for name, out in OUTPUTS.items()})
    value, bound, verdict = EXPECTED[key]
    row = rows[key]
    assert (row.value.split(" (")[0], row.bound, row.verdict) == (value, bound, verdict)


def test_details_come_from_the_script_table_not_the_target_line() -> None:
    rows = _rows({name: _run(name, out) for name, out in OUTPUTS.items()})
    assert rows["refund_commit"].value == "8.5 (173.3 µs)"
    assert rows["json_path"].value == "14.8 (304.4 µs)"
    assert rows["bytes"].value == "0.42 (2673 B, 6394 B plain)"
    assert rows["health_time"].value == "1.00 s (200,000 events)"
    assert rows["backtest_every_case"].value == "185 s (2,000 cases run)"


def test_either_line_layout_is_read() -> None:
    """A script may print ``value target <= x: verdict`` or ``<= x: value -> verdict``."""
    target = next(t for t in run_all.TARGETS if t.key == "context")
    for line in (
        "  building the policy context / the decision   0.91  target <= 1: met",
        "target building the policy context ÷ the decision <= 1: 0.91 -> met",
    ):
        row = run_all.parse_target(target, line)
        assert (row.value, row.bound, row.verdict) == ("0.91", "<= 1", "met")


def test_a_missing_line_is_not_measured_with_the_reason() -> None:
    cut = "\n".join(line for line in MODELS.splitlines() if "bytes ratio" not in line)
    rows = _rows({"models": _run("models", cut)})
    assert set(rows) == {"validate_json", "bytes"}
    assert rows["validate_json"].verdict == "MISSED"
    assert rows["bytes"].verdict == "not measured"
    assert "no line" in rows["bytes"].reason


def test_a_crashed_or_late_script_leaves_its_rows_not_measured() -> None:
    crash = "Traceback (most recent call last):\n  ...\nImportError: cannot import name 'x'"
    rows = _rows(
        {
            "lifecycles": _run("lifecycles", "", returncode=1, stderr=crash),
            "health": _run("health", "portfolio health over 10 events", returncode=None),
        }
    )
    assert {rows[k].verdict for k in rows} == {"not measured"}
    assert "ImportError: cannot import name 'x'" in rows["fire"].reason
    assert "timed out" in rows["health_time"].reason


def test_a_missed_target_exit_status_is_not_a_crash() -> None:
    """bench_policies.py exits 1 when a target is missed: a result, not a failure."""
    assert _run("policies", POLICIES, returncode=1).failure is None
    assert _run("policies", "", returncode=1, stderr="boom").failure is not None


def test_main_prints_the_table_and_fails_only_on_a_crash(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def canned(script: Any, *, quick: bool, timeout: float) -> Any:
        assert quick
        name = script.name
        if name == "backtest":
            return _run(name, "", returncode=-9)
        return _run(name, OUTPUTS[name])

    monkeypatch.setattr(run_all, "run_script", canned)
    assert run_all.main(["--quick", "--only", "bench_models.py", "--only", "policies"]) == 0
    out = capsys.readouterr().out
    assert "=== summary" in out
    assert "Payment.model_validate_json ÷ plain pydantic model" in out
    assert "building the policy context ÷ the decision" in out
    assert "transitions ÷ fire" not in out
    assert run_all.main(["--quick", "--only", "backtest"]) == 1
    assert "killed by signal 9" in capsys.readouterr().out


def test_unknown_only_name_is_refused() -> None:
    with pytest.raises(SystemExit):
        run_all.main(["--only", "nonesuch"])


def test_options_a_script_does_not_offer_are_left_out() -> None:
    script = next(s for s in run_all.SCRIPTS if s.name == "models")
    kept, dropped = run_all.supported(script, ("--n", "10", "--no-such-flag", "3"))
    assert kept == ("--n", "10")
    assert dropped == ("--no-such-flag",)


def test_rows_of_scripts_run_below_target_size_are_marked() -> None:
    table = run_all.render(run_all.summarise({"health": _run("health", HEALTH)})).splitlines()
    time_line = next(line for line in table if "portfolio_health time" in line)
    assert time_line.startswith("met*")
    table = run_all.render(run_all.summarise({"models": _run("models", MODELS)})).splitlines()
    assert all("*" not in line.split()[0] for line in table[2:])


def test_a_missing_script_is_a_failure_not_a_crash_of_the_runner(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(run_all, "HERE", tmp_path)
    run = run_all.run_script(run_all.SCRIPTS[0], quick=True, timeout=1.0)
    assert run.failure is not None
    assert "not found" in run.failure
