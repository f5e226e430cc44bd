"""Every Python example in the README and the teaching pages runs, and prints what it says.

A line ``print(x)  # -> text`` promises that it prints exactly ``text``: the test checks it.
Blocks of one page build on each other, as a reader runs them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [
    "README.md",
    "docs/getting-started.md",
    "docs/tutorials/support-tool.md",
    "docs/tutorials/notebook.md",
    "docs/tutorials/prove-a-rule.md",
    "docs/how-to/handle-errors.md",
    "docs/how-to/draw-diagrams.md",
    "docs/concepts/decisions-and-effects.md",
    "docs/concepts/money.md",
    "docs/concepts/models.md",
]
FENCE = re.compile(r"```python\n(.*?)```", re.S)
CHECKED_PRINT = re.compile(r"^(?P<indent>\s*)print\((?P<args>.*)\)\s*# -> (?P<expected>.*)$")


def _checked(block: str) -> tuple[str, int]:
    """The block with each ``print(...)  # -> text`` turned into a check; and their count."""
    lines, count = [], 0
    for line in block.splitlines():
        m = CHECKED_PRINT.match(line)
        if m:
            count += 1
            line = f"{m['indent']}_check_print({m['expected']!r}, {m['args']})"
        lines.append(line)
    return "\n".join(lines) + "\n", count


def _check_print(expected: str, *values: object) -> None:
    shown = " ".join(str(v) for v in values)
    assert shown == expected, f"printed {shown!r}, the page says {expected!r}"


@pytest.mark.parametrize("page", PAGES)
def test_examples_run_and_print_what_they_say(page: str) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    blocks = FENCE.findall(text)
    assert blocks, f"{page} has no python example"
    namespace: dict[str, object] = {"_check_print": _check_print}
    for block in blocks:
        code, _ = _checked(block)
        exec(compile(code, page, "exec"), namespace)


@pytest.mark.parametrize("page", ["README.md", "docs/getting-started.md"])
def test_every_print_on_the_first_pages_is_checked(page: str) -> None:
    blocks = FENCE.findall((ROOT / page).read_text(encoding="utf-8"))
    for block in blocks:
        prints = [line for line in block.splitlines() if line.lstrip().startswith("print(")]
        assert _checked(block)[1] == len(prints), f"{page}: a print without '# -> expected'"


def test_a_wrong_promise_fails() -> None:
    code, count = _checked("print(1 + 1)  # -> 3\n")
    assert count == 1
    with pytest.raises(AssertionError, match="printed '2', the page says '3'"):
        exec(code, {"_check_print": _check_print})
