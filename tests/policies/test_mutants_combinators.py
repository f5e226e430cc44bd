"""Combinators decide as documented, and say who decided: the mutants' survivors.

Inner policies here are stand-ins that give a fixed decision (any object with ``decide`` and
``to_dict`` is a policy), so each test states exactly what the inner policies said and what
the combination must answer: its own policy description, every inner decision in ``parts``,
the strictest outcome with the highest tier, the smallest approval and the reasons.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from paysupport.models import MerchantSegment, Tier
from paysupport.money import Money
from paysupport.policies import (
    AllMustApprove,
    Checklist,
    Decision,
    FirstMatch,
    Fixed,
    Override,
    PolicyInfo,
    Reason,
    RouteByCurrency,
    RouteBySegment,
    Step,
    Verdict,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CTX = SimpleNamespace(segment=MerchantSegment.VIP, currency="EUR")


class Given:
    """A policy that answers ``decision`` and records the context it was asked about."""

    def __init__(self, name: str, outcome: Verdict, **kwargs: object) -> None:
        self.name = name
        reasons = (Reason(f"{name}_said", "given", (), "", name),)
        self.decision = Decision(outcome, reasons, PolicyInfo.of({"kind": name}), **kwargs)
        self.asked: list[object] = []

    def decide(self, ctx: object, now: datetime) -> Decision:
        self.asked.append(ctx)
        return self.decision

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.name}


def eur(minor: int) -> Money:
    return Money.from_minor(minor, "EUR")


def test_first_match_answers_as_itself_with_every_decision_it_saw():
    a, b, c = Given("a", Verdict.PASS), Given("b", Verdict.DENY), Given("c", Verdict.APPROVE)
    fm = FirstMatch((a, b, c))
    d = fm.decide(CTX, NOW)
    assert (d.outcome, d.codes) == (Verdict.DENY, ("b_said",))
    assert d.policy == fm.info
    assert d.parts == (a.decision, b.decision)
    assert c.asked == []


def test_first_match_without_an_opinion_says_so():
    a, b = Given("a", Verdict.PASS), Given("b", Verdict.PASS)
    fm = FirstMatch((a, b))
    d = fm.decide(CTX, NOW)
    assert d.policy == fm.info
    assert d.parts == (a.decision, b.decision)
    assert [r.to_dict() for r in d.reasons] == [
        {
            "code": "no_policy_matched",
            "rule": "policies",
            "policy": "first_match",
            "message": "no policy had an opinion",
            "values": {},
        }
    ]


def test_all_must_approve_without_an_opinion_says_so():
    a, b = Given("a", Verdict.PASS), Given("b", Verdict.PASS)
    amp = AllMustApprove((a, b))
    d = amp.decide(CTX, NOW)
    assert d.outcome is Verdict.PASS
    assert d.policy == amp.info
    assert d.parts == (a.decision, b.decision)
    assert [r.to_dict() for r in d.reasons] == [
        {
            "code": "no_policy_matched",
            "rule": "policies",
            "policy": "all_must_approve",
            "message": "no policy had an opinion",
            "values": {},
        }
    ]


@pytest.mark.parametrize(
    ("outcomes", "strictest"),
    [
        ((Verdict.REVIEW, Verdict.DENY), Verdict.DENY),
        ((Verdict.ASK_CUSTOMER, Verdict.REVIEW), Verdict.REVIEW),
        ((Verdict.STOP, Verdict.ASK_CUSTOMER), Verdict.STOP),
        # a verdict outside the approval scale (contest) ranks with review: the first wins
        ((Verdict.REVIEW, Verdict.CONTEST), Verdict.REVIEW),
        ((Verdict.CONTEST, Verdict.ASK_CUSTOMER), Verdict.CONTEST),
    ],
)
def test_all_must_approve_gives_the_strictest_answer(outcomes, strictest):
    policies = tuple(Given(f"p{i}", o) for i, o in enumerate(outcomes))
    d = AllMustApprove((Given("ok", Verdict.APPROVE), *policies)).decide(CTX, NOW)
    assert d.outcome is strictest


def test_a_refusal_names_the_highest_tier_asked_and_every_refusing_reason():
    checklist = Checklist(("receipt",), (), ("receipt",))
    deny = Given("deny", Verdict.DENY, amount=eur(300), detail=checklist)
    review = Given("review", Verdict.REVIEW, tier=Tier.SENIOR)
    junior = Given("junior", Verdict.REVIEW, tier=Tier.JUNIOR)
    ok = Given("ok", Verdict.APPROVE, amount=eur(100))
    amp = AllMustApprove((ok, junior, deny, review))
    d = amp.decide(CTX, NOW)
    assert (d.outcome, d.tier, d.amount, d.detail) == (
        Verdict.DENY,
        Tier.SENIOR,
        eur(300),
        checklist,
    )
    assert d.codes == ("junior_said", "deny_said", "review_said")
    assert d.policy == amp.info
    assert d.parts == (ok.decision, junior.decision, deny.decision, review.decision)


def test_a_refusal_without_any_tier_names_none():
    d = AllMustApprove((Given("a", Verdict.DENY), Given("b", Verdict.REVIEW))).decide(CTX, NOW)
    assert d.tier is None


def test_all_approving_with_different_amounts_grants_the_smallest():
    big, small = (
        Given("big", Verdict.APPROVE, amount=eur(900)),
        Given("small", Verdict.APPROVE, amount=eur(200)),
    )
    amp = AllMustApprove((big, small, Given("none", Verdict.APPROVE)))
    d = amp.decide(CTX, NOW)
    assert (d.outcome, d.amount) == (Verdict.APPROVE_PARTIAL, eur(200))
    assert d.codes == ("big_said", "small_said", "none_said")
    assert d.policy == amp.info
    assert len(d.parts) == 3


def test_all_approving_the_same_amount_is_a_full_approval():
    a, b = (
        Given("a", Verdict.APPROVE, amount=eur(500)),
        Given("b", Verdict.APPROVE, amount=eur(500)),
    )
    d = AllMustApprove((a, b)).decide(CTX, NOW)
    assert (d.outcome, d.amount) == (Verdict.APPROVE, eur(500))


def test_all_approving_without_amounts_approves_with_none():
    d = AllMustApprove((Given("a", Verdict.APPROVE),)).decide(CTX, NOW)
    assert (d.outcome, d.amount) == (Verdict.APPROVE, None)


def test_a_partial_approval_without_reasons_is_explained_as_the_smallest():
    class Quiet:
        def __init__(self, minor: int) -> None:
            self.minor = minor

        def decide(self, ctx: object, now: datetime) -> Decision:
            return Decision(
                Verdict.APPROVE, (), PolicyInfo.of({"kind": "quiet"}), amount=eur(self.minor)
            )

        def to_dict(self) -> dict[str, object]:
            return {"kind": "quiet", "minor": self.minor}

    amp = AllMustApprove((Quiet(800), Quiet(300)))
    d = amp.decide(CTX, NOW)
    assert (d.outcome, d.amount) == (Verdict.APPROVE_PARTIAL, eur(300))
    assert [r.to_dict() for r in d.reasons] == [
        {
            "code": "smallest_approval",
            "rule": "policies",
            "policy": "all_must_approve",
            "message": "the smallest approval",
            "values": {},
        }
    ]
    assert d.policy == amp.info
    assert len(d.parts) == 2


def test_override_passes_the_context_to_the_rule_and_answers_as_itself():
    rule, default = Given("rule", Verdict.DENY), Given("default", Verdict.APPROVE)
    ov = Override(rule, default)
    d = ov.decide(CTX, NOW)
    assert rule.asked == [CTX]
    assert (d.outcome, d.policy, d.parts) == (Verdict.DENY, ov.info, (rule.decision,))


@pytest.mark.parametrize(
    ("router", "key"),
    [(RouteBySegment, MerchantSegment.VIP), (RouteByCurrency, "EUR")],
)
def test_a_router_answers_as_itself_with_the_routed_decision(router, key):
    routed, default = Given("routed", Verdict.REVIEW), Given("default", Verdict.APPROVE)
    r = router({key: routed}, default)
    d = r.decide(CTX, NOW)
    assert (d.outcome, d.policy, d.parts) == (Verdict.REVIEW, r.info, (routed.decision,))
    assert default.asked == []


def test_fixed_names_its_tier_only_when_given():
    assert Fixed(Verdict.REVIEW, tier="senior").decide(CTX, NOW).tier is Tier.SENIOR
    assert Fixed(Verdict.REVIEW).decide(CTX, NOW).tier is None


@pytest.mark.parametrize(
    "make", [lambda p: FirstMatch((p,)), lambda p: Override(p, Given("d", Verdict.APPROVE))]
)
def test_a_combinator_keeps_the_inner_decisions_amount_steps_and_detail(make):
    step = Step("call", Tier.MIDDLE, NOW, "assign_case")
    checklist = Checklist(("receipt",), (), ("receipt",))
    inner = Given(
        "inner", Verdict.REVIEW, amount=eur(700), tier=Tier.MIDDLE, steps=(step,), detail=checklist
    )
    d = make(inner).decide(CTX, NOW)
    assert (d.amount, d.tier, d.steps, d.detail) == (eur(700), Tier.MIDDLE, (step,), checklist)
