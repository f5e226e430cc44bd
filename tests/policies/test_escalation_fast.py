"""Support-case triage without repeated work: the escalation context's written-out
``__init__``, reasons made once per key, and the case rule's reads (told from its code)."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from paysupport.models import (
    ClaimKind,
    Dispute,
    Merchant,
    Payment,
    SupportCase,
)
from paysupport.money import Money
from paysupport.networks import DisputeStage
from paysupport.policies import EscalationContext
from paysupport.policies.escalation import EscalationTier
from paysupport.workflows import triage

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


def _payment(**extra: object) -> Payment:
    return Payment.model_validate(
        {
            "id": "pay_1",
            "merchant_id": "m_1",
            "amount": {"minor": 25_000, "currency": "EUR"},
            "status": "captured",
            "created_at": T0 - timedelta(days=3),
            "captures": [
                {
                    "id": "cap_1",
                    "amount": {"minor": 25_000, "currency": "EUR"},
                    "captured_at": T0 - timedelta(days=3),
                }
            ],
            **extra,
        }
    )


def _dispute(pay: Payment) -> Dispute:
    return Dispute.opened(
        id="dp_1",
        payment_id=pay.id,
        network="visa",
        reason_code="10.4",
        amount=pay.amount,
        opened_at=T0 - timedelta(days=1),
    )


def _case(**extra: object) -> SupportCase:
    values: dict[str, object] = {
        "id": "case_1",
        "claim": ClaimKind.DISPUTE_RECEIVED,
        "opened_at": T0,
        "contacts": 4,
    }
    values.update(extra)
    return SupportCase.model_validate(values)


def test_escalation_context_init_takes_what_attrs_would_and_derives_every_fact() -> None:
    pay = _payment()
    dispute = _dispute(pay)
    shop = Merchant(id="m_1", name="Shop", segment="vip", market="DE")
    case = _case()
    ctx = EscalationContext(
        case=case, dispute=dispute, payment=pay, merchant=shop, fraud_signal=True
    )
    assert (ctx.case, ctx.amount, ctx.dispute, ctx.payment, ctx.merchant) == (
        case,
        None,
        dispute,
        pay,
        shop,
    )
    assert ctx.stake == dispute.amount and ctx.currency == "EUR"
    assert ctx.segment == shop.segment and ctx.stage is DisputeStage.CHARGEBACK
    assert ctx.fraud == ("host_signal", "fraud_dispute")
    assert [a.name for a in attrs.fields(EscalationContext) if a.init] == [
        "case",
        "amount",
        "dispute",
        "payment",
        "merchant",
        "fraud_signal",
    ]
    # attrs.evolve passes the fields again: every fact is derived anew
    moved = attrs.evolve(ctx, amount=Money.from_minor(700, "USD"), dispute=None, merchant=None)
    assert moved.stake == Money.from_minor(700, "USD") and moved.currency == "USD"
    assert (moved.stage, moved.segment, moved.fraud) == (None, None, ("host_signal",))
    bare = EscalationContext(case)
    assert (bare.stake, bare.currency, bare.segment, bare.stage, bare.fraud) == (
        None,
        None,
        None,
        None,
        (),
    )
    again = pickle.loads(pickle.dumps(ctx))
    assert again.stake == ctx.stake and again.fraud == ctx.fraud
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        ctx.amount = None  # type: ignore[misc]


def test_repeat_contact_and_fraud_reasons_are_made_once_per_key() -> None:
    policy = EscalationTier()
    pay = _payment()
    ctx = EscalationContext(_case(), dispute=_dispute(pay), payment=pay, fraud_signal=True)
    first = policy.decide(ctx, T0)
    second = policy.decide(ctx, T0)
    assert first == second
    codes = first.codes
    for code in ("repeat_contact", "fraud_signal"):
        i = codes.index(code)
        assert second.reasons[i] is first.reasons[i]  # kept, not made again
    # a fresh policy gives the same reasons (equal values, not a stale cache)
    fresh = EscalationTier().decide(ctx, T0)
    assert fresh == first and fresh.reasons == first.reasons
    fewer = policy.decide(attrs.evolve(ctx, case=_case(contacts=3)), T0)
    assert fewer.reasons[fewer.codes.index("repeat_contact")].value("contacts") == 3


def test_the_case_rule_runs_only_for_the_fields_it_reads() -> None:
    """Triage and start write none of the rule's fields: the engine need not run it."""
    (rule,) = SupportCase.__rules__
    for name in ("sla_due_at", "first_response_at", "resolved_at", "closed_at", "opened_at"):
        assert SupportCase.rules_reading(frozenset({name})) == (rule,)
    assert SupportCase.rules_reading(frozenset({"claim"})) == (rule,)
    assert SupportCase.rules_reading(frozenset({"payment_ids"})) == (rule,)
    written = frozenset({"status", "tier", "assignee", "history", "version"})
    assert SupportCase.rules_reading(written) == ()


def test_triage_gives_the_sla_checked_as_evolve_checks_it() -> None:
    pay = _payment()
    case = _case(claim=ClaimKind.REFUND_REQUEST, payment_ids=("pay_1",), contacts=1)
    from paysupport.workflows import CaseContext

    out = triage(case, CaseContext(payments=(pay,)), now=T0)
    (change,) = [c for c in out.changes if c.key == ("case", "case_1")]
    after = change.after
    assert isinstance(after, SupportCase)
    assert after.sla_due_at is not None and after.sla_due_at > after.opened_at
    assert "sla_due_at" in after.model_fields_set
    expected = case.evolve(sla_due_at=after.sla_due_at)
    assert expected.model_fields_set <= after.model_fields_set


@pytest.mark.parametrize(
    ("tier", "minor", "currency", "extra"),
    [
        ("junior", 5_000, "EUR", {}),  # within the tier's limit
        ("junior", 50_000, "EUR", {}),  # above it: middle must approve
        ("middle", 50_000, "EUR", {"refund_limits": {"EUR": {"minor": 20_000, "currency": "EUR"}}}),
        ("middle", 5_000, "USD", {"refund_limits": {"EUR": {"minor": 20_000, "currency": "EUR"}}}),
        ("junior", 5_000, "CHF", {}),  # only through the reference currency: no rate
        ("senior", 10**9, "JPY", {}),  # the top tier approves anything
        ("junior", 5_000, "EUR", {"active": False}),
    ],
)
def test_route_checks_the_operator_as_decide_checks_an_approval_context(
    tier: str, minor: int, currency: str, extra: dict[str, object]
) -> None:
    """`route` checks an operator without building an ApprovalContext: its check is the one
    `decide` gives on the context nobody requested."""
    from paysupport.models import Operator
    from paysupport.policies import ApprovalContext, OperatorAuthority
    from paysupport.policies.decision import Decision, PolicyInfo, Reason, Verdict

    authority = OperatorAuthority()
    operator = Operator.model_validate({"id": "op_1", "tier": tier, **extra})
    amount = Money.from_minor(minor, currency)
    fairness = Decision(
        Verdict.APPROVE,
        (Reason("within_policy", "all_rules", (), "", "refund_fairness"),),
        PolicyInfo.of({"kind": "refund_fairness"}),
        amount=amount,
    )
    routed = authority.route(fairness, operator=operator)
    assert routed.parts[1] == authority.decide(ApprovalContext(operator, amount, None))
