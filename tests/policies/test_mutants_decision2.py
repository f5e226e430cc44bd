"""Reasons: enum and set values in the sentence, and a missing value named in full.

Written against the mutants ``scripts/mutation.py policies/decision.py`` left alive on the
snapshot at 4551560 (session 5): the built-in policies pass enum members as their text and
no sentence showed a set, so neither rendering was pinned.
"""

from __future__ import annotations

import pytest

from paysupport.errors import NotFound
from paysupport.models import Tier
from paysupport.policies import Reason


def test_an_enum_value_reads_as_its_text_in_the_sentence():
    r = Reason("tier_needed", "tiers", (("tier", Tier.SENIOR),), "tier {tier} must act")
    assert r.message == "tier senior must act"
    assert r.value("tier") is Tier.SENIOR


def test_a_set_reads_in_text_order_whatever_its_iteration_order():
    # 9 iterates before 10 (small ints hash to themselves); as text "10" sorts first
    r = Reason("ids_seen", "ids", (("ids", frozenset({9, 10})),), "ids {ids}")
    assert r.message == "ids 10, 9"
    r = Reason("kinds_seen", "kinds", (("kinds", {"b", "a|c"}),), "kinds {kinds}")
    assert r.message == "kinds a or c, b"


def test_a_value_the_reason_did_not_record_is_named_in_full():
    r = Reason("routine", "default")
    with pytest.raises(NotFound) as caught:
        r.value("tier")
    assert (caught.value.kind, caught.value.id, caught.value.field) == (
        "reason value",
        "tier",
        "name",
    )
    assert str(caught.value) == "name: no reason value with id 'tier'"
