"""A card payment with its captures, refunds, disputes and early fraud warning.

Amounts are derived from those records and guarded by invariants: captured never exceeds
authorized; refunds (succeeded or still in flight) never exceed captured; every amount is in
the payment's currency; a dispute never exceeds what was captured.

``refunded_unitemised`` holds refunds a provider reports only as a total (a Stripe Charge
without its expanded ``refunds`` list, Adyen totals): it counts as refunded, against what is
refundable and in the refunded-never-exceeds-captured rule, and is never turned into invented
[`Refund`][paysupport.models.Refund] records.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Final, NamedTuple, Self

from pydantic import AwareDatetime, Field, NonNegativeInt
from pydantic_core import PydanticCustomError

from paysupport.errors import NotFound
from paysupport.models._base import (
    AMOUNTS_CACHE_KEY,
    Identifier,
    PaysupportModel,
    SafeText,
    model_rule,
    rule_error,
    rule_failure,
)
from paysupport.models.card import PaymentMethod
from paysupport.models.dispute import Dispute
from paysupport.models.history import LifecycleEvent
from paysupport.models.refund import Refund, RefundStatus
from paysupport.money import Currency, Money

__all__ = ["Capture", "EarlyFraudWarning", "Payment", "PaymentAmounts", "PaymentStatus"]


class PaymentStatus(StrEnum):
    """Where a card payment is in its life (disputes are an overlay, see ``is_disputed``)."""

    PENDING = "pending"
    AUTHORIZED = "authorized"
    PARTIALLY_CAPTURED = "partially_captured"
    CAPTURED = "captured"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    CANCELED = "canceled"
    FAILED = "failed"


_SUCCEEDED = RefundStatus.SUCCEEDED
# Members read as module names: on Python 3.11 ``PaymentStatus.X`` takes EnumType's hook.
_CANCELED = PaymentStatus.CANCELED
_AUTHORIZED, _PARTIALLY_CAPTURED = PaymentStatus.AUTHORIZED, PaymentStatus.PARTIALLY_CAPTURED
_BEFORE_CAPTURE = frozenset({PaymentStatus.PENDING, PaymentStatus.AUTHORIZED})
# The same sets as status values (str): a str's hash is cached, an enum member's runs Python.
_SUCCEEDED_VALUE = _SUCCEEDED.value
_IN_FLIGHT_VALUES = frozenset(s.value for s in RefundStatus if s.holds_funds and s != _SUCCEEDED)
_BEFORE_CAPTURE_VALUES = frozenset(s.value for s in _BEFORE_CAPTURE)


class PaymentAmounts(NamedTuple):
    """A payment's derived amounts in integer minor units of its currency (one pass)."""

    authorized: int
    captured: int
    refunded: int
    in_flight: int
    charged_back: int
    refundable: int


class Capture(PaysupportModel):
    """One capture of (part of) the authorized amount."""

    id: Identifier
    amount: Money
    captured_at: AwareDatetime

    @model_rule
    def _positive(self) -> Self:
        if self.amount.minor <= 0:
            raise rule_error(
                "amount", "capture_amount_positive", "a capture amount must be above zero"
            )
        return self


class EarlyFraudWarning(PaysupportModel):
    """An issuer's fraud report (Visa TC40 / Mastercard SAFE) ahead of any dispute.

    ``fraud_type`` uses Stripe's values (``made_with_stolen_card``, ...). About 80% escalate
    to fraudulent disputes if nothing is done (Stripe), so an actionable one favours a refund.
    """

    id: Identifier
    fraud_type: str = Field(default="misc", pattern=r"^[a-z_]+$")
    actionable: bool = True
    created_at: AwareDatetime


class Payment(PaysupportModel):
    """A card payment: authorization, captures, refunds and disputes on it."""

    id: Identifier
    merchant_id: Identifier
    customer_id: Identifier | None = None
    amount: Money = Field(description="the authorized amount")
    status: PaymentStatus = PaymentStatus.AUTHORIZED
    payment_method: PaymentMethod = Field(default_factory=PaymentMethod)
    created_at: AwareDatetime
    captures: tuple[Capture, ...] = ()
    refunds: tuple[Refund, ...] = ()
    disputes: tuple[Dispute, ...] = ()
    early_fraud_warning: EarlyFraudWarning | None = None
    multicapture: bool = False
    refunded_unitemised: Money | None = Field(
        default=None,
        description=(
            "refunds the provider reports only as a total (Stripe amount_refunded without the "
            "refunds list, Adyen totals): counted as refunded, never turned into Refund records"
        ),
    )
    description: SafeText | None = None
    provider: str | None = None
    provider_reference: str | None = None
    metadata: dict[str, SafeText] = Field(default_factory=dict)
    history: tuple[LifecycleEvent, ...] = ()
    version: NonNegativeInt = 0

    @model_rule
    def _payment_rules(self) -> Self:
        """The payment's invariants, checked in one pass over its records.

        Long because it is one pass: every payment built or changed runs it, and one loop
        over captures, refunds and disputes replaced ten (issue 13's speed targets). The
        rules are reported in a fixed order (the first broken one): amount, currencies,
        refunded_unitemised, payment ids, unique ids, refund after capture, captured <=
        authorized, refunds <= captured, disputes, status.
        """
        amount = self.amount
        cur = amount.currency
        if amount.minor <= 0:
            raise rule_error(
                "amount", "payment_amount_positive", "the authorized amount must be above zero"
            )
        captures, refunds, disputes = self.captures, self.refunds, self.disputes
        captured = 0
        for c in captures:
            money = c.amount
            if money.currency is not cur:
                _other_currency(cur, "captures", captures)
            captured += money.minor
        pid = self.id
        refunded = in_flight = 0
        refund_elsewhere = dispute_elsewhere = False
        for r in refunds:
            money = r.amount
            if money.currency is not cur:
                _other_currency(cur, "refunds", refunds)
            if r.payment_id != pid:
                refund_elsewhere = True
            state = r.status._value_  # a str: its hash is cached, an enum member's is not
            if state == _SUCCEEDED_VALUE:
                refunded += money.minor
            elif state in _IN_FLIGHT_VALUES:
                in_flight += money.minor
        for d in disputes:
            if d.amount.currency is not cur:
                _other_currency(cur, "disputes", disputes)
            if d.payment_id != pid:
                dispute_elsewhere = True
        extra = self.refunded_unitemised
        if extra is not None:
            if extra.currency is not cur:
                raise rule_error(
                    "refunded_unitemised",
                    "currency_matches_payment",
                    f"refunded_unitemised is in {extra.currency.code}, the payment in {cur.code}",
                )
            if extra.minor <= 0:
                raise rule_error(
                    "refunded_unitemised",
                    "refunded_unitemised_positive",
                    "refunded_unitemised is above zero, or None when nothing was refunded",
                )
            refunded += extra.minor
        if refund_elsewhere:
            _other_payment(pid, "refunds", refunds)
        if dispute_elsewhere:
            _other_payment(pid, "disputes", disputes)
        if len(captures) > 1 or len(refunds) > 1 or len(disputes) > 1:
            _unique_ids(captures, refunds, disputes)
        if (refunds or extra is not None) and not captures:
            field = "refunds" if refunds else "refunded_unitemised"
            raise rule_error(field, "refund_needs_capture", "only captured money can be refunded")
        if captured > amount.minor:
            raise rule_error(
                "captures",
                "captured_exceeds_authorized",
                f"captured {self._money(captured)} exceeds the authorized {amount}",
            )
        committed = refunded + in_flight
        if committed > captured:
            raise rule_error(
                "refunds" if refunds else "refunded_unitemised",
                "refund_total_exceeds_captured",
                f"refunds of {self._money(committed)} exceed the captured {self._money(captured)}",
            )
        for i, d in enumerate(disputes):
            if d.amount.minor > captured:
                raise rule_error(
                    f"disputes.{i}.amount",
                    "dispute_exceeds_captured",
                    f"disputes[{i}] of {d.amount} exceeds the captured {self._money(captured)}",
                )
        if captures:
            status = self.status
            if status._value_ in _BEFORE_CAPTURE_VALUES:
                raise rule_error(
                    "status",
                    "status_matches_captures",
                    f"a payment with captures cannot be {status}",
                )
            if status is _CANCELED:
                raise rule_error(
                    "status",
                    "canceled_after_capture",
                    "a captured payment is refunded, not canceled",
                )
        return self

    # ------------------------------------------------------------------ derived amounts
    @property
    def currency(self) -> Currency:
        """The payment's currency; every amount on it is in this currency."""
        return self.amount.currency

    def amounts(self) -> PaymentAmounts:
        """Every derived amount in one pass over the records, as integer minor units.

        Computed on first use, then kept with the payment (a changed copy computes its own).
        """
        # Read through ``__dict__`` once: every attribute read on a model takes pydantic's
        # ``__getattr__`` hook, and a cache hit must stay cheaper than the sums.
        values = self.__dict__
        cached = values.get(AMOUNTS_CACHE_KEY)
        if (
            cached is not None
            and cached[0] is values["captures"]
            and cached[1] is values["refunds"]
            and cached[2] is values["disputes"]
            and cached[3] is values["refunded_unitemised"]
            and cached[4] is values["amount"]
        ):
            return cached[5]  # type: ignore[no-any-return]
        return _remember_amounts(values, self._sums())

    def _sums(self) -> PaymentAmounts:
        values = self.__dict__  # one read, not five through pydantic's hook
        captured = 0
        for c in values["captures"]:
            captured += c.amount.minor
        unitemised = values["refunded_unitemised"]
        refunded = 0 if unitemised is None else unitemised.minor
        in_flight = charged_back = 0
        for r in values["refunds"]:
            status = r.status
            if status is _SUCCEEDED:
                refunded += r.amount.minor
            elif status.holds_funds:
                in_flight += r.amount.minor
        for d in values["disputes"]:
            if d.status.funds_lost:
                charged_back += d.amount.minor
        refundable = captured - refunded - in_flight - charged_back
        # authorized, captured, refunded, in_flight, charged_back, refundable
        return PaymentAmounts(
            values["amount"].minor,
            captured,
            refunded,
            in_flight,
            charged_back,
            refundable if refundable > 0 else 0,
        )

    def _money(self, minor: int) -> Money:
        return Money.from_minor(minor, self.amount.currency)

    @property
    def amount_captured(self) -> Money:
        """Sum of all captures."""
        return self._money(self.amounts().captured)

    @property
    def amount_capturable(self) -> Money:
        """What may still be captured: authorized minus captured, while authorized."""
        status = self.status
        if status is not _AUTHORIZED and status is not _PARTIALLY_CAPTURED:
            return Money.zero(self.amount.currency)
        return self.amount - self.amount_captured

    @property
    def amount_refunded(self) -> Money:
        """Sum of succeeded refunds (reversed ones no longer count) and ``refunded_unitemised``."""
        return self._money(self.amounts().refunded)

    @property
    def amount_refund_in_flight(self) -> Money:
        """Sum of refunds granted or requested but not settled (pending, unknown, ...)."""
        return self._money(self.amounts().in_flight)

    @property
    def amount_charged_back(self) -> Money:
        """Sum of disputes whose funds the merchant has lost (lost, accepted, expired)."""
        return self._money(self.amounts().charged_back)

    @property
    def amount_refundable(self) -> Money:
        """Captured minus refunded, in-flight refunds and lost chargebacks; never below zero."""
        return self._money(self.amounts().refundable)

    @property
    def open_disputes(self) -> tuple[Dispute, ...]:
        """Disputes that still need a response or are under review."""
        return tuple(d for d in self.disputes if d.is_open)

    @property
    def is_disputed(self) -> bool:
        """True while any dispute on the payment is open."""
        return any(d.is_open for d in self.disputes)

    @property
    def is_fully_refunded(self) -> bool:
        """True when succeeded refunds equal the captured amount (Stripe's ``refunded``)."""
        captured = self.amount_captured
        return captured.is_positive() and self.amount_refunded == captured

    @property
    def captured_at(self) -> datetime | None:
        """When the first capture happened (refund windows count from it)."""
        captures = self.captures
        if len(captures) == 1:  # the usual payment: no generator, no min
            return captures[0].captured_at
        return min((c.captured_at for c in captures), default=None)

    def refund(self, refund_id: str) -> Refund:
        """The refund with this id.

        Raises:
            NotFound: no refund on this payment has that id (``field="refund_id"``).
        """
        for r in self.refunds:
            if r.id == refund_id:
                return r
        raise NotFound("refund", str(refund_id), "refund_id")

    def dispute(self, dispute_id: str) -> Dispute:
        """The dispute with this id.

        Raises:
            NotFound: no dispute on this payment has that id (``field="dispute_id"``).
        """
        for d in self.disputes:
            if d.id == dispute_id:
                return d
        raise NotFound("dispute", str(dispute_id), "dispute_id")

    def with_refund(self, refund: Refund) -> Payment:
        """A validated copy with ``refund`` added or replacing the one with its id.

        The refund is a valid model already; only the payment's rules run again.
        """
        return self._with_record("refunds", Refund, refund)

    def with_dispute(self, dispute: Dispute) -> Payment:
        """A validated copy with ``dispute`` added or replacing the one with its id.

        The dispute is a valid model already; only the payment's rules run again.
        """
        return self._with_record("disputes", Dispute, dispute)

    def with_capture(self, capture: Capture) -> Payment:
        """A validated copy with ``capture`` added or replacing the one with its id.

        The status is left as it is: a lifecycle event (``capture``) moves it.
        """
        return self._with_record("captures", Capture, capture)

    def _with_record(self, field: str, kind: type[PaysupportModel], record: Any) -> Payment:
        values = self.__dict__  # one read: a model's attribute read takes pydantic's hook
        current: tuple[Any, ...] = values[field]
        new_id = _id_of(record)
        if type(record) is not kind:
            # Not a model built already: validate it as part of the field.
            return self.evolve(**{field: (*(r for r in current if r.id != new_id), record)})
        records = list(current)
        old = None
        for i, r in enumerate(records):
            if r.id == new_id:
                old, records[i] = r, record
                break
        else:
            i = len(records)
            records.append(record)
        if type(self) is not Payment or kind is Capture:
            return self._derive({field: tuple(records)})
        # One refund or dispute added or replaced on a valid payment: only the rules that
        # read that record can break (`_payment_rules` gives the same first error), checked
        # before the copy is made; the copy keeps its amounts.
        update = tuple(records)
        try:
            if kind is Refund:
                sums = _refund_added(self, self.amounts(), update, i, old)
            else:
                sums = _dispute_added(self, self.amounts(), update, i, old)
        except PydanticCustomError as exc:
            raise rule_failure("Payment", exc) from None
        new = self._derive_planned({field: update}, _NO_PLAN)
        _remember_amounts(new.__dict__, sums)
        return new


#: The checks of a change already checked: none.
_NO_PLAN: Final[tuple[tuple[Any, ...], tuple[Any, ...]]] = ((), ())
_new_tuple = tuple.__new__


def _remember_amounts(values: dict[str, Any], sums: PaymentAmounts) -> PaymentAmounts:
    """Keep ``sums`` in a payment's ``values`` (its ``__dict__``) and return them.

    Keyed by the records they were computed from: a model_copy with other records
    computes its own.
    """
    values[AMOUNTS_CACHE_KEY] = (
        values["captures"],
        values["refunds"],
        values["disputes"],
        values["refunded_unitemised"],
        values["amount"],
        sums,
    )
    return sums


def _held(refund: dict[str, Any] | None) -> tuple[int, int]:
    """What a refund (its field values) adds to (refunded, in flight), as `Payment.amounts`
    counts it.
    """  # noqa: D205
    if refund is None:
        return 0, 0
    state = refund["status"]._value_
    if state == _SUCCEEDED_VALUE:
        return refund["amount"].minor, 0
    if state in _IN_FLIGHT_VALUES:
        return 0, refund["amount"].minor
    return 0, 0


def _amounts(
    sums: PaymentAmounts, refunded: int, in_flight: int, charged_back: int
) -> PaymentAmounts:
    """``sums`` with other refunded, in-flight and charged-back amounts (refundable follows)."""
    refundable = sums.captured - refunded - in_flight - charged_back
    return _new_tuple(
        PaymentAmounts,
        (
            sums.authorized,
            sums.captured,
            refunded,
            in_flight,
            charged_back,
            refundable if refundable > 0 else 0,
        ),
    )


# The helpers below take models' field values (their ``__dict__``, read once per model):
# every attribute read on a model takes pydantic's ``__getattr__`` hook.
def _check_owner(
    p: dict[str, Any],
    field: str,
    records: tuple[Refund, ...] | tuple[Dispute, ...],
    added: dict[str, Any],
) -> None:
    """Raise what a full validation gives for ``field`` if the added record is not the payment's.

    The record (``added``, its field values) must be in the currency of the payment (``p``,
    its field values) and name the payment.
    """
    cur = p["amount"].currency
    if added["amount"].currency is not cur:
        _other_currency(cur, field, records)
    if added["payment_id"] != p["id"]:
        _other_payment(p["id"], field, records)


def _refund_added(
    p: Payment, sums: PaymentAmounts, refunds: tuple[Refund, ...], i: int, old: Refund | None
) -> PaymentAmounts:
    """`Payment._payment_rules` for the valid ``p`` with ``refunds`` (refund ``i`` added or
    replacing ``old``); the amounts after. The rules that read only other records held on
    ``p``; these run in the same order, so the first broken one is the one a full
    validation reports.
    """  # noqa: D205
    values, r = p.__dict__, refunds[i].__dict__
    _check_owner(values, "refunds", refunds, r)
    if not values["captures"]:
        raise rule_error("refunds", "refund_needs_capture", "only captured money can be refunded")
    (old_done, old_held) = _held(None if old is None else old.__dict__)
    done, held = _held(r)
    refunded = sums.refunded + done - old_done
    in_flight = sums.in_flight + held - old_held
    committed = refunded + in_flight
    if committed > sums.captured:
        raise rule_error(
            "refunds",
            "refund_total_exceeds_captured",
            f"refunds of {p._money(committed)} exceed the captured {p._money(sums.captured)}",
        )
    return _amounts(sums, refunded, in_flight, sums.charged_back)


def _dispute_added(
    p: Payment, sums: PaymentAmounts, disputes: tuple[Dispute, ...], i: int, old: Dispute | None
) -> PaymentAmounts:
    """As `_refund_added`, for dispute ``i`` of ``disputes`` added or replacing ``old``."""
    d = disputes[i].__dict__
    _check_owner(p.__dict__, "disputes", disputes, d)
    amount = d["amount"]
    if amount.minor > sums.captured:
        raise rule_error(
            f"disputes.{i}.amount",
            "dispute_exceeds_captured",
            f"disputes[{i}] of {amount} exceeds the captured {p._money(sums.captured)}",
        )
    lost = amount.minor if d["status"].funds_lost else 0
    if old is not None:
        was = old.__dict__
        if was["status"].funds_lost:
            lost -= was["amount"].minor
    return _amounts(sums, sums.refunded, sums.in_flight, sums.charged_back + lost)


def _id_of(record: Any) -> Any:
    return record.get("id") if isinstance(record, dict) else getattr(record, "id", None)


def _unique_ids(*groups: tuple[Any, ...]) -> None:
    """Raise the rule error naming the first kind of records with a repeated id."""
    for kind, records in zip(("captures", "refunds", "disputes"), groups, strict=True):
        if len(records) > 1 and len({r.id for r in records}) != len(records):
            raise rule_error(kind, "unique_ids", f"{kind} has repeated ids")


def _other_currency(cur: Currency, kind: str, records: tuple[Any, ...]) -> None:
    """Raise the rule error naming the first record in another currency."""
    for i, r in enumerate(records):
        if r.amount.currency is not cur:
            raise rule_error(
                f"{kind}.{i}.amount",
                "currency_matches_payment",
                f"{kind}[{i}] is in {r.amount.currency.code}, the payment in {cur.code}",
            )


def _other_payment(payment_id: str, kind: str, records: tuple[Any, ...]) -> None:
    """Raise the rule error naming the first record for another payment."""
    for i, r in enumerate(records):
        if r.payment_id != payment_id:
            raise rule_error(
                f"{kind}.{i}.payment_id",
                "belongs_to_payment",
                f"{kind}[{i}] is for payment {r.payment_id!r}",
            )
