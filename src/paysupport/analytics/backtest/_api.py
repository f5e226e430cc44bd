"""``backtest``: run cases through the real workflows with one policy set."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from paysupport.policies import PolicySet

from ._engine import CaseSource, Progress, run_many
from ._result import BacktestResult

__all__ = ["backtest"]


def backtest(
    policies: PolicySet,
    cases: Iterable[Any] | CaseSource,
    *,
    chunk_size: int = 2_000,
    workers: int = 1,
    backend: str | None = None,
    client: Any = None,
    executor: Executor | None = None,
    keep_rows: bool = True,
    on_rows: Callable[[pa.RecordBatch], None] | None = None,
    progress: Progress | None = None,
) -> BacktestResult:
    """Run every case through its workflow with ``policies`` and ``now = case.at``.

    Args:
        policies: the policy set to decide with.
        cases: the cases: a list, any iterable (streamed; then rows cannot be explained
            later), or a ``CaseSource`` whose chunks the workers build themselves.
        chunk_size: cases per chunk (the unit of work and of aggregation).
        workers: processes for the ``process`` backend (``> 1`` selects it).
        backend: ``"serial"``, ``"process"`` or ``"dask"``; by default ``dask`` with a
            ``client``, ``process`` with an ``executor`` or ``workers > 1``, else ``serial``.
        client: a ``dask.distributed.Client`` (selects the ``dask`` backend).
        executor: a process pool to reuse (its workers must be able to import paysupport).
        keep_rows: keep one row per case (memory grows with the cases); ``False`` keeps
            only the summaries.
        on_rows: called with each chunk's rows as a ``pyarrow.RecordBatch``, in case order
            (to stream them to storage with ``keep_rows=False``).
        progress: called as ``progress(done, total)`` after each chunk.

    Returns:
        The rows and summaries.

    Raises:
        ValidationFailed: a bad argument, or an item of ``cases`` that is not a case.
        CaseFailed: a case's workflow raised; ``field`` is ``cases.<index>``.
    """
    stream = None if on_rows is None else (lambda _i, batch: on_rows(batch))
    (run,) = run_many(
        [policies],
        cases,
        chunk_size=chunk_size,
        workers=workers,
        backend=backend,
        client=client,
        executor=executor,
        keep_rows=keep_rows,
        on_rows=stream,
        progress=progress,
    )
    source = cases if isinstance(cases, CaseSource | Sequence) else None
    return BacktestResult(run, source)
