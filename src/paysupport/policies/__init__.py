"""Policies: where support teams encode judgement, as explainable, pure decisions.

Each kind of policy is a :class:`typing.Protocol` (:mod:`.protocols`) with a built-in
default: a frozen attrs class whose parameters a team tunes, that builds from a dict or TOML
and dumps back, and that compares, hashes and pickles as a value. Every policy takes a
context (the models of one case, see :mod:`.context`) and an injected ``now`` and returns a
:class:`Decision`: the outcome, the reasons (code, rule, values, sentence), the policy's kind,
parameters and fingerprint, and where it applies the amount, tier, steps or retry plan.

    >>> from paysupport.policies import RefundFairness
    >>> policy = RefundFairness(refund_window_days={"card": 90})
    >>> policy == RefundFairness.from_dict(policy.to_dict())
    True
"""

from ._config import kind_registry, register_kind
from .combinators import (
    AllMustApprove,
    FirstMatch,
    Fixed,
    Override,
    RouteByCurrency,
    RouteBySegment,
)
from .config import from_dict, from_toml, to_dict
from .context import (
    DisputeContext,
    EscalationContext,
    RefundContext,
    ResolutionContext,
    RetryContext,
)
from .decision import (
    Checklist,
    Decision,
    Outcome,
    PolicyInfo,
    Reason,
    RetryPlan,
    Step,
    fingerprint_of,
)
from .dispute_response import DisputeResponse
from .escalation import ApprovalContext, EscalationTier, OperatorAuthority
from .protocols import (
    DisputeResponsePolicy,
    EscalationPolicy,
    Policy,
    RefundPolicy,
    ResolutionPolicy,
    RetryPolicy,
)
from .refund_fairness import RefundFairness
from .resolution import Resolution, StepTemplate
from .retry import NetworkLimits, RetrySchedule, network_limits

__all__ = [
    "AllMustApprove",
    "ApprovalContext",
    "Checklist",
    "Decision",
    "DisputeContext",
    "DisputeResponse",
    "DisputeResponsePolicy",
    "EscalationContext",
    "EscalationPolicy",
    "EscalationTier",
    "FirstMatch",
    "Fixed",
    "NetworkLimits",
    "OperatorAuthority",
    "Outcome",
    "Override",
    "Policy",
    "PolicyInfo",
    "Reason",
    "RefundContext",
    "RefundFairness",
    "RefundPolicy",
    "Resolution",
    "ResolutionContext",
    "ResolutionPolicy",
    "RetryContext",
    "RetryPlan",
    "RetryPolicy",
    "RetrySchedule",
    "RouteByCurrency",
    "RouteBySegment",
    "Step",
    "StepTemplate",
    "fingerprint_of",
    "from_dict",
    "from_toml",
    "kind_registry",
    "network_limits",
    "register_kind",
    "to_dict",
]
