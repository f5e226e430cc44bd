"""Card-network catalogues as typed, immutable data.

Dispute reason codes of Visa, Mastercard, Amex and Discover (category, flow, stages, time
limits, the evidence that answers them), each network's dispute stages and
windows, decline codes (ISO 8583 and Stripe) with their Visa categories, Mastercard Merchant
Advice Codes, retry limits, and network monitoring thresholds. Every fact carries its source
tags and a `Confidence`; facts the reference notes mark "unconfirmed" or "not found"
stay so marked. Nothing here does I/O or reads a clock: dated answers take the date.

Examples:
    >>> from paysupport.networks import reason_code
    >>> rc = reason_code("visa", "13.1")
    >>> rc.title, rc.category.value, rc.time_limit.days
    ('Merchandise/Services Not Received', 'consumer_dispute', 120)
"""

from ._decline_types import DeclineCode, DeclineSeverity, RetryAction, VisaDeclineCategory
from ._lookup import network_rules, reason_code, reason_codes
from ._types import (
    Confidence,
    DisputeCategory,
    DisputeFlow,
    DisputeStage,
    Network,
    NetworkRules,
    ReasonCode,
    TimeLimit,
)
from .advice import (
    MERCHANT_ADVICE_CODES,
    RETRY_LIMITS,
    MerchantAdviceCode,
    RetryLimit,
    RetryLimits,
    merchant_advice_code,
    retry_limits,
    visa_reattempt_limit,
)
from .declines import AmbiguousDeclineCode, decline_code, decline_codes
from .evidence import STRIPE_EVIDENCE_FIELDS, VISA_CE3, CompellingEvidence3, EvidenceKind
from .monitoring import MONITORING_THRESHOLDS, MonitoringThreshold, monitoring_programs

__all__ = [
    "AmbiguousDeclineCode",
    "MERCHANT_ADVICE_CODES",
    "MONITORING_THRESHOLDS",
    "RETRY_LIMITS",
    "STRIPE_EVIDENCE_FIELDS",
    "VISA_CE3",
    "CompellingEvidence3",
    "Confidence",
    "DeclineCode",
    "DeclineSeverity",
    "DisputeCategory",
    "DisputeFlow",
    "DisputeStage",
    "EvidenceKind",
    "MerchantAdviceCode",
    "MonitoringThreshold",
    "Network",
    "NetworkRules",
    "ReasonCode",
    "RetryAction",
    "RetryLimit",
    "RetryLimits",
    "TimeLimit",
    "VisaDeclineCategory",
    "decline_code",
    "decline_codes",
    "merchant_advice_code",
    "monitoring_programs",
    "network_rules",
    "reason_code",
    "reason_codes",
    "retry_limits",
    "visa_reattempt_limit",
]
