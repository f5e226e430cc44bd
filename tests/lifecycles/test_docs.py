"""The diagrams in docs/lifecycles/ are the ones the code draws now (no drift).

A generated block is a marker line naming the call, then a ```mermaid block::

    <!-- diagram: paysupport.lifecycles.diagram("dispute", stage="chargeback"); do not edit -->

Regenerate them with ``PAYSUPPORT_UPDATE_DOCS=1 pytest tests/lifecycles/test_docs.py``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from paysupport.lifecycles import LIFECYCLES, diagram

DOCS = Path(__file__).resolve().parents[2] / "docs" / "lifecycles"
BLOCK = re.compile(
    r'<!-- diagram: paysupport\.lifecycles\.diagram\("(?P<name>\w+)"'
    r'(?:, stage="(?P<stage>\w+)")?\); do not edit -->\n'
    r"```mermaid\n(?P<body>.*?)```",
    re.DOTALL,
)


def _blocks(name: str) -> list[re.Match[str]]:
    return list(BLOCK.finditer((DOCS / f"{name}.md").read_text(encoding="utf-8")))


def _regenerate(page: Path) -> None:
    text = page.read_text(encoding="utf-8")

    def fresh(m: re.Match[str]) -> str:
        body = diagram(m["name"], "mermaid", stage=m["stage"])
        return m.group(0).replace(m["body"], body) if m["body"] else m.group(0)

    page.write_text(BLOCK.sub(fresh, text), encoding="utf-8")


@pytest.mark.parametrize("name", list(LIFECYCLES))
def test_docs_diagrams_match_the_code(name: str) -> None:
    page = DOCS / f"{name}.md"
    if os.environ.get("PAYSUPPORT_UPDATE_DOCS") == "1":
        _regenerate(page)
    found = _blocks(name)
    assert found, f"{page} has no generated diagram block"
    for block in found:
        expected = diagram(block["name"], "mermaid", stage=block["stage"])
        assert block["body"] == expected, (
            f"{page}: the {block['name']} diagram (stage={block['stage']}) is stale; run "
            f"PAYSUPPORT_UPDATE_DOCS=1 pytest {__file__}"
        )


def test_dispute_page_has_an_overview_and_every_stage() -> None:
    stages = [b["stage"] for b in _blocks("dispute")]
    assert stages == [None, "inquiry", "chargeback", "pre_arbitration", "arbitration"]


@pytest.mark.parametrize("name", list(LIFECYCLES))
def test_docs_explain_every_state(name: str) -> None:
    text = (DOCS / f"{name}.md").read_text(encoding="utf-8")
    for state in LIFECYCLES[name].states:
        assert f"`{state}`" in text, f"{name}.md does not explain state {state!r}"


def test_index_links_every_page() -> None:
    text = (DOCS / "index.md").read_text(encoding="utf-8")
    for name in LIFECYCLES:
        assert f"({name}.md)" in text
