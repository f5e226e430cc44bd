"""``cases_from_history``: the cases of a portfolio ``History``, each with only its past.

A case sees only the events strictly before its own time: the payment a refund request or a
dispute notice is about is rebuilt from its authorisation, captures, refunds, disputes and
early fraud warnings *before* that instant; what happened at the same instant or later is
left out (no look-ahead). What history learnt later (how a dispute ended, when a case was
resolved, whether a declined payment went through after all) is kept apart, on the case's
``realised_*`` fields, for scoring only.

Which events become which cases:

* a declined authorisation -> ``DeclineCase``;
* a refund -> ``RefundCase`` (the request at the refund's time, for its amount and
  reason), unless a support case with a refund claim on the payment was opened at or before
  it: that case carries the request (one decision, counted once);
* a dispute -> ``DisputeCase`` (the notice, with the network's response window),
  unless a ``dispute_received`` support case on the payment covers it;
* a support case -> ``TriageCase``, with its operator (their tier's authority applies),
  the payment as of the case's opening, the dispute or decline it is about.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import polars as pl

from paysupport.errors import ValidationFailed
from paysupport.models import (
    Capture,
    ClaimKind,
    Dispute,
    EarlyFraudWarning,
    Merchant,
    Operator,
    Payment,
    PaymentFailure,
    Refund,
    RefundRequest,
    SupportCase,
)
from paysupport.money import Money
from paysupport.workflows import CaseContext, DisputeResult

from ._cases import Case, CaseKind, DeclineCase, DisputeCase, RefundCase, TriageCase

__all__ = ["cases_from_history"]

_REFUND_CLAIMS = frozenset(
    {
        ClaimKind.REFUND_REQUEST.value,
        ClaimKind.OVERCHARGE.value,
        ClaimKind.DUPLICATE_CHARGE.value,
        ClaimKind.UNRECOGNIZED_CHARGE.value,
    }
)
_ISO = re.compile(r"^[0-9A-Z]{2}$")
_RESULTS = {"won": DisputeResult.WON, "lost": DisputeResult.LOST}

Event = dict[str, Any]


def _fail(field: str, event: Event | dict[str, Any], exc: Exception) -> ValidationFailed:
    ident = event.get("event_id") or event.get("case_id")
    return ValidationFailed(field, "case_from_history", f"{ident}: {exc}")


def _money(e: Event) -> Money:
    return Money.from_minor(int(e["amount_minor"]), str(e["currency"]))


def _payment(pid: str, merchant_id: str, past: list[Event], fallback: Event) -> Payment:
    """The payment as the events before the case show it."""
    currency = str(fallback["currency"])
    auths = [e for e in past if e["kind"] == "authorization" and e["approved"]]
    caps = [e for e in past if e["kind"] == "capture"]
    captured = sum(int(e["amount_minor"]) for e in caps)
    authorized = max(
        int(auths[-1]["amount_minor"]) if auths else 0, captured, int(fallback["amount_minor"])
    )
    refunds = [e for e in past if e["kind"] == "refund"]
    efw = next(
        (e for e in reversed(past) if e["kind"] == "fraud_report" and e["fraud_type"] == "efw"),
        None,
    )
    created = past[0]["at"] if past else fallback["at"]
    return Payment(
        id=pid,
        merchant_id=merchant_id,
        amount=Money.from_minor(max(authorized, 1), currency),
        status="captured" if caps else "authorized",
        created_at=created,
        captures=tuple(
            Capture(id=str(e["event_id"]), amount=_money(e), captured_at=e["at"]) for e in caps
        ),
        refunds=tuple(
            Refund(
                id=str(e["event_id"]),
                payment_id=pid,
                amount=_money(e),
                reason=e["refund_reason"] or "requested_by_customer",
                status="succeeded",
                created_at=e["at"],
            )
            for e in refunds
        ),
        disputes=tuple(_dispute(pid, e) for e in past if e["kind"] == "dispute"),
        early_fraud_warning=(
            EarlyFraudWarning(id=str(efw["event_id"]), created_at=efw["at"]) if efw else None
        ),
    )


def _dispute(pid: str, e: Event) -> Dispute:
    """The dispute as it was notified (its later outcome is not known at its time)."""
    return Dispute.opened(
        id=str(e["event_id"]),
        payment_id=pid,
        network=str(e["network"]),
        reason_code=str(e["reason_code"]),
        amount=_money(e),
        opened_at=e["at"],
    )


def _failure(pid: str, e: Event) -> PaymentFailure:
    code = str(e["decline_code"] or "05")
    iso = bool(_ISO.fullmatch(code))
    return PaymentFailure(
        id=str(e["event_id"]),
        payment_id=pid,
        merchant_id=str(e["merchant_id"]),
        amount=_money(e),
        network=str(e["network"]),
        network_decline_code=code if iso else None,
        decline_code=None if iso else code,
        merchant_advice_code=e["merchant_advice_code"] or None,
        declined_at=e["at"],
    )


def _merchants(history: Any) -> dict[str, Merchant]:
    out = {}
    for row in history.merchants.iter_rows(named=True):
        mid = str(row["merchant_id"])
        out[mid] = Merchant(
            id=mid,
            name=row.get("name") or mid,
            segment=row["segment"],
            market=row["market"],
            mcc=row.get("mcc") or None,
        )
    return out


def _payment_cases(
    pid: str,
    events: list[Event],
    merchants: dict[str, Merchant],
    covered: dict[str, list[tuple[str, datetime]]],
    kinds: frozenset[str],
) -> Iterator[Case]:
    for i, e in enumerate(events):
        at = e["at"]
        past = [p for p in events[:i] if p["at"] < at]
        kind = e["kind"]
        mid = str(e["merchant_id"])
        merchant = merchants.get(mid)
        claims = covered.get(pid, [])
        if kind == "authorization" and e["approved"] is False and "decline" in kinds:
            later = any(
                x["kind"] == "authorization" and x["approved"] and x["at"] > at for x in events
            )
            yield DeclineCase(
                id=str(e["event_id"]),
                at=at,
                failure=_failure(pid, e),
                merchant=merchant,
                realised_recovered=later,
            )
        elif kind == "refund" and "refund" in kinds:
            if any(c in _REFUND_CLAIMS and t <= at for c, t in claims):
                continue
            payment = _payment(pid, mid, past, e)
            request = RefundRequest(
                id=str(e["event_id"]),
                payment_id=pid,
                amount=_money(e),
                reason=e["refund_reason"] or "requested_by_customer",
                requested_at=at,
            )
            yield RefundCase(
                id=str(e["event_id"]), at=at, payment=payment, request=request, merchant=merchant
            )
        elif kind == "dispute" and "dispute" in kinds:
            if any(c == ClaimKind.DISPUTE_RECEIVED.value for c, _ in claims):
                continue
            yield DisputeCase(
                id=str(e["event_id"]),
                at=at,
                payment=_payment(pid, mid, past, e),
                dispute=_dispute(pid, e),
                merchant=merchant,
                realised_result=_RESULTS.get(str(e["outcome"] or "")),
            )


def _support_case(
    row: dict[str, Any], events: list[Event], merchants: dict[str, Merchant]
) -> TriageCase:
    at = row["opened_at"]
    pid = row["payment_id"]
    claim = row["claim"]
    past = [e for e in events if e["at"] < at]
    payments: tuple[Payment, ...] = ()
    dispute_id = None
    failure = None
    if pid is not None and past:
        anchor = past[-1]
        payment = _payment(pid, str(anchor["merchant_id"]), past, anchor)
        payments = (payment,)
        if claim == ClaimKind.DISPUTE_RECEIVED.value and payment.disputes:
            dispute_id = payment.disputes[-1].id
        declines = [e for e in past if e["kind"] == "authorization" and e["approved"] is False]
        if claim == ClaimKind.FAILED_PAYMENT.value and declines:
            failure = _failure(pid, declines[-1])
    mid = row["merchant_id"] or (payments[0].merchant_id if payments else None)
    named = (pid,) if pid is not None and claim != ClaimKind.DUPLICATE_CHARGE.value else ()
    case = SupportCase(
        id=str(row["case_id"]),
        claim=claim,
        merchant_id=mid,
        payment_ids=named if payments else (),
        dispute_id=dispute_id,
        opened_at=at,
    )
    operator = Operator(id=str(row["operator_id"]), tier=row["tier"])
    context = CaseContext(
        payments=payments,
        merchant=merchants.get(mid) if mid else None,
        failure=failure,
        operator=operator,
    )
    return TriageCase(
        id=str(row["case_id"]),
        at=at,
        case=case,
        context=context,
        realised_resolved_at=row["resolved_at"],
    )


def _kinds(kinds: Iterable[str]) -> frozenset[str]:
    known = {k.value for k in CaseKind}
    chosen = frozenset(str(k) for k in kinds)
    unknown = sorted(chosen - known)
    if unknown:
        raise ValidationFailed("kinds", "known_kind", f"{unknown} are not {sorted(known)}")
    return chosen


def cases_from_history(
    history: Any, *, kinds: Iterable[str] = ("refund", "dispute", "decline", "support")
) -> list[Case]:
    """The cases of a ``History``, in time order.

    Args:
        history: the history (``events``, ``merchants`` and ``cases`` tables).
        kinds: which kinds of case to build (``refund``, ``dispute``, ``decline``,
            ``support``).

    Returns:
        The cases, sorted by time (then id), each with only the events before it.

    Raises:
        ValidationFailed: a record that cannot become a case (``field`` names the table and
            the event or case id).
    """
    chosen = _kinds(kinds)
    for table in ("events", "merchants", "cases"):
        if not isinstance(getattr(history, table, None), pl.DataFrame):
            raise ValidationFailed(
                "history", "is_history", f"expected a History, got {type(history).__name__}"
            )
    merchants = _merchants(history)
    events: pl.DataFrame = history.events.sort(["payment_id", "at"], maintain_order=True)
    by_payment: dict[str, list[Event]] = defaultdict(list)
    for e in events.iter_rows(named=True):
        by_payment[str(e["payment_id"])].append(e)
    covered: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
    support_rows = list(history.cases.iter_rows(named=True))
    for row in support_rows:
        if row["payment_id"] is not None and "support" in chosen:
            covered[str(row["payment_id"])].append((row["claim"], row["opened_at"]))
    out: list[Case] = []
    for pid, evs in by_payment.items():
        try:
            out.extend(_payment_cases(pid, evs, merchants, covered, chosen))
        except (ValueError, TypeError) as exc:
            raise _fail(f"events[payment_id={pid}]", {"event_id": pid}, exc) from exc
    if "support" in chosen:
        for row in support_rows:
            try:
                evs = by_payment.get(str(row["payment_id"]), [])
                out.append(_support_case(row, evs, merchants))
            except (ValueError, TypeError) as exc:
                raise _fail(f"cases[case_id={row['case_id']}]", row, exc) from exc
    out.sort(key=lambda c: (c.at, c.id))
    return out
