"""Typed, validated, JSON-serialisable models: the nouns of payment support.

Models are data. They validate their own invariants (amounts, currencies, time zones, no card
numbers) and raise `ModelValidationError` naming each broken rule.
What may happen next is the business of `paysupport.lifecycles`; what should happen, of
[`policies`][paysupport.policies].
"""

from paysupport.models._base import PaysupportModel, SafeText
from paysupport.models.card import Card, CardBrand, Funding, PaymentMethod
from paysupport.models.case import CaseStatus, Channel, ClaimKind, Priority, SupportCase
from paysupport.models.dispute import Dispute, DisputeStatus, Evidence
from paysupport.models.failure import Initiator, PaymentFailure, RecoveryStatus, RetryAttempt
from paysupport.models.history import EventData, LifecycleEvent
from paysupport.models.parties import (
    Customer,
    Merchant,
    MerchantSegment,
    Operator,
    PastRefund,
    Tier,
)
from paysupport.models.payment import (
    Capture,
    EarlyFraudWarning,
    Payment,
    PaymentAmounts,
    PaymentStatus,
)
from paysupport.models.portfolio import Portfolio
from paysupport.models.refund import (
    Refund,
    RefundFailureReason,
    RefundReason,
    RefundRequest,
    RefundStatus,
    RequesterKind,
)

__all__ = [
    "Capture",
    "Card",
    "CardBrand",
    "CaseStatus",
    "Channel",
    "ClaimKind",
    "Customer",
    "Dispute",
    "DisputeStatus",
    "EarlyFraudWarning",
    "EventData",
    "Evidence",
    "Funding",
    "Initiator",
    "LifecycleEvent",
    "Merchant",
    "MerchantSegment",
    "Operator",
    "PastRefund",
    "Payment",
    "PaymentFailure",
    "PaymentAmounts",
    "PaymentMethod",
    "PaymentStatus",
    "PaysupportModel",
    "Portfolio",
    "Priority",
    "RecoveryStatus",
    "Refund",
    "RefundFailureReason",
    "RefundReason",
    "RefundRequest",
    "RefundStatus",
    "RequesterKind",
    "RetryAttempt",
    "SafeText",
    "SupportCase",
    "Tier",
]

#: Every model that is an aggregate or value a host stores, for schema export.
ALL_MODELS: tuple[type[PaysupportModel], ...] = (
    Payment,
    Capture,
    Refund,
    RefundRequest,
    Dispute,
    Evidence,
    EarlyFraudWarning,
    PaymentFailure,
    RetryAttempt,
    SupportCase,
    Merchant,
    Customer,
    PastRefund,
    Operator,
    Card,
    PaymentMethod,
    LifecycleEvent,
    Portfolio,
)
