"""The ``paysupport`` command: the only part of the library that reads files and the clock.

Install it with the ``cli`` extra (``pip install ".[cli]"`` from a checkout), then run
``paysupport --help``. Exit codes: 0 done, 2 bad usage or bad input (one line on stderr,
no traceback), 1 a bug in paysupport (please report it).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]

_EXTRA_MODULES = frozenset({"typer", "rich", "click"})


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status.

    Args:
        argv: the arguments after the program name; ``None`` reads ``sys.argv``.

    Returns:
        0 when the command did its work, 2 for bad usage or bad input, 1 for a bug.
    """
    try:
        from paysupport.cli._app import run
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in _EXTRA_MODULES:
            raise
        print(
            "paysupport: the command line needs the 'cli' extra: "
            'pip install "paysupport[cli]" (from a checkout: pip install ".[cli]")',
            file=sys.stderr,
        )
        return 2
    return run(list(sys.argv[1:] if argv is None else argv))
