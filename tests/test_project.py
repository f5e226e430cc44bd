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


def _ci() -> str:
    return (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_quick_start_is_two_commands() -> None:
    assert len(_quick_start()) == 2


def test_the_test_command_is_the_agreed_one() -> None:
    assert _quick_start()[1] == (
        'python3 -m venv .venv && .venv/bin/pip install -q -e ".[dev]" && .venv/bin/pytest'
    )


def test_ci_runs_both_readme_commands_exactly() -> None:
    # CI spells the interpreter $PY so another Python can be chosen; otherwise identical.
    for command in _quick_start():
        assert command.replace("python3 ", "$PY ", 1) in _ci(), command


def test_the_main_job_is_the_demo_from_a_plain_install() -> None:
    main_job = _quick_start()[0]
    assert main_job.endswith(".venv/bin/paysupport demo")
    assert "-e " not in main_job  # a real install, as a user gets it


def test_ci_builds_and_checks_the_release() -> None:
    ci = _ci()
    for step in ("-m build", "twine check", "paysupport demo", "mkdocs build --strict"):
        assert step in ci, step
