"""Mutation testing per package with mutmut 3: the score and the surviving mutants.

    python scripts/mutation.py policies            # src/paysupport/policies vs tests/policies
    python scripts/mutation.py lifecycles --tests tests/lifecycles tests/workflows

Runs in a scratch copy of the tree (so `mutants/` never lands in the checkout), with the
`[tool.mutmut]` section of pyproject.toml rewritten for the package, then prints
killed / total, the score, and the surviving mutants to review. Not part of CI: a policies
run takes tens of minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _section(package: str, tests: list[str]) -> str:
    selection = ", ".join(f'"{t}"' for t in tests)
    return (
        "[tool.mutmut]\n"
        'source_paths = ["src"]\n'
        f'only_mutate = ["{_glob(package)}"]\n'
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "--no-cov", "-q"]\n'
        f"pytest_add_cli_args_test_selection = [{selection}]\n"
    )


def _glob(package: str) -> str:
    return f"src/paysupport/{package}" + ("" if package.endswith(".py") else "/*")


def _scratch(package: str, tests: list[str]) -> Path:
    work = Path(tempfile.mkdtemp(prefix=f"mutmut-{package}-"))
    for name in ("src", "tests", "examples"):
        shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    text = re.sub(r"\[tool\.mutmut\][^\[]*", _section(package, tests), text, flags=re.S)
    (work / "pyproject.toml").write_text(text, encoding="utf-8")
    return work


def main() -> int:
    """Run mutmut on one package and print its score and survivors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", help="a folder or module of src/paysupport: policies, pan.py")
    parser.add_argument("--tests", nargs="+", help="test paths (default tests/<package>)")
    parser.add_argument("--max-children", default="2", help="parallel workers (default 2)")
    args = parser.parse_args()
    tests = args.tests or [f"tests/{args.package}"]
    work = _scratch(args.package, tests)
    mutmut = [sys.executable, "-m", "mutmut"]
    subprocess.run([*mutmut, "run", "--max-children", args.max_children], cwd=work, check=False)
    subprocess.run([*mutmut, "export-cicd-stats"], cwd=work, check=False)
    stats = json.loads((work / "mutants" / "mutmut-cicd-stats.json").read_text("utf-8"))
    survivors = subprocess.run([*mutmut, "results"], cwd=work, capture_output=True, text=True)
    print(survivors.stdout)
    killed = stats["killed"] + stats.get("timeout", 0)
    total = stats["total"] - stats.get("skipped", 0)
    score = 100 * killed / total if total else 0.0
    print(f"{args.package}: {killed}/{total} mutants killed ({score:.1f} %); {stats}")
    print(f"scratch copy (mutmut browse there): {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
