"""The library's models as History tables (a portfolio is small: a loop over records is fine)."""

from __future__ import annotations

from typing import Any

import polars as pl

from paysupport.models import Portfolio, SupportCase
from paysupport.models.case import CaseStatus
from paysupport.models.refund import RefundStatus
from paysupport.networks import Network

__all__ = ["portfolio_frames"]

_NETWORKS = {n.value for n in Network}


def portfolio_frames(
    portfolio: Portfolio,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame | None]:
    """Events, merchants and cases tables for ``portfolio`` (unchecked; History checks)."""
    rows: list[dict[str, Any]] = []
    for p in portfolio.payments:
        rows.extend(_payment_rows(p))
    for f in portfolio.failures:
        rows.extend(_failure_rows(f))
    return (
        pl.DataFrame(rows, infer_schema_length=None),
        _merchants(portfolio),
        _cases(portfolio.cases),
    )


def _payment_rows(p: Any) -> list[dict[str, Any]]:
    """The authorization, captures, succeeded refunds, disputes and fraud report of a payment."""
    brand = str(p.payment_method.card.brand) if p.payment_method.card else None
    network = str(p.disputes[0].network) if p.disputes else brand
    if network not in _NETWORKS:
        return []
    base = {"payment_id": p.id, "merchant_id": p.merchant_id, "network": network}
    cur = p.amount.currency.code
    rows = [
        _row(
            base, p.id + ":auth", "authorization", p.created_at, p.amount.minor, cur, approved=True
        )
    ]
    rows += [_row(base, c.id, "capture", c.captured_at, c.amount.minor, cur) for c in p.captures]
    rows += [
        _row(base, r.id, "refund", r.created_at, r.amount.minor, cur, refund_reason=r.reason.value)
        for r in p.refunds
        if r.status is RefundStatus.SUCCEEDED
    ]
    rows += [
        _row(
            base,
            d.id,
            "dispute",
            d.opened_at,
            d.amount.minor,
            d.amount.currency.code,
            reason_code=d.reason_code,
            outcome=d.status.value,
        )
        for d in p.disputes
    ]
    efw = p.early_fraud_warning
    if efw is not None:
        rows.append(
            _row(
                base, efw.id, "fraud_report", efw.created_at, p.amount.minor, cur, fraud_type="efw"
            )
        )
    return rows


def _failure_rows(f: Any) -> list[dict[str, Any]]:
    """A declined authorization, for failures on a catalogued network."""
    if f.network is None:
        return []
    base = {
        "payment_id": f.payment_id or f.id,
        "merchant_id": f.merchant_id,
        "network": f.network.value,
    }
    return [
        _row(
            base,
            f.id,
            "authorization",
            f.declined_at,
            f.amount.minor,
            f.amount.currency.code,
            approved=False,
            decline_code=f.network_decline_code or f.decline_code,
            merchant_advice_code=f.merchant_advice_code,
        )
    ]


def _merchants(portfolio: Portfolio) -> pl.DataFrame:
    """The merchants table."""
    return pl.DataFrame(
        [
            {
                "merchant_id": m.id,
                "name": m.name,
                "segment": m.segment.value,
                "market": m.market,
                "mcc": m.mcc,
            }
            for m in portfolio.merchants
        ],
        schema={
            "merchant_id": pl.String,
            "name": pl.String,
            "segment": pl.String,
            "market": pl.String,
            "mcc": pl.String,
        },
    )


def _row(
    base: dict[str, Any], event_id: str, kind: str, at: Any, minor: int, cur: str, **extra: Any
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "kind": kind,
        "at": at,
        "amount_minor": minor,
        "currency": cur,
        "card_present": False,
        **base,
        **extra,
    }


def _cases(cases: tuple[SupportCase, ...]) -> pl.DataFrame | None:
    rows = []
    for c in cases:
        if c.assignee is None or c.tier is None:
            continue
        approvals = [e for e in c.history if "approv" in e.event]
        rows.append(
            {
                "case_id": c.id,
                "merchant_id": c.merchant_id,
                "payment_id": c.payment_ids[0] if c.payment_ids else None,
                "claim": c.claim.value,
                "operator_id": c.assignee,
                "tier": c.tier.value,
                "opened_at": c.opened_at,
                "first_action_at": c.first_response_at,
                "resolved_at": c.resolved_at,
                "sla_due_at": c.sla_due_at,
                "escalated": c.status is CaseStatus.ESCALATED
                or any(e.event == "escalate" for e in c.history),
                "approval_requested": bool(approvals),
                "approval_granted": None,
                "reopened": any(e.event == "reopen" for e in c.history),
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None) if rows else None
