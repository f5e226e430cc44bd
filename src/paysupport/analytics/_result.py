"""What every analytics result can do in a notebook: export, display, plot."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, ClassVar

import polars as pl

from paysupport.errors import ValidationFailed

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["Result", "new_axes"]


class Result:
    """Base of the analytics results: named polars tables, exported on demand.

    Subclasses name their tables in ``_tables`` (the first is the default) and draw
    their figure in ``plot``.
    """

    _tables: ClassVar[tuple[str, ...]] = ()
    _title: ClassVar[str] = ""

    def table(self, name: str | None = None) -> pl.DataFrame:
        """One of the result's tables as polars (the main one by default).

        Raises:
            ValidationFailed: ``name`` is not one of the result's tables.
        """
        key = name or self._tables[0]
        if key not in self._tables:
            raise ValidationFailed(
                "table", "known_table", f"{key!r} is not one of {', '.join(self._tables)}"
            )
        frame: pl.DataFrame = getattr(self, key)
        return frame

    def to_polars(self, table: str | None = None) -> pl.DataFrame:
        """The table as a polars ``DataFrame``."""
        return self.table(table)

    def to_pandas(self, table: str | None = None) -> Any:
        """The table as a pandas ``DataFrame`` (typed ``Any``: pandas ships no stubs)."""
        return self.table(table).to_pandas()

    def to_arrow(self, table: str | None = None) -> Any:
        """The table as a pyarrow ``Table`` (typed ``Any``: pyarrow ships no stubs)."""
        return self.table(table).to_arrow()

    def summary(self) -> str:
        """One line saying what the result holds (shown above the HTML table)."""
        return ", ".join(f"{name}: {getattr(self, name).height} rows" for name in self._tables)

    def _repr_html_(self) -> str:
        main = self.table()
        head = main.head(8)
        cells = "".join(f"<th>{html.escape(c)}</th>" for c in head.columns)
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
            for row in head.iter_rows()
        )
        more = f"<p>… {main.height - head.height} more rows</p>" if main.height > 8 else ""
        return (
            f"<div><b>{html.escape(self._title or type(self).__name__)}</b> "
            f"<small>{html.escape(self.summary())}</small>"
            f"<table><thead><tr>{cells}</tr></thead><tbody>{rows}</tbody></table>{more}</div>"
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.summary()})"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def new_axes(ax: Axes | None, title: str) -> Axes:
    """``ax``, or fresh axes on a new figure (matplotlib imported only here, for ``plot()``)."""
    from paysupport.analytics._extra import check

    check(("matplotlib",))
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 4))
    ax.set_title(title)
    return ax
