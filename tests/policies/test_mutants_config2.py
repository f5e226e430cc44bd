"""Loading a policy table: a missing or unknown kind, named under its path, in full.

Written against the mutants ``scripts/mutation.py policies/config.py`` left alive on the
snapshot at 4551560 (session 5): the missing-kind error was only checked at the root, its
sentence and the list of known kinds were not pinned, no TOML table named a path, and no
kind was unhashable.
"""

from __future__ import annotations

import pytest

from paysupport.errors import PolicyConfigError
from paysupport.policies import PolicySet, from_dict, from_toml

BUILT_IN = {
    "all_must_approve",
    "dispute_response",
    "escalation_tier",
    "first_match",
    "fixed",
    "operator_authority",
    "override",
    "refund_fairness",
    "resolution",
    "retry_schedule",
    "route_by_currency",
    "route_by_segment",
}


def test_a_table_without_a_kind_is_refused_under_its_path_in_full():
    with pytest.raises(PolicyConfigError) as caught:
        from_dict({"refund_window_days": {"card": 30}})
    assert (caught.value.field, caught.value.rule, caught.value.message) == (
        "kind",
        "missing_kind",
        "a policy table needs a 'kind' key",
    )
    with pytest.raises(PolicyConfigError) as caught:
        PolicySet.from_dict({"refund": {}})
    assert (caught.value.field, caught.value.rule) == ("refund.kind", "missing_kind")
    with pytest.raises(PolicyConfigError) as caught:
        from_toml("[policies.refund]\nallow_partial = true\n", "policies.refund")
    assert (caught.value.field, caught.value.rule) == ("policies.refund.kind", "missing_kind")


@pytest.mark.parametrize("kind", ["nope", ["refund_fairness"], {"kind": "fixed"}, 7])
def test_an_unknown_or_non_text_kind_is_refused_listing_the_known_kinds(kind):
    with pytest.raises(PolicyConfigError) as caught:
        from_dict({"kind": kind})
    assert (caught.value.field, caught.value.rule) == ("kind", "unknown_kind")
    head, _, known = caught.value.message.partition("; known: ")
    assert head == f"unknown policy kind {kind!r}"
    names = known.split(", ")
    assert names == sorted(names)
    assert set(names) >= BUILT_IN
