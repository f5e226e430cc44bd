"""The ``paysupport`` command, run as a user would: every command with good and bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import paysupport
from paysupport import sample
from paysupport.analytics import synthetic
from paysupport.cli import main
from paysupport.lifecycles import LIFECYCLES, diagram


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # Rich wraps tables to the terminal; a wide one keeps each row on one line.
    monkeypatch.setenv("COLUMNS", "250")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, out.err


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp_path = tmp_path_factory.mktemp("files")
    portfolio, now = sample.load()
    good = tmp_path / "portfolio.json"
    good.write_text(
        json.dumps({"now": now.isoformat(), **portfolio.model_dump(mode="json")}), encoding="utf-8"
    )
    paths = {
        "good": good,
        "no_now": tmp_path / "no_now.json",
        "empty": tmp_path / "empty.json",
        "array": tmp_path / "array.json",
        "broken": tmp_path / "broken.json",
        "invalid": tmp_path / "invalid.json",
        "binary": tmp_path / "binary.json",
        "dir": tmp_path,
        "missing": tmp_path / "nope.json",
    }
    paths["no_now"].write_text(portfolio.model_dump_json(), encoding="utf-8")
    paths["empty"].write_text("{}", encoding="utf-8")
    paths["array"].write_text("[1, 2]", encoding="utf-8")
    paths["broken"].write_text('{"payments": [', encoding="utf-8")
    paths["invalid"].write_text('{"now": "2026-11-24T12:00:00Z", "payments": [{"id": 1}]}')
    paths["binary"].write_bytes(b"\xff\xfe\x00{")
    history = synthetic(seed=5, n_payments=300, n_merchants=3, months=6, start=date(2025, 1, 1))
    for name, frame in (("events", history.events), ("merchants", history.merchants)):
        paths[name] = tmp_path / f"{name}.parquet"
        frame.write_parquet(paths[name])
        paths[f"{name}_csv"] = tmp_path / f"{name}.csv"
        frame.write_csv(paths[f"{name}_csv"])
    rates = history.usd_rates
    assert rates
    return {
        **{k: str(v) for k, v in paths.items()},
        "market": history.merchants["market"][0],
        "segment": history.merchants["segment"][0],
        "rates": ",".join(f"{c}={r}" for c, r in sorted(rates.items())),
    }


# Every command, good input first, then what users get wrong: (argv, exit code, text in output).
# Analytics commands read the history from files: --events/--merchants/--usd-rate (see files()).
DATA = ["--events", "{events}", "--merchants", "{merchants}", "--usd-rate", "{rates}"]
CSV = ["--events", "{events_csv}", "--merchants", "{merchants_csv}", "--usd-rate", "{rates}"]
GOOD = [
    (["--version"], f"paysupport {paysupport.__version__}"),
    (["--help"], "reason-code"),
    (["demo"], "Support queue as of 2026-11-24T12:00:00+00:00"),
    (["demo", "--format", "json"], '"at_risk"'),
    (["report"], "Open disputes (2)"),
    (["report", "{good}"], "Open cases"),
    (["report", "{no_now}", "--now", "2026-12-20T00:00:00Z"], "PAST DUE"),
    (["report", "{empty}", "--now", "2026-11-24T12:00:00+01:00"], "Open disputes (0)"),
    (["reason-code", "visa", "13.1"], "Merchandise/Services Not Received"),
    (["reason-code", "mc", "4853", "--format", "json"], '"code": "4853"'),
    (["decline", "51"], "soft"),
    (["decline", "05", "--network", "visa"], "Visa category"),
    (["decline", "05", "--network", "mastercard", "--advice", "03"], "never retry this card"),
    (["decline", "do_not_honor", "--format", "json"], '"scheme": "stripe"'),
    (["decline", "Lost_Card", "--provider", "stripe", "--format", "json"], '"code": "lost_card"'),
    (["diagram", "refund"], "stateDiagram-v2"),
    (["diagram", "dispute", "--format", "dot"], "digraph"),
    (["diagram", "dispute", "--stage", "chargeback"], "stateDiagram-v2"),
    (["schema", "dispute"], '"title": "Dispute"'),
    (["sample", "portfolio"], '"now": "2026-11-24T12:00:00+00:00"'),
    (["sample", "cases"], '"case": {'),
    (["health", *DATA], "acceptance_rate"),
    (["health", *CSV, "--by", "market"], "Monitoring programs"),
    (["health", *DATA, "--by", "portfolio", "-f", "json"], '"at_risk"'),
    (["review", "2025Q2", "--segment", "{segment}", *DATA], "Business review"),
    (["review", "2025Q2", "--market", "{market}", *DATA, "-f", "json"], '"actions"'),
    (["review", "2025Q2", "--merchant", "m_000", *DATA, "-f", "markdown"], "# Business review"),
    (["backtest", *DATA], "Backtest of"),
    (["backtest", *DATA, "--by", "network", "-f", "json"], '"summary"'),
]
BAD = [
    (["frobnicate"], "No such command 'frobnicate'"),
    (["report", "{missing}"], "no such file"),
    (["report", "{dir}"], "is a directory"),
    (["report", "{broken}"], "not valid JSON"),
    (["report", "{array}"], "expected a JSON object (a portfolio), got an array"),
    (["report", "{binary}"], "not UTF-8 text"),
    (["report", "{invalid}"], "payments.0.id"),
    (["report", "{empty}"], 'has no "now"'),
    (["report", "--now", "garbage"], "'garbage' is not a time"),
    (["report", "--now", "2026-12-20T00:00:00"], "has no time zone"),
    (["report", "--format", "yaml"], "'yaml' is not one of 'text', 'json'"),
    (["demo", "--now", "tomorrow"], "is not a time"),
    (["reason-code", "visa", "99.9"], "unknown visa reason code '99.9'"),
    (["reason-code", "diners", "1"], "diners"),
    (["reason-code", "visa"], "Missing argument 'code'"),
    (["decline", ""], "the decline code is empty"),
    (["decline", "   "], "the decline code is empty"),
    (["decline", "ZZZZ9"], "ZZZZ9"),
    (["decline", "82"], "pass --network"),
    (["decline", "05", "--provider", "stripe"], "unknown Stripe decline code '05'"),
    (["decline", "05", "--network", "jcb"], "'jcb' is not one of"),
    (["decline", "05", "--network", "visa", "--advice", "03"], "use --network mastercard"),
    (["decline", "05", "--advice", "99"], "merchant advice code"),
    (["diagram", "invoice"], "'invoice' is not one of"),
    (["diagram", "refund", "--format", "png"], "'png' is not one of"),
    (["diagram", "refund", "--output", "{dir}"], "cannot write"),
    (["diagram", "dispute", "--stage", "appeal"], "appeal"),
    (["schema", "nope"], "'nope' is not one of"),
    (["sample", "everything"], "is not one of 'portfolio', 'cases'"),
    (["triage", "{missing}"], "no such file"),
    (["health", "--events", "{events}"], "--events and --merchants go together"),
    (["health", "--events", "{missing}", "--merchants", "{merchants}"], "no such file"),
    (["health", "--events", "{merchants}", "--merchants", "{merchants}"], "events.event_id"),
    (["health", "--events", "{events}", "--merchants", "{merchants}"], "no USD rate"),
    (["health", *DATA[:4], "--usd-rate", "HKD"], "CODE=RATE"),
    (["health", "--by", "planet"], "'planet' is not one of"),
    (["review", "2025Q2"], "name the subject"),
    (["review", "2025Q9", "--segment", "{segment}", *DATA], "2025Q9"),
    (["review", "2025Q2", "--merchant", "m_999", *DATA], "m_999"),
    (["backtest", "--workers", "0"], "--workers"),
]


def _ids(value: object) -> str:
    return " ".join(value) or "no-args" if isinstance(value, list) else str(value)


def _fill(argv: list[str], files: dict[str, str]) -> list[str]:
    out: list[str] = []
    for a in argv:
        if a == "{rates}":  # one --usd-rate per currency
            rates = files["rates"].split(",")
            out += [x for r in rates for x in ("--usd-rate", r)][1:]
        else:
            out.append(a.format(**files))
    return out


@pytest.mark.parametrize(("argv", "expected"), GOOD, ids=_ids)
def test_good_input_exits_0(
    capsys: pytest.CaptureFixture[str], files: dict[str, str], argv: list[str], expected: str
) -> None:
    code, out, err = run(capsys, *_fill(argv, files))
    assert (code, err) == (0, "")
    assert expected in out


@pytest.mark.parametrize(("argv", "expected"), BAD, ids=_ids)
def test_bad_input_exits_2_with_one_clear_line(
    capsys: pytest.CaptureFixture[str], files: dict[str, str], argv: list[str], expected: str
) -> None:
    code, out, err = run(capsys, *_fill(argv, files))
    assert code == 2
    assert expected in err
    assert len(err.strip().splitlines()) == 1, err
    assert out == ""


def test_no_arguments_shows_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys)
    assert code == 2
    assert "Usage: paysupport" in out
    assert "Start with paysupport demo" in out


def test_every_command_is_exercised() -> None:
    commands = {argv[0] for argv, _ in GOOD + BAD if argv and not argv[0].startswith("-")}
    import typer

    from paysupport.cli._app import app

    group = typer.main.get_command(app)
    assert set(group.commands) <= commands  # type: ignore[attr-defined]


def test_help_lists_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "decline", "--help")
    assert "visa" in out and "mastercard" in out and "discover" in out
    _, out, _ = run(capsys, "diagram", "--help")
    assert "mermaid" in out and "svg" in out
    assert all(name in out for name in LIFECYCLES)


def test_the_queue_reads_as_an_operator_needs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert out.index("dp_2002") < out.index("dp_2001")  # soonest deadline first
    assert "SLA BREACHED" in out  # the duplicate-charge case is past its SLA
    assert "IssueRefund 49.90 EUR" in out
    assert "RequestApproval 10,000 JPY" in out
    assert "ScheduleRetry 29.00 USD" in out


def test_report_json_has_machine_values(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "report", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["now"] == "2026-11-24T12:00:00+00:00"
    assert [d["dispute_id"] for d in data["disputes"]] == ["dp_2002", "dp_2001"]
    assert {f["failure_id"]: f["next_step"] for f in data["declines"]}["pf_4002"] == "do_not_retry"
    # Machine values: money as integer minor units and a currency, times in ISO 8601.
    assert data["disputes"][0]["amount"] == {"minor": 240000, "currency": "USD"}
    assert data["disputes"][0]["due_by"] == "2026-11-27T10:00:00+00:00"
    assert {f["failure_id"]: f["amount"] for f in data["declines"]}["pf_4001"] == {
        "minor": 2900,
        "currency": "USD",
    }


def test_a_file_report_equals_the_sample_report(
    capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> None:
    _, from_file, _ = run(capsys, "report", files["good"], "--format", "json")
    _, bundled, _ = run(capsys, "report", "--format", "json")
    assert json.loads(from_file) == json.loads(bundled)


def test_the_clock_is_read_only_when_asked(
    capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> None:
    code, out, _ = run(capsys, "report", files["empty"], "--now", "now", "--format", "json")
    assert code == 0
    assert json.loads(out)["now"][:4] >= "2026"


def test_reason_code_says_what_the_notes_do_not_know(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "reason-code", "mc", "4853")
    assert code == 0
    assert "from not stated" not in out
    assert "120 days" in out


def test_decline_is_network_aware(capsys: pytest.CaptureFixture[str]) -> None:
    _, visa, _ = run(capsys, "decline", "05", "--network", "visa")
    _, mastercard, _ = run(capsys, "decline", "05", "--network", "mastercard")
    assert "Visa category" in visa
    assert "Visa category" not in mastercard


def test_diagrams_come_from_the_definition(capsys: pytest.CaptureFixture[str]) -> None:
    for name, machine in LIFECYCLES.items():
        _, out, _ = run(capsys, "diagram", name)
        assert out.rstrip("\n") == diagram(machine, "mermaid").rstrip("\n")


def test_svg_needs_graphviz_and_says_so(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "refund.svg"
    code, _, err = run(capsys, "diagram", "refund", "--format", "svg", "--output", str(target))
    if shutil.which("dot") is None:
        assert (code, "graphviz" in err) == (2, True)
    else:
        assert code == 0
        assert "<svg" in target.read_text(encoding="utf-8")


def test_triage_reports_a_bad_line_and_runs_the_rest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "sample", "cases")  # warm up
    _, lines, _ = run(capsys, "sample", "cases")
    cases = lines.splitlines()
    path = tmp_path / "cases.jsonl"
    bad = ["not json", "[1]", '{"case": {"id": "c"}}', '{"payments": []}']
    path.write_text("\n".join([cases[0], *bad, "", *cases[1:]]) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "triage", str(path), "--format", "json")
    assert code == 2
    data = json.loads(out)
    assert [r["line"] for r in data["results"]] == [1, *range(7, 7 + len(cases) - 1)]
    assert [e["line"] for e in data["errors"]] == [2, 3, 4, 5]
    assert f"{path}:2: not valid JSON" in err
    assert f'{path}:5: no "case" key' in err
    assert f"4 of {len(cases) + 4} lines were bad" in err
    refunds = [e for r in data["results"] for e in r["effects"] if e["kind"] == "issue_refund"]
    assert refunds, "the duplicate charge is refunded"
    assert all(isinstance(e["amount"]["minor"], int) for e in refunds)


def test_triage_of_the_sample_cases(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, lines, _ = run(capsys, "sample", "cases")
    path = tmp_path / "cases.jsonl"
    path.write_text(lines, encoding="utf-8")
    code, out, err = run(capsys, "triage", str(path))
    assert (code, err) == (0, "")
    assert out.count("line ") == len(lines.splitlines())
    assert "IssueRefund 49.90 EUR" in out


def test_a_bug_exits_1_without_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import paysupport.cli._app as app_module

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(app_module, "queue_report", broken)
    code, _, err = run(capsys, "demo")
    assert code == 1
    assert err.startswith("bug: RuntimeError: boom")


def _python(*code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *code], capture_output=True, text=True, timeout=120, check=False
    )


def test_python_dash_m_runs_the_command() -> None:
    done = _python("-m", "paysupport", "decline", "")
    assert done.returncode == 2
    assert done.stderr.startswith("error: the decline code is empty")
    assert "Traceback" not in done.stderr


def test_without_the_cli_extra_one_line_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['typer'] = None; from paysupport.cli import main; "
        "raise SystemExit(main(['demo']))"
    )
    done = _python("-c", code)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "paysupport: the command line needs the 'cli' extra: pip install \"paysupport[cli]\" "
        '(from a checkout: pip install ".[cli]")'
    ]


def test_the_demo_runs_without_the_analytics_extra() -> None:
    code = (
        "import sys; sys.modules['polars'] = None; from paysupport.cli import main; "
        "raise SystemExit(main(['demo']))"
    )
    done = _python("-c", code)
    assert done.returncode == 0, done.stderr
    assert "Support queue as of" in done.stdout
    assert 'Portfolio health needs the analytics extra: pip install ".[cli,analytics]"' in (
        done.stdout
    )
    assert "Traceback" not in done.stderr
