"""Every Python example in the README and the concept pages runs (a broken example fails)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["README.md", "docs/concepts/money.md", "docs/concepts/models.md"]
FENCE = re.compile(r"```python\n(.*?)```", re.S)


@pytest.mark.parametrize("page", PAGES)
def test_examples_run(page: str) -> None:
    blocks = FENCE.findall((ROOT / page).read_text(encoding="utf-8"))
    assert blocks, f"{page} has no python example"
    namespace: dict[str, object] = {}
    for block in blocks:  # blocks of one page build on each other, as a reader runs them
        exec(compile(block, page, "exec"), namespace)
