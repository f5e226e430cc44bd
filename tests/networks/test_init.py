"""The package surface: exported names, layering, purity, and the docs' examples."""

import ast
import doctest
import pathlib
import re
import sys

import paysupport.networks as networks

PACKAGE = pathlib.Path(networks.__file__).parent
DOCS = pathlib.Path(__file__).parents[2] / "docs" / "networks.md"


def test_all_names_exist_and_are_documented() -> None:
    for name in networks.__all__:
        obj = getattr(networks, name)
        if callable(obj):
            assert obj.__doc__, name
    assert sorted(networks.__all__) == sorted(set(networks.__all__))


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_imports_only_stdlib_errors_and_money() -> None:
    allowed = {"paysupport.errors", "paysupport.money"}
    for path in PACKAGE.glob("*.py"):
        for module in _imports(path):
            top = module.split(".")[0]
            assert module in allowed or top in sys.stdlib_module_names, (path.name, module)


def test_no_io_clock_or_environment() -> None:
    forbidden = re.compile(r"\bopen\(|os\.environ|\.now\(|\.today\(|time\.time\(|random")
    for path in PACKAGE.glob("*.py"):
        assert not forbidden.search(path.read_text(encoding="utf-8")), path.name


def test_package_docstring_example() -> None:
    failures, _ = doctest.testmod(networks, verbose=False)
    assert failures == 0


def test_docs_examples_run() -> None:
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert blocks
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(DOCS), "exec"), namespace)
