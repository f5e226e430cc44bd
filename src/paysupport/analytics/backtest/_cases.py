"""The cases a backtest replays, and ``run_case``: one case through the real workflow.

A case holds exactly what the workflow takes (models as they were at the case's time ``at``)
plus, apart, what history later learnt about it (``realised_*``: how a dispute ended, when a
support case was resolved, whether a decline was recovered). The workflow never sees the
realised facts; the backtest uses them only to score a decision afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import TypeAlias

import attrs

from paysupport.errors import ValidationFailed
from paysupport.models import (
    Customer,
    Dispute,
    Merchant,
    Operator,
    Payment,
    PaymentFailure,
    RefundRequest,
    SupportCase,
)
from paysupport.policies import PolicySet
from paysupport.workflows import (
    CaseContext,
    DisputeResult,
    Outcome,
    handle_decline,
    request_refund,
    triage,
)
from paysupport.workflows.disputes import receive_and_respond

__all__ = [
    "Case",
    "CaseKind",
    "DeclineCase",
    "DisputeCase",
    "RefundCase",
    "TriageCase",
    "run_case",
]


class CaseKind(StrEnum):
    """Which workflow a case goes through."""

    REFUND = "refund"
    DISPUTE = "dispute"
    DECLINE = "decline"
    SUPPORT = "support"


def _aware(instance: object, attribute: attrs.Attribute[datetime], value: datetime) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationFailed(
            attribute.name, "timezone_aware", f"{attribute.name} must be a timezone-aware time"
        )


def _id(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value:
        raise ValidationFailed(attribute.name, "case_id_present", "a case needs a non-empty id")


def _same_id(field: str, want: str, got: str) -> None:
    if want != got:
        raise ValidationFailed(field, "belongs_to_payment", f"{field} is {got!r}, not {want!r}")


@attrs.frozen(slots=True, kw_only=True)
class RefundCase:
    """A refund request, decided by ``request_refund`` at ``at``.

    Attributes:
        id: the case id (unique within a backtest).
        at: when the request was made: the workflow's ``now``.
        payment: the payment as it was just before ``at``.
        request: the refund request.
        customer: the customer with the refunds they had before ``at``.
        merchant: the merchant (segment and market for the summaries).
        operator: the operator who handled it, if one did (their authority applies).
        related_payments: the customer's other payments made before ``at``.
    """

    id: str = attrs.field(validator=_id)
    at: datetime = attrs.field(validator=_aware)
    payment: Payment
    request: RefundRequest
    customer: Customer | None = None
    merchant: Merchant | None = None
    operator: Operator | None = None
    related_payments: tuple[Payment, ...] = attrs.field(default=(), converter=tuple)

    kind = CaseKind.REFUND

    def __attrs_post_init__(self) -> None:
        _same_id("request.payment_id", self.payment.id, self.request.payment_id)


@attrs.frozen(slots=True, kw_only=True)
class DisputeCase:
    """A dispute notice: ``receive_dispute``, then the response.

    The response (``respond_to_dispute``) is decided at the same
    ``at``, with the evidence the dispute carried when it arrived.

    Attributes:
        id: the case id.
        at: when the notice arrived (usually the dispute's ``opened_at``).
        payment: the disputed payment as it was just before ``at`` (without this dispute).
        dispute: the dispute as it was notified.
        merchant: the merchant.
        realised_result: how the dispute ended in history when it was contested (``won`` or
            ``lost``), for scoring only; ``None`` when unknown or not contested.
    """

    id: str = attrs.field(validator=_id)
    at: datetime = attrs.field(validator=_aware)
    payment: Payment
    dispute: Dispute
    merchant: Merchant | None = None
    realised_result: DisputeResult | None = attrs.field(
        default=None, converter=attrs.converters.optional(DisputeResult)
    )

    kind = CaseKind.DISPUTE

    def __attrs_post_init__(self) -> None:
        _same_id("dispute.payment_id", self.payment.id, self.dispute.payment_id)


@attrs.frozen(slots=True, kw_only=True)
class DeclineCase:
    """A declined payment, planned by ``handle_decline`` at ``at``.

    Attributes:
        id: the case id.
        at: when the decline happened.
        failure: the failure as it was declined (no retries yet).
        merchant: the merchant.
        card_declines: the card's other declines at the merchant before ``at``.
        realised_recovered: whether history recovered the payment (scoring only).
    """

    id: str = attrs.field(validator=_id)
    at: datetime = attrs.field(validator=_aware)
    failure: PaymentFailure
    merchant: Merchant | None = None
    card_declines: tuple[datetime, ...] = attrs.field(default=(), converter=tuple)
    realised_recovered: bool | None = None

    kind = CaseKind.DECLINE


@attrs.frozen(slots=True, kw_only=True)
class TriageCase:
    """A new support case, triaged and routed by ``triage``.

    Attributes:
        id: the case id.
        at: when the case was opened.
        case: the support case as it was opened (status ``new``).
        context: what a host would have loaded around it at ``at``.
        realised_resolved_at: when history resolved it (scoring the SLA only).
    """

    id: str = attrs.field(validator=_id)
    at: datetime = attrs.field(validator=_aware)
    case: SupportCase
    context: CaseContext = attrs.field(factory=CaseContext)
    realised_resolved_at: datetime | None = None

    kind = CaseKind.SUPPORT


#: Any case a backtest replays.
Case: TypeAlias = RefundCase | DisputeCase | DeclineCase | TriageCase

_CASE_TYPES = (RefundCase, DisputeCase, DeclineCase, TriageCase)


def check_case(case: object, index: int) -> Case:
    """``case`` when it is a backtest case; a typed error naming its position otherwise."""
    if not isinstance(case, _CASE_TYPES):
        raise ValidationFailed(
            f"cases.{index}",
            "is_case",
            f"cases[{index}] is a {type(case).__name__}, not a backtest case",
        )
    return case


def run_case(case: Case, policies: PolicySet) -> Outcome:
    """Run one case through its workflow with ``policies`` and ``now = case.at``.

    This is exactly the call a support tool makes (tested to be equal), so a backtest row is
    what production would have done with these policies.

    Args:
        case: the case.
        policies: the policies to decide with.

    Returns:
        The workflow's outcome.

    Raises:
        ValidationFailed: ``case`` is not a backtest case (``field`` is ``case``).
    """
    if not isinstance(case, _CASE_TYPES):
        raise ValidationFailed("case", "is_case", f"a {type(case).__name__} is not a case")
    now = case.at
    if isinstance(case, RefundCase):
        return request_refund(
            case.payment,
            case.request,
            policies=policies,
            customer=case.customer,
            merchant=case.merchant,
            operator=case.operator,
            related_payments=case.related_payments,
            now=now,
        )
    if isinstance(case, DisputeCase):
        # receive_dispute, then respond_to_dispute on the payment it returns, merged (the
        # accept/contest decision made once when both would make it on the same models).
        return receive_and_respond(
            case.payment, case.dispute, policies=policies, merchant=case.merchant, now=now
        )
    if isinstance(case, DeclineCase):
        return handle_decline(
            case.failure,
            policies=policies,
            merchant=case.merchant,
            card_declines=case.card_declines,
            now=now,
        )
    return triage(case.case, case.context, policies=policies, now=now)


def check_cases(cases: Sequence[object]) -> list[Case]:
    """Every item of ``cases`` checked to be a case (typed error naming the first that is not)."""
    return [check_case(c, i) for i, c in enumerate(cases)]
