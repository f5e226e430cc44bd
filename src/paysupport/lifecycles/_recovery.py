"""The recovery of a declined payment: retries, customer action, or giving up.

A hard decline (Visa category 1, Mastercard advice 03 or 21, a lost or stolen card) stops
the retries at once: no retry can be scheduled, and a retry that comes back hard moves the
failure to ``needs_customer_action`` (only a new payment method can help). How many retries
and when is the retry policy's business; the lifecycle enforces only the network's
"never retry" rules and the Mastercard advice code's minimum wait.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from statemachine import State

from paysupport.errors import UnknownCode
from paysupport.lifecycles._data import data_datetime
from paysupport.lifecycles._engine import Data, Lifecycle, LifecycleMachine, compiled, guard
from paysupport.models.failure import (
    PaymentFailure,
    RecoveryStatus,
    RetryAttempt,
    classify_decline,
    provider_decline_from_json,
)
from paysupport.networks import (
    DeclineCode,
    DeclineSeverity,
    MerchantAdviceCode,
    RetryAction,
    VisaDeclineCategory,
    merchant_advice_code,
)

__all__ = ["RecoveryMachine", "hard_decline_reason", "recovery"]

_CUSTOMER_ACTIONS = frozenset(
    {
        RetryAction.CUSTOMER_ACTION,
        RetryAction.NEW_PAYMENT_METHOD,
        RetryAction.UPDATE_CARD,
        RetryAction.FIX_DATA,
    }
)


def _provider_decline(data: Data) -> DeclineCode | None:
    """The provider's record of the reported ``decline_code`` (JSON in the event data)."""
    text = data.get("provider_decline")
    return provider_decline_from_json(text) if text else None


def _lookup_advice(code: str | None) -> MerchantAdviceCode | None:
    if not code:
        return None
    try:
        return merchant_advice_code(code)
    except UnknownCode:
        return None


def hard_decline_reason(
    decline: DeclineCode | None, advice: MerchantAdviceCode | None, on: dt.date
) -> str | None:
    """Why a decline is hard on ``on`` (never retry this credential), or ``None``.

    The same definition the retry policy applies: the Visa category in force on that date
    ([`severity_on`][paysupport.networks.DeclineCode.severity_on]; Visa moved some codes between
    categories, e.g. ``03`` from category 1 to 2 on 2021-04-17), or a Mastercard advice code
    that says never retry.
    """
    if advice is not None and advice.never_retry:
        return f"Mastercard advice {advice.code} ({advice.text}): never retry"
    if decline is None:
        return None
    if decline.visa_category_on(on) is VisaDeclineCategory.ISSUER_WILL_NEVER_APPROVE:
        return (
            f"decline {decline.code} ({decline.meaning}) is Visa category 1 on "
            f"{on.isoformat()}: never retry"
        )
    if decline.severity_on(on) is DeclineSeverity.HARD:
        return f"decline {decline.code} ({decline.meaning}) is hard: never retry"
    return None


def _customer_reason(
    decline: DeclineCode | None, advice: MerchantAdviceCode | None, advice_code: str | None
) -> str | None:
    if advice is not None and advice.action in _CUSTOMER_ACTIONS:
        return f"Mastercard advice {advice.code} ({advice.text}) needs the customer"
    if decline is not None and decline.action in _CUSTOMER_ACTIONS:
        return f"decline {decline.code} ({decline.meaning}) needs the customer"
    if advice_code == "confirm_card_data":
        return "the provider advises confirming the card data"
    return None


def _current(f: PaymentFailure) -> tuple[DeclineCode | None, MerchantAdviceCode | None]:
    return f.decline, f.advice


def _reported(data: Data) -> tuple[DeclineCode | None, MerchantAdviceCode | None]:
    return (
        classify_decline(
            data.get("network_decline_code"), data.get("decline_code"), _provider_decline(data)
        ),
        _lookup_advice(data.get("merchant_advice_code")),
    )


# ---------------------------------------------------------------------- guards
@guard()
def retry_allowed(f: PaymentFailure, now: datetime, data: Data, actor: str | None) -> str | None:
    """The decline is soft and needs no customer action: a plain retry can work."""
    decline, advice = _current(f)
    return hard_decline_reason(decline, advice, now.date()) or _customer_reason(
        decline, advice, f.advice_code
    )


@guard()
def retry_time_valid(f: PaymentFailure, now: datetime, data: Data, actor: str | None) -> str | None:
    """``retry_at`` is given, not in the past, and respects the advice code's minimum wait."""
    at = data_datetime(data.get("retry_at"))
    if at is None:
        return "event data needs 'retry_at' (ISO 8601, timezone-aware)"
    if at < now:
        return f"retry_at {at.isoformat()} is in the past"
    advice = f.advice
    if advice is not None and advice.retry_after is not None:
        earliest = f.last_attempt_at + advice.retry_after
        if at < earliest:
            return f"Mastercard advice {advice.code} asks to wait until {earliest.isoformat()}"
    return None


@guard()
def retry_due(f: PaymentFailure, now: datetime, data: Data, actor: str | None) -> str | None:
    """The scheduled retry time has come."""
    if f.next_retry_at is not None and now < f.next_retry_at:
        return f"the retry is scheduled for {f.next_retry_at.isoformat()}"
    return None


@guard()
def decline_reported(f: PaymentFailure, now: datetime, data: Data, actor: str | None) -> str | None:
    """The failed retry reports a decline code or a network decline code."""
    if not data.get("decline_code") and not data.get("network_decline_code"):
        return "event data needs 'decline_code' or 'network_decline_code'"
    record = _provider_decline(data)
    if record is not None and record.code != data.get("decline_code"):
        return f"provider_decline classifies {record.code!r}, not decline_code"
    return None


@guard()
def stops_retries(f: PaymentFailure, now: datetime, data: Data, actor: str | None) -> str | None:
    """The new decline is hard or needs the customer: retries stop."""
    decline, advice = _reported(data)
    if hard_decline_reason(decline, advice, now.date()) or _customer_reason(
        decline, advice, data.get("advice_code")
    ):
        return None
    return "the new decline is soft"


# ---------------------------------------------------------------------- effects
def _schedule(f: PaymentFailure, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
    return {"next_retry_at": data_datetime(data["retry_at"])}


def _succeeded(
    f: PaymentFailure, now: datetime, data: Data, actor: str | None
) -> Mapping[str, Any]:
    attempt = RetryAttempt(at=now, succeeded=True)
    return {"attempts": (*f.attempts, attempt), "attempt": f.attempt + 1, "next_retry_at": None}


def _failed(f: PaymentFailure, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
    codes = {
        key: data.get(key) or None
        for key in ("decline_code", "network_decline_code", "merchant_advice_code")
    }
    attempt = RetryAttempt(at=now, succeeded=False, **codes)
    return {
        **codes,
        "provider_decline": _provider_decline(data),
        "advice_code": data.get("advice_code") or None,
        "attempts": (*f.attempts, attempt),
        "attempt": f.attempt + 1,
        "next_retry_at": None,
    }


def _clear(f: PaymentFailure, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
    return {"next_retry_at": None}


# ---------------------------------------------------------------------- machine
class RecoveryMachine(LifecycleMachine):
    """Failed-payment recovery: declined, retry scheduled, retrying, recovered or not."""

    declined = State("Declined", value=RecoveryStatus.DECLINED, initial=True)
    retry_scheduled = State("Retry scheduled", value=RecoveryStatus.RETRY_SCHEDULED)
    retrying = State("Retrying", value=RecoveryStatus.RETRYING)
    needs_customer_action = State(
        "Needs customer action", value=RecoveryStatus.NEEDS_CUSTOMER_ACTION
    )
    recovered = State("Recovered", value=RecoveryStatus.RECOVERED, final=True)
    exhausted = State("Exhausted", value=RecoveryStatus.EXHAUSTED, final=True)

    schedule_retry = declined.to(retry_scheduled, cond=[retry_allowed, retry_time_valid])
    start_retry = retry_scheduled.to(retrying, cond=retry_due)
    retry_succeeded = retrying.to(recovered)
    retry_failed = retrying.to(
        needs_customer_action, cond=[decline_reported, stops_retries]
    ) | retrying.to(declined, cond=decline_reported)
    require_customer_action = declined.to(needs_customer_action) | retry_scheduled.to(
        needs_customer_action
    )
    customer_acted = needs_customer_action.to(retrying)
    give_up = (
        declined.to(exhausted) | retry_scheduled.to(exhausted) | needs_customer_action.to(exhausted)
    )

    lifecycle_name = "recovery"
    started_at = "declined_at"
    effects = MappingProxyType(
        {
            "schedule_retry": _schedule,
            "retry_succeeded": _succeeded,
            "retry_failed": _failed,
            "require_customer_action": _clear,
            "give_up": _clear,
        }
    )


#: The compiled failed-payment recovery lifecycle.
recovery: Lifecycle[PaymentFailure] = compiled(RecoveryMachine)
