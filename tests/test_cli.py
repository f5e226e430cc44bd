from __future__ import annotations

import json
from pathlib import Path

import pytest

from paysupport import sample
from paysupport.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_report_on_the_bundled_sample(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "report")
    assert code == 0
    assert "Support queue as of 2026-11-24T12:00:00+00:00" in out
    # Soonest deadline first: the Mastercard dispute is due before the Visa one.
    assert out.index("dp_2002") < out.index("dp_2001")
    assert "stolen_card/43: hard, Visa category 1 -> do_not_retry" in out
    assert "SLA BREACHED" in out  # the duplicate-charge case is past its SLA
    # Each new case is triaged: the duplicate is refunded in full, the large JPY refund
    # waits for approval, the $2,400 dispute is contested, the soft decline is retried.
    assert "to do    IssueRefund 49.90 EUR" in out
    assert "to do    RequestApproval 10,000 JPY" in out
    assert "dispute_response: contest 2,400.00 USD" in out
    assert "to do    ScheduleRetry 29.00 USD" in out


def test_report_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "report", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert [d["dispute_id"] for d in data["disputes"]] == ["dp_2002", "dp_2001"]
    assert {f["failure_id"]: f["next_step"] for f in data["declines"]}["pf_4002"] == "do_not_retry"


def test_report_on_a_file_with_now(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    portfolio, _ = sample.load()
    path = tmp_path / "p.json"
    path.write_text(portfolio.model_dump_json(), encoding="utf-8")
    code, out, _ = run(capsys, "report", str(path), "--now", "2026-12-20T00:00:00Z")
    assert code == 0
    assert "PAST DUE" in out  # both disputes are past their deadlines by then


def test_naive_now_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["report", "--now", "2026-12-20T00:00:00"])


def test_lookups(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "reason-code", "visa", "13.1")
    assert code == 0
    assert "Merchandise/Services Not Received" in out
    code, out, _ = run(capsys, "decline", "51")
    assert "soft" in out
    code, out, _ = run(capsys, "schema", "dispute")
    assert json.loads(out)["title"] == "Dispute"


def test_errors_exit_2_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "reason-code", "visa", "99.9")
    assert code == 2
    assert "unknown visa reason code '99.9'" in err
    assert "13 Consumer Disputes" in err
    code, _, err = run(capsys, "schema", "nope")
    assert code == 2
    assert "known:" in err


def test_sample_loads_with_its_now() -> None:
    portfolio, now = sample.load()
    assert now.tzinfo is not None
    assert {m.id for m in portfolio.merchants} == {"m_acme", "m_globex"}
