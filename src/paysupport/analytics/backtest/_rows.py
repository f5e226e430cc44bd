"""One row per case: what the workflow decided, read from its outcome, in columns.

Every figure is read from the ``Outcome`` (decisions, effects,
notes, new models) and the case; no policy rule is re-implemented here. Expected dispute
figures come from the values the deciding rule recorded (``chance``, ``dispute_fee``,
``arbitration_fee``, ``handling_cost``): the decision's own explanation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from paysupport.models import SupportCase
from paysupport.money import Money
from paysupport.policies import Decision, Reason
from paysupport.workflows import (
    AssignCase,
    DisputeResult,
    IssueRefund,
    Outcome,
    RequestApproval,
)

from ._cases import Case, DeclineCase, DisputeCase, RefundCase, TriageCase

__all__ = ["ROW_SCHEMA", "SUMMARY_SCHEMA", "RowBuffer", "batch_of", "main_decision", "row_of"]

_STR = pa.string()
_INT = pa.int64()
_BOOL = pa.bool_()
_LIST = pa.list_(pa.string())

#: The columns of a backtest's rows, in order (see the backtests guide for each meaning).
ROW_SCHEMA = pa.schema(
    [
        ("case_id", _STR),
        ("kind", _STR),
        ("at", pa.timestamp("us", tz="UTC")),
        ("period", _STR),
        ("merchant_id", _STR),
        ("segment", _STR),
        ("market", _STR),
        ("network", _STR),
        ("reason_code", _STR),
        ("currency", _STR),
        ("amount_minor", _INT),
        ("policy", _STR),
        ("verdict", _STR),
        ("reason_codes", _LIST),
        ("fingerprint", _STR),
        ("decisions", _LIST),
        ("rules", _LIST),
        ("tier", _STR),
        ("effects", _LIST),
        ("notes", _LIST),
        ("refund_minor", _INT),
        ("approval_needed", _BOOL),
        ("approval_minor", _INT),
        ("approval_tier", _STR),
        ("contested", _BOOL),
        ("accepted", _BOOL),
        ("expected_win_minor", _INT),
        ("fees_minor", _INT),
        ("expected_loss_minor", _INT),
        ("realised_won", _BOOL),
        ("realised_loss_minor", _INT),
        ("sla_breach", _BOOL),
    ]
)
#: The columns the summaries read (``_summary``: the cube's keys and every figure's inputs),
#: in ``ROW_SCHEMA`` order: the rows of a run that keeps none.
SUMMARY_SCHEMA = pa.schema(
    [
        f
        for f in ROW_SCHEMA
        if f.name
        in {
            "kind",
            "period",
            "segment",
            "market",
            "network",
            "reason_code",
            "currency",
            "verdict",
            "tier",
            "refund_minor",
            "approval_needed",
            "approval_minor",
            "approval_tier",
            "contested",
            "accepted",
            "expected_win_minor",
            "fees_minor",
            "expected_loss_minor",
            "realised_won",
            "realised_loss_minor",
            "sla_breach",
        }
    ]
)
_FEES = ("dispute_fee", "arbitration_fee", "handling_cost")
_BREACH_NOTES = frozenset({"deadline_passed", "inside_safety_margin"})
#: The realised results a contested dispute counts as won (members read once, not per row).
_WON = (DisputeResult.WON, DisputeResult.REVERSED)
# Enums are read with ``str()``: every enum a row reads is a ``StrEnum``, whose ``str()`` is
# its value (much cheaper than the ``.value`` property, which matters at a million rows);
# a raw string (an uncatalogued network) stays as it is.


def main_decision(case: Case, outcome: Outcome) -> Decision | None:
    """The decision a row reports for a case (``None`` when the workflow decided nothing).

    Refund and decline: the first decision (refund fairness, retry). Dispute: the last (the
    accept/contest decision of the response). Support case: the first decision of the
    routed workflow (after escalation and resolution), else the escalation decision.
    """
    ds = outcome.decisions
    if not ds:
        return None
    if isinstance(case, DisputeCase):
        return ds[-1]
    if isinstance(case, TriageCase) and len(ds) > 2:
        return ds[2]
    return ds[0]


def _rule(decision: Decision, reason: Reason) -> str:
    """``policy.rule:code``; the reason's own policy when a combinator passed it on."""
    policy = getattr(reason, "policy", "") or decision.policy.kind
    return f"{policy}.{reason.rule}:{reason.code}"


def _minor(value: object) -> int:
    """A recorded amount in minor units: a ``Money`` or a bare integer of minor units."""
    if isinstance(value, Money):
        return value.minor
    if isinstance(value, int):
        return value
    raise TypeError(f"{value!r} is not an amount")


def _times(amount: int, chance: Decimal) -> int:
    """``amount × chance`` rounded half to even: exact, in integers (``chance`` is finite)."""
    numerator, denominator = chance.as_integer_ratio()
    whole, rest = divmod(amount * numerator, denominator)
    twice = 2 * rest
    if twice > denominator or (twice == denominator and whole % 2):
        whole += 1
    return whole


#: The cases with realised figures (`_realised`, `_sla_breach`: None for the others).
_REALISED_KINDS = (DisputeCase, TriageCase)
#: The verdicts with expected figures (`_expected` gives None for the others).
_EXPECTED_VERDICTS = frozenset({"accept", "contest"})
#: The values an expected-value reason records: the chance and every fee.
_EXPECTED_KEYS = frozenset({"chance", *_FEES})


def _expected(
    decision: Decision, verdict: str, amount: int
) -> tuple[int | None, int | None, int | None]:
    """Expected win, fees and loss (minor units) of an accept or contest decision."""
    if verdict == "accept":
        return 0, 0, amount
    if verdict != "contest":
        return None, None, None
    for reason in decision.reasons:
        if len(reason.values) < len(_EXPECTED_KEYS):  # too few pairs to hold every key
            continue
        values = dict(reason.values)
        if values.keys() >= _EXPECTED_KEYS:
            chance = values["chance"]
            exact = chance if type(chance) is Decimal else Decimal(str(chance))
            win = _times(amount, exact)
            fees = _minor(values["dispute_fee"])
            fees += _minor(values["arbitration_fee"]) + _minor(values["handling_cost"])
            return win, fees, amount - win + fees
    return None, None, None


def _realised(
    case: Case, verdict: str | None, amount: int, fees: int | None
) -> tuple[bool | None, int | None]:
    if not isinstance(case, DisputeCase):
        return None, None
    if verdict == "accept":
        return False, amount
    result = case.realised_result
    if verdict != "contest" or result is None:
        return None, None
    won = result in _WON
    if fees is None:
        return won, None
    return won, fees if won else amount + fees


def _labels(case: Case) -> tuple[Any, ...]:
    """merchant_id, merchant, network, reason_code, stake minor units, stake currency.

    Read as integers and codes (no ``Money`` is built): the stake of a refund case is the
    amount asked for, else what is refundable (``Payment.amounts().refundable``).
    """
    # Models are read through ``__dict__`` once each: every attribute read on a model takes
    # pydantic's ``__getattr__`` hook (the fields are plain values there).
    if isinstance(case, RefundCase):
        p = case.payment.__dict__
        card = p["payment_method"].__dict__["card"]
        request = case.request.__dict__
        asked = request["amount"]
        if asked is not None:
            minor, currency = asked.minor, asked.currency.code
        else:
            minor, currency = case.payment.amounts().refundable, p["amount"].currency.code
        return (
            p["merchant_id"],
            case.merchant,
            str(card.__dict__["brand"]) if card is not None else None,
            str(request["reason"]),
            minor,
            currency,
        )
    if isinstance(case, DisputeCase):
        d = case.dispute.__dict__
        money = d["amount"]
        return (
            case.payment.__dict__["merchant_id"],
            case.merchant,
            str(d["network"]),
            d["reason_code"],
            money.minor,
            money.currency.code,
        )
    if isinstance(case, DeclineCase):
        f = case.failure.__dict__
        money = f["amount"]
        network = f["network"]
        return (
            f["merchant_id"],
            case.merchant,
            str(network) if network is not None else None,
            f["network_decline_code"] or f["decline_code"],
            money.minor,
            money.currency.code,
        )
    return _support_labels(case)


def _support_labels(case: TriageCase) -> tuple[Any, ...]:
    ctx = case.context
    sc = case.case
    payments = ctx.payments
    wanted = sc.dispute_id
    dispute = None
    if wanted is not None:  # a dispute's id is never None: no search without one
        dispute = next(
            (d for p in payments for d in p.__dict__["disputes"] if d.__dict__["id"] == wanted),
            None,
        )
    network: str | None = None
    stake: Money | None = None
    if dispute is not None:
        network, stake = str(dispute.network), dispute.amount
    elif ctx.failure is not None:
        f = ctx.failure
        network = str(f.network) if f.network is not None else None
        stake = f.amount
    elif payments:
        card = payments[0].payment_method.card
        network = str(card.brand) if card else None
        stake = payments[0].amount
    merchant_id = sc.merchant_id or (payments[0].merchant_id if payments else None)
    minor = stake.minor if stake is not None else None
    currency = stake.currency.code if stake is not None else None
    return merchant_id, ctx.merchant, network, str(sc.claim), minor, currency


def _sla_breach(case: Case, outcome: Outcome) -> bool | None:
    if isinstance(case, DisputeCase):
        for n in outcome.notes:  # noqa: SIM110 - a loop: no generator per row
            if n.code in _BREACH_NOTES:
                return True
        return False
    if isinstance(case, TriageCase) and case.realised_resolved_at is not None:
        after = outcome.after("case", case.case.id)
        due = after.sla_due_at if isinstance(after, SupportCase) else case.case.sla_due_at
        return None if due is None else case.realised_resolved_at > due
    return None


def _from_effects(
    outcome: Outcome, decision: Decision | None
) -> tuple[int, bool, int, str | None, str | None]:
    """refund_minor, approval_needed, approval_minor, tier, approval_tier: one pass.

    The tier handling the case is the case assignment's tier, else the approval's (four
    eyes), else the decision's.
    """
    refund = approval = 0
    approval_needed = False
    assigned: str | None = None
    approver: str | None = None
    for e in outcome.effects:
        if isinstance(e, IssueRefund):
            refund += e.amount.minor
        elif isinstance(e, RequestApproval):
            approval_needed = True
            approval += e.amount.minor
            if approver is None:
                approver = str(e.tier)
        elif isinstance(e, AssignCase) and assigned is None:
            assigned = str(e.tier)
    handling = assigned or approver
    if handling is None and decision is not None and decision.tier is not None:
        handling = str(decision.tier)
    return refund, approval_needed, approval, handling, approver


#: Periods by ``year * 12 + month``: a million rows share a few dozen strings.
_PERIODS: dict[int, str] = {}


def _period(case: Case) -> tuple[datetime, str]:
    """The case's time in UTC and its UTC month (``"2026-03"``), as the at column."""
    at = case.at
    if at.tzinfo is not UTC:  # a case's time is most often in UTC already
        at = at.astimezone(UTC)
    year, month = at.year, at.month
    key = year * 12 + month  # an int: no tuple built and hashed per row
    period = _PERIODS.get(key)
    if period is None:
        period = f"{year:04d}-{month:02d}"
        if len(_PERIODS) < 100_000:
            _PERIODS[key] = period
    return at, period


def row_of(case: Case, outcome: Outcome, *, full: bool = True) -> tuple[Any, ...]:
    """The row of one case, in ``ROW_SCHEMA`` order (``full=False``: ``SUMMARY_SCHEMA``).

    A run that keeps no rows needs only the columns its summaries read; the others (ids,
    times, lists of codes, rules, effects and notes) are then not built.
    """
    _merchant_id, merchant, network, reason_code, stake, currency = _labels(case)
    decision = main_decision(case, outcome)
    amount = stake if stake is not None else 0
    refund, approval_needed, approval, tier, approval_tier = _from_effects(outcome, decision)
    verdict: str | None = None
    win = fees = loss = won = realised_loss = breach = None
    if decision is not None:
        verdict = str(decision.outcome)
        if verdict in _EXPECTED_VERDICTS:
            win, fees, loss = _expected(decision, verdict, amount)
    if isinstance(case, _REALISED_KINDS):  # the only cases with realised figures
        if isinstance(case, DisputeCase):
            won, realised_loss = _realised(case, verdict, amount, fees)
        breach = _sla_breach(case, outcome)
    at, period = _period(case)
    if merchant is not None:
        fields = merchant.__dict__
        segment: str | None = str(fields["segment"])
        market: str | None = fields["market"]
    else:
        segment = market = None
    # The result columns, in the order both schemas end with (one definition of it).
    results = (
        refund,
        approval_needed,
        approval,
        approval_tier,
        verdict == "contest",
        verdict == "accept",
        win,
        fees,
        loss,
        won,
        realised_loss,
        breach,
    )
    if not full:
        return (
            str(case.kind),
            period,
            segment,
            market,
            network,
            reason_code,
            currency,
            verdict,
            tier,
            *results,
        )
    return (
        case.id,
        str(case.kind),
        at,
        period,
        _merchant_id,
        segment,
        market,
        network,
        reason_code,
        currency,
        amount,
        decision.policy.kind if decision is not None else None,
        verdict,
        list(decision.codes) if decision is not None else [],
        decision.policy.fingerprint if decision is not None else None,
        [f"{d.policy.kind}:{d.outcome!s}" for d in outcome.decisions],
        [_rule(d, r) for d in outcome.decisions for r in d.reasons],
        tier,
        [e.kind for e in outcome.effects],
        [n.code for n in outcome.notes],
        *results,
    )


class RowBuffer:
    """Collects rows and hands them over as one Arrow record batch (columns built at the end).

    Args:
        schema: the rows' schema: ``ROW_SCHEMA`` (``row_of``) or ``SUMMARY_SCHEMA``
            (``row_of(..., full=False)``).
    """

    __slots__ = ("_rows", "_schema")

    def __init__(self, schema: pa.Schema = ROW_SCHEMA) -> None:
        self._rows: list[tuple[Any, ...]] = []
        self._schema = schema

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, row: tuple[Any, ...]) -> None:
        """Append one row (from ``row_of``)."""
        self._rows.append(row)

    def to_batch(self) -> pa.RecordBatch:
        """The rows so far as a record batch of the buffer's schema."""
        return batch_of(self._rows, self._schema)


def batch_of(rows: Sequence[tuple[Any, ...]], schema: pa.Schema) -> pa.RecordBatch:
    """Rows (from ``row_of``) as one record batch of ``schema``, built column by column."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    arrays = [pa.array(col, type=field.type) for col, field in zip(columns, schema, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
