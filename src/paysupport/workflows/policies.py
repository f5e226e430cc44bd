"""The policies a workflow consults: ``PolicySet`` (re-exported).

``PolicySet`` lives in ``paysupport.policies``; this module keeps the old import path
(``paysupport.workflows.PolicySet``) working until every call site has moved.
"""

from __future__ import annotations

from paysupport.policies.policy_set import DEFAULT_SLA_HOURS, DEFAULTS, PolicySet

__all__ = ["DEFAULTS", "DEFAULT_SLA_HOURS", "PolicySet"]
