"""A decision as logs, notebooks and operators read it: ``to_dict``, ``explain``, durations.

Written against the mutants `scripts/mutation.py policies` left alive in decision.py: every
key of the plain dict, the operator's lines, durations at a day and below zero, and a
policy description that survives pickling with its parameters.
"""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

import pytest

from paysupport.errors import NotFound, ValidationFailed
from paysupport.models import Tier
from paysupport.money import Money
from paysupport.policies import Checklist, Decision, PolicyInfo, Reason, RetryPlan, Step, Verdict

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
INFO = PolicyInfo.of({"kind": "team_rule", "limits": [1, {"EUR": 2}]})
OTHER = PolicyInfo.of({"kind": "other_rule"})


def _reason(**values: object) -> Reason:
    names = " ".join(f"{{{k}}}" for k in values)
    return Reason("over_limit", "limit.eur", tuple(values.items()), names, "team_rule")


def test_a_reason_as_a_dict_keeps_code_rule_policy_message_and_values():
    r = Reason(
        "over_limit",
        "limit.eur",
        (("amount", Money.from_minor(1_050, "EUR")), ("ids", ("a", "b"))),
        "{amount} is over",
        "team_rule",
    )
    assert r.to_dict() == {
        "code": "over_limit",
        "rule": "limit.eur",
        "policy": "team_rule",
        "message": "10.50 EUR is over",
        "values": {"amount": {"minor": 1_050, "currency": "EUR"}, "ids": ["a", "b"]},
    }


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "0 min"),
        (timedelta(minutes=59), "59 min"),
        (timedelta(hours=2, minutes=5), "2 h 5 min"),
        (timedelta(hours=24), "1 d 0 h"),
        (timedelta(days=2, hours=3), "2 d 3 h"),
        (timedelta(minutes=-90), "-1 h 30 min"),
    ],
)
def test_a_duration_reads_in_days_hours_and_minutes(delta, text):
    assert _reason(late=delta).message == text


def test_a_decision_as_a_dict_has_every_part():
    step = Step("collect_receipt", Tier.SENIOR, T0, "submit_evidence", "no_evidence")
    checklist = Checklist(("receipt",), ("invoice",), ("receipt",), ("log",), ("log",))
    part = Decision(Verdict.APPROVE, (), OTHER)
    d = Decision(
        Verdict.REVIEW,
        (_reason(limit=5),),
        INFO,
        amount=Money.from_minor(500, "EUR"),
        tier=Tier.SENIOR,
        steps=(step,),
        detail=checklist,
        parts=(part,),
    )
    assert d.to_dict() == {
        "outcome": "review",
        "reasons": [
            {
                "code": "over_limit",
                "rule": "limit.eur",
                "policy": "team_rule",
                "message": "5",
                "values": {"limit": 5},
            }
        ],
        "policy": "team_rule",
        "fingerprint": INFO.fingerprint,
        "amount": {"minor": 500, "currency": "EUR"},
        "tier": "senior",
        "steps": [
            {
                "action": "collect_receipt",
                "tier": "senior",
                "due": T0.isoformat(),
                "effect": "submit_evidence",
                "condition": "no_evidence",
            }
        ],
        "checklist": {
            "required": ["receipt"],
            "on_file": ["invoice"],
            "missing": ["receipt"],
            "strengthening": ["log"],
            "strengthening_missing": ["log"],
        },
        "parts": [
            {
                "outcome": "approve",
                "reasons": [],
                "policy": "other_rule",
                "fingerprint": OTHER.fingerprint,
            }
        ],
    }


def test_a_retry_plan_as_a_dict():
    plan = RetryPlan((T0, T0 + timedelta(days=1)), "update_card")
    d = Decision(Verdict.RETRY, (), INFO, detail=plan)
    assert d.to_dict()["retry"] == {
        "schedule": [T0.isoformat(), (T0 + timedelta(days=1)).isoformat()],
        "ask": "update_card",
    }
    assert "tier" not in d.to_dict()
    assert "parts" not in d.to_dict()


def test_explain_gives_outcome_amount_tier_policy_and_each_reason():
    with_policy = _reason(limit=5)
    without = Reason("plain_code", "rule.x")
    d = Decision(
        Verdict.REVIEW,
        (with_policy, without),
        INFO,
        amount=Money.from_minor(500, "EUR"),
        tier=Tier.SENIOR,
    )
    assert d.explain().splitlines() == [
        f"review 5.00 EUR (tier senior) by team_rule [{INFO.fingerprint[:12]}]",
        "  - over_limit: 5 [team_rule:limit.eur]",
        "  - plain_code: plain code [rule.x]",
    ]


def test_a_policy_description_survives_pickling_with_its_parameters():
    back = pickle.loads(pickle.dumps(INFO))
    assert back == INFO
    assert back.kind == "team_rule"
    assert back.parameters["limits"][1]["EUR"] == 2
    assert {back: 1}[INFO] == 1
    assert hash(back) == hash(INFO) != hash(OTHER)
    assert PolicyInfo.of({"kind": "team_rule"}).parameters == {"kind": "team_rule"}
    assert Decision(Verdict.PASS, (), back).config == {
        "kind": "team_rule",
        "limits": [1, {"EUR": 2}],
    }


def test_asking_a_reason_for_a_value_it_did_not_record_names_the_value():
    with pytest.raises(NotFound) as caught:
        _reason(limit=5).value("amount")
    assert caught.value.args and "amount" in str(caught.value)
    assert "reason value" in str(caught.value)


def test_a_policy_description_names_its_kind_or_none():
    assert PolicyInfo.of({"kind": "team_rule", "x": 1}).kind == "team_rule"
    assert PolicyInfo.of({"x": 1}).kind == ""


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (frozenset({"b|c", "a"}), "a, b or c"),
        ({"z", "y"}, "y, z"),
        (("b", "a"), "b, a"),
        ((), "none"),
        (frozenset(), "none"),
        (None, "none"),
        (7, "7"),
    ],
)
def test_compared_values_read_as_sorted_sets_kept_sequences_and_none(value, text):
    assert _reason(v=value).message == text


@pytest.mark.parametrize("outcome", [Verdict.DENY, Verdict.REVIEW, Verdict.STOP])
def test_a_refusal_without_a_reason_is_refused(outcome):
    with pytest.raises(ValidationFailed) as caught:
        Decision(outcome, (), INFO)
    assert (caught.value.field, caught.value.rule) == ("reasons", "reason_required")
    assert outcome.value in caught.value.message
