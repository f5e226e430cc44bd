"""The life of a card payment: authorization, (partial) capture, void, refunds.

Disputes are an overlay, not states: a disputed payment keeps its settlement status, and
the refund guard reads its open disputes (a refund while a chargeback is open is refused
unless the provider marks the charge refundable, Stripe's ``is_charge_refundable``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from statemachine import State

from paysupport.lifecycles._data import data_money, missing, money_problem
from paysupport.lifecycles._engine import Data, Lifecycle, LifecycleMachine, compiled, guard
from paysupport.models.payment import Capture, Payment, PaymentStatus
from paysupport.models.refund import Refund, RefundStatus
from paysupport.money import Money

__all__ = ["PaymentMachine", "payment"]

#: Read as a module name: on Python 3.11 ``RefundStatus.SUCCEEDED`` takes EnumType's hook.
_SUCCEEDED = RefundStatus.SUCCEEDED


# ---------------------------------------------------------------------- guards
def _capture_amount(p: Payment, data: Data) -> Money:
    text = data.get("amount")
    return data_money(text) if text else p.amount_capturable


@guard()
def within_capturable(p: Payment, now: datetime, data: Data, actor: str | None) -> str | None:
    """The capture is above zero, in the payment's currency, and at most what is capturable."""
    if "amount" in data and (why := money_problem(data["amount"], p.currency)):
        return why
    amount = _capture_amount(p, data)
    capturable = p.amount_capturable
    if not capturable.is_positive():
        return "nothing is left to capture"
    if amount > capturable:
        return f"capture of {amount} exceeds the capturable {capturable}"
    return None


@guard()
def keeps_remainder(p: Payment, now: datetime, data: Data, actor: str | None) -> str | None:
    """Multicapture is on and the capture leaves part of the authorization open."""
    if not p.multicapture:
        return "multicapture is off: a partial capture releases the rest"
    if _capture_amount(p, data) >= p.amount_capturable:
        return "the capture takes everything capturable"
    return None


def _existing_refund(p: Payment, refund_id: str) -> Refund | None:
    return next((r for r in p.refunds if r.id == refund_id), None)


def _refund_amount(p: Payment, data: Data) -> Money:
    text = data.get("amount")
    if text:
        return data_money(text)
    existing = _existing_refund(p, data["refund_id"])
    if existing is not None:
        return existing.amount
    return p.amount_refundable


@guard()
def within_refundable(p: Payment, now: datetime, data: Data, actor: str | None) -> str | None:
    """The refund is above zero and at most what was captured and is not yet refunded."""
    if why := missing(data, "refund_id"):
        return why
    if "amount" in data and (why := money_problem(data["amount"], p.currency)):
        return why
    amount = _refund_amount(p, data)
    available = p.amount_refundable
    existing = _existing_refund(p, data["refund_id"])
    if existing is not None:
        if not existing.status.holds_funds or existing.status is _SUCCEEDED:
            return f"refund {existing.id!r} is already {existing.status.value}"
        if existing.amount != amount:
            return f"refund {existing.id!r} is for {existing.amount}, not {amount}"
        available = available + existing.amount
    if not amount.is_positive():
        return "nothing is left to refund"
    if amount > available:
        return f"refund of {amount} exceeds the refundable {available}"
    return None


@guard()
def no_open_chargeback(p: Payment, now: datetime, data: Data, actor: str | None) -> str | None:
    """No open chargeback (or later stage) blocks a refund, unless the charge is refundable."""
    for d in p.disputes:
        if d.blocks_refund:
            return (
                f"dispute {d.id!r} is open at the {d.stage.value} stage and the charge is not "
                "refundable: answer the dispute instead of refunding twice"
            )
    return None


@guard()
def completes_refund(p: Payment, now: datetime, data: Data, actor: str | None) -> str | None:
    """After this refund, everything captured has been refunded."""
    if p.amount_refunded + _refund_amount(p, data) != p.amount_captured:
        return "the refund leaves part of the capture unrefunded"
    return None


def _reversible(p: Payment, data: Data) -> Refund | None:
    refund_id = data.get("refund_id")
    found = _existing_refund(p, refund_id) if refund_id else None
    return found if found is not None and found.status is _SUCCEEDED else None


@guard()
def refund_succeeded(p: Payment, now: datetime, data: Data, actor: str | None) -> str | None:
    """The named refund exists on the payment and had succeeded."""
    if why := missing(data, "refund_id"):
        return why
    if _reversible(p, data) is None:
        return f"no succeeded refund {data['refund_id']!r} on the payment"
    return None


@guard()
def other_refunds_remain(p: Payment, now: datetime, data: Data, actor: str | None) -> str | None:
    """Other succeeded refunds remain once this one is reversed."""
    refund = _reversible(p, data)
    if refund is None or p.amount_refunded == refund.amount:
        return "no other succeeded refund remains"
    return None


# ---------------------------------------------------------------------- effects
def _capture(p: Payment, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
    capture_id = data.get("capture_id") or f"{p.id}-capture-{len(p.captures) + 1}"
    return {
        "captures": (
            *p.captures,
            Capture(id=capture_id, amount=_capture_amount(p, data), captured_at=now),
        )
    }


def _refund(p: Payment, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
    amount = _refund_amount(p, data)
    existing = _existing_refund(p, data["refund_id"])
    if existing is not None:
        done = existing.model_copy(update={"status": RefundStatus.SUCCEEDED})
    else:
        done = Refund(
            id=data["refund_id"],
            payment_id=p.id,
            amount=amount,
            status=RefundStatus.SUCCEEDED,
            created_at=now,
        )
    return {"refunds": _replace(p.refunds, done)}


def _reverse_refund(p: Payment, now: datetime, data: Data, actor: str | None) -> Mapping[str, Any]:
    refund = _existing_refund(p, data["refund_id"])
    assert refund is not None  # the guard checked it
    return {
        "refunds": _replace(p.refunds, refund.model_copy(update={"status": RefundStatus.REVERSED}))
    }


def _replace(refunds: tuple[Refund, ...], new: Refund) -> tuple[Refund, ...]:
    if any(r.id == new.id for r in refunds):
        return tuple(new if r.id == new.id else r for r in refunds)
    return (*refunds, new)


# ---------------------------------------------------------------------- machine
class PaymentMachine(LifecycleMachine):
    """Card payment: authorize, capture (partial or full), void, refund, refund reversal."""

    # A captured payment lives on (refunds can be reversed), so not every state leads to a
    # final one; python-statemachine's reachability check does not apply.
    validate_final_reachability = False

    pending = State("Pending", value=PaymentStatus.PENDING, initial=True)
    authorized = State("Authorized", value=PaymentStatus.AUTHORIZED)
    partially_captured = State("Partially captured", value=PaymentStatus.PARTIALLY_CAPTURED)
    captured = State("Captured", value=PaymentStatus.CAPTURED)
    partially_refunded = State("Partially refunded", value=PaymentStatus.PARTIALLY_REFUNDED)
    refunded = State("Refunded", value=PaymentStatus.REFUNDED)
    canceled = State("Canceled", value=PaymentStatus.CANCELED, final=True)
    failed = State("Failed", value=PaymentStatus.FAILED, final=True)

    authorize = pending.to(authorized)
    fail = pending.to(failed)
    cancel = pending.to(canceled) | authorized.to(canceled)
    expire = authorized.to(canceled)
    capture = (
        authorized.to(partially_captured, cond=[within_capturable, keeps_remainder])
        | authorized.to(captured, cond=within_capturable)
        | partially_captured.to(partially_captured, cond=[within_capturable, keeps_remainder])
        | partially_captured.to(captured, cond=within_capturable)
    )
    release_remainder = partially_captured.to(captured)
    refund = (
        captured.to(refunded, cond=[within_refundable, no_open_chargeback, completes_refund])
        | captured.to(partially_refunded, cond=[within_refundable, no_open_chargeback])
        | partially_refunded.to(
            refunded, cond=[within_refundable, no_open_chargeback, completes_refund]
        )
        | partially_refunded.to(partially_refunded, cond=[within_refundable, no_open_chargeback])
    )
    # The provider confirms money went back: a fact, recorded even if a chargeback opened
    # while the refund was pending (the open-chargeback rule applies to *starting* a refund).
    settle_refund = (
        captured.to(refunded, cond=[within_refundable, completes_refund])
        | captured.to(partially_refunded, cond=within_refundable)
        | partially_refunded.to(refunded, cond=[within_refundable, completes_refund])
        | partially_refunded.to(partially_refunded, cond=within_refundable)
    )
    reverse_refund = (
        refunded.to(partially_refunded, cond=[refund_succeeded, other_refunds_remain])
        | refunded.to(captured, cond=refund_succeeded)
        | partially_refunded.to(partially_refunded, cond=[refund_succeeded, other_refunds_remain])
        | partially_refunded.to(captured, cond=refund_succeeded)
    )

    lifecycle_name = "payment"
    started_at = "created_at"
    effects = MappingProxyType(
        {
            "capture": _capture,
            "refund": _refund,
            "settle_refund": _refund,
            "reverse_refund": _reverse_refund,
        }
    )


#: The compiled payment lifecycle.
payment: Lifecycle[Payment] = compiled(PaymentMachine)
