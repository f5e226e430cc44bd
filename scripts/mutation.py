"""Mutation testing per package or module with mutmut 3: the score and the surviving mutants.

    python scripts/mutation.py policies --max-children 1          # tests/policies by default
    python scripts/mutation.py policies/fx.py --tests tests/policies
    python scripts/mutation.py lifecycles --tests tests/lifecycles tests/workflows
    python scripts/mutation.py policies --workdir /tmp/mut-pol    # keep the copy, reuse results
    python scripts/mutation.py policies --workdir /tmp/mut-pol --rerun-survivors
    python scripts/mutation.py policies --after /tmp/mut-pol --workdir /tmp/mut-pol-2 \
        --tests tests/policies/test_mutants_*.py      # survivors only, new tests only
    python scripts/mutation.py policies/resolution.py --src-rev HEAD --workdir /tmp/m/res \
        --keep-src --tests tests/policies           # one module on a committed snapshot

Runs in a scratch copy of the tree (so `mutants/` never lands in the checkout), with the
`[tool.mutmut]` section of pyproject.toml rewritten for the package, and Hypothesis on the
derandomized ``ci`` profile (so a mutant is judged on the same examples every run). Prints
killed / total and the score per module and in all, then every surviving mutant as
``file:line  mutant-name`` followed by its diff. ``--workdir`` keeps the copy: a second run
there re-copies src/ and tests/ and reuses mutmut's results, and ``--rerun-survivors``
re-tests only the mutants that survived before (after adding tests); ``--after`` re-tests
the survivors of earlier work dirs in a new one, on the first one's copy of src/, and
reports the union. Not part of CI: policies/ took 76 min on one shared core (docs/testing.md).

Killed counts mutmut's "killed" and "timeout"; the total leaves out "skipped" mutants. A
mutant that no selected test runs ("no tests") counts as a survivor.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KILLED = {1, 3, 36, 24, -24, 152, 255}  # mutmut's "killed" and "timeout" exit codes
SKIPPED = {34}
NOT_CHECKED = None
# what the tests read besides src/ and tests/ (docs pages, examples, the README)
COPIED = ("examples", "docs", "README.md", "CHANGELOG.md", "mkdocs.yml")
# re-imports the mutated package in each mutant's test process (import-time code), see there
PLUGIN = "tests._mutmut_reimport"


def _section(package: str, tests: list[str]) -> str:
    selection = ", ".join(f'"{t}"' for t in tests)
    return (
        "[tool.mutmut]\n"
        'source_paths = ["src"]\n'
        f'only_mutate = ["{_glob(package)}"]\n'
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "--no-cov", "-q", "-n", "0", '
        f'"-p", "{PLUGIN}"]\n'
        f"pytest_add_cli_args_test_selection = [{selection}]\n"
        f"also_copy = [{', '.join(f'{chr(34)}{name}{chr(34)}' for name in COPIED)}]\n"
    )


def _glob(package: str) -> str:
    return f"src/paysupport/{package}" + ("" if package.endswith(".py") else "/*")


def _scratch(
    package: str, tests: list[str], workdir: str | None, src: Path = ROOT, keep_src: bool = False
) -> Path:
    if workdir:
        work = Path(workdir).resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        prefix = "mutmut-" + re.sub(r"[^A-Za-z0-9]+", "-", package) + "-"
        work = Path(tempfile.mkdtemp(prefix=prefix))
    names = (
        ("tests", *COPIED) if keep_src and (work / "src").is_dir() else ("src", "tests", *COPIED)
    )
    for name in names:
        origin = src if name == "src" else ROOT
        if (origin / name).is_file():
            shutil.copy2(ROOT / name, work / name)
        else:
            shutil.copytree(
                origin / name,
                work / name,
                ignore=shutil.ignore_patterns("__pycache__"),
                dirs_exist_ok=True,
            )
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    text = re.sub(r"\[tool\.mutmut\][^\[]*", _section(package, tests), text, flags=re.S)
    (work / "pyproject.toml").write_text(text, encoding="utf-8")
    return work


def _archive(rev: str) -> Path:
    """A scratch directory holding src/ as committed at ``rev``."""
    out = Path(tempfile.mkdtemp(prefix="mutmut-src-"))
    archive = subprocess.run(
        ["git", "archive", rev, "src"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def _results(work: Path) -> dict[str, dict[str, int | None]]:
    """Exit code per mutant, per mutated module (from mutmut's .meta files)."""
    out: dict[str, dict[str, int | None]] = {}
    for meta in sorted((work / "mutants" / "src").rglob("*.py.meta")):
        module = meta.relative_to(work / "mutants").as_posix().removesuffix(".meta")
        data = json.loads(meta.read_text("utf-8"))
        out[module] = data.get("exit_code_by_key", {})
    return out


def _line_of(work: Path, module: str, name: str) -> int:
    """Line of the mutated function in the original module (best effort, 0 if unknown)."""
    mangled = name.rsplit(".", 1)[-1].split("__mutmut_")[0].removeprefix("x")
    parts = [p for p in mangled.split("ǁ") if p]  # "ǁClassǁmethod" or "_function"
    lines = (work / module).read_text("utf-8").splitlines()
    start, indent = 0, ""
    if len(parts) == 2:
        for number, line in enumerate(lines):
            if re.match(rf"^class {re.escape(parts[0])}\b", line):
                start, indent = number, r"\s+"
                break
    # module functions are mangled "x_" + name, methods "xǁClassǁname"
    function = parts[-1] if len(parts) == 2 else mangled.removeprefix("_")
    pattern = re.compile(rf"^{indent}(async\s+)?def {re.escape(function)}\b")
    for number, line in enumerate(lines[start:], start + 1):
        if pattern.match(line):
            return number
    return 0


# one process prints every diff (``mutmut show`` per mutant costs a second each)
_DIFFS = """
import sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
for pair in sys.argv[1:]:
    path, name = pair.split("::")
    lines = get_diff_for_mutant(name, path=path).splitlines()[2:]
    changed = [x for x in lines if x[:1] in "-+"]
    print("# " + name)
    print("\\n".join(changed))
"""


def _merged(base: Path, reruns: list[Path]) -> dict[str, dict[str, int | None]]:
    """The results of ``base`` with the kills of each re-run laid over them."""
    results = _results(base)
    for rerun in reruns:
        later = _results(rerun) if (rerun / "mutants").exists() else {}
        for module, codes in results.items():
            for name, code in later.get(module, {}).items():
                if code in KILLED:
                    codes[name] = code
    return results


def _report(work: Path, package: str, show_diffs: bool, earlier: list[Path] | None = None) -> int:
    results = _merged(earlier[0], [*earlier[1:], work]) if earlier else _results(work)
    all_killed = all_total = 0
    survivors: list[tuple[str, str]] = []
    print(f"{'module':52} {'killed':>7} {'total':>6} {'score':>7}")
    for module, codes in results.items():
        counted = {k: v for k, v in codes.items() if v not in SKIPPED and v is not NOT_CHECKED}
        if not counted:
            continue
        killed = sum(1 for v in counted.values() if v in KILLED)
        total = len(counted)
        all_killed += killed
        all_total += total
        survivors += [(module, k) for k, v in counted.items() if v not in KILLED]
        print(f"{module:52} {killed:7} {total:7} {100 * killed / total:6.1f} %")
    statuses = Counter(str(v) for codes in results.values() for v in codes.values())
    score = 100 * all_killed / all_total if all_total else 0.0
    print(f"{package}: {all_killed}/{all_total} mutants killed ({score:.1f} %)")
    print(f"exit codes (1 killed, 0 survived, 33 no tests, 36/-24 timeout): {dict(statuses)}")
    if statuses.get("None"):
        print(f"{statuses['None']} mutants not checked (run interrupted?): left out of the score")
    if survivors:
        print(f"\n{len(survivors)} survivors (file:line of the mutated function, mutant):")
    for module, name in survivors:
        code = results[module][name]
        print(f"  {module}:{_line_of(work, module, name)}  {name}  (exit {code})")
    if show_diffs and survivors:
        print("\nchanged lines of each survivor (- original, + mutant):")
        pairs = [f"{module}::{name}" for module, name in survivors]
        subprocess.run([sys.executable, "-c", _DIFFS, *pairs], cwd=work, check=False)
    return len(survivors)


def main() -> int:
    """Run mutmut on one package or module and print its score and survivors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", help="a folder or module of src/paysupport: policies, pan.py")
    parser.add_argument("--tests", nargs="+", help="test paths (default tests/<package>)")
    parser.add_argument("--max-children", default="1", help="parallel workers (default 1)")
    parser.add_argument("--workdir", help="keep the scratch copy here and reuse its results")
    parser.add_argument(
        "--rerun-survivors",
        action="store_true",
        help="with --workdir: re-test only the mutants that survived the last run",
    )
    parser.add_argument(
        "--after",
        nargs="+",
        metavar="WORKDIR",
        help="re-test only the survivors of the run kept in the first WORKDIR (less those "
        "killed by the re-runs kept in the others), on its copy of src/, with --tests (e.g. "
        "only the new tests): a mutant killed by either selection is killed by both "
        "together, so the combined score is the score of the union",
    )
    parser.add_argument(
        "--deselect",
        nargs="+",
        default=[],
        metavar="NODEID",
        help="leave these tests out (pytest --deselect), e.g. tests that need a newer src/ "
        "than the --after run's copy",
    )
    parser.add_argument(
        "--keep-src",
        action="store_true",
        help="with --workdir: keep the src/ copied by its first run (a snapshot: edits made "
        "to the checkout since are not mutated, and results stay valid)",
    )
    parser.add_argument(
        "--slow-tests",
        nargs="+",
        default=[],
        metavar="PATH",
        help="selected tests that do not judge mutants of code run at import (each such "
        "mutant re-imports the package and runs every other selected test); they still "
        "judge the functions they call, e.g. tests/lifecycles/test_fast_build.py",
    )
    parser.add_argument(
        "--src-rev",
        metavar="REV",
        help="mutate src/ as committed at REV (git archive), not the working tree: the same "
        "snapshot for several modules' work dirs (with --keep-src, only a work dir's first run "
        "copies it)",
    )
    parser.add_argument("--no-diffs", action="store_true", help="list survivors without diffs")
    parser.add_argument(
        "--report-only", action="store_true", help="with --workdir: print the last results"
    )
    args = parser.parse_args()
    if (args.rerun_survivors or args.report_only) and not args.workdir:
        parser.error("--rerun-survivors and --report-only need --workdir")
    tests = args.tests or [f"tests/{args.package.removesuffix('.py')}"]
    tests += [arg for node in args.deselect for arg in ("--deselect", node)]
    mutmut = [str(Path(sys.executable).with_name("mutmut"))]
    earlier = [Path(p).resolve() for p in args.after] if args.after else None
    if args.report_only:
        work = Path(args.workdir).resolve()
        _report(work, args.package, not args.no_diffs, earlier)
        return 0
    source = earlier[0] if earlier else ROOT
    kept = args.keep_src and args.workdir and (Path(args.workdir) / "src").is_dir()
    if args.src_rev and not earlier and not kept:
        source = _archive(args.src_rev)
    work = _scratch(args.package, tests, args.workdir, source, args.keep_src)
    if source.name.startswith("mutmut-src-"):
        shutil.rmtree(source)
    env = {**os.environ, "PAYSUPPORT_HYPOTHESIS_PROFILE": "ci"}
    # bytecode caches in the scratch copy: a mutant of import-time code re-imports the
    # mutated package (tests/_mutmut_reimport.py), and compiling its mutated sources (every
    # mutant's variant of every function) costs seconds per mutant without them
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["MUTMUT_SLOW_TESTS"] = ",".join(args.slow_tests)
    names: list[str] = []
    if args.rerun_survivors or earlier:
        codes = (_merged(earlier[0], earlier[1:]) if earlier else _results(work)).values()
        names = [k for c in codes for k, v in c.items() if v not in KILLED | SKIPPED | {None}]
        print(f"re-testing {len(names)} survivors")
        if not names:
            return 0
    started = time.monotonic()
    run = [*mutmut, "run", "--max-children", args.max_children, *names]
    done = subprocess.run(run, cwd=work, env=env, check=False)
    elapsed = time.monotonic() - started
    print(f"\nmutmut run took {elapsed:.0f} s")
    if done.returncode != 0:  # e.g. a selected test fails on the unmutated code
        print(f"mutmut run failed (exit {done.returncode}): no score; see its output above")
        return 1
    _report(work, args.package, not args.no_diffs, earlier)
    print(f"scratch copy (mutmut browse / show there): {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
