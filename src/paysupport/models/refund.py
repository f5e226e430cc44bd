"""Refunds: the intent (a request and what was granted) and the provider refund carrying it out.

Lesson from earlier systems: *refund intent is not refund execution*. A `RefundRequest`
is what someone asked for; a `Refund` is the money movement at the provider, with its
own lifecycle, including ``unknown`` for a provider call whose result we never learnt.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Final, Self

from pydantic import AwareDatetime, NonNegativeInt

from paysupport.models._base import (
    Identifier,
    PaysupportModel,
    SafeText,
    model_rule,
    rule_error,
    unvalidated_instance,
)
from paysupport.models._base import _plain_accepts as plain_accepts  # the models' own table
from paysupport.models.history import LifecycleEvent
from paysupport.money import Money

__all__ = [
    "RefundFailureReason",
    "RefundReason",
    "RefundRequest",
    "RefundStatus",
    "Refund",
    "RequesterKind",
]


class RefundStatus(StrEnum):
    """Where a refund is in its life.

    ``requested`` and ``awaiting_approval`` are before the provider is called; ``pending``
    and ``requires_action`` are at the provider (Stripe's values); ``unknown`` is a call
    whose outcome we never received (a timeout): neither failed nor pending until the
    provider says. ``reversed`` is a succeeded refund the provider later undid (Stripe
    ``charge.refund.updated``, Adyen ``REFUND_FAILED`` / ``REFUNDED_REVERSED``).
    """

    REQUESTED = "requested"
    AWAITING_APPROVAL = "awaiting_approval"
    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    UNKNOWN = "unknown"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    REVERSED = "reversed"

    @property
    def holds_funds(self) -> bool:
        """True when the amount counts against what is still refundable."""
        return self._value_ in _HOLDS_FUNDS_VALUES  # a str hashes in C, a member in Python

    @property
    def is_final(self) -> bool:
        """True for failed, canceled and reversed (succeeded may still be reversed)."""
        return self._value_ in _FINAL_VALUES


_HOLDS_FUNDS = frozenset(
    {
        RefundStatus.REQUESTED,
        RefundStatus.AWAITING_APPROVAL,
        RefundStatus.PENDING,
        RefundStatus.REQUIRES_ACTION,
        RefundStatus.UNKNOWN,
        RefundStatus.SUCCEEDED,
    }
)
_FINAL = frozenset({RefundStatus.FAILED, RefundStatus.CANCELED, RefundStatus.REVERSED})
# The same sets by value (what the properties read).
_HOLDS_FUNDS_VALUES = frozenset(s.value for s in _HOLDS_FUNDS)
_FINAL_VALUES = frozenset(s.value for s in _FINAL)


class RefundReason(StrEnum):
    """Why money goes back. The first four are Stripe's ``reason`` values."""

    DUPLICATE = "duplicate"
    FRAUDULENT = "fraudulent"
    REQUESTED_BY_CUSTOMER = "requested_by_customer"
    EXPIRED_UNCAPTURED_CHARGE = "expired_uncaptured_charge"
    OVERCHARGE = "overcharge"
    GOODS_RETURNED = "goods_returned"
    EARLY_FRAUD_WARNING = "early_fraud_warning"
    GOODWILL = "goodwill"
    OTHER = "other"


class RefundFailureReason(StrEnum):
    """Why a refund failed, as Stripe's ``failure_reason`` documents it."""

    LOST_OR_STOLEN_CARD = "lost_or_stolen_card"
    EXPIRED_OR_CANCELED_CARD = "expired_or_canceled_card"
    CHARGE_FOR_PENDING_REFUND_DISPUTED = "charge_for_pending_refund_disputed"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    DECLINED = "declined"
    MERCHANT_REQUEST = "merchant_request"
    UNKNOWN = "unknown"


class RequesterKind(StrEnum):
    """Who asked for the refund."""

    CUSTOMER = "customer"
    OPERATOR = "operator"
    SYSTEM = "system"


class RefundRequest(PaysupportModel):
    """Someone asks for money back on one payment.

    ``amount`` of ``None`` means "everything still refundable". For an overcharge,
    ``correct_amount`` is what the customer should have paid; the fair refund is the
    difference. ``duplicate_of`` names the earlier payment this one duplicates.
    """

    id: Identifier
    payment_id: Identifier
    amount: Money | None = None
    reason: RefundReason = RefundReason.REQUESTED_BY_CUSTOMER
    requested_by: RequesterKind = RequesterKind.CUSTOMER
    requester_id: Identifier | None = None
    requested_at: AwareDatetime
    goods_returned: bool | None = None
    correct_amount: Money | None = None
    duplicate_of: Identifier | None = None
    note: SafeText | None = None

    @model_rule
    def _amounts_are_sane(self) -> Self:
        if self.amount is not None and self.amount.minor <= 0:
            raise rule_error(
                "amount", "refund_amount_positive", "a refund amount must be above zero"
            )
        if self.correct_amount is not None:
            if self.correct_amount.is_negative():
                raise rule_error(
                    "correct_amount", "correct_amount_non_negative", "correct_amount is negative"
                )
            if self.reason is not RefundReason.OVERCHARGE:
                raise rule_error(
                    "correct_amount",
                    "correct_amount_only_for_overcharge",
                    "correct_amount is only meaningful for an overcharge",
                )
            if self.amount is not None and self.amount.currency is not self.correct_amount.currency:
                raise rule_error(
                    "correct_amount", "currency_matches_payment", "amount and correct_amount differ"
                )
        if self.duplicate_of is not None and self.duplicate_of == self.payment_id:
            raise rule_error(
                "duplicate_of", "duplicate_of_other_payment", "a payment cannot duplicate itself"
            )
        return self


class Refund(PaysupportModel):
    """A refund of (part of) one captured payment, and its lifecycle state and history."""

    id: Identifier
    payment_id: Identifier
    amount: Money
    reason: RefundReason = RefundReason.REQUESTED_BY_CUSTOMER
    status: RefundStatus = RefundStatus.REQUESTED
    created_at: AwareDatetime
    request_id: Identifier | None = None
    requested_by: Identifier | None = None
    approved_by: Identifier | None = None
    failure_reason: RefundFailureReason | None = None
    provider: str | None = None
    provider_reference: str | None = None
    provider_status: str | None = None
    provider_reason: str | None = None
    note: SafeText | None = None
    history: tuple[LifecycleEvent, ...] = ()
    version: NonNegativeInt = 0

    @model_rule
    def _refund_rules(self) -> Self:
        if self.amount.minor <= 0:
            raise rule_error(
                "amount", "refund_amount_positive", "a refund amount must be above zero"
            )
        if (
            self.approved_by is not None
            and self.requested_by is not None
            and self.approved_by == self.requested_by
        ):
            raise rule_error(
                "approved_by", "four_eyes", "the requester cannot approve their own refund"
            )
        return self

    @classmethod
    def from_parts(cls, trusted: Mapping[str, Any], /, **changes: Any) -> Self:
        """A new refund from ``trusted`` values and ``changes``: ``cls(**trusted, **changes)``.

        For a library component that holds most of a new refund's values as fields of
        validated models declared with the same types (a request's id, a payment's provider):
        those (``trusted``) are copied as they are. ``changes`` are validated as `evolve`
        validates them: a value its field's schema returns as it is (an aware datetime, a
        plain id: no card number possible) is taken, else every change is validated against
        its field's type and card-number checked. Then every model rule runs. The same result
        and errors as the full validation, which runs instead when a required field is
        missing or a name is unknown.

        Raises:
            ModelValidationError: a changed field or a model rule is broken.
        """
        key = (cls, tuple(trusted), tuple(changes))
        shape = _SHAPES.get(key) or _shape(key)
        if shape is None:  # a missing or unknown field: the full validation's exact error
            return cls(**trusted, **changes)
        defaults, given, accepts, pans = shape
        values = defaults.copy()  # every field, in declaration order (as a validation gives)
        values.update(trusted)
        for name, ok in accepts:
            value = changes[name]
            if ok is None or not ok(value):
                values.update(cls._validated(changes))
                break
            values[name] = value
        else:
            pans = ()  # every change taken as it is: no text that could hold a card number
        new = unvalidated_instance(cls, values, given)
        new._run_checks(pans, cls.__rules__)
        return new


#: Per (class, trusted names, changed names): every field with its default, the fields-set
#: the refunds get (one shared set, as a validation shares it), each change's test of a
#: value its field takes as it is (None: none) and the card-number checks of the changed
#: fields; None when a required field is missing or a name is unknown. Bounded: the library
#: builds refunds in few ways.
_SHAPES: dict[tuple[Any, ...], Any] = {}
_MAX_SHAPES: Final = 64


def _shape(key: tuple[Any, ...]) -> Any:
    cls, trusted, changes = key
    fields = cls.__pydantic_fields__
    names = {*trusted, *changes}
    required = {n for n, f in fields.items() if f.is_required() or f.default_factory}
    shape = None
    if names <= fields.keys() and required <= names:
        defaults = {n: None if n in required else f.default for n, f in fields.items()}
        plain = plain_accepts(cls)
        accepts = tuple((n, plain.get(n)) for n in changes)
        given = {n for n in fields if n in names}  # in field order, as a validation adds them
        shape = (defaults, given, accepts, cls._plan(frozenset(changes))[0])
    if len(_SHAPES) < _MAX_SHAPES:
        _SHAPES[key] = shape
    return shape
