"""Operator authority at its edges: own limits, missing limits, four eyes, routing a decision.

Written against the mutants `scripts/mutation.py policies` left alive in escalation.py. Each
decision is compared whole (``to_dict``: outcome, reasons with rule and policy, amount,
tier, parts), since a workflow and an audit log read all of it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from paysupport.errors import NotAuthorized
from paysupport.models import Operator, Tier
from paysupport.money import Money
from paysupport.policies import (
    ApprovalContext,
    Decision,
    ExchangeRates,
    OperatorAuthority,
    PolicyInfo,
    Reason,
    Verdict,
)

AUTH = OperatorAuthority(
    tier_limits={Tier.JUNIOR: {"EUR": 10_000}, Tier.MIDDLE: {"EUR": 50_000, "JPY": 900_000}},
    reference_currency="EUR",
    top_tier=Tier.SENIOR,
)
RATES = ExchangeRates("EUR", {"USD": Decimal("0.5")})
REFUND = PolicyInfo.of({"kind": "refund_fairness"})


def eur(minor: int, code: str = "EUR") -> Money:
    return Money.from_minor(minor, code)


def op(tier: Tier = Tier.JUNIOR, active: bool = True, **limits: int) -> Operator:
    own = {code: eur(minor, code) for code, minor in limits.items()}
    return Operator(id="op_1", tier=tier, refund_limits=own, active=active)


def reason(code: str, rule: str, **values: object) -> dict[str, object]:
    return {"code": code, "rule": rule, "policy": "operator_authority", "values": values}


def shape(d: Decision) -> dict[str, object]:
    """The decision as a log reads it, without the sentences."""
    out = d.to_dict()
    out["reasons"] = [{k: v for k, v in r.items() if k != "message"} for r in out["reasons"]]
    out.pop("parts", None)
    return out


def expect(
    outcome: str, amount: Money, tier: str, *reasons: dict[str, object]
) -> dict[str, object]:
    return {
        "outcome": outcome,
        "reasons": list(reasons),
        "policy": "operator_authority",
        "fingerprint": AUTH.fingerprint,
        "amount": {"minor": amount.minor, "currency": amount.currency.code},
        "tier": tier,
    }


def test_four_eyes_refuses_the_requester_naming_their_tier():
    d = AUTH.decide(ApprovalContext(op(), eur(100), " OP_1 "))
    assert shape(d) == expect(
        "deny", eur(100), "junior", reason("four_eyes", "four_eyes", operator="op_1")
    )


def test_an_inactive_operator_is_refused_naming_the_tier_needed():
    d = AUTH.decide(ApprovalContext(op(active=False), eur(20_000), "op_2"))
    assert shape(d) == expect(
        "deny", eur(20_000), "middle", reason("inactive_operator", "active", operator="op_1")
    )


def test_no_rate_to_the_reference_currency_is_no_authority():
    d = AUTH.decide(ApprovalContext(op(), eur(100, "USD"), "op_2"))
    assert d.outcome is Verdict.DENY
    # no tier below the top one can be shown to cover it without the rate
    assert (d.tier, d.amount, d.policy) == (Tier.SENIOR, eur(100, "USD"), AUTH.info)
    assert (d.reasons[0].code, d.reasons[0].rule, d.reasons[0].policy) == (
        "no_authority_in_currency",
        "tier_limits",
        "operator_authority",
    )
    assert d.reasons[0].value("currency") == "USD"
    assert "USD" in d.reasons[0].value("error")


def test_with_the_rate_the_reference_limit_covers_another_currency():
    d = AUTH.decide(ApprovalContext(op(), eur(20_000, "USD"), "op_2", rates=RATES))
    assert d.outcome is Verdict.APPROVE  # 200.00 USD = 100.00 EUR, exactly the junior limit


@pytest.mark.parametrize(("minor", "outcome"), [(5_000, "approve"), (5_001, "deny")])
def test_an_operators_own_limit_holds_up_to_exactly_the_limit(minor, outcome):
    d = AUTH.decide(ApprovalContext(op(EUR=5_000), eur(minor), "op_2"))
    if outcome == "approve":
        assert shape(d) == expect(
            "approve",
            eur(minor),
            "junior",
            reason(
                "within_operator_limit",
                "tier_limits",
                operator="op_1",
                tier="junior",
                amount={"minor": minor, "currency": "EUR"},
            ),
        )
    else:
        assert shape(d) == expect(
            "deny",
            eur(minor),
            "junior",
            reason(
                "above_operator_limit",
                "tier_limits",
                operator="op_1",
                tier="junior",
                amount={"minor": minor, "currency": "EUR"},
                needed="junior",
            ),
        )


def test_own_limits_in_other_currencies_leave_no_authority_in_this_one():
    d = AUTH.decide(ApprovalContext(op(USD=5_000), eur(100), "op_2"))
    assert shape(d) == expect(
        "deny",
        eur(100),
        "junior",
        reason(
            "no_authority_in_currency",
            "tier_limits",
            operator="op_1",
            tier="junior",
            currency="EUR",
        ),
    )


def test_a_tier_with_neither_the_currency_nor_the_reference_has_no_authority():
    auth = OperatorAuthority(tier_limits={Tier.JUNIOR: {"JPY": 100}}, reference_currency="EUR")
    d = auth.decide(ApprovalContext(op(), eur(100), "op_2"))
    assert (d.outcome, d.codes, d.tier) == (
        Verdict.DENY,
        ("no_authority_in_currency",),
        Tier.SENIOR,
    )
    assert d.reasons[0].value("currency") == "EUR"


def test_the_limit_of_a_tier_without_limits_is_none():
    assert AUTH.limit_for(op(Tier.SENIOR), "EUR") is None
    assert AUTH.limit_for(op(Tier.MIDDLE), "JPY") == 900_000
    assert AUTH.limit_for(op(Tier.MIDDLE, JPY=1_000), "JPY") == 1_000


def test_authorize_raises_naming_the_action_and_the_reason():
    with pytest.raises(NotAuthorized) as caught:
        AUTH.authorize(op(), eur(20_000), "op_2")
    assert caught.value.action == "approve refund of 200.00 EUR"
    assert "above op_1's limit" in caught.value.reason
    with pytest.raises(NotAuthorized) as caught:
        AUTH.authorize(op(), eur(20_000), "op_2", action="void capture")
    assert caught.value.action == "void capture of 200.00 EUR"
    ok = AUTH.authorize(op(), eur(20_000, "USD"), "op_2", rates=RATES)
    assert ok.outcome is Verdict.APPROVE


def refund(outcome: Verdict, amount: Money | None, tier: Tier | None = None) -> Decision:
    return Decision(outcome, (Reason("refund_said", "rule"),), REFUND, amount=amount, tier=tier)


@pytest.mark.parametrize(
    "decision",
    [refund(Verdict.DENY, eur(100)), refund(Verdict.APPROVE, None)],
)
def test_a_deny_or_a_decision_without_amount_comes_back_unchanged(decision):
    assert AUTH.route(decision, operator=op()) is decision


def test_an_approval_without_operator_is_kept_as_the_authoritys_decision():
    d = refund(Verdict.APPROVE, eur(100), tier=Tier.SENIOR)
    routed = AUTH.route(d)
    assert (routed.outcome, routed.amount, routed.tier, routed.policy) == (
        Verdict.APPROVE,
        eur(100),
        None,
        AUTH.info,
    )
    assert (routed.parts, routed.codes) == ((d,), ("refund_said",))


def test_an_operator_request_from_an_unknown_operator_is_refused():
    d = refund(Verdict.APPROVE, eur(100))
    routed = AUTH.route(d, operator=op(), operator_request=True, requester_id="op_9")
    assert (routed.outcome, routed.amount, routed.policy, routed.parts) == (
        Verdict.DENY,
        eur(100),
        AUTH.info,
        (d,),
    )
    assert routed.codes == ("refund_said", "unknown_operator")
    assert routed.reasons[1].to_dict()["rule"] == "requester"
    assert routed.reasons[1].value("requester") == "op_9"


def test_routing_checks_the_operator_with_the_days_rates():
    d = refund(Verdict.APPROVE, eur(20_000, "USD"))
    routed = AUTH.route(d, operator=op(), rates=RATES)
    assert (routed.outcome, routed.amount, routed.policy) == (
        Verdict.APPROVE,
        eur(20_000, "USD"),
        AUTH.info,
    )
    assert routed.parts[0] is d
    assert routed.parts[1].codes == ("within_operator_limit",)


def test_a_tier_covers_its_own_currency_up_to_exactly_its_limit_without_rates():
    assert AUTH.tier_covers(Tier.MIDDLE, eur(900_000, "JPY"))
    assert not AUTH.tier_covers(Tier.MIDDLE, eur(900_001, "JPY"))


def test_the_tier_needed_skips_a_tier_that_cannot_convert_the_amount():
    auth = OperatorAuthority(
        tier_limits={Tier.JUNIOR: {"EUR": 10_000}, Tier.MIDDLE: {"USD": 50_000}}
    )
    assert auth.tier_needed(eur(100, "USD")) is Tier.MIDDLE  # junior would need a USD rate


def test_a_tier_without_any_limits_below_the_top_has_no_authority():
    auth = OperatorAuthority(tier_limits={Tier.JUNIOR: {"EUR": 10_000}}, top_tier=Tier.MIDDLE)
    d = auth.decide(ApprovalContext(op(Tier.SENIOR), eur(100), "op_2"))
    assert (d.outcome, d.codes) == (Verdict.DENY, ("no_authority_in_currency",))


def test_a_review_keeps_the_refund_policys_higher_tier_and_explains_it():
    d = refund(Verdict.REVIEW, eur(100), tier=Tier.SENIOR)  # the amount alone needs a junior
    routed = AUTH.route(d)
    assert (routed.outcome, routed.tier, routed.amount, routed.policy) == (
        Verdict.REVIEW,
        Tier.SENIOR,
        eur(100),
        AUTH.info,
    )
    last = routed.reasons[-1].to_dict()
    assert (last["code"], last["rule"], last["policy"]) == (
        "approval_tier",
        "tier_limits",
        "operator_authority",
    )
    assert last["values"] == {"amount": {"minor": 100, "currency": "EUR"}, "tier": "senior"}
    assert AUTH.route(refund(Verdict.REVIEW, eur(20_000), tier=Tier.JUNIOR)).tier is Tier.MIDDLE
