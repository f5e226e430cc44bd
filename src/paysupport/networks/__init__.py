"""Card-network catalogues as typed, immutable data.

Dispute reason codes of Visa, Mastercard, Amex and Discover (category, flow, stages, time
limits, the evidence that answers them), each network's dispute stages and
windows, decline codes (ISO 8583 and Stripe) with their Visa categories, Mastercard Merchant
Advice Codes, retry limits, and network monitoring thresholds. Every fact carries its source
tags and a `Confidence`; facts the reference notes mark "unconfirmed" or "not found"
stay so marked. Nothing here does I/O or reads a clock: dated answers take the date.

The facts are data files shipped in the package (``networks/data/*.json``, one per
catalogue), each record with its sources and confidence. They are read once, lazily, through
``importlib.resources`` and checked against the record classes' schema on load (see
``networks._data``); reading the package's own immutable data is not outside I/O. Adding a
fact means editing a data file, not code.

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
    MerchantAdviceCode,
    RetryLimit,
    RetryLimits,
    merchant_advice_code,
    retry_limits,
    visa_reattempt_limit,
)
from .declines import AmbiguousDeclineCode, decline_code, decline_codes
from .evidence import CompellingEvidence3, EvidenceKind
from .monitoring import MonitoringThreshold, monitoring_programs

__all__ = [
    "AmbiguousDeclineCode",
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
