"""Policies: where support teams encode judgement, as explainable, pure decisions.

Each kind of policy is a ``typing.Protocol`` (``protocols``) with a built-in
default: a frozen attrs class whose parameters a team tunes (``PolicyBase``,
``param``), that builds from a dict or TOML and dumps back, and that compares, hashes
and pickles as a value. Each built-in policy is an ordered table of small named rules (its
``RULES``, ``Rule``); ``PolicySet`` bundles the policies a workflow consults.
Every policy takes a context (the models of one case, see ``context``) and an injected
``now`` and returns a ``Decision``: the ``Verdict``, the reasons (code, rule,
policy, values, sentence), the policy's kind, parameters and fingerprint, and where it
applies the amount, tier, steps or retry plan.

    >>> from paysupport.policies import RefundFairness
    >>> policy = RefundFairness(refund_window_days={"card": 90})
    >>> policy == RefundFairness.from_dict(policy.to_dict())
    True
"""

from .combinators import (
    AllMustApprove,
    FirstMatch,
    Fixed,
    Override,
    RouteByCurrency,
    RouteBySegment,
)
from .config import PolicyBase, from_dict, from_toml, param, register_kind, to_dict
from .context import (
    DisputeContext,
    EscalationContext,
    RefundContext,
    ResolutionContext,
    RetryContext,
)
from .decision import Checklist, Decision, PolicyInfo, Reason, RetryPlan, Step, Verdict
from .dispute_response import DisputeResponse
from .escalation import ApprovalContext, EscalationTier, OperatorAuthority
from .fx import ExchangeRates
from .policy_set import PolicySet
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
from .rules import Rule

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
    "ExchangeRates",
    "FirstMatch",
    "Fixed",
    "NetworkLimits",
    "OperatorAuthority",
    "Override",
    "Policy",
    "PolicyBase",
    "PolicyInfo",
    "PolicySet",
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
    "Rule",
    "Step",
    "StepTemplate",
    "Verdict",
    "from_dict",
    "from_toml",
    "network_limits",
    "param",
    "register_kind",
    "to_dict",
]
