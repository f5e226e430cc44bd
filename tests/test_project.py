"""Project hygiene: the README's quick start and CI run the same commands."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _quick_start() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    return [line for b in blocks for line in b.splitlines() if line and not line.startswith("#")]


def test_quick_start_is_two_commands() -> None:
    assert len(_quick_start()) == 2


def test_ci_runs_the_readme_test_command_exactly() -> None:
    test_command = _quick_start()[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    # CI spells the interpreter $PY so another Python can be chosen; otherwise identical.
    assert test_command.replace("python3 ", "$PY ", 1) in ci


def test_ci_runs_the_main_job_too() -> None:
    main_job = _quick_start()[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "examples/quickstart.py" in main_job
    assert "examples/quickstart.py" in ci
