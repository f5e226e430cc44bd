"""Tools for testing code built on paysupport: strategies, stateful machines, properties.

- [`strategies`][paysupport.testing.strategies]: Hypothesis strategies for money and every model;
- [`stateful`][paysupport.testing.stateful]: rule-based state machines for each lifecycle;
- `paysupport.testing.properties`: ready-made checks for refund and escalation policies;
- [`pytest_plugin`][paysupport.testing.pytest_plugin]: fixtures (installed as a pytest plugin).

Needs Hypothesis (``pip install "paysupport[testing]"``). Submodules load on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_MODULES = ("properties", "stateful", "strategies")
_EXPORTS: dict[str, str] = {
    "PropertyViolation": "properties",
    "check_refund_policy": "properties",
    "check_escalation_policy": "properties",
    "never_approves_more_than_refundable": "properties",
    "is_deterministic": "properties",
    "explains_every_deny_and_review": "properties",
    "tier_is_monotone_in_amount": "properties",
    "respects_operator_limits": "properties",
    "enforces_four_eyes": "properties",
    "PaymentLifecycleMachine": "stateful",
    "RefundLifecycleMachine": "stateful",
    "DisputeLifecycleMachine": "stateful",
    "RecoveryLifecycleMachine": "stateful",
    "CaseLifecycleMachine": "stateful",
    "as_test_case": "stateful",
}

__all__ = [
    "CaseLifecycleMachine",
    "DisputeLifecycleMachine",
    "PaymentLifecycleMachine",
    "PropertyViolation",
    "RecoveryLifecycleMachine",
    "RefundLifecycleMachine",
    "as_test_case",
    "check_escalation_policy",
    "check_refund_policy",
    "enforces_four_eyes",
    "explains_every_deny_and_review",
    "is_deterministic",
    "never_approves_more_than_refundable",
    "properties",
    "respects_operator_limits",
    "stateful",
    "strategies",
    "tier_is_monotone_in_amount",
]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f"paysupport.testing.{name}")
    module = _EXPORTS.get(name)
    if module is not None:
        return getattr(importlib.import_module(f"paysupport.testing.{module}"), name)
    raise AttributeError(f"module 'paysupport.testing' has no attribute {name!r}")
