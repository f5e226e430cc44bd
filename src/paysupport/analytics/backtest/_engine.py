"""The engine: cases in chunks, each chunk through every policy set, on one of three backends.

* ``serial``: this process, chunk after chunk.
* ``process``: a ``concurrent.futures.ProcessPoolExecutor`` (``spawn`` start method, so
  it behaves the same on Linux, macOS and Windows); ``run_chunk`` is a top-level function.
  The policy sets are pickled once per run and unpickled once per worker process (not once
  per chunk), so a worker keeps their derived tables warm from chunk to chunk; a worker
  then freezes its long-lived heap out of the garbage collector's reach (``gc.freeze``).
* ``dask``: a ``dask.distributed.Client``; the policy sets are scattered once to every
  worker and the chunks submitted as tasks. Dask is imported only on this path.

Within a chunk, cases whose every field but the id is the same object as an earlier case's
(a synthetic template's copies, a case listed twice) share that case's run: the workflows
are pure and the inputs frozen, so the row is the same but for ``case_id`` (compared by
identity, never equality; property-tested equal to one run per case).

Chunks are produced lazily and at most ``2 × workers`` are in flight, so memory does not grow
with the number of cases; each chunk comes back summarised (and, if asked, with its rows), and
results are taken in chunk order, so every backend gives the same result.
"""

from __future__ import annotations

import functools
import gc
import itertools
import multiprocessing
import operator
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, Protocol, cast, runtime_checkable

import attrs
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from paysupport.errors import PaysupportError, ValidationFailed
from paysupport.policies import PolicySet

from ._cases import _CASE_TYPES, Case, check_case, run_case
from ._rows import ROW_SCHEMA, SUMMARY_SCHEMA, batch_of, row_of
from ._summary import cube, cube_of_rows, from_cube, merge_cubes

__all__ = ["CaseFailed", "CaseSource", "Progress", "Run", "run_chunk", "run_many"]

#: ``progress(done, total)``: called after each chunk (``total`` is ``None`` when unknown).
Progress = Callable[[int, int | None], None]

#: Chunk cubes are merged once this many are waiting (one group-by for many chunks).
_MERGE_EVERY = 32


@runtime_checkable
class CaseSource(Protocol):
    """Cases a worker can build itself from a range, so only ``(start, stop)`` travels.

    A source must be picklable and deterministic: ``cases(a, b)`` returns the same cases in
    any process. ``SyntheticCases`` is one.
    """

    def __len__(self) -> int:
        """The number of cases."""
        ...

    def cases(self, start: int, stop: int) -> Sequence[Case]:
        """The cases ``start`` (inclusive) to ``stop`` (exclusive)."""
        ...


class CaseFailed(ValidationFailed):
    """A case could not be run through its workflow; ``field`` names it (``cases.<index>``).

    Attributes:
        case_id: the case's id.
        error: the workflow's error, as ``"ClassName: message"``.
    """

    def __init__(self, index: int, case_id: str, error: str) -> None:
        super().__init__(f"cases.{index}", "workflow_runs", f"case {case_id!r} failed: {error}")
        self.case_id = case_id
        self.error = error


@attrs.frozen
class _Chunk:
    index: int
    start: int
    stop: int
    cases: tuple[Case, ...] | None = None
    source: CaseSource | None = None

    def load(self) -> Sequence[Case]:
        if self.cases is not None:
            return self.cases
        assert self.source is not None
        return self.source.cases(self.start, self.stop)


@attrs.frozen
class _ChunkResult:
    index: int
    size: int
    rows: tuple[pa.RecordBatch | None, ...]
    cubes: tuple[pl.DataFrame, ...]
    error: tuple[int, str, str] | None = None


#: A pool worker's young-generation threshold once settled (CPython's default is 700): a
#: case allocates hundreds of short-lived objects, nearly all freed by reference counting.
_WORKER_GC_THRESHOLD = (20_000, 20, 20)
_worker_gc_settled = False


def _settle_worker_gc() -> None:
    """In a pool worker process, once: freeze what is alive and collect young objects less often.

    A worker's heap is mostly long-lived (modules, compiled schemas, the policies, lookup
    tables, the synthetic template pool); ``gc.freeze()`` moves it out of the collector's
    reach, so the occasional full collection no longer walks it (about 5 % of a worker's CPU
    over a long run), and a higher young threshold makes the frequent collections rarer.
    Memory is unchanged in kind: reference counting still frees every case's objects at
    once, and cycles are still collected. Only a child process is touched (never the
    caller's own interpreter, e.g. a thread pool or a pickle round trip in the caller).
    """
    global _worker_gc_settled  # once per process
    if _worker_gc_settled or multiprocessing.parent_process() is None:
        return
    _worker_gc_settled = True
    # The young generations only: a full collection walks the whole heap (about 0.1 s) and
    # finds nothing in a warmed worker; whatever old cyclic garbage there is stays frozen.
    gc.collect(1)
    gc.freeze()
    gc.set_threshold(*_WORKER_GC_THRESHOLD)


@functools.lru_cache(maxsize=8)
def _unpickled_sets(blob: bytes) -> tuple[PolicySet, ...]:
    """The policy sets of a pickled run, unpickled once per process (equal bytes, equal sets).

    Called when a pool worker receives a run's first chunk: the worker's collector is
    settled then (``_settle_worker_gc``), after its imports and warm-up.
    """
    sets: tuple[PolicySet, ...] = pickle.loads(blob)  # our own run's policies, pickled by _Shipped
    _settle_worker_gc()
    return sets


class _Shipped:
    """A run's policy sets for a process pool: pickled once, unpickled once per worker.

    Pickling gives ``_unpickled_sets(blob)``: a worker gets the same frozen objects (equal to
    the run's) for every chunk of the run, so their cached derived tables stay warm, and the
    parent pickles the policies once instead of once per chunk. Not pickled at all (a thread
    pool), ``run_chunk`` reads the original ``sets``.
    """

    __slots__ = ("_blob", "sets")

    def __init__(self, sets: tuple[PolicySet, ...]) -> None:
        self.sets = sets
        self._blob = pickle.dumps(sets, protocol=pickle.HIGHEST_PROTOCOL)

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return _unpickled_sets, (self._blob,)


#: Whether a chunk reuses the run of an earlier case with the same input objects. Always on;
#: the benchmark turns it off in its own pool workers to measure every case's workflow.
_REUSE_COPIES = True

#: A case type's fields other than ``id``, read in one call: everything its row depends on.
_INPUT_GETTERS: dict[type, Callable[[object], tuple[object, ...]]] = {}


def _inputs(case: Case) -> tuple[object, ...]:
    """Every field of ``case`` but its id: what ``run_case`` and ``row_of`` read from it.

    Cases are frozen and so are the models, contexts and policies they hold, and the
    workflows are pure (no clock, no randomness, no I/O): two cases of one type whose
    fields are the *same objects* (a synthetic template's copies, a case listed twice) get
    equal outcomes, so their rows differ only in ``case_id``. Compared by identity, never by
    equality, so nothing is assumed about how a model compares.
    """
    cls = type(case)
    getter = _INPUT_GETTERS.get(cls)
    if getter is None:
        names = [a.name for a in attrs.fields(cls) if a.name != "id"]
        getter = _INPUT_GETTERS[cls] = operator.attrgetter(*names)
    return (cls, *getter(case))


def run_chunk(
    chunk: _Chunk, policies: Sequence[PolicySet] | _Shipped, keep_rows: bool
) -> _ChunkResult:
    """Run one chunk through every policy set; summarise as a cube (keep the rows if asked).

    Top-level and free of closures so that a process pool or a Dask worker can call it.
    """
    if isinstance(policies, _Shipped):  # a pool that did not pickle its arguments
        policies = policies.sets
    cases = chunk.load()
    rows: list[pa.RecordBatch | None] = []
    cubes: list[pl.DataFrame] = []
    for policy_set in policies:
        buffer: list[tuple[Any, ...]] = []  # the rows, made a batch at the end (`batch_of`)
        # A chunk's cases that share every input object (all but the id) share one run.
        seen: dict[tuple[int, ...], tuple[tuple[object, ...], tuple[Any, ...]]] | None = (
            {} if _REUSE_COPIES else None
        )
        for offset, case in enumerate(cases):
            if seen is not None:
                inputs = _inputs(case)
                key = tuple(map(id, inputs))
                known = seen.get(key)
                if known is not None:
                    row = known[1]  # case_id (first column) is the only column the id gives
                    buffer.append((case.id, *row[1:]) if keep_rows else row)
                    continue
            try:
                row = row_of(case, run_case(case, policy_set), full=keep_rows)
            except (PaysupportError, KeyError, ValueError, TypeError) as exc:
                index = chunk.start + offset
                message = f"{type(exc).__name__}: {exc}"
                return _ChunkResult(chunk.index, len(cases), (), (), (index, case.id, message))
            if seen is not None:  # ``inputs`` kept alive: no other object takes their ids
                seen[key] = (inputs, row)
            buffer.append(row)
        if keep_rows:
            batch = batch_of(buffer, ROW_SCHEMA)
            cubes.append(cube(batch))
            rows.append(batch)
        else:  # only the summaries: the rows' columns go straight into polars
            cubes.append(cube_of_rows(buffer, SUMMARY_SCHEMA))
            rows.append(None)
    return _ChunkResult(chunk.index, len(cases), tuple(rows), tuple(cubes))


#: The case classes: a chunk whose items are all of these types needs no check per item.
_CASE_TYPE_SET = frozenset(_CASE_TYPES)


def _chunks(cases: Iterable[object] | CaseSource, size: int) -> Iterator[_Chunk]:
    if isinstance(cases, CaseSource):
        n = len(cases)
        for index, start in enumerate(range(0, n, size)):
            yield _Chunk(index, start, min(start + size, n), source=cases)
        return
    iterator = iter(cases)
    start = 0
    for index in itertools.count():
        items = tuple(itertools.islice(iterator, size))
        if not items:
            return
        if _CASE_TYPE_SET.issuperset(map(type, items)):  # all cases: no check per item
            batch = cast(tuple[Case, ...], items)
        else:
            batch = tuple([check_case(c, start + i) for i, c in enumerate(items)])
        yield _Chunk(index, start, start + len(batch), cases=batch)
        start += len(batch)


def _ordered(
    submit: Callable[[_Chunk], Future[_ChunkResult] | Any],
    result: Callable[[Any], _ChunkResult],
    chunks: Iterator[_Chunk],
    window: int,
) -> Iterator[_ChunkResult]:
    """Submit chunks with at most ``window`` in flight; yield results in chunk order."""
    pending: deque[Any] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield result(pending.popleft())
    while pending:
        yield result(pending.popleft())


def _serial(
    chunks: Iterator[_Chunk], policies: tuple[PolicySet, ...], keep: bool
) -> Iterator[_ChunkResult]:
    for chunk in chunks:
        yield run_chunk(chunk, policies, keep)


def _pool(
    chunks: Iterator[_Chunk],
    policies: tuple[PolicySet, ...],
    keep: bool,
    executor: Executor,
    window: int,
) -> Iterator[_ChunkResult]:
    shipped = _Shipped(policies)

    def submit(chunk: _Chunk) -> Future[_ChunkResult]:
        return executor.submit(run_chunk, chunk, shipped, keep)

    return _ordered(submit, lambda f: f.result(), chunks, window)


def _dask(
    chunks: Iterator[_Chunk],
    policies: tuple[PolicySet, ...],
    keep: bool,
    client: Any,
    window: int,
) -> Iterator[_ChunkResult]:
    shipped = client.scatter(list(policies), broadcast=True)

    def submit(chunk: _Chunk) -> Any:
        return client.submit(run_chunk, chunk, shipped, keep, pure=False)

    return _ordered(submit, lambda f: f.result(), chunks, window)


def _dask_client(client: Any) -> Any:
    if client is not None:
        return client
    try:
        from distributed import get_client
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ValidationFailed(
            "backend", "dask_installed", "install paysupport[dask] for backend='dask'"
        ) from exc
    try:
        return get_client()
    except ValueError as exc:
        raise ValidationFailed(
            "client", "dask_client", "backend='dask' needs a client (or a current one)"
        ) from exc


@attrs.frozen
class Run:
    """What one policy set produced over all cases: rows (if kept) and merged summaries."""

    policies: PolicySet
    rows: pa.Table | None
    summaries: dict[str, pl.DataFrame]
    size: int


def _check(value: int, field: str, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationFailed(field, "positive_int", f"{field} must be an int ≥ {minimum}")


def run_many(
    policies: Sequence[PolicySet],
    cases: Iterable[object] | CaseSource,
    *,
    chunk_size: int,
    workers: int,
    backend: str | None,
    client: Any,
    executor: Executor | None,
    keep_rows: bool,
    on_rows: Callable[[int, pa.RecordBatch], None] | None,
    progress: Progress | None,
) -> list[Run]:
    """Run every policy set over the cases; see ``backtest`` for the parameters."""
    _check(chunk_size, "chunk_size", 1)
    _check(workers, "workers", 1)
    for i, p in enumerate(policies):
        if not isinstance(p, PolicySet):
            raise ValidationFailed(f"policies.{i}", "is_policy_set", "expected a PolicySet")
    sets = tuple(policies)
    chosen = backend or (
        "dask" if client is not None else "process" if executor or workers > 1 else "serial"
    )
    total = len(cases) if isinstance(cases, CaseSource | Sequence) else None
    chunks = _chunks(cases, chunk_size)
    keep = keep_rows or on_rows is not None
    results = _results(chosen, chunks, sets, keep, workers, client, executor)
    return _collect(results, sets, keep_rows, on_rows, progress, total)


def _results(
    chosen: str,
    chunks: Iterator[_Chunk],
    sets: tuple[PolicySet, ...],
    keep: bool,
    workers: int,
    client: Any,
    executor: Executor | None,
) -> Iterator[_ChunkResult]:
    if chosen == "serial":
        yield from _serial(chunks, sets, keep)
    elif chosen == "process":
        if executor is not None:
            size = max(workers, int(getattr(executor, "_max_workers", 1)))
            yield from _pool(chunks, sets, keep, executor, 2 * size)
            return
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            yield from _pool(chunks, sets, keep, pool, 2 * workers)
    elif chosen == "dask":
        dask_client = _dask_client(client)
        window = 2 * max(workers, len(dask_client.scheduler_info().get("workers", {})) or 1)
        yield from _dask(chunks, sets, keep, dask_client, window)
    else:
        raise ValidationFailed(
            "backend", "known_backend", f"backend {chosen!r} is not serial, process or dask"
        )


def _collect(
    results: Iterator[_ChunkResult],
    sets: tuple[PolicySet, ...],
    keep_rows: bool,
    on_rows: Callable[[int, pa.RecordBatch], None] | None,
    progress: Progress | None,
    total: int | None,
) -> list[Run]:
    pending: list[list[pl.DataFrame]] = [[] for _ in sets]
    batches: list[list[pa.RecordBatch]] = [[] for _ in sets]
    done = 0
    for res in results:
        if res.error is not None:
            index, case_id, message = res.error
            raise CaseFailed(index, case_id, message)
        for i in range(len(sets)):
            parts = pending[i]
            parts.append(res.cubes[i])
            if len(parts) >= _MERGE_EVERY:  # merged in batches: exact, and flat in memory
                pending[i] = [merge_cubes(parts)]
            batch = res.rows[i] if res.rows else None
            if batch is not None:
                if on_rows is not None:
                    on_rows(i, batch)
                if keep_rows:
                    batches[i].append(batch)
        done += res.size
        if progress is not None:
            progress(done, total)
    runs = []
    for i, p in enumerate(sets):
        table = pa.Table.from_batches(batches[i], schema=ROW_SCHEMA) if keep_rows else None
        runs.append(Run(p, table, from_cube(merge_cubes(pending[i])), done))
    return runs
