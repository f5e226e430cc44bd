"""The shape of the code holds: layers (import-linter, inside pytest) and small functions."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "paysupport"
# A function whose code (docstring aside) is longer than this needs a reason in its
# docstring ("Long because ...").
MAX_LINES = 80


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def _layer_names() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")
    assert layers["exhaustive"] is True
    return {name.strip() for layer in layers["layers"] for name in layer.split("|")}


def test_every_module_of_the_package_has_a_layer() -> None:
    modules = {p.stem for p in SRC.glob("*.py") if p.stem != "__init__"}
    packages = {p.name for p in SRC.iterdir() if (p / "__init__.py").exists()}
    assert modules | packages == _layer_names()


def test_design_md_names_every_layer() -> None:
    design = ROOT.parent / "shared" / "DESIGN.md"
    docs = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for name in _layer_names() - {"__main__", "_iso4217", "pan", "sample"}:
        assert f"`{name}" in docs, f"docs/architecture.md does not describe {name}"
    if design.exists():  # shared/ sits beside the checkout in CI and in sessions
        text = design.read_text(encoding="utf-8")
        for name in _layer_names() - {"__main__", "_iso4217", "pan", "sample"}:
            assert f"`{name}" in text, f"DESIGN.md has no layer {name}"


def _long_functions() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            doc = ast.get_docstring(node) or ""
            first = node.body[0]
            if doc and isinstance(first, ast.Expr):  # the docstring is not code
                length -= (first.end_lineno or first.lineno) - first.lineno + 1
            if length > MAX_LINES and "Long because" not in doc:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length})")
    return found


def test_functions_are_small_or_say_why_not() -> None:
    assert _long_functions() == []
