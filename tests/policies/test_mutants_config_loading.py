"""Loading a policy from plain data: every refusal names its path and rule.

Written against the mutants `scripts/mutation.py policies` left alive in config.py's
loaders (``from_dict`` / ``load_policy`` / ``build``, currency codes).
"""

from __future__ import annotations

import pytest

from paysupport.errors import PolicyConfigError
from paysupport.policies import (
    EscalationTier,
    FirstMatch,
    Fixed,
    RefundFairness,
    Verdict,
    from_dict,
    from_toml,
    to_dict,
)
from paysupport.policies.config import load_policy
from paysupport.policies.decision import fingerprint_of


def refused(call, *args) -> PolicyConfigError:
    with pytest.raises(PolicyConfigError) as caught:
        call(*args)
    return caught.value


@pytest.mark.parametrize("loader", [from_dict, load_policy, RefundFairness.from_dict])
def test_a_non_table_is_refused_at_the_root(loader):
    error = refused(loader, ["kind"])
    assert (error.field, error.rule) == ("<root>", "table_expected")
    assert error.message == "expected a table, got ['kind']"


def test_a_non_table_below_the_root_names_its_path():
    error = refused(load_policy, 3, "policies.refund")
    assert (error.field, error.rule) == ("policies.refund", "table_expected")


def test_a_missing_or_unknown_kind_is_named():
    error = refused(from_dict, {})
    assert (error.field, error.rule) == ("kind", "missing_kind")
    error = refused(load_policy, {"kind": "no_such_kind"}, "team")
    assert (error.field, error.rule) == ("team.kind", "unknown_kind")
    assert "refund_fairness" in error.message
    assert refused(from_dict, {"kind": 7}).rule == "unknown_kind"


def test_a_table_of_another_kind_is_refused_by_the_class():
    error = refused(RefundFairness.from_dict, {"kind": "escalation_tier"}, "p")
    assert (error.field, error.rule) == ("p.kind", "wrong_kind")
    assert "expected kind 'refund_fairness', got 'escalation_tier'" in error.message
    assert RefundFairness.from_dict({"kind": "refund_fairness"}) == RefundFairness()


def test_an_unknown_key_lists_the_known_ones():
    error = refused(from_dict, {"kind": "escalation_tier", "sla": 1})
    assert (error.field, error.rule) == ("sla", "unknown_key")
    assert "known keys: amount_bands, claim_tiers," in error.message
    assert error.message.startswith("unknown key 'sla' for EscalationTier")
    assert EscalationTier.from_dict({}) == EscalationTier()


@pytest.mark.parametrize(
    ("limits", "field", "rule"),
    [
        ({"XXX": 1}, "auto_approve_limit.XXX", "unknown_currency"),
        ({"EUR": "x"}, "auto_approve_limit.EUR", "int_expected"),
    ],
)
def test_a_bad_currency_or_amount_in_a_limit_table_is_named(limits, field, rule):
    error = refused(RefundFairness.from_dict, {"auto_approve_limit": limits})
    assert (error.field, error.rule) == (field, rule)


def test_a_currency_that_is_not_text_is_refused():
    error = refused(from_dict, {"kind": "operator_authority", "reference_currency": 978})
    assert (error.field, error.rule) == ("reference_currency", "currency_code")
    assert error.message == "expected a currency code"
    error = refused(from_dict, {"kind": "operator_authority", "reference_currency": "XXX"})
    assert (error.field, error.rule) == ("reference_currency", "unknown_currency")
    assert "XXX" in error.message


class DecideOnly:
    def decide(self, ctx, now):
        raise NotImplementedError


def test_a_nested_policy_needs_decide_and_to_dict():
    with pytest.raises(PolicyConfigError) as caught:
        FirstMatch((DecideOnly(),))
    assert (caught.value.field, caught.value.rule) == ("policies.0", "policy_expected")
    assert caught.value.message == "expected a policy or a table with 'kind'"


def test_an_error_inside_a_nested_policy_table_keeps_its_path_and_message():
    error = refused(
        from_dict, {"kind": "first_match", "policies": [{"kind": "refund_fairness", "x": 1}]}
    )
    assert (error.field, error.rule) == ("policies.0.x", "unknown_key")
    assert error.message.startswith("unknown key 'x' for RefundFairness")


def test_the_short_dict_leaves_out_parameters_at_their_default():
    p = RefundFairness(history_max_count=5)
    assert to_dict(p, full=False) == {"kind": "refund_fairness", "history_max_count": 5}
    assert to_dict(p) == p.to_dict() != to_dict(p, full=False)


def test_text_that_is_not_toml_is_refused_with_the_parsers_message():
    error = refused(from_toml, "kind = [", None)
    assert (error.field, error.rule) == ("<toml>", "toml_syntax")
    assert error.message == "Invalid value (at end of document)"  # tomllib says where


def test_a_fingerprint_covers_parameters_in_any_script():
    freeze = Fixed(Verdict.DENY, "freeze", "café fermé: remboursements gelés")
    assert freeze.fingerprint == fingerprint_of(freeze.to_dict())
    assert len(freeze.fingerprint) == 64
    assert freeze.fingerprint != Fixed(Verdict.DENY, "freeze", "cafe ferme").fingerprint
