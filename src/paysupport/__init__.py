"""paysupport: typed models, lifecycles and explainable policies for payment-support work.

Models are data; lifecycles say what may happen; policies decide; workflows wire them and
return effects for the host to carry out. The core does no I/O.

The names below are the curated surface; each lives in the package its folder names
(``paysupport.money``, ``paysupport.models``, ...). They are imported on first use, so
``import paysupport`` stays cheap.

    >>> import paysupport
    >>> paysupport.Money.of("12.34", "EUR").minor
    1234
    >>> paysupport.reason_code("visa", "13.1").title
    'Merchandise/Services Not Received'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # money
    "Money": "paysupport.money",
    "Currency": "paysupport.money",
    "currency": "paysupport.money",
    # errors
    "PaysupportError": "paysupport.errors",
    "ValidationFailed": "paysupport.errors",
    "ModelValidationError": "paysupport.errors",
    "InvalidTransition": "paysupport.errors",
    "DeadlinePassed": "paysupport.errors",
    "CurrencyMismatch": "paysupport.errors",
    "ConflictError": "paysupport.errors",
    "NotAuthorized": "paysupport.errors",
    "PolicyConfigError": "paysupport.errors",
    "ProviderPayloadError": "paysupport.errors",
    "UnknownCode": "paysupport.errors",
    # networks
    "Network": "paysupport.networks",
    "DisputeStage": "paysupport.networks",
    "DisputeCategory": "paysupport.networks",
    "EvidenceKind": "paysupport.networks",
    "reason_code": "paysupport.networks",
    "decline_code": "paysupport.networks",
    "merchant_advice_code": "paysupport.networks",
    # models
    "Payment": "paysupport.models",
    "Capture": "paysupport.models",
    "Refund": "paysupport.models",
    "RefundRequest": "paysupport.models",
    "Dispute": "paysupport.models",
    "Evidence": "paysupport.models",
    "PaymentFailure": "paysupport.models",
    "SupportCase": "paysupport.models",
    "Merchant": "paysupport.models",
    "Customer": "paysupport.models",
    "Operator": "paysupport.models",
    "Tier": "paysupport.models",
    "Portfolio": "paysupport.models",
    # lifecycles
    "lifecycles": "paysupport",
    # policies
    "Decision": "paysupport.policies",
    "Outcome": "paysupport.workflows",
    "RefundFairness": "paysupport.policies",
    "EscalationTier": "paysupport.policies",
    "OperatorAuthority": "paysupport.policies",
    "Resolution": "paysupport.policies",
    "DisputeResponse": "paysupport.policies",
    "RetrySchedule": "paysupport.policies",
    # workflows
    "PolicySet": "paysupport.workflows",
    "triage": "paysupport.workflows",
    "request_refund": "paysupport.workflows",
    "approve_refund": "paysupport.workflows",
    "settle_refund": "paysupport.workflows",
    "receive_dispute": "paysupport.workflows",
    "respond_to_dispute": "paysupport.workflows",
    "settle_dispute": "paysupport.workflows",
    "handle_decline": "paysupport.workflows",
    "record_retry_result": "paysupport.workflows",
    "commit": "paysupport.workflows",
    # ports
    "EffectRunner": "paysupport.ports",
}

__all__ = [
    "__version__",
    "Capture",
    "ConflictError",
    "Currency",
    "CurrencyMismatch",
    "Customer",
    "DeadlinePassed",
    "Decision",
    "Dispute",
    "DisputeCategory",
    "DisputeResponse",
    "DisputeStage",
    "EffectRunner",
    "EscalationTier",
    "Evidence",
    "EvidenceKind",
    "InvalidTransition",
    "Merchant",
    "ModelValidationError",
    "Money",
    "Network",
    "NotAuthorized",
    "Operator",
    "OperatorAuthority",
    "Outcome",
    "Payment",
    "PaymentFailure",
    "PaysupportError",
    "PolicyConfigError",
    "PolicySet",
    "Portfolio",
    "ProviderPayloadError",
    "Refund",
    "RefundFairness",
    "RefundRequest",
    "Resolution",
    "RetrySchedule",
    "SupportCase",
    "Tier",
    "UnknownCode",
    "ValidationFailed",
    "approve_refund",
    "commit",
    "currency",
    "decline_code",
    "handle_decline",
    "lifecycles",
    "merchant_advice_code",
    "reason_code",
    "receive_dispute",
    "record_retry_result",
    "request_refund",
    "respond_to_dispute",
    "settle_dispute",
    "settle_refund",
    "triage",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'paysupport' has no attribute {name!r}")
    if module == "paysupport":
        value = importlib.import_module(f"paysupport.{name}")
    else:
        value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # the same names, for type checkers and IDEs
    from paysupport import lifecycles as lifecycles
    from paysupport.errors import (
        ConflictError,
        CurrencyMismatch,
        DeadlinePassed,
        InvalidTransition,
        ModelValidationError,
        NotAuthorized,
        PaysupportError,
        PolicyConfigError,
        ProviderPayloadError,
        UnknownCode,
        ValidationFailed,
    )
    from paysupport.models import (
        Capture,
        Customer,
        Dispute,
        Evidence,
        Merchant,
        Operator,
        Payment,
        PaymentFailure,
        Portfolio,
        Refund,
        RefundRequest,
        SupportCase,
        Tier,
    )
    from paysupport.money import Currency, Money, currency
    from paysupport.networks import (
        DisputeCategory,
        DisputeStage,
        EvidenceKind,
        Network,
        decline_code,
        merchant_advice_code,
        reason_code,
    )
    from paysupport.policies import (
        Decision,
        DisputeResponse,
        EscalationTier,
        OperatorAuthority,
        RefundFairness,
        Resolution,
        RetrySchedule,
    )
    from paysupport.ports import EffectRunner
    from paysupport.workflows import (
        Outcome,
        PolicySet,
        approve_refund,
        commit,
        handle_decline,
        receive_dispute,
        record_retry_result,
        request_refund,
        respond_to_dispute,
        settle_dispute,
        settle_refund,
        triage,
    )
