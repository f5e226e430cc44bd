"""``sweep``: one backtest per point of a grid of policy parameters, run in one pass.

A parameter is named by a path into the ``PolicySet``: the
policy field, the parameter, and keys into mapping parameters in brackets::

    "dispute_response.default_win_rate"
    "dispute_response.win_rates[visa:13.1]"
    "dispute_response.dispute_fee[EUR]"
    "refund.refund_window_days[card]"
    "refund.auto_approve_limit[EUR]"
    "authority.tier_limits[junior][EUR]"
    "resolution.safety_margin_hours"

Each grid point is a new frozen policy set built with ``attrs.evolve`` (the policies
validate the new value as they do any configuration), so a sweep is pure; every point runs
over the same chunks in the same pass, on any backend.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

import attrs
import polars as pl

from paysupport.errors import PaysupportError, ValidationFailed
from paysupport.policies import PolicySet

from ._engine import CaseSource, Progress, run_many
from ._frame import Table, html_table
from ._result import BacktestResult
from ._summary import METRICS

__all__ = ["SweepResult", "set_parameter", "sweep"]

_PATH = re.compile(r"^([a-z_]+)(?:\.([a-z_]+))?((?:\[[^\[\]]+\])*)$")
_KEY = re.compile(r"\[([^\[\]]+)\]")


def _parse(path: str) -> tuple[str, str | None, list[str]]:
    match = _PATH.fullmatch(path) if isinstance(path, str) else None
    if match is None:
        raise ValidationFailed(
            "grid", "parameter_path", f"{path!r} is not 'field.parameter[key]...'"
        )
    return match.group(1), match.group(2), _KEY.findall(match.group(3))


def _with_key(current: Any, keys: list[str], value: Any) -> Any:
    if not keys:
        return value
    mapping = {str(getattr(k, "value", k)): v for k, v in _pairs(current)}
    inner = mapping.get(keys[0])
    mapping[keys[0]] = _with_key(inner if inner is not None else {}, keys[1:], value)
    return mapping


def _pairs(current: Any) -> Iterable[tuple[Any, Any]]:
    if isinstance(current, Mapping):
        return current.items()
    return tuple(current)


def set_parameter(policies: PolicySet, path: str, value: Any) -> PolicySet:
    """A new policy set with the parameter at ``path`` set to ``value`` (see the module doc).

    Raises:
        ValidationFailed: the path names no field or parameter (``field`` is ``grid``),
            or the policy refuses the value (its own error, naming the parameter).
    """
    field, parameter, keys = _parse(path)
    if field not in attrs.fields_dict(PolicySet):
        raise ValidationFailed("grid", "known_field", f"PolicySet has no {field!r}")
    if parameter is None:
        if keys:
            raise ValidationFailed("grid", "parameter_path", f"{path!r}: keys need a parameter")
        return attrs.evolve(policies, **{field: value})
    policy = getattr(policies, field)
    if not attrs.has(type(policy)) or parameter not in attrs.fields_dict(type(policy)):
        raise ValidationFailed(
            "grid", "known_parameter", f"{type(policy).__name__} has no parameter {parameter!r}"
        )
    new_value = _with_key(getattr(policy, parameter), keys, value) if keys else value
    try:
        changed = attrs.evolve(policy, **{parameter: new_value})
    except PaysupportError:
        raise
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(path, "parameter_value", str(exc)) from exc
    return attrs.evolve(policies, **{field: changed})


def _points(policies: PolicySet, grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    if not isinstance(grid, Mapping) or not grid:
        raise ValidationFailed("grid", "grid_not_empty", "the grid names no parameter")
    for path, values in grid.items():
        _parse(path)
        if isinstance(values, str | bytes) or not isinstance(values, Sequence) or not values:
            raise ValidationFailed(
                f"grid.{path}", "values_not_empty", "give a non-empty list of values"
            )
    names = list(grid)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grid.values())]


def _value_column(values: list[Any]) -> pl.Series:
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return pl.Series(values, dtype=pl.Int64)
    return pl.Series([str(v) for v in values], dtype=pl.String)


class SweepResult:
    """One summary per grid point: a table (``to_polars`` ...), ``plot`` and the backtests.

    Attributes:
        parameters: the parameter paths, in grid order.
        points: each point's parameter values.
        results: each point's ``BacktestResult`` (summaries; rows if kept).
    """

    def __init__(
        self,
        parameters: list[str],
        points: list[dict[str, Any]],
        results: list[BacktestResult],
    ) -> None:
        self.parameters = parameters
        self.points = points
        self.results = results
        frames = []
        for i, result in enumerate(results):
            frame = result.summary("all").to_polars()
            frames.append(
                frame.with_columns(
                    pl.lit(i, dtype=pl.Int64).alias("point"),
                    pl.lit(result.fingerprint).alias("fingerprint"),
                )
            )
        table = pl.concat(frames, how="vertical")
        index = table["point"].to_list()
        params = [_value_column([points[i][p] for i in index]).alias(p) for p in parameters]
        self._frame = table.with_columns(params).select(
            "point", *parameters, "currency", *METRICS, "fingerprint"
        )

    def __len__(self) -> int:
        return len(self.points)

    def table(self) -> Table:
        """One row per grid point and currency: the parameters, then every figure."""
        return Table(self._frame, "sweep")

    def to_polars(self) -> pl.DataFrame:
        """The table as a polars ``DataFrame``."""
        return self._frame

    def to_pandas(self) -> Any:
        """The table as a pandas ``DataFrame``."""
        return self._frame.to_pandas()

    def to_arrow(self) -> Any:
        """The table as a pyarrow ``Table``."""
        return self._frame.to_arrow()

    def _repr_html_(self) -> str:
        return html_table(self._frame, caption=f"sweep over {', '.join(self.parameters)}")

    def plot(
        self,
        metric: str = "expected_loss_minor",
        *,
        x: str | None = None,
        currency: str | None = None,
        ax: Any = None,
    ) -> Any:
        """A line of ``metric`` against parameter ``x`` (one line per other-parameter combo).

        Raises:
            ValidationFailed: an unknown metric or parameter.
        """
        import matplotlib.pyplot as plt

        if metric not in METRICS:
            raise ValidationFailed("metric", "known_metric", f"{metric!r} is not a figure")
        x = x or self.parameters[0]
        if x not in self.parameters:
            raise ValidationFailed("x", "known_parameter", f"{x!r} was not swept")
        frame = self._frame
        if currency is not None:
            frame = frame.filter(pl.col("currency") == currency)
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        others = [p for p in self.parameters if p != x]
        for key, group in frame.group_by([*others, "currency"], maintain_order=True):
            label = ", ".join(f"{n}={v}" for n, v in zip([*others, "currency"], key, strict=True))
            xs = [_number(v) for v in group[x].to_list()]
            ax.plot(xs, group[metric].to_list(), marker="o", label=label)
        ax.set_xlabel(x)
        ax.set_ylabel(metric)
        ax.legend(fontsize="small")
        return ax


def _number(value: Any) -> Any:
    try:
        return float(value)  # display only: axis positions
    except (TypeError, ValueError):
        return str(value)


def sweep(
    policies: PolicySet,
    cases: Iterable[Any] | CaseSource,
    grid: Mapping[str, Sequence[Any]],
    *,
    chunk_size: int = 2_000,
    workers: int = 1,
    backend: str | None = None,
    client: Any = None,
    executor: Executor | None = None,
    keep_rows: bool = False,
    progress: Progress | None = None,
) -> SweepResult:
    """Backtest every point of ``grid`` (the product of its value lists) over the same cases.

    Args:
        policies: the base policy set; each point changes only the named parameters.
        cases: the cases (see ``backtest``); every point runs over each chunk once
            loaded, so an iterator is read once.
        grid: parameter path -> values (see the module docstring for paths).
        chunk_size: cases per chunk.
        workers: processes for the ``process`` backend.
        backend: ``"serial"``, ``"process"`` or ``"dask"`` (see ``backtest``).
        client: a ``dask.distributed.Client``.
        executor: a process pool to reuse.
        keep_rows: keep each point's rows too (memory: points × cases rows).
        progress: called as ``progress(done, total)`` after each chunk.

    Returns:
        The table of summaries per point, and each point's result.

    Raises:
        ValidationFailed: an empty grid, a bad path, or a value a policy refuses.
    """
    points = _points(policies, grid)
    sets = []
    for point in points:
        changed = policies
        for path, value in point.items():
            changed = set_parameter(changed, path, value)
        sets.append(changed)
    runs = run_many(
        sets,
        cases,
        chunk_size=chunk_size,
        workers=workers,
        backend=backend,
        client=client,
        executor=executor,
        keep_rows=keep_rows,
        on_rows=None,
        progress=progress,
    )
    source = cases if isinstance(cases, CaseSource | Sequence) else None
    results = [BacktestResult(run, source) for run in runs]
    return SweepResult(list(grid), points, results)
