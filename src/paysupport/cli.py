"""The command-line front end: the only module that reads files and the clock.

``paysupport report`` loads a portfolio (the bundled sample by default) and prints the support
queue an operator would start the day with: disputes by deadline with the evidence still
missing, declines with what the networks allow next, refund headroom, and open cases by SLA.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from paysupport import sample
from paysupport.analytics import queue_report, render_text
from paysupport.errors import PaysupportError
from paysupport.models import ALL_MODELS, Portfolio
from paysupport.networks import decline_code, reason_code

__all__ = ["main"]


def _load_portfolio(path: str | None) -> tuple[Portfolio, datetime | None]:
    if path is None:
        return sample.load()
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    now_text = raw.pop("now", None)
    now = _parse_now(now_text) if now_text else None
    return Portfolio.model_validate(raw), now


def _parse_now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise SystemExit("--now needs a time zone, e.g. 2026-11-24T12:00:00Z")
    return parsed


def _cmd_report(args: argparse.Namespace) -> int:
    portfolio, data_now = _load_portfolio(args.data)
    now = _parse_now(args.now) if args.now else (data_now or _parse_now(None))
    report = queue_report(portfolio, now=now)
    if args.format == "json":
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(render_text(report))
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    by_name = {m.__name__.lower(): m for m in ALL_MODELS}
    model = by_name.get(args.model.lower())
    if model is None:
        print(f"unknown model {args.model!r}; known: {', '.join(sorted(by_name))}", file=sys.stderr)
        return 2
    print(json.dumps(model.model_json_schema(), indent=2))
    return 0


def _cmd_reason_code(args: argparse.Namespace) -> int:
    rc = reason_code(args.network, args.code)
    limit = rc.time_limit
    print(f"{rc.network.value} {rc.code}: {rc.title}")
    print(f"  category: {rc.category.value}   family: {rc.family}")
    days = f"{limit.days} days from {limit.counted_from}" if limit.days else "not found"
    print(f"  issuer time limit: {days} ({limit.confidence.value})")
    print(f"  answered by: {', '.join(e.value for e in rc.evidence) or '-'}")
    print(f"  sources: {', '.join(rc.sources)}")
    return 0


def _cmd_decline(args: argparse.Namespace) -> int:
    dc = decline_code(args.code)
    cat = f"Visa category {int(dc.visa_category)}" if dc.visa_category else "no Visa category"
    print(f"{dc.scheme} {dc.code}: {dc.meaning}")
    severity = dc.severity.value if dc.severity else "not a decline"
    action = dc.action.value if dc.action else "-"
    print(f"  {severity}, {cat}; next: {action}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and for embedding)."""
    parser = argparse.ArgumentParser(prog="paysupport", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    report = sub.add_parser("report", help="print the support queue for a portfolio")
    report.add_argument("data", nargs="?", help="portfolio JSON (default: the bundled sample)")
    report.add_argument(
        "--now", help="ISO 8601 time with zone (default: the sample's or the clock)"
    )
    report.add_argument("--format", choices=["text", "json"], default="text")
    report.set_defaults(run=_cmd_report)

    schema = sub.add_parser("schema", help="print a model's JSON schema")
    schema.add_argument("model")
    schema.set_defaults(run=_cmd_schema)

    rc = sub.add_parser("reason-code", help="look up a dispute reason code")
    rc.add_argument("network")
    rc.add_argument("code")
    rc.set_defaults(run=_cmd_reason_code)

    dc = sub.add_parser("decline", help="look up a decline / response code")
    dc.add_argument("code")
    dc.set_defaults(run=_cmd_decline)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 on a paysupport error)."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except PaysupportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
