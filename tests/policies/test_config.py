"""Configuration: every built-in policy and combination from a dict / TOML and back."""

from __future__ import annotations

import copy
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paysupport.errors import PolicyConfigError
from paysupport.policies import (
    AllMustApprove,
    DisputeResponse,
    EscalationTier,
    FirstMatch,
    Fixed,
    OperatorAuthority,
    Override,
    RefundFairness,
    Resolution,
    RetrySchedule,
    RouteByCurrency,
    RouteBySegment,
    Verdict,
    from_dict,
    from_toml,
    to_dict,
)
from paysupport.policies.config import kind_registry
from paysupport.policies.decision import fingerprint_of

BUILT_INS = [
    RefundFairness(),
    EscalationTier(),
    OperatorAuthority(),
    Resolution(),
    DisputeResponse(),
    RetrySchedule(),
    Fixed(Verdict.DENY, "refund_freeze", "refunds are frozen"),
    FirstMatch((Fixed(Verdict.PASS), RefundFairness())),
    AllMustApprove((RefundFairness(), RefundFairness(history_max_count=1))),
    Override(Fixed(Verdict.PASS), RefundFairness()),
    RouteBySegment(
        {"vip": RefundFairness(auto_approve_limit={"EUR": 1}), "small": RefundFairness()},
        RefundFairness(),
    ),
    RouteByCurrency({"JPY": RefundFairness(auto_approve_limit={"JPY": 10_000})}, RefundFairness()),
]
IDS = [p.KIND for p in BUILT_INS]


@pytest.mark.parametrize("policy", BUILT_INS, ids=IDS)
def test_round_trip(policy):
    data = policy.to_dict()
    assert data["kind"] == policy.KIND
    again = from_dict(copy.deepcopy(data))
    assert again == policy
    assert hash(again) == hash(policy)
    assert again.to_dict() == data  # dumps back to the same dict
    assert again.fingerprint == policy.fingerprint == fingerprint_of(data)
    short = policy.to_dict(full=False)
    assert from_dict(short) == policy
    assert to_dict(policy) == data


@pytest.mark.parametrize("policy", BUILT_INS, ids=IDS)
def test_pickle_and_copy(policy):
    again = pickle.loads(pickle.dumps(policy))
    assert again == policy
    assert again.fingerprint == policy.fingerprint
    assert copy.deepcopy(policy) == policy


@pytest.mark.parametrize("policy", BUILT_INS, ids=IDS)
def test_frozen(policy):
    import attrs

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        policy.KIND_x = 1  # type: ignore[attr-defined]
    first = attrs.fields(type(policy))[0].name
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(policy, first, None)


def test_every_built_in_kind_is_registered():
    assert set(IDS) <= set(kind_registry())


def test_key_order_does_not_matter():
    a = RefundFairness(refund_window_days={"card": 10, "ideal": 20})
    b = RefundFairness(refund_window_days={"ideal": 20, "card": 10})
    assert a == b
    assert a.fingerprint == b.fingerprint


def test_different_parameters_different_fingerprint():
    assert RefundFairness().fingerprint != RefundFairness(history_max_count=4).fingerprint


def test_fingerprint_is_stable_across_processes():
    # Pinned: the canonical JSON of the defaults must not drift silently.
    assert RefundFairness().fingerprint == fingerprint_of(RefundFairness().to_dict())
    assert len(RefundFairness().fingerprint) == 64


@pytest.mark.parametrize(
    ("data", "field", "rule"),
    [
        ({}, "kind", "missing_kind"),
        ({"kind": "refund_fairnes"}, "kind", "unknown_kind"),
        ({"kind": "refund_fairness", "windows": {}}, "windows", "unknown_key"),
        ({"kind": "refund_fairness", "history_max_count": -1}, "history_max_count", "out_of_range"),
        (
            {"kind": "refund_fairness", "history_max_count": 1.0},
            "history_max_count",
            "int_expected",
        ),
        (
            {"kind": "refund_fairness", "history_max_count": True},
            "history_max_count",
            "int_expected",
        ),
        ({"kind": "refund_fairness", "require_return": "yes"}, "require_return", "bool_expected"),
        (
            {"kind": "refund_fairness", "auto_approve_limit": {"XAU": 1}},
            "auto_approve_limit.XAU",
            "unknown_currency",
        ),
        (
            {"kind": "refund_fairness", "auto_approve_limit": [1]},
            "auto_approve_limit",
            "table_expected",
        ),
        (
            {"kind": "escalation_tier", "amount_bands": {"EUR": [10, 5]}},
            "amount_bands.EUR",
            "not_ascending",
        ),
        (
            {"kind": "escalation_tier", "amount_bands": {"EUR": [10]}},
            "amount_bands.EUR",
            "too_short",
        ),
        ({"kind": "escalation_tier", "sla_bump_at": "1.5"}, "sla_bump_at", "out_of_range"),
        (
            {"kind": "escalation_tier", "claim_tiers": {"refund": "junior"}},
            "claim_tiers.refund",
            "unknown_value",
        ),
        (
            {"kind": "retry_schedule", "retry_actions": ["retry", "pray"]},
            "retry_actions.1",
            "unknown_value",
        ),
        (
            {"kind": "retry_schedule", "ask": {"contact_issuer": "call_mum"}},
            "ask.contact_issuer",
            "unknown_value",
        ),
        (
            {"kind": "dispute_response", "win_rates": {"visa:99.9": "0.1"}},
            "win_rates.visa:99.9",
            "reason_key",
        ),
        (
            {"kind": "first_match", "policies": [{"kind": "refund_fairness", "x": 1}]},
            "policies.0.x",
            "unknown_key",
        ),
        (
            {
                "kind": "route_by_segment",
                "routes": {"vip": {"kind": "fixed", "outcome": "maybe"}},
                "default": {"kind": "fixed", "outcome": "deny"},
            },
            "routes.vip.outcome",
            "unknown_value",
        ),
        ({"kind": "route_by_currency", "routes": {}, "default": 3}, "default", "policy_expected"),
        (
            {"kind": "override", "rule": {"kind": "fixed", "outcome": "pass"}},
            "default",
            "missing_key",
        ),
    ],
)
def test_errors_name_the_key(data, field, rule):
    with pytest.raises(PolicyConfigError) as exc:
        from_dict(data)
    assert exc.value.field == field
    assert exc.value.rule == rule
    assert field in str(exc.value)


def test_wrong_kind_on_a_class():
    with pytest.raises(PolicyConfigError) as exc:
        RefundFairness.from_dict({"kind": "retry_schedule"})
    assert exc.value.rule == "wrong_kind"


TOML = """
[refunds]
kind = "route_by_segment"

[refunds.default]
kind = "refund_fairness"
refund_window_days = { card = 120, amazon_pay = 90 }

[refunds.routes.vip]
kind = "override"
rule = { kind = "fixed", outcome = "pass" }
default = { kind = "refund_fairness", auto_approve_limit = { EUR = 200000 } }
"""


def test_from_toml():
    policy = from_toml(TOML, table="refunds")
    assert isinstance(policy, RouteBySegment)
    assert dict(policy.default.refund_window_days)["card"] == 120
    assert from_dict(policy.to_dict()) == policy


@pytest.mark.parametrize(
    ("text", "table", "field", "rule"),
    [
        ("kind = ", None, "<toml>", "toml_syntax"),
        (TOML, "refund", "refund", "missing_table"),
        (
            TOML.replace("amazon_pay = 90", "amazon_pay = 90.0"),
            "refunds",
            "refunds.default.refund_window_days.amazon_pay",
            "int_expected",
        ),
        (
            TOML.replace("EUR = 200000", "EUR = 200000, EURO = 1"),
            "refunds",
            "refunds.routes.vip.default.auto_approve_limit.EURO",
            "unknown_currency",
        ),
    ],
)
def test_toml_errors(text, table, field, rule):
    with pytest.raises(PolicyConfigError) as exc:
        from_toml(text, table=table)
    assert (exc.value.field, exc.value.rule) == (field, rule)


@given(
    st.dictionaries(
        st.sampled_from(["card", "ideal", "klarna", "amazon_pay"]), st.integers(0, 999)
    ),
    st.integers(0, 20),
    st.booleans(),
    st.sampled_from(["junior", "middle", "senior"]),
)
def test_any_valid_parameters_round_trip(windows, count, require, tier):
    p = RefundFairness.from_dict(
        {
            "refund_window_days": windows,
            "history_max_count": count,
            "require_return": require,
            "review_tier": tier,
        }
    )
    assert from_dict(p.to_dict()) == p
    assert pickle.loads(pickle.dumps(p)).fingerprint == p.fingerprint
