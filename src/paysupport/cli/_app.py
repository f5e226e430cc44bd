"""The commands: Typer for arguments, Rich for tables, one exit-code policy for all.

Exit codes: 0 done; 2 bad usage or bad input (one line on stderr, no traceback); 1 a bug.
"""

from __future__ import annotations

import enum
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import pydantic
import typer
from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from paysupport import __version__, sample
from paysupport.analytics.queue import QueueReport, case_context, queue_report
from paysupport.cli import _analytics, _io, _render
from paysupport.cli._io import BadInput, Format, FormatOption
from paysupport.errors import PaysupportError
from paysupport.lifecycles import LIFECYCLES, diagram
from paysupport.models import (
    ALL_MODELS,
    Customer,
    Merchant,
    Operator,
    Payment,
    PaymentFailure,
    Portfolio,
    RefundRequest,
    SupportCase,
)
from paysupport.networks import decline_code, merchant_advice_code, reason_code
from paysupport.providers import stripe_decline
from paysupport.workflows import CaseContext, Outcome, triage

__all__ = ["app", "run"]

app = typer.Typer(
    name="paysupport",
    help=(
        "Payment support from the command line: the support queue, case triage, network "
        "reason and decline codes, lifecycle diagrams and model schemas.\n\n"
        "Start with [bold]paysupport demo[/bold]; every command takes --help."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


class DiagramFormat(enum.StrEnum):
    """Diagram languages: Mermaid and Graphviz DOT text, or SVG drawn by Graphviz."""

    MERMAID = "mermaid"
    DOT = "dot"
    SVG = "svg"


class NetworkChoice(enum.StrEnum):
    """The card networks the catalogues cover."""

    VISA = "visa"
    MASTERCARD = "mastercard"
    AMEX = "amex"
    DISCOVER = "discover"


class ProviderChoice(enum.StrEnum):
    """The payment providers whose own decline codes the catalogue holds."""

    STRIPE = "stripe"


class SampleKind(enum.StrEnum):
    """What the bundled sample can write out."""

    PORTFOLIO = "portfolio"
    CASES = "cases"


Lifecycle = enum.StrEnum("Lifecycle", {name.upper(): name for name in LIFECYCLES})  # type: ignore[misc]
ModelName = enum.StrEnum(  # type: ignore[misc]
    "ModelName", {m.__name__.upper(): m.__name__.lower() for m in ALL_MODELS}
)
_MODELS = {m.__name__.lower(): m for m in ALL_MODELS}

NowOption = Annotated[
    str | None,
    typer.Option(help=f"the moment to compute deadlines and SLAs at: {_io.NOW_HELP}"),
]


def _console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


@contextmanager
def _working(message: str) -> Iterator[None]:
    """A spinner on stderr while long work runs (only on a terminal)."""
    err = _console(stderr=True)
    if not err.is_terminal:
        yield
        return
    with err.status(message):
        yield


def _version(value: bool) -> None:
    if value:
        print(f"paysupport {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="print the version"),
    ] = False,
) -> None:
    """Payment support from the command line."""


def _queue(portfolio: Portfolio, now: datetime) -> QueueReport:
    with _working(f"Triaging {len(portfolio.cases)} cases and reading the queue"):
        return queue_report(portfolio, now=now)


def _print_queue(report: QueueReport, fmt: Format) -> None:
    if fmt is Format.JSON:
        print(_io.dumps(report))
    else:
        _console().print(_render.queue_view(report))


@app.command()
def demo(now: NowOption = None, fmt: FormatOption = Format.TEXT) -> None:
    """Run the main job on the bundled sample: the support queue, then portfolio health.

    The queue is what an operator starts the day with; the health figures (with the
    analytics extra) are what an account manager watches, on the demo history.
    """
    portfolio, sample_now = sample.load()
    moment = _io.parse_now(now) if now is not None else sample_now
    report = _queue(portfolio, moment)
    health = _analytics.demo_health()
    if fmt is Format.JSON:
        print(_io.dumps({"queue": report, "health": health}))
        return
    _print_queue(report, fmt)
    _analytics.print_demo_health(health)


@app.command()
def report(
    file: Annotated[
        Path | None,
        typer.Argument(help="a portfolio JSON file (default: the bundled sample)"),
    ] = None,
    now: NowOption = None,
    fmt: FormatOption = Format.TEXT,
) -> None:
    """Print the support queue of a portfolio: disputes by deadline, declines, cases by SLA.

    The moment comes from --now, else from the file's "now" key; without either the
    command stops and says so (it never reads the clock unless told: --now now).
    """
    if file is None:
        portfolio, moment = sample.load()
        moment = _io.parse_now(now) if now is not None else moment
    else:
        portfolio, moment = _io.load_portfolio(file, now)
    _print_queue(_queue(portfolio, moment), fmt)


_CONTEXT_MODELS: dict[str, Any] = {
    "payments": Payment,
    "related_payments": Payment,
    "customer": Customer,
    "merchant": Merchant,
    "failure": PaymentFailure,
    "operator": Operator,
    "refund_request": RefundRequest,
}


def _context(raw: dict[str, Any]) -> CaseContext:
    unknown = sorted(set(raw) - set(_CONTEXT_MODELS) - {"fraud_signal"})
    if unknown:
        known = ", ".join(["case", "now", *_CONTEXT_MODELS, "fraud_signal"])
        raise BadInput(f"unknown key {unknown[0]!r}; a line may hold {known}")
    fields: dict[str, Any] = {}
    for key, value in raw.items():
        model = _CONTEXT_MODELS.get(key)
        if model is None:
            fields[key] = bool(value)
        elif key.endswith("payments"):
            if not isinstance(value, list):
                raise BadInput(f"{key}: expected a list of payments")
            fields[key] = tuple(model.model_validate(v) for v in value)
        elif value is not None:
            fields[key] = model.model_validate(value)
    return CaseContext(**fields)


def _triage_line(raw: dict[str, Any], now: str | None) -> tuple[SupportCase, Outcome]:
    raw = dict(raw)
    if "case" not in raw:
        raise BadInput('no "case" key: each line is {"case": {...}, "payments": [...], ...}')
    case_raw, line_now = raw.pop("case"), raw.pop("now", None)
    if now is not None:
        moment = _io.parse_now(now)
    elif isinstance(line_now, str):
        moment = _io.parse_now(line_now, where="now")
    else:
        raise BadInput(f'no "now" on the line; pass --now, {_io.NOW_HELP}')
    try:
        case = SupportCase.model_validate(case_raw)
        return case, triage(case, _context(raw), now=moment)
    except (PaysupportError, pydantic.ValidationError) as exc:
        raise BadInput(_io.one_line(exc)) from None


def _outcome_tree(line: int, case: SupportCase, outcome: Outcome) -> Tree:
    tier = next((d.tier.value for d in outcome.decisions if d.tier is not None), None)
    head = Text(f"line {line}: {case.id}", style="bold")
    head.append(f"  {case.claim.value} [{case.priority.value}]", style="not bold")
    tree = Tree(head.append(f", tier {tier}" if tier else "", style="not bold"))
    for d in outcome.decisions:
        because = f" because {d.reasons[0].message}" if d.reasons else ""
        amount = f" {_render.show(d.amount)}" if d.amount is not None else ""
        tree.add(Text(f"decided  {d.policy.kind}: {d.outcome.value}{amount}{because}"))
    for e in outcome.effects:
        money = getattr(e, "amount", None)
        shown = f" {_render.show(money)}" if money is not None else ""
        tree.add(Text(f"to do    {type(e).__name__}{shown} [{e.idempotency_key}]", style="green"))
    for n in outcome.notes:
        tree.add(Text(f"note     {n.code}: {n.message}", style="dim"))
    return tree


@app.command(name="triage")
def triage_cmd(
    file: Annotated[
        Path, typer.Argument(help='JSON Lines: one {"case": ..., "payments": [...]} per line')
    ],
    now: NowOption = None,
    fmt: FormatOption = Format.TEXT,
) -> None:
    """Triage every case of a JSON Lines file; a bad line is reported and the rest still run.

    Each line holds a "case" (a SupportCase) and what the host would load around it:
    "payments", "customer", "merchant", "failure", "related_payments", "operator",
    "refund_request", and its "now" unless --now is given. `paysupport sample cases`
    writes such a file. Exits 2 when any line was bad.
    """
    results: list[dict[str, Any]] = []
    errors: list[tuple[int, str]] = []
    triaged = 0
    out = _console()
    for number, raw in _io.read_lines(file, "a case line"):
        try:
            if isinstance(raw, BadInput):
                raise raw
            case, outcome = _triage_line(raw, now)
        except BadInput as exc:
            message = str(exc).removeprefix(f"{file}:{number}: ")
            errors.append((number, message))
            print(f"error: {file}:{number}: {message}", file=sys.stderr)
            continue
        triaged += 1
        if fmt is Format.JSON:
            results.append({"line": number, "case_id": case.id, **outcome.to_dict()})
        else:
            out.print(_outcome_tree(number, case, outcome))
    if fmt is Format.JSON:
        bad = [{"line": n, "error": m} for n, m in errors]
        print(_io.dumps({"results": results, "errors": bad}))
    if errors:
        total = len(errors) + triaged
        message = f"{len(errors)} of {total} lines were bad; the others were triaged"
        print(f"error: {message}", file=sys.stderr)
        raise typer.Exit(2)


@app.command(name="reason-code")
def reason_code_cmd(
    network: Annotated[str, typer.Argument(help="visa, mastercard (or mc), amex, discover")],
    code: Annotated[str, typer.Argument(help="the network's code, e.g. 13.1, 4853, C08")],
    fmt: FormatOption = Format.TEXT,
) -> None:
    """Look up a dispute reason code: category, time limit, the evidence that answers it."""
    rc = reason_code(network, code)
    if fmt is Format.JSON:
        print(_io.dumps(rc))
    else:
        _console().print(_render.reason_code_table(rc))


@app.command()
def decline(
    code: Annotated[str, typer.Argument(help="ISO 8583 (05, 51, N7) or Stripe (do_not_honor)")],
    network: Annotated[
        NetworkChoice | None,
        typer.Option(help="read the code as this network does (Visa categories, MACs)"),
    ] = None,
    provider: Annotated[
        ProviderChoice | None,
        typer.Option(
            help="read the code as this provider's decline_code "
            "(default: a code longer than two characters is Stripe's)"
        ),
    ] = None,
    advice: Annotated[
        str | None, typer.Option(help="the Mastercard merchant advice code sent with it")
    ] = None,
    fmt: FormatOption = Format.TEXT,
) -> None:
    """Look up a decline code: severity, Visa category, what the networks allow next."""
    if not code.strip():
        raise BadInput("the decline code is empty; give one such as 05, 51 or do_not_honor")
    if advice is not None and network not in (None, NetworkChoice.MASTERCARD):
        raise BadInput("--advice is a Mastercard merchant advice code; use --network mastercard")
    mac = merchant_advice_code(advice) if advice is not None else None
    net = "mastercard" if mac is not None else (network.value if network else None)
    stripe = provider is ProviderChoice.STRIPE or (provider is None and len(code.strip()) > 2)
    try:
        dc = stripe_decline(code) if stripe else decline_code(code, network=net)
    except PaysupportError as exc:  # say it in the command's words: --network, not network=
        raise BadInput(_io.one_line(exc).replace("pass network=", "pass --network")) from None
    if fmt is Format.JSON:
        print(_io.dumps({"decline": dc, "network": net, "merchant_advice": mac}))
    else:
        _console().print(_render.decline_table(dc, net, mac))


def _svg(dot: str) -> str:
    """SVG drawn by Graphviz's ``dot`` program from the DOT text."""
    program = shutil.which("dot")
    if program is None:
        raise BadInput(
            "--format svg needs Graphviz's dot program on PATH (apt install graphviz, "
            "brew install graphviz); or use --format dot"
        )
    done = subprocess.run(
        [program, "-Tsvg"], input=dot, capture_output=True, text=True, check=False, timeout=60
    )
    if done.returncode != 0:
        raise BadInput(f"graphviz could not draw the diagram: {_io.one_line(done.stderr)}")
    return done.stdout


@app.command(name="diagram")
def diagram_cmd(
    lifecycle: Annotated[Lifecycle, typer.Argument(help="which lifecycle to draw")],
    fmt: Annotated[
        DiagramFormat, typer.Option("--format", "-f", help="the diagram language")
    ] = DiagramFormat.MERMAID,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="write to this file, not stdout")
    ] = None,
    stage: Annotated[
        str | None,
        typer.Option(
            help="dispute only: inquiry, chargeback, pre_arbitration, arbitration, or all "
            "(default: the stage-level overview)"
        ),
    ] = None,
) -> None:
    """Draw a lifecycle from its definition (Mermaid, Graphviz DOT, or SVG via Graphviz)."""
    machine = LIFECYCLES[lifecycle.value]
    if fmt is DiagramFormat.SVG:
        text = _svg(diagram(machine, "dot", stage=stage))
    else:
        text = diagram(machine, fmt.value, stage=stage)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"{output}: cannot write ({exc.strerror or exc})") from None


@app.command()
def schema(model: Annotated[ModelName, typer.Argument(help="the model")]) -> None:
    """Print a model's JSON Schema."""
    print(_io.dumps(_MODELS[model.value].model_json_schema()))


@app.command(name="sample")
def sample_cmd(
    what: Annotated[SampleKind, typer.Argument(help="portfolio (JSON) or cases (JSON Lines)")],
) -> None:
    """Write the bundled sample: a portfolio for `report`, or cases for `triage`."""
    portfolio, now = sample.load()
    if what is SampleKind.PORTFOLIO:
        print(_io.dumps({"now": now, **portfolio.model_dump(mode="json")}))
        return
    for case in portfolio.cases:
        line = {"case": case, "now": now, **_io.plain(case_context(portfolio, case))}
        line = {k: v for k, v in _io.plain(line).items() if v not in (None, [], False)}
        print(json.dumps(line, ensure_ascii=False))


for _name, _command in _analytics.COMMANDS.items():
    app.command(name=_name)(_command)


def _usage_error(exc: typer.TyperException) -> int:
    if type(exc).__name__ == "NoArgsIsHelpError":
        return 2  # Typer has shown the help
    ctx = getattr(exc, "ctx", None)
    where = getattr(ctx, "command_path", None) or "paysupport"
    message = " ".join(exc.format_message().split())
    print(f"error: {message} (see: {where} --help)", file=sys.stderr)
    return 2


def run(argv: Sequence[str]) -> int:
    """Run one command line; returns the exit status (see the module docstring)."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=list(argv), prog_name="paysupport", standalone_mode=False)
    except typer.TyperException as exc:
        return _usage_error(exc)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        return 130
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except PaysupportError as exc:
        print(f"error: {_io.one_line(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Exception as exc:
        print(
            f"bug: {type(exc).__name__}: {_io.one_line(exc)} -- this is a bug in paysupport "
            f"{__version__}; please report it with the command you ran",
            file=sys.stderr,
        )
        return 1
    return result if isinstance(result, int) else 0
