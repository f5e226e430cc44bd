from __future__ import annotations

from pathlib import Path

import pytest

from tests.providers._doc_tables import tables

DOC = Path(__file__).parents[2] / "docs" / "providers.md"


@pytest.mark.parametrize(("name", "table"), sorted(tables().items()))
def test_doc_table_equals_the_module_data(name: str, table: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    marker = f"<!-- table: {name} -->"
    assert marker in text, f"docs/providers.md lacks {marker}"
    after = text.split(marker, 1)[1].lstrip("\n")
    assert after.startswith(table + "\n"), f"table {name} in docs/providers.md is stale"


def test_doc_ends_with_the_api_reference() -> None:
    assert DOC.read_text(encoding="utf-8").rstrip().endswith("::: paysupport.providers")


def test_every_python_example_parses() -> None:
    import ast
    import re

    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 6
    for block in blocks:
        ast.parse(block)
