"""Analytics commands: portfolio health, business reviews and policy backtests.

They need the ``analytics`` extra; without it they stop with one line saying what to install.
Data comes from the bundled demo history (``paysupport.sample.history()``) or from your own
events and merchants files (CSV or Parquet, the columns of ``paysupport.analytics.History``).
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from paysupport.cli import _io
from paysupport.cli._io import BadInput, Format, FormatOption
from paysupport.money import Money

if TYPE_CHECKING:
    import polars as pl

    from paysupport.analytics import History

__all__ = ["COMMANDS"]

_PERCENT = ("rate", "ratio", "threshold")


class GroupBy(enum.StrEnum):
    """What health figures are grouped by."""

    MERCHANT = "merchant"
    SEGMENT = "segment"
    MARKET = "market"
    NETWORK = "network"
    PORTFOLIO = "portfolio"


class Period(enum.StrEnum):
    """The period health figures are computed over."""

    MONTH = "month"
    QUARTER = "quarter"


class ReviewFormat(enum.StrEnum):
    """A business review for the terminal, as Markdown or HTML to share, or as JSON."""

    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"
    JSON = "json"


class Dimension(enum.StrEnum):
    """What a backtest summary is broken down by."""

    ALL = "all"
    KIND = "kind"
    REASON_CODE = "reason_code"
    NETWORK = "network"
    SEGMENT = "segment"
    MARKET = "market"
    PERIOD = "period"


_GROUP_COLUMN = {
    GroupBy.MERCHANT: "merchant_id",
    GroupBy.SEGMENT: "segment",
    GroupBy.MARKET: "market",
    GroupBy.NETWORK: "network",
}

EventsOption = Annotated[
    Path | None, typer.Option(help="events file (CSV or Parquet); default: the demo history")
]
MerchantsOption = Annotated[
    Path | None, typer.Option(help="merchants file (CSV or Parquet), with --events")
]
RatesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--usd-rate", help="CODE=RATE, USD per unit, for your files' currencies (repeat it)"
    ),
]


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


@contextmanager
def _working(message: str) -> Iterator[None]:
    err = Console(stderr=True)
    if not err.is_terminal:
        yield
        return
    with err.status(message):
        yield


def _read_frame(path: Path) -> pl.DataFrame:
    import polars as pl

    if not path.is_file():
        raise BadInput(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pl.read_parquet(path)
        return pl.read_csv(path, try_parse_dates=True)
    except Exception as exc:  # polars raises many kinds; each is bad input here
        raise BadInput(f"{path}: cannot be read as a table ({_io.one_line(exc)})") from None


def _rates(pairs: list[str] | None) -> dict[str, Decimal] | None:
    """``["HKD=0.128", ...]`` as USD rates per currency code."""
    if not pairs:
        return None
    rates: dict[str, Decimal] = {}
    for pair in pairs:
        code, sep, rate = pair.partition("=")
        try:
            value = Decimal(rate.strip()) if sep else Decimal("NaN")
        except ArithmeticError:
            value = Decimal("NaN")
        if not value.is_finite() or value <= 0 or len(code.strip()) != 3:
            raise BadInput(f"--usd-rate {pair!r}: write CODE=RATE, e.g. HKD=0.128")
        rates[code.strip().upper()] = value
    return rates


def _history(
    events: Path | None, merchants: Path | None, usd_rates: list[str] | None = None
) -> History:
    """The user's history from files, or the bundled demo history."""
    from paysupport.analytics import History, MissingExtra

    try:
        import polars  # noqa: F401  (the extra, before anything slow)
    except ImportError:
        raise MissingExtra("polars") from None
    if (events is None) != (merchants is None):
        raise BadInput("--events and --merchants go together (or neither: the demo history)")
    if events is not None and merchants is not None:
        frames = _read_frame(events), _read_frame(merchants)
        return History.from_frames(*frames, usd_rates=_rates(usd_rates))
    from paysupport import sample

    with _working("Generating the demo history (5,000 payments, 18 months)"):
        return sample.history()


def _cell(value: Any, column: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, float | Decimal):
        return f"{float(value):.2%}" if column.endswith(_PERCENT) else f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def frame_table(frame: pl.DataFrame, title: str, columns: list[str]) -> Table:
    """A polars frame as a Rich table: the given columns, rates as percentages.

    A ``*_minor`` column is money in the row's ``currency``: shown in major units.
    """
    shown = [c for c in columns if c in frame.columns]
    table = Table(title=title, title_justify="left")
    for column in shown:
        numeric = frame.schema[column].is_numeric()
        header = column.removesuffix("_minor")
        table.add_column(header, justify="right" if numeric else "left", overflow="fold")
    for row in frame.iter_rows(named=True):
        table.add_row(*(_value(row, c) for c in shown))
    return table


def _value(row: dict[str, Any], column: str) -> str:
    value = row[column]
    code = row.get("currency")
    if column.endswith("_minor") and isinstance(value, int) and isinstance(code, str):
        return Money.from_minor(value, code).format(grouping=True, code=False)
    return _cell(value, column)


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [_io.plain(row) for row in frame.to_dicts()]


def health(
    events: EventsOption = None,
    merchants: MerchantsOption = None,
    usd_rate: RatesOption = None,
    by: Annotated[GroupBy, typer.Option(help="group the figures by")] = GroupBy.MERCHANT,
    period: Annotated[Period, typer.Option(help="the period of each figure")] = Period.MONTH,
    top: Annotated[int, typer.Option(min=1, help="how many at-risk programs to list")] = 5,
    fmt: FormatOption = Format.TEXT,
) -> None:
    """Portfolio health: acceptance, refunds, disputes, fraud, monitoring programs at risk.

    Figures per group and period; the at-risk list reads each network's program as it was
    in force in the month measured (Visa VAMP from April 2025, VDMP/VFMP before).
    """
    from paysupport.analytics import portfolio_health

    history = _history(events, merchants, usd_rate)
    keys: tuple[str, ...] | str = () if by is GroupBy.PORTFOLIO else _GROUP_COLUMN[by]
    report = portfolio_health(history, by=keys, period=period.value)
    at_risk = report.at_risk(top)
    if fmt is Format.JSON:
        print(_io.dumps({"kpis": _rows(report.kpis), "at_risk": _rows(at_risk)}))
        return
    _print_health(report.kpis, at_risk, keys)


def review(
    quarter: Annotated[str, typer.Argument(help="the quarter, e.g. 2026Q2")],
    merchant: Annotated[str | None, typer.Option(help="one merchant's review")] = None,
    segment: Annotated[str | None, typer.Option(help="a segment's review")] = None,
    market: Annotated[str | None, typer.Option(help="a market's review (ISO country)")] = None,
    events: EventsOption = None,
    merchants: MerchantsOption = None,
    usd_rate: RatesOption = None,
    fmt: Annotated[ReviewFormat, typer.Option("--format", "-f")] = ReviewFormat.TEXT,
) -> None:
    """A business review of a merchant, a segment or a market for one quarter."""
    from paysupport.analytics import business_review

    if (merchant, segment, market) == (None, None, None):
        raise BadInput("name the subject: --merchant ID, --segment NAME or --market CC")
    history = _history(events, merchants, usd_rate)
    review = business_review(history, quarter, merchant_id=merchant, segment=segment, market=market)
    if fmt is ReviewFormat.JSON:
        frames = {"kpis": review.kpis, "actions": review.actions}
        print(_io.dumps({k: _rows(v) for k, v in frames.items()}))
    elif fmt is ReviewFormat.HTML:
        print(review.to_html())
    elif fmt is ReviewFormat.MARKDOWN:
        print(review.to_markdown())
    else:
        _console().print(Markdown(review.to_markdown()))


def backtest_cmd(
    events: EventsOption = None,
    merchants: MerchantsOption = None,
    usd_rate: RatesOption = None,
    by: Annotated[Dimension, typer.Option(help="break the summary down by")] = Dimension.KIND,
    workers: Annotated[int, typer.Option(min=1, help="processes to run cases on")] = 1,
    fmt: FormatOption = Format.TEXT,
) -> None:
    """Replay the history's cases through the real workflows with the default policies."""
    from paysupport.analytics.backtest import backtest
    from paysupport.analytics.backtest import cases_from_history as cases_of
    from paysupport.policies import PolicySet

    history = _history(events, merchants, usd_rate)
    cases = cases_of(history)
    with _bar(f"Backtesting {len(cases):,} cases") as progress:
        result = backtest(PolicySet(), cases, workers=workers, progress=progress)
    summary = result.summary(by.value).to_polars()
    if fmt is Format.JSON:
        print(_io.dumps({"cases": len(cases), "summary": _rows(summary)}))
        return
    columns = [*by_columns(by), "currency", "cases", "refunds", "refunded_minor"]
    columns += ["reviews", "denials", "contested", "accepted", "expected_loss_minor"]
    columns += ["tier_junior", "tier_middle", "tier_senior"]
    title = f"Backtest of {len(cases):,} cases with the default policies, by {by.value}"
    _console().print(frame_table(summary, title, columns))


def by_columns(by: Dimension) -> list[str]:
    """The key columns of a backtest summary broken down by ``by``."""
    from paysupport.analytics.backtest import DIMENSIONS

    return list(DIMENSIONS[by.value])


@contextmanager
def _bar(description: str) -> Iterator[Any]:
    """A progress bar on stderr (a terminal only); yields the backtest's progress callback."""
    err = Console(stderr=True)
    bar = Progress(
        "{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not err.is_terminal,
        transient=True,
    )
    task = bar.add_task(description, total=None)

    def progress(done: int, total: int | None) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield progress


def _print_health(kpis: pl.DataFrame, at_risk: pl.DataFrame, keys: tuple[str, ...] | str) -> None:
    import polars as pl

    group = [keys] if isinstance(keys, str) else list(keys)
    latest = kpis.filter(pl.col("period_start") == pl.col("period_start").max())
    columns = [*group, "period_start", "attempts", "acceptance_rate", "success_rate"]
    columns += ["refund_rate", "dispute_ratio", "fraud_ratio", "win_rate"]
    out = _console()
    out.print(frame_table(latest, "Health in the latest period", columns))
    risk = ["merchant_id", "network", "program", "month", "ratio", "threshold", "status"]
    out.print(frame_table(at_risk, "Monitoring programs closest to a breach", [*risk, "message"]))
    if at_risk.is_empty():
        print("No merchant is near a monitoring program's threshold.", file=sys.stdout)


COMMANDS: dict[str, Callable[..., None]] = {
    "health": health,
    "review": review,
    "backtest": backtest_cmd,
}
"""The analytics commands by name, for the application to register."""


def demo_health() -> dict[str, list[dict[str, Any]]] | None:
    """Health of the demo history by segment, and the programs at risk.

    ``None`` without the analytics extra (the demo then says how to get it).
    """
    from paysupport.analytics import MissingExtra

    try:
        from paysupport.analytics import portfolio_health

        history = _history(None, None)
    except MissingExtra:
        return None
    report = portfolio_health(history, by="segment", period="quarter")
    return {"kpis": _rows(report.kpis), "at_risk": _rows(report.at_risk(5))}


def print_demo_health(health: dict[str, list[dict[str, Any]]] | None) -> None:
    """The demo's second part, for people."""
    out = _console()
    if health is None:
        out.print(
            'Portfolio health needs the analytics extra: pip install ".[cli,analytics]"',
            style="yellow",
            markup=False,
        )
        return
    import polars as pl

    out.print()
    out.print("Portfolio health of the demo history (12 merchants, 18 months)", style="bold")
    _print_health(pl.DataFrame(health["kpis"]), pl.DataFrame(health["at_risk"]), "segment")
