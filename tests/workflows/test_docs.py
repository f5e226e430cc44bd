"""The examples in docs/workflows.md and docs/host-integration.md run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


def blocks(name: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", (DOCS / name).read_text(), re.S)


@pytest.mark.parametrize("name", ["workflows.md", "host-integration.md"])
def test_examples_run(name: str) -> None:
    found = blocks(name)
    assert found
    for code in found:
        exec(compile(code, name, "exec"), {})
