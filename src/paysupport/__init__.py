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
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {  # THE list of public names: defining module -> names ("paysupport": subpackages)
        "paysupport": ("lifecycles", "sample"),
        "paysupport.errors": (
            "ConflictError",
            "CurrencyMismatch",
            "DeadlinePassed",
            "InvalidTransition",
            "MissingExchangeRate",
            "ModelValidationError",
            "NotAuthorized",
            "NotFound",
            "PaysupportError",
            "PolicyConfigError",
            "ProviderPayloadError",
            "UnknownCode",
            "ValidationFailed",
        ),
        "paysupport.models": (
            "Capture",
            "Customer",
            "Dispute",
            "Evidence",
            "Merchant",
            "Operator",
            "Payment",
            "PaymentFailure",
            "Portfolio",
            "Refund",
            "RefundRequest",
            "SupportCase",
            "Tier",
        ),
        "paysupport.money": ("Currency", "Money", "currency"),
        "paysupport.networks": (
            "DisputeCategory",
            "DisputeStage",
            "EvidenceKind",
            "Network",
            "decline_code",
            "merchant_advice_code",
            "reason_code",
        ),
        "paysupport.policies": (
            "Decision",
            "DisputeResponse",
            "EscalationTier",
            "OperatorAuthority",
            "PolicySet",
            "RefundFairness",
            "Resolution",
            "RetrySchedule",
            "Verdict",
        ),
        "paysupport.ports": ("EffectRunner",),
        "paysupport.workflows": (
            "Outcome",
            "approve_refund",
            "commit",
            "handle_decline",
            "receive_dispute",
            "record_retry_result",
            "request_refund",
            "respond_to_dispute",
            "settle_dispute",
            "settle_refund",
            "triage",
        ),
    }
)
"""Each public name and the module that defines it; imported on first use (`__getattr__`).

This is the one place a name is added. The ``if TYPE_CHECKING:`` block at the end of this file
is generated from it for type checkers and IDEs (``python tests/test_public_api.py`` rewrites
it; a test fails when the two differ).
"""

_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = ["__version__", *sorted(_MODULE_OF)]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'paysupport' has no attribute {name!r}")
    if module == __name__:  # a subpackage, such as ``lifecycles``
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


# --- generated from _EXPORTS by `python tests/test_public_api.py`: do not edit by hand
if TYPE_CHECKING:
    from paysupport import lifecycles as lifecycles
    from paysupport import sample as sample
    from paysupport.errors import ConflictError as ConflictError
    from paysupport.errors import CurrencyMismatch as CurrencyMismatch
    from paysupport.errors import DeadlinePassed as DeadlinePassed
    from paysupport.errors import InvalidTransition as InvalidTransition
    from paysupport.errors import MissingExchangeRate as MissingExchangeRate
    from paysupport.errors import ModelValidationError as ModelValidationError
    from paysupport.errors import NotAuthorized as NotAuthorized
    from paysupport.errors import NotFound as NotFound
    from paysupport.errors import PaysupportError as PaysupportError
    from paysupport.errors import PolicyConfigError as PolicyConfigError
    from paysupport.errors import ProviderPayloadError as ProviderPayloadError
    from paysupport.errors import UnknownCode as UnknownCode
    from paysupport.errors import ValidationFailed as ValidationFailed
    from paysupport.models import Capture as Capture
    from paysupport.models import Customer as Customer
    from paysupport.models import Dispute as Dispute
    from paysupport.models import Evidence as Evidence
    from paysupport.models import Merchant as Merchant
    from paysupport.models import Operator as Operator
    from paysupport.models import Payment as Payment
    from paysupport.models import PaymentFailure as PaymentFailure
    from paysupport.models import Portfolio as Portfolio
    from paysupport.models import Refund as Refund
    from paysupport.models import RefundRequest as RefundRequest
    from paysupport.models import SupportCase as SupportCase
    from paysupport.models import Tier as Tier
    from paysupport.money import Currency as Currency
    from paysupport.money import Money as Money
    from paysupport.money import currency as currency
    from paysupport.networks import DisputeCategory as DisputeCategory
    from paysupport.networks import DisputeStage as DisputeStage
    from paysupport.networks import EvidenceKind as EvidenceKind
    from paysupport.networks import Network as Network
    from paysupport.networks import decline_code as decline_code
    from paysupport.networks import merchant_advice_code as merchant_advice_code
    from paysupport.networks import reason_code as reason_code
    from paysupport.policies import Decision as Decision
    from paysupport.policies import DisputeResponse as DisputeResponse
    from paysupport.policies import EscalationTier as EscalationTier
    from paysupport.policies import OperatorAuthority as OperatorAuthority
    from paysupport.policies import PolicySet as PolicySet
    from paysupport.policies import RefundFairness as RefundFairness
    from paysupport.policies import Resolution as Resolution
    from paysupport.policies import RetrySchedule as RetrySchedule
    from paysupport.policies import Verdict as Verdict
    from paysupport.ports import EffectRunner as EffectRunner
    from paysupport.workflows import Outcome as Outcome
    from paysupport.workflows import approve_refund as approve_refund
    from paysupport.workflows import commit as commit
    from paysupport.workflows import handle_decline as handle_decline
    from paysupport.workflows import receive_dispute as receive_dispute
    from paysupport.workflows import record_retry_result as record_retry_result
    from paysupport.workflows import request_refund as request_refund
    from paysupport.workflows import respond_to_dispute as respond_to_dispute
    from paysupport.workflows import settle_dispute as settle_dispute
    from paysupport.workflows import settle_refund as settle_refund
    from paysupport.workflows import triage as triage
# --- end of generated block ---
