"""A progress bar for ``backtest(progress=...)`` in a terminal or a notebook (rich)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from paysupport.errors import PaysupportError

from ._engine import Progress

__all__ = ["rich_progress"]


class _NoRich(PaysupportError, ImportError):
    """rich is not installed (it comes with the ``cli`` extra)."""


@contextmanager
def rich_progress(description: str = "backtest", **options: Any) -> Iterator[Progress]:
    """A ``progress(done, total)`` callback drawing a rich progress bar while in the block.

    Rich renders in terminals and in Jupyter alike. ``options`` go to ``rich.progress.Progress``
    (``transient=True`` removes the bar at the end).

    Raises:
        ImportError: rich is not installed (a ``PaysupportError``; install ``paysupport[cli]``).
    """
    try:
        from rich.progress import Progress as RichProgress
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise _NoRich('rich is not installed: pip install "paysupport[cli]"') from exc
    with RichProgress(**options) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update
