"""A table that converts to every dataframe library and shows itself in a notebook."""

from __future__ import annotations

import html
from typing import Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

__all__ = ["Table", "html_table"]


def html_table(frame: pl.DataFrame, *, limit: int = 20, caption: str = "") -> str:
    """A compact HTML table of the first ``limit`` rows (every value escaped)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    body = []
    for row in frame.head(limit).iter_rows():
        cells = "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row)
        body.append(f"<tr>{cells}</tr>")
    more = ""
    if frame.height > limit:
        more = f"<p>… {frame.height - limit} more rows of {frame.height}</p>"
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<table class="paysupport-backtest">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>{more}"
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


class Table:
    """A result table: ``to_polars()``, ``to_pandas()``, ``to_arrow()`` and HTML display.

    Args:
        frame: the table's data.
        title: a caption for the notebook display.
    """

    __slots__ = ("_frame", "title")

    def __init__(self, frame: pl.DataFrame, title: str = "") -> None:
        self._frame = frame
        self.title = title

    def __len__(self) -> int:
        return self._frame.height

    def __repr__(self) -> str:
        return f"Table({self.title!r}, {self._frame.height} rows)"

    @property
    def columns(self) -> list[str]:
        """The column names."""
        return list(self._frame.columns)

    def to_polars(self) -> pl.DataFrame:
        """The table as a polars ``DataFrame``."""
        return self._frame

    def to_arrow(self) -> pa.Table:
        """The table as a pyarrow ``Table``."""
        return self._frame.to_arrow()

    def to_pandas(self) -> Any:
        """The table as a pandas ``DataFrame`` (pandas must be installed)."""
        return self._frame.to_pandas()

    def to_dicts(self) -> list[dict[str, Any]]:
        """The rows as plain dicts."""
        return self._frame.to_dicts()

    def _repr_html_(self) -> str:
        return html_table(self._frame, caption=self.title)
