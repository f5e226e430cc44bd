"""Rich renderings of what the commands compute: tables for people, never for machines."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from paysupport.money import Money
from paysupport.networks import DeclineCode, MerchantAdviceCode, ReasonCode

__all__ = ["decline_table", "queue_view", "reason_code_table", "time_limit_text"]


def show(value: Any) -> str:
    """A value for people: money with grouping and code, ``-`` for nothing."""
    if value is None or value == "" or value == ():
        return "-"
    if isinstance(value, Money):
        return value.format(grouping=True)
    if isinstance(value, tuple | list):
        return ", ".join(show(v) for v in value)
    return str(getattr(value, "value", value))


def _left(hours: int | None) -> Text:
    if hours is None:
        return Text("no response possible", style="dim")
    if hours < 0:
        return Text("PAST DUE", style="bold red")
    return Text(f"{hours} h left", style="yellow" if hours < 72 else "")


def _disputes(rows: Any) -> Table:
    table = Table(
        title=f"Open disputes ({len(rows)}), soonest deadline first", title_justify="left"
    )
    for name in ("dispute", "network code", "reason", "stage/status", "amount", "time left"):
        table.add_column(name, justify="right" if name == "amount" else "left", overflow="fold")
    table.add_column("missing evidence", overflow="fold")
    for d in rows:
        table.add_row(
            d.dispute_id,
            f"{d.network} {d.reason_code}",
            f"{d.title} ({d.category})",
            f"{d.stage}/{d.status}",
            show(d.amount),
            _left(d.hours_left),
            show(d.missing_evidence),
        )
    return table


def _declines(rows: Any) -> Table:
    table = Table(title=f"Failed payments ({len(rows)})", title_justify="left")
    for name in ("payment failure", "amount", "codes", "severity", "Visa category"):
        table.add_column(name, justify="right" if name == "amount" else "left")
    table.add_column("Mastercard advice", overflow="fold")
    table.add_column("next step")
    for f in rows:
        table.add_row(
            f.failure_id,
            show(f.amount),
            f.codes,
            f.severity,
            show(f.visa_category),
            show(f.merchant_advice),
            Text(f.next_step, style="bold red" if f.next_step == "do_not_retry" else ""),
        )
    return table


def _sla(pct: int | None) -> Text:
    if pct is None:
        return Text("no SLA")
    if pct < 0:
        return Text("SLA BREACHED", style="bold red")
    return Text(f"{pct}% of SLA left")


def _cases(rows: Any) -> Tree:
    tree = Tree(Text(f"Open cases ({len(rows)}), least SLA left first", style="bold"))
    for c in rows:
        head = Text(c.case_id, style="bold")
        head.append(f"  {c.claim} [{c.priority}] {c.status}, ")
        head.append_text(_sla(c.sla_left_pct))
        head.append(f", tier {c.tier}" if c.tier else "")
        node = tree.add(head)
        for payment_id, amount in c.refundable:
            node.add(Text(f"refundable {payment_id}: {show(amount)}"))
        for line in c.plan:
            node.add(Text(f"decided  {line}"))
        for line in c.effects:
            node.add(Text(f"to do    {line}", style="green"))
    return tree


def queue_view(report: Any) -> RenderableType:
    """The support queue: disputes, declines and cases, as of the report's ``now``."""
    return Group(
        Text(f"Support queue as of {show(report.now)}", style="bold"),
        _disputes(report.disputes),
        _declines(report.declines),
        _cases(report.cases),
    )


def time_limit_text(rc: ReasonCode) -> str:
    """The issuer's time limit in words, saying what the notes do not know."""
    limit = rc.time_limit
    if limit.days is None:
        return f"not found ({limit.confidence.value})"
    counted = limit.counted_from.strip()
    if not counted or counted.startswith("not stated"):
        start = "counted from an event the notes do not state"
    else:
        start = f"from the {counted}" if not counted.startswith("the ") else f"from {counted}"
    return f"{limit.days} days, {start} ({limit.confidence.value})"


def reason_code_table(rc: ReasonCode) -> Table:
    """One dispute reason code: category, time limit, evidence, sources."""
    table = Table(title=f"{rc.network.value} {rc.code}: {rc.title}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("category", rc.category.value)
    table.add_row("family", show(rc.family))
    table.add_row("issuer time limit", time_limit_text(rc))
    if rc.time_limit.note:
        table.add_row("note", rc.time_limit.note)
    table.add_row("answered by", show(tuple(e.value for e in rc.evidence)))
    table.add_row("sources", show(rc.sources))
    return table


def decline_table(dc: DeclineCode, network: str | None, advice: MerchantAdviceCode | None) -> Table:
    """One decline code as the given network (or any network) sees it."""
    table = Table(title=f"{dc.scheme} {dc.code}: {dc.meaning}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("severity", dc.severity.value if dc.severity else "not a decline")
    table.add_row("next step", dc.action.value if dc.action else "-")
    if network in (None, "visa"):
        cat = dc.visa_category
        table.add_row("Visa category", f"{int(cat)} {cat.description}" if cat else "none")
    if advice is not None:
        never = ", never retry this card" if advice.never_retry else ""
        table.add_row("Mastercard advice", f"{advice.code} {advice.text}{never}")
    if dc.notes:
        table.add_row("notes", dc.notes)
    table.add_row("confidence", dc.confidence.value)
    return table
