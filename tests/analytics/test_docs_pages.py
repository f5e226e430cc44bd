"""Every Python example on the analytics pages runs and prints what the page says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "analytics"
PAGES = sorted(p.name for p in DOCS.glob("*.md") if p.name != "backtests.md")
FENCE = re.compile(r"```python\n(.*?)```", re.S)
CHECKED = re.compile(r"^(?P<indent>\s*)print\((?P<args>.*)\)\s*# -> (?P<expected>.*)$")


def _check_print(expected: str, *values: object) -> None:
    shown = " ".join(str(v) for v in values)
    assert shown == expected, f"printed {shown!r}, the page says {expected!r}"


def _checked(block: str) -> str:
    lines = []
    for line in block.splitlines():
        m = CHECKED.match(line)
        if m:
            line = f"{m['indent']}_check_print({m['expected']!r}, {m['args']})"
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_every_part_has_a_page() -> None:
    for page in (
        "history",
        "synthetic",
        "health",
        "business-review",
        "rule-quality",
        "team-performance",
        "results",
        "speed",
        "example-notebook",
    ):
        assert f"{page}.md" in PAGES


@pytest.mark.parametrize("page", PAGES)
def test_examples_run_and_print_what_they_say(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    namespace: dict[str, object] = {"_check_print": _check_print}
    for block in FENCE.findall(text):
        exec(compile(_checked(block), page, "exec"), namespace)
