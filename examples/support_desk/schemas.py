"""Request bodies of the API that are not the library's own models.

Where a body *is* a library record (a payment, an operator, a dispute notice, a decline, a
case), the API takes the library's JSON as it is and validates it with the model, so the
rules and their error codes are the library's (422 names each broken rule).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RefundRequestIn(_Body):
    """A refund request; ``id`` is the client's request id (send it again to retry safely).

    ``amount`` is the library's Money JSON, ``{"minor": 1234, "currency": "EUR"}`` (as every
    response shows it), or ``{"amount": "12.34", "currency": "EUR"}``, or absent (everything
    left).
    ``requested_at`` defaults to the service's clock.
    """

    id: str
    payment_id: str
    amount: dict[str, Any] | None = None
    reason: str = "requested_by_customer"
    requested_by: str = "customer"
    requester_id: str | None = None
    requested_at: datetime | None = None
    goods_returned: bool | None = None
    correct_amount: dict[str, Any] | None = None
    duplicate_of: str | None = None
    note: str | None = None
    operator_id: str | None = Field(
        default=None, description="the operator filing the request (their authority applies)"
    )

    def request_fields(self) -> dict[str, Any]:
        """The fields of the library's RefundRequest."""
        return self.model_dump(exclude={"operator_id"}, exclude_none=True)


class OperatorAction(_Body):
    """An operator acting on something (approve, deny, respond)."""

    operator_id: str
    reason: str | None = None


class EvidenceIn(_Body):
    """Documents for a dispute: each ``{"kind": ..., "description": ..., "reference": ...}``."""

    evidence: list[dict[str, Any]]


class RespondIn(_Body):
    """Answer a dispute: contest (``true``), accept (``false``) or as the policy says."""

    operator_id: str | None = None
    contest: bool | None = None
    force: bool = False
    due_by: datetime | None = Field(
        default=None, description="the provider's deadline, for a stage with none on file"
    )


class RetryResultIn(_Body):
    """The result of a retry run elsewhere (a billing system)."""

    succeeded: bool
    decline_code: str | None = None
    network_decline_code: str | None = None
    merchant_advice_code: str | None = None
    advice_code: str | None = None


class CaseAction(_Body):
    """An operator (or the customer writing back) acting on a case: resolve, reopen."""

    operator_id: str | None = None
    reason: str | None = None


class CaseIn(_Body):
    """A customer's claim: the library's SupportCase JSON, plus optional context ids."""

    case: dict[str, Any]
    operator_id: str | None = None
    failure_id: str | None = None
    refund_amount: dict[str, Any] | None = None
