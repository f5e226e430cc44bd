"""Decision, Reason, PolicyInfo: explanations, invariants, serialisation."""

from __future__ import annotations

import pickle
import re
from datetime import timedelta

import pytest
from policy_factories import T0, refund_ctx, request

from paysupport.errors import NotFound
from paysupport.models import Tier
from paysupport.money import Money
from paysupport.policies import (
    Checklist,
    Decision,
    PolicyInfo,
    Reason,
    RefundFairness,
    RetryPlan,
    Step,
    Verdict,
)
from paysupport.policies.decision import fingerprint_of

INFO = PolicyInfo.of({"kind": "test", "x": 1})


@pytest.mark.parametrize(
    "outcome",
    [Verdict.DENY, Verdict.REVIEW, Verdict.APPROVE_PARTIAL, Verdict.STOP, Verdict.ASK_CUSTOMER],
)
def test_deny_and_review_need_a_reason(outcome):
    with pytest.raises(ValueError, match="needs at least one reason"):
        Decision(outcome, (), INFO)


def test_reason_message_and_values():
    r = Reason("x", "rule", (("a", Money.from_minor(150, "EUR")), ("b", 2)), "{a} and {b}")
    assert r.message == "1.50 EUR and 2"
    assert r.value("b") == 2
    with pytest.raises(NotFound) as missing:
        r.value("c")
    assert missing.value.field == "name"
    assert Reason("some_code", "r").message == "some code"
    assert r.to_dict()["values"] == {"a": {"minor": 150, "currency": "EUR"}, "b": 2}


def test_fingerprint_is_canonical():
    assert fingerprint_of({"b": 1, "a": [1, 2]}) == fingerprint_of({"a": [1, 2], "b": 1})
    assert fingerprint_of({"a": 1}) != fingerprint_of({"a": 2})
    assert PolicyInfo.of({"kind": "k", "a": 1}) == PolicyInfo.of({"a": 1, "kind": "k"})


def test_decision_explains_and_dumps():
    p = RefundFairness()
    d = p.decide(refund_ctx(req=request(amount=20_000)), T0 + timedelta(days=1))
    text = d.explain()
    assert "approve_partial 100.00 EUR" in text
    assert "exceeds_refundable" in text
    out = d.to_dict()
    assert out["fingerprint"] == p.fingerprint
    assert out["amount"] == {"minor": 10_000, "currency": "EUR"}
    assert d.config == p.to_dict()  # replay: the exact policy that decided
    assert (
        RefundFairness.from_dict(d.config).decide(
            refund_ctx(req=request(amount=20_000)), T0 + timedelta(days=1)
        )
        == d
    )
    assert d.approved


def test_decision_pickles_and_hashes():
    d = Decision(
        Verdict.PLAN,
        (Reason("plan_for", "plans", (("key", "x"),)),),
        INFO,
        tier=Tier.MIDDLE,
        steps=(Step("a", Tier.JUNIOR, T0, "e"),),
        detail=Checklist(("a",), (), ("a",)),
    )
    again = pickle.loads(pickle.dumps(d))
    assert again == d
    assert hash(again) == hash(d)
    assert d.to_dict()["steps"][0]["due"] == T0.isoformat()
    assert not d.detail.complete
    r = Decision(Verdict.RETRY, (), INFO, detail=RetryPlan((T0,), ""))
    assert r.to_dict()["retry"]["schedule"] == [T0.isoformat()]


def test_outcome_flags():
    assert Verdict.APPROVE.is_approval and Verdict.APPROVE_PARTIAL.is_approval
    assert not Verdict.REVIEW.is_approval
    assert Verdict.DENY.needs_reason and not Verdict.APPROVE.needs_reason


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("", "rule"), "not snake_case"),
        (("Too Late", "rule"), "not snake_case"),
        (("too_late", ""), "names no rule"),
        (("too_late", "window", (("days", 3),), "{days} of {window}"), "['window']"),
    ],
)
def test_a_reason_that_cannot_explain_itself_is_refused(args: tuple, words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        Reason(*args)


def test_a_reason_renders_values_for_people() -> None:
    r = Reason(
        "sla_near_breach",
        "sla_bump_at",
        (
            ("left", timedelta(hours=-3)),
            ("amount", Money.of("1234.5", "EUR")),
            ("kinds", ("a", "b|c")),
        ),
        "{left} left, {amount}, missing {kinds}",
    )
    assert r.message == "-3 h 0 min left, 1,234.50 EUR, missing a, b or c"
    assert r.value("left") == timedelta(hours=-3)  # the raw value stays for machines
