"""The support queue an operator starts the day with, computed from a portfolio and ``now``.

Pure: the portfolio and the time come in, a report comes out; rendering is separate.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from paysupport.models import ClaimKind, Portfolio, SupportCase
from paysupport.money import Money
from paysupport.networks import Network
from paysupport.policies import PolicySet
from paysupport.policies.policy_set import DEFAULTS
from paysupport.workflows import CaseContext, triage

__all__ = ["CaseRow", "DeclineRow", "DisputeRow", "QueueReport", "queue_report", "render_text"]


@dataclass(frozen=True, slots=True)
class DisputeRow:
    """One open dispute: what it is, how long is left, and what evidence is missing."""

    dispute_id: str
    payment_id: str
    network: str
    reason_code: str
    title: str
    category: str
    stage: str
    status: str
    amount: Money
    due_by: datetime | None
    hours_left: int | None
    missing_evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DeclineRow:
    """One failed payment: how the networks classify it and what they allow next."""

    failure_id: str
    amount: Money
    codes: str
    severity: str
    visa_category: int | None
    next_step: str
    merchant_advice: str | None


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One open support case and its SLA clock."""

    case_id: str
    claim: str
    status: str
    priority: str
    payments: tuple[str, ...]
    sla_left_pct: int | None
    refundable: tuple[tuple[str, Money], ...]
    tier: str | None
    plan: tuple[str, ...]
    effects: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QueueReport:
    """Disputes by deadline, declines, and cases by SLA, as of ``now``."""

    now: str
    disputes: tuple[DisputeRow, ...]
    declines: tuple[DeclineRow, ...]
    cases: tuple[CaseRow, ...]

    def to_dict(self) -> dict[str, object]:
        """Plain data, ready for JSON: money as ``{"minor", "currency"}``, ISO 8601 times."""
        return {k: _plain(v) for k, v in asdict(self).items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Money):
        return {"minor": value.minor, "currency": value.currency.code}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _money(m: Money) -> str:
    return m.format(grouping=True)


def case_context(portfolio: Portfolio, case: SupportCase) -> CaseContext:
    """What a host would load for a case, taken from a portfolio."""
    payments = tuple(p for p in portfolio.payments if p.id in case.payment_ids)
    if not payments and case.dispute_id is not None:
        payments = tuple(
            p for p in portfolio.payments if any(d.id == case.dispute_id for d in p.disputes)
        )
    failure = None
    if case.claim is ClaimKind.FAILED_PAYMENT:
        failure = next((f for f in portfolio.failures if f.customer_id == case.customer_id), None)
    return CaseContext(
        payments=payments,
        customer=next((c for c in portfolio.customers if c.id == case.customer_id), None),
        merchant=next((m for m in portfolio.merchants if m.id == case.merchant_id), None),
        failure=failure,
        related_payments=tuple(
            p
            for p in portfolio.payments
            if case.customer_id is not None and p.customer_id == case.customer_id
        ),
    )


def queue_report(
    portfolio: Portfolio, *, now: datetime, policies: PolicySet = DEFAULTS
) -> QueueReport:
    """Build the queue: open disputes soonest-due first, declines, then cases by SLA left.

    New cases are triaged with ``policies`` (the library's defaults unless given): the
    report shows the tier, the decisions and the effects the host would carry out.
    """
    disputes = sorted(
        (_dispute_row(p.id, d, now) for p in portfolio.payments for d in p.open_disputes),
        key=lambda r: (r.hours_left is None, r.hours_left or 0, r.dispute_id),
    )
    declines = [_decline_row(f) for f in portfolio.failures]
    payments = {p.id: p for p in portfolio.payments}
    cases = sorted(
        (
            _case_row(portfolio, payments, c, now, policies)
            for c in portfolio.cases
            if c.status.value not in ("resolved", "closed")
        ),
        key=lambda r: (r.sla_left_pct is None, r.sla_left_pct or 0, r.case_id),
    )
    return QueueReport(now.isoformat(), tuple(disputes), tuple(declines), tuple(cases))


def _dispute_row(payment_id: str, d: Any, now: datetime) -> DisputeRow:
    left = d.time_left(now)
    return DisputeRow(
        dispute_id=d.id,
        payment_id=payment_id,
        network=str(getattr(d.network, "value", d.network)),
        reason_code=d.reason_code,
        # A dispute outside the catalogues (JCB, UnionPay, ...) keeps raw codes.
        title=d.reason.title if d.catalogued else "(not in the catalogues)",
        category=d.category.value if d.catalogued else "unknown",
        stage=d.stage.value,
        status=d.status.value,
        amount=d.amount,
        due_by=d.due_by,
        hours_left=int(left.total_seconds() // 3600) if left is not None else None,
        missing_evidence=(tuple(k.value for k in d.missing_evidence()) if d.catalogued else ()),
    )


def _decline_row(f: Any) -> DeclineRow:
    dc, mac = f.decline, f.advice
    codes = "/".join(c for c in (f.decline_code, f.network_decline_code) if c)
    return DeclineRow(
        failure_id=f.id,
        amount=f.amount,
        codes=codes,
        severity=dc.severity.value if dc and dc.severity else "unknown",
        visa_category=(
            int(dc.visa_category)
            if dc and dc.visa_category and f.network in (None, Network.VISA)
            else None
        ),
        next_step=(
            "do_not_retry"
            if mac is not None and mac.never_retry
            else (dc.action.value if dc and dc.action else "review: unknown code")
        ),
        merchant_advice=f"{mac.code} {mac.text}" if mac else None,
    )


def _case_row(
    portfolio: Portfolio, payments: dict[str, Any], c: Any, now: datetime, policies: PolicySet
) -> CaseRow:
    sla_left = c.sla_remaining(now)
    outcome = triage(c, case_context(portfolio, c), policies=policies, now=now)
    tier = next((d.tier.value for d in outcome.decisions if d.tier is not None), None)
    return CaseRow(
        case_id=c.id,
        claim=c.claim.value,
        status=c.status.value,
        priority=c.priority.value,
        payments=c.payment_ids,
        sla_left_pct=round(sla_left * 100) if sla_left is not None else None,
        refundable=tuple((pid, payments[pid].amount_refundable) for pid in c.payment_ids),
        tier=tier,
        plan=tuple(_decision_line(d) for d in outcome.decisions),
        effects=tuple(_effect_line(e) for e in outcome.effects),
    )


def _decision_line(decision: Any) -> str:
    head = f"{decision.policy.kind}: {decision.outcome.value}"
    if decision.amount is not None:
        head += f" {_money(decision.amount)}"
    if decision.tier is not None:
        head += f" (tier {decision.tier.value})"
    if decision.reasons:
        head += f" because {decision.reasons[0].message}"
    return head


def _effect_line(effect: Any) -> str:
    amount = getattr(effect, "amount", None)
    money = f" {_money(amount)}" if isinstance(amount, Money) else ""
    return f"{type(effect).__name__}{money} [{effect.idempotency_key}]"


def render_text(report: QueueReport) -> str:
    """Render the queue as plain text for a terminal."""
    out = [f"Support queue as of {report.now}", ""]
    out.append(f"Open disputes ({len(report.disputes)}), soonest deadline first:")
    for d in report.disputes:
        left = f"{d.hours_left} h left" if d.hours_left is not None else "no response possible"
        if d.hours_left is not None and d.hours_left < 0:
            left = "PAST DUE"
        out.append(
            f"  {d.dispute_id}  {d.network} {d.reason_code} {d.title} ({d.category}), "
            f"{d.stage}/{d.status}, {_money(d.amount)}, {left}"
        )
        if d.missing_evidence:
            out.append(f"      missing evidence: {', '.join(d.missing_evidence)}")
    out.append("")
    out.append(f"Failed payments ({len(report.declines)}):")
    for f in report.declines:
        cat = f", Visa category {f.visa_category}" if f.visa_category else ""
        mac = f", MAC {f.merchant_advice}" if f.merchant_advice else ""
        head = f"  {f.failure_id}  {_money(f.amount)}  {f.codes}"
        out.append(f"{head}: {f.severity}{cat}{mac} -> {f.next_step}")
    out.append("")
    out.append(f"Open cases ({len(report.cases)}), least SLA left first:")
    for c in report.cases:
        sla = f"{c.sla_left_pct}% of SLA left" if c.sla_left_pct is not None else "no SLA"
        if c.sla_left_pct is not None and c.sla_left_pct < 0:
            sla = "SLA BREACHED"
        tier = f", tier {c.tier}" if c.tier else ""
        out.append(f"  {c.case_id}  {c.claim} [{c.priority}] {c.status}, {sla}{tier}")
        for pid, amount in c.refundable:
            out.append(f"      refundable {pid}: {_money(amount)}")
        for line in c.plan:
            out.append(f"      decided  {line}")
        for line in c.effects:
            out.append(f"      to do    {line}")
    return "\n".join(out)
