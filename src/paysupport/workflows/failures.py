"""Failed payments: decline → classification → retry schedule or ask the customer → end.

`handle_decline` asks the retry policy (soft or hard, network advice, network retry
limits) and either schedules the next retry (``schedule_retry`` and `ScheduleRetry`)
or asks the customer to act (``require_customer_action`` and
`RequestNewPaymentMethod`). The host's scheduler runs the retry and feeds the result
to `record_retry_result`: recovered, or declined again and planned anew.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from paysupport import lifecycles
from paysupport.errors import InvalidTransition
from paysupport.models import Merchant, PaymentFailure, RecoveryStatus
from paysupport.models.failure import provider_decline_json
from paysupport.networks import DeclineCode
from paysupport.policies import RetryContext, RetryPlan, Verdict
from paysupport.policies.policy_set import DEFAULTS, PolicySet

from ._build import Builder
from .effects import NotifyCustomer, RequestNewPaymentMethod, ScheduleRetry
from .outcome import Outcome

__all__ = ["RetryResult", "give_up_recovery", "handle_decline", "record_retry_result"]


# Enum members read on every case, bound once: on Python 3.11 reading a member off its
# class goes through EnumType's attribute hook (about 0.2 µs); a module name does not.
_RETRY = Verdict.RETRY
_ASK_CUSTOMER = Verdict.ASK_CUSTOMER
_STOP = Verdict.STOP
_RECOVERED = RecoveryStatus.RECOVERED
_RETRY_SCHEDULED = RecoveryStatus.RETRY_SCHEDULED
_DECLINED = RecoveryStatus.DECLINED


@attrs.frozen(kw_only=True)
class RetryResult:
    """What a retry of a declined payment returned.

    Attributes:
        succeeded: the payment went through.
        decline_code: the PSP's decline code when it did not.
        network_decline_code: the ISO 8583 response code when it did not.
        merchant_advice_code: Mastercard's MAC, if sent.
        advice_code: Stripe's ``advice_code``, if sent.
        provider_decline: the PSP's record of ``decline_code``, filled at the provider
            boundary (``RetryResult(succeeded=False, **stripe_failure_fields(error))``).
    """

    succeeded: bool
    decline_code: str | None = None
    network_decline_code: str | None = None
    merchant_advice_code: str | None = None
    advice_code: str | None = None
    provider_decline: DeclineCode | None = None


def _ask(b: Builder, failure: PaymentFailure, ask: str, now: datetime) -> PaymentFailure:
    after = b.fire(lifecycles.recovery, failure, "require_customer_action", now=now, ask=ask)
    b.effect(
        RequestNewPaymentMethod(
            failure_id=failure.id, customer_id=failure.customer_id, ask=ask, attempt=failure.attempt
        )
    )
    return after


def _plan(
    b: Builder,
    failure: PaymentFailure,
    policies: PolicySet,
    merchant: Merchant | None,
    card_declines: Iterable[datetime],
    now: datetime,
) -> PaymentFailure:
    """Decide and act on a failure in ``declined``; return the new failure."""
    declines: Any = tuple(card_declines)
    decision = b.decide(policies.retry.decide(RetryContext(failure, declines, merchant), now))
    plan = decision.detail if isinstance(decision.detail, RetryPlan) else RetryPlan()
    if decision.outcome is _RETRY and plan.schedule:
        at = plan.schedule[0]
        try:
            after = b.fire(lifecycles.recovery, failure, "schedule_retry", now=now, retry_at=at)
        except InvalidTransition as exc:
            b.note("retry_refused_by_lifecycle", exc.reason)
            return _ask(b, failure, plan.ask or "new_payment_method", now)
        b.effect(
            ScheduleRetry(
                failure_id=failure.id,
                payment_id=failure.payment_id,
                attempt=failure.attempt + 1,
                at=at,
                amount=failure.amount,
            )
        )
        return after
    if decision.outcome is _ASK_CUSTOMER:
        return _ask(b, failure, plan.ask or "new_payment_method", now)
    if decision.outcome is _STOP:
        if failure.status is _RECOVERED:
            return failure
        after = b.fire(
            lifecycles.recovery, failure, "give_up", now=now, reason=", ".join(decision.codes)
        )
        b.note("recovery_stopped", "; ".join(decision.codes))
        return after
    b.note("needs_review", "; ".join(decision.codes))
    return failure


def handle_decline(
    failure: PaymentFailure,
    *,
    policies: PolicySet = DEFAULTS,
    merchant: Merchant | None = None,
    card_declines: Iterable[datetime] = (),
    now: datetime,
) -> Outcome:
    """Classify a decline and plan its recovery.

    Soft decline with retries left: ``retry_scheduled`` and `ScheduleRetry` for the
    first time of the policy's schedule. Hard decline, customer action needed or no retry
    left: ``needs_customer_action`` and `RequestNewPaymentMethod`. Stop (Mastercard
    MAC 21): ``exhausted``. Unknown codes: no change, note ``needs_review``.

    Handling a failure whose retry is already scheduled changes nothing and returns the
    same [`ScheduleRetry`][paysupport.workflows.ScheduleRetry] again.

    Args:
        failure: the declined payment, as the host has it.
        policies: the policies to consult.
        merchant: the merchant, if loaded.
        card_declines: other declines of the same card at the merchant (network limits).
        now: the time of the decision.
    """
    b = Builder()
    handle_decline_into(
        b, failure, policies=policies, merchant=merchant, card_declines=card_declines, now=now
    )
    return b.build()


def handle_decline_into(
    b: Builder,
    failure: PaymentFailure,
    *,
    policies: PolicySet = DEFAULTS,
    merchant: Merchant | None = None,
    card_declines: Iterable[datetime] = (),
    now: datetime,
) -> None:
    """`handle_decline` written into ``b``: for a workflow composing outcomes (triage).

    The same records in the same order as ``handle_decline`` gives; ``b.build()`` then
    equals its outcome when ``b`` was empty.
    """
    if failure.status is _RETRY_SCHEDULED and failure.next_retry_at is not None:
        b.note("already_scheduled", f"retry at {failure.next_retry_at.isoformat()}")
        b.effect(
            ScheduleRetry(
                failure_id=failure.id,
                payment_id=failure.payment_id,
                attempt=failure.attempt + 1,
                at=failure.next_retry_at,
                amount=failure.amount,
            )
        )
        return
    if failure.status is not _DECLINED:
        b.note("already_handled", f"failure {failure.id} is {failure.status.value}")
        return
    after = _plan(b, failure, policies, merchant, card_declines, now)
    if after is not failure:
        b.change(failure, after)


def record_retry_result(
    failure: PaymentFailure,
    result: RetryResult,
    *,
    policies: PolicySet = DEFAULTS,
    merchant: Merchant | None = None,
    card_declines: Iterable[datetime] = (),
    now: datetime,
) -> Outcome:
    """Record a retry's result: recovered, or declined again and planned anew.

    From ``retry_scheduled`` the retry is started first (it must be due). A success ends
    in ``recovered`` and tells the customer; a soft decline goes back to ``declined`` and
    `handle_decline`'s plan follows at once; a hard one ends in
    ``needs_customer_action`` with `RequestNewPaymentMethod`.

    Raises:
        InvalidTransition: the failure is not retrying (or its retry is not due yet).
    """
    b = Builder()
    f = failure
    if (
        f.status is RecoveryStatus.RETRY_SCHEDULED
        or f.status is RecoveryStatus.NEEDS_CUSTOMER_ACTION
    ):
        event = "start_retry" if f.status is RecoveryStatus.RETRY_SCHEDULED else "customer_acted"
        f = b.fire(lifecycles.recovery, f, event, now=now)
    if result.succeeded:
        f = b.fire(lifecycles.recovery, f, "retry_succeeded", now=now)
        b.effect(
            NotifyCustomer(
                customer_id=f.customer_id,
                template="payment_recovered",
                subject_id=f.id,
                params=(("amount", str(f.amount)),),
            )
        )
        b.change(failure, f)
        return b.build()
    codes = {
        k: v
        for k, v in attrs.asdict(result).items()
        if k not in ("succeeded", "provider_decline") and v is not None
    }
    if result.provider_decline is not None:  # event data holds text: the record as JSON
        codes["provider_decline"] = provider_decline_json(result.provider_decline)
    f = b.fire(lifecycles.recovery, f, "retry_failed", now=now, data=codes)
    if f.status is RecoveryStatus.NEEDS_CUSTOMER_ACTION:
        b.effect(
            RequestNewPaymentMethod(failure_id=f.id, customer_id=f.customer_id, attempt=f.attempt)
        )
    else:
        f = _plan(b, f, policies, merchant, card_declines, now)
    b.change(failure, f)
    return b.build()


def give_up_recovery(
    failure: PaymentFailure, *, now: datetime, reason: str | None = None
) -> Outcome:
    """End a recovery as ``exhausted`` (the customer never acted, the team stops).

    Raises:
        InvalidTransition: the failure is recovered, exhausted or retrying.
    """
    b = Builder()
    after = b.fire(lifecycles.recovery, failure, "give_up", now=now, reason=reason)
    b.change(failure, after)
    return b.build()
