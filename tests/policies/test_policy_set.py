"""PolicySet: one value, built from a dict or TOML, one definition per setting."""

from __future__ import annotations

import copy
import pickle
from datetime import timedelta
from decimal import Decimal

import pytest

from paysupport import workflows
from paysupport.errors import PolicyConfigError
from paysupport.models import Priority
from paysupport.policies import EscalationTier, PolicySet, RefundFairness, Resolution
from paysupport.policies.policy_set import DEFAULTS

TOML = """
[policies]
sla_hours = { urgent = 2, high = 12, normal = 48, low = 96 }

[policies.refund]
kind = "route_by_currency"
routes = { JPY = { kind = "refund_fairness", auto_approve_limit = { JPY = 20000 } } }
default = { kind = "refund_fairness", history_max_count = 5 }

[policies.escalation]
kind = "escalation_tier"
sla_bump_at = "0.5"

[policies.resolution]
kind = "resolution"
safety_margin_hours = 24
"""


def test_round_trip_through_dict_and_toml():
    ps = PolicySet.from_toml(TOML, table="policies")
    assert ps.refund.default.history_max_count == 5
    assert ps.sla_for(Priority.URGENT) == timedelta(hours=2)
    again = PolicySet.from_dict(copy.deepcopy(ps.to_dict()))
    assert again == ps
    assert again.to_dict() == ps.to_dict()
    assert pickle.loads(pickle.dumps(ps)) == ps
    assert PolicySet.from_dict({}) == PolicySet()


def test_one_definition_of_the_sla_threshold_and_the_safety_margin():
    ps = PolicySet.from_toml(TOML, table="policies")
    assert ps.sla_warning == Decimal("0.5") == ps.escalation.sla_bump_at
    assert ps.dispute_safety_margin == timedelta(hours=24)
    ps = PolicySet(
        escalation=EscalationTier(sla_bump_at="0.1"), resolution=Resolution(safety_margin_hours=6)
    )
    assert (ps.sla_warning, ps.dispute_safety_margin) == (Decimal("0.1"), timedelta(hours=6))
    assert "sla_warning" not in ps.to_dict()


@pytest.mark.parametrize(
    ("data", "field", "rule"),
    [
        ({"refunds": {}}, "refunds", "unknown_key"),
        ({"refund": {"kind": "retry_schedule"}}, "refund", "wrong_policy_kind"),
        ({"refund": {"kind": "refund_fairness", "x": 1}}, "refund.x", "unknown_key"),
        ({"sla_hours": {"soon": 1}}, "sla_hours.soon", "unknown_value"),
        ({"sla_hours": {"high": 0}}, "sla_hours.high", "out_of_range"),
    ],
)
def test_errors_name_the_key(data, field, rule):
    with pytest.raises(PolicyConfigError) as exc:
        PolicySet.from_dict(data)
    assert (exc.value.field, exc.value.rule) == (field, rule)


def test_policy_set_is_defined_once_and_defaults_to_the_built_ins():
    # One name, one place: workflows no longer re-exports PolicySet or DEFAULTS (issue 12).
    assert not hasattr(workflows, "PolicySet")
    assert not hasattr(workflows, "DEFAULTS")
    assert PolicySet() == DEFAULTS
    assert isinstance(DEFAULTS.refund, RefundFairness)


def test_windows_read_once_belong_to_their_own_set() -> None:
    import attrs

    ps = PolicySet(sla_hours={"urgent": 2}, resolution=Resolution(safety_margin_hours=24))
    assert ps.sla_for(Priority.URGENT) == timedelta(hours=2)
    assert ps.sla_for(Priority.LOW) is None
    assert ps.dispute_safety_margin == timedelta(hours=24)
    other = attrs.evolve(
        ps, sla_hours=(("urgent", 5), ("low", 9)), resolution=Resolution(safety_margin_hours=6)
    )
    assert (other.sla_for(Priority.URGENT), other.sla_for(Priority.LOW)) == (
        timedelta(hours=5),
        timedelta(hours=9),
    )
    assert other.dispute_safety_margin == timedelta(hours=6)
    assert ps.sla_for(Priority.URGENT) == timedelta(hours=2)  # the first set is unchanged
    copied = pickle.loads(pickle.dumps(ps))
    assert copied == ps and copied.sla_for(Priority.URGENT) == timedelta(hours=2)
