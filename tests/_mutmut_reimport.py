"""pytest plugin for mutation runs: import-time code of the mutated package sees its mutant.

mutmut 3 switches mutants with trampolines that read ``MUTANT_UNDER_TEST`` when a mutated
function is called, and runs each mutant's tests in a process forked from one that has
already imported the package and the tests. Code that runs only at import (the lifecycles
compile each machine at import: per-state field tables, guards, effects; the policies
declare their schemas in class bodies) has run before any mutant is active, so its mutants
survive whatever the tests check. ``scripts/mutation.py`` loads this plugin (``-p
tests._mutmut_reimport``, never in the normal test run); it does these things:

- in a mutant's test process, when the stats run saw the mutated function called at import,
  as soon as pytest registers the plugin (before the entry-point plugins, conftests and
  test modules are imported), it drops from ``sys.modules`` the
  mutated package, every paysupport package in a layer above it in DESIGN.md (they hold
  references to it) and the test modules, so collection imports them again with the mutant
  active; the layers below (models, money, ...) cannot refer to the mutated package and stay;
- in the stats run (which maps each mutated function to the tests that call it), it
  records the functions called while the test modules were imported and adds them to every
  test (but those named in ``MUTMUT_SLOW_TESTS``): mutmut would give them only to the first
  test to finish, so a mutant of import-time code would be judged by that one test;
- a mutant that makes the import itself fail (a collection error, pytest's exit code 2,
  which mutmut reads as "interrupted") is reported as killed (exit code 1);
- in a mutant's test process the fastest tests run first (under ``-x`` the first failure
  kills), and Hypothesis skips shrinking: a failing example kills the mutant as it is, and
  shrinking it cost up to half a minute per mutant.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

# DESIGN.md's layers, bottom first (pyproject's import-linter contract): a module may import
# only from layers below its own. Modules of paysupport in no layer are always re-imported.
_LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"pan"}),
    frozenset({"errors"}),
    frozenset({"_iso4217"}),
    frozenset({"money"}),
    frozenset({"networks"}),
    frozenset({"models"}),
    frozenset({"policies", "lifecycles"}),
    frozenset({"workflows"}),
    frozenset({"ports"}),
    frozenset({"providers"}),
    frozenset({"analytics"}),
    frozenset({"testing"}),
    frozenset({"sample"}),
    frozenset({"cli"}),
    frozenset({"__main__"}),
)
_PACKAGE = "paysupport"
_TESTS = "tests"
# values of MUTANT_UNDER_TEST that are not a mutant (mutmut's own phases)
_PHASES = frozenset({"", "stats", "fail", "mutant_generation", "list_all_tests"})

# mutated functions (mutmut's mangled names) called at import, written by the stats run in
# mutmut's work dir (the tests run in ``mutants/``): only their mutants need the re-import
_HITS_FILE = "mutmut-import-hits.json"
_import_hits: set[str] = set()
# comma-separated test path prefixes that do not judge import-time mutants (slow property
# tests): they judge only the functions they call while running (scripts/mutation.py
# --slow-tests)
_SLOW_TESTS = "MUTMUT_SLOW_TESTS"


def _mutant() -> str:
    return os.environ.get("MUTANT_UNDER_TEST", "")


def _layer(top: str) -> int:
    """Index of the layer of ``paysupport.<top>`` (past the last layer when in none)."""
    for index, names in enumerate(_LAYERS):
        if top in names:
            return index
    return len(_LAYERS)


def _stale(name: str, mutated: str) -> bool:
    """Whether module ``name`` must be imported again to see a mutant of package ``mutated``.

    ``mutated`` is the package's name under paysupport (empty: every module is stale).
    """
    if name == __name__:
        return False
    if name == _TESTS or name.startswith(_TESTS + "."):
        return True
    if not name.startswith(_PACKAGE + "."):
        return False  # paysupport itself stays: its attributes are cleared below
    top = name.split(".")[1]
    return not mutated or top == mutated or _layer(top) > _layer(mutated)


def drop_stale_modules(mutant: str) -> list[str]:
    """Drop the modules that must see ``mutant`` from ``sys.modules``; return their names.

    Also deletes each dropped module from its parent's attributes: ``from paysupport import
    lifecycles`` reads the attribute before ``sys.modules``.
    """
    parts = mutant.split(".")
    mutated = parts[1] if len(parts) > 2 and parts[0] == _PACKAGE else ""
    dropped = sorted(name for name in list(sys.modules) if _stale(name, mutated))
    for name in dropped:
        del sys.modules[name]
    for name in dropped:
        parent, _, child = name.rpartition(".")
        holder = sys.modules.get(parent)
        if holder is not None and getattr(holder, child, None) is not None:
            delattr(holder, child)
    return dropped


def _called_at_import(mutant: str) -> bool:
    """Whether the stats run saw the mutated function called while the tests were imported."""
    try:
        hits = json.loads(Path(_HITS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True  # no record: re-import, which is always right, only slower
    return mutant.partition("__mutmut_")[0] in hits


def pytest_addoption(parser: pytest.Parser) -> None:
    """Runs when pytest registers the plugin: before any conftest or test module import."""
    del parser
    mutant = _mutant()
    if mutant not in _PHASES and _called_at_import(mutant):
        drop_stale_modules(mutant)


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """A mutant's test process: Hypothesis does not shrink (a failure is all it needs)."""
    del config
    if _mutant() in _PHASES:
        return
    from hypothesis import Phase, settings

    phases = tuple(p for p in settings().phases if p is not Phase.shrink)
    settings.register_profile("mutmut-no-shrink", parent=settings(), phases=phases)
    settings.load_profile("mutmut-no-shrink")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A mutant's test process: the fastest tests first (the stats run timed them).

    Under ``-x`` the first failure kills the mutant, so a mutant that some quick test kills
    does not wait for the slow property tests.
    """
    if _mutant() in _PHASES:
        return
    from mutmut.state import state

    durations = state().duration_by_test
    items.sort(key=lambda item: durations.get(item.nodeid, 0.0))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Stats run: remember (and record) the mutated functions called at import."""
    del session
    if _mutant() != "stats":
        return
    from mutmut.state import state

    _import_hits.update(state()._stats)
    path = Path(_HITS_FILE)
    try:
        known = set(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        known = set()
    path.write_text(json.dumps(sorted(known | _import_hits), indent=0), encoding="utf-8")


def _judges_import_time_code(nodeid: str) -> bool:
    """Whether the test judges mutants of import-time code (not one of ``MUTMUT_SLOW_TESTS``)."""
    slow = [p for p in os.environ.get(_SLOW_TESTS, "").split(",") if p]
    return not any(nodeid.startswith(prefix) for prefix in slow)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Stats run: count the import-time calls for every test (before mutmut's own hook)."""
    del nextitem
    if _import_hits and _mutant() == "stats" and _judges_import_time_code(item.nodeid):
        from mutmut.state import state

        state()._stats.update(_import_hits)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: Any) -> None:
    """A mutant whose import fails is killed: collection errors exit 1, not 2."""
    del exitstatus
    if (
        _mutant() not in _PHASES
        and session.exitstatus == pytest.ExitCode.INTERRUPTED
        and session.testsfailed
    ):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
