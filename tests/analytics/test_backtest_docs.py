"""Every Python example of the backtests guide runs and prints what it says."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

PAGE = Path(__file__).resolve().parents[2] / "docs" / "analytics" / "backtests.md"
FENCE = re.compile(r"```python\n(.*?)```", re.S)
CHECKED = re.compile(r"^(?P<indent>\s*)print\((?P<args>.*)\)\s*# -> (?P<expected>.*)$")


def _check(expected: str, *values: object) -> None:
    shown = " ".join(str(v) for v in values)
    assert shown == expected, f"printed {shown!r}, the page says {expected!r}"


def test_the_guide_examples_run_and_print_what_they_say():
    blocks = FENCE.findall(PAGE.read_text(encoding="utf-8"))
    assert len(blocks) >= 5
    namespace: dict[str, object] = {"_check": _check}
    checked = 0
    for block in blocks:
        lines = []
        for line in block.splitlines():
            m = CHECKED.match(line)
            if m:
                checked += 1
                line = f"{m['indent']}_check({m['expected']!r}, {m['args']})"
            lines.append(line)
        exec(compile("\n".join(lines) + "\n", str(PAGE), "exec"), namespace)
    assert checked >= 6
