"""Workflows: what a support tool calls. Pure functions from models, policies and ``now``.

Each workflow takes models, a `PolicySet` and ``now``, and returns an
`Outcome`: the decisions made, the aggregates changed (new versions, with the version
they were computed against), the lifecycle events fired, and the `effects` the host
must carry out. The library opens no connection and reads no clock. The host executes the
effects through its adapters ([`ports`][paysupport.ports]), feeds results back in, and stores
the changes with `commit`, which refuses a stale outcome (`ConflictError`).

- Refunds: `request_refund`, `approve_refund`, `deny_refund`,
  [`settle_refund`][paysupport.workflows.settle_refund].
- Disputes: `receive_dispute`, `respond_to_dispute`, `settle_dispute`.
- Failed payments: `handle_decline`, `record_retry_result`,
  [`give_up_recovery`][paysupport.workflows.give_up_recovery].
- Support cases: `triage` (the entry point), `escalate_if_sla_near`,
  `resolve`, `reopen`, `close`.
- Webhooks: [`apply_provider_event`][paysupport.workflows.apply_provider_event].
"""

from .cases import CaseContext, close, escalate_if_sla_near, reopen, resolve, triage
from .disputes import DisputeResult, receive_dispute, respond_to_dispute, settle_dispute, submit_by
from .effects import (
    AcceptDispute,
    AssignCase,
    CancelPayment,
    Effect,
    IssueRefund,
    NotifyCustomer,
    RecordDisputeLoss,
    RequestApproval,
    RequestEvidence,
    RequestNewPaymentMethod,
    ScheduleRetry,
    SubmitEvidence,
    idempotency_key,
)
from .failures import RetryResult, give_up_recovery, handle_decline, record_retry_result
from .outcome import (
    Aggregate,
    AggregateKey,
    Change,
    Note,
    Outcome,
    Transition,
    combine,
    commit,
    key_of,
    version_of,
)
from .provider_events import ProviderNotice, apply_provider_event
from .refunds import (
    RefundResult,
    approve_refund,
    deny_refund,
    refund_id_for,
    request_refund,
    settle_refund,
)

__all__ = [
    "AcceptDispute",
    "Aggregate",
    "AggregateKey",
    "AssignCase",
    "CancelPayment",
    "CaseContext",
    "Change",
    "DisputeResult",
    "Effect",
    "IssueRefund",
    "Note",
    "NotifyCustomer",
    "Outcome",
    "ProviderNotice",
    "RecordDisputeLoss",
    "RefundResult",
    "RequestApproval",
    "RequestEvidence",
    "RequestNewPaymentMethod",
    "RetryResult",
    "ScheduleRetry",
    "SubmitEvidence",
    "Transition",
    "apply_provider_event",
    "approve_refund",
    "close",
    "combine",
    "commit",
    "deny_refund",
    "escalate_if_sla_near",
    "give_up_recovery",
    "handle_decline",
    "idempotency_key",
    "key_of",
    "receive_dispute",
    "record_retry_result",
    "refund_id_for",
    "reopen",
    "request_refund",
    "resolve",
    "respond_to_dispute",
    "settle_dispute",
    "settle_refund",
    "submit_by",
    "triage",
    "version_of",
]
