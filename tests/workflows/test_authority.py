"""Authority on every path that pays a customer: no refund goes out beyond the acting
operator's authority, however the host passes (or forgets) the operator; four eyes holds on
the acting operator whatever the spelling of their id (issue 18)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paysupport.errors import NotAuthorized
from paysupport.models import Operator, RefundStatus, Tier
from paysupport.money import Money
from paysupport.policies import Verdict
from paysupport.policies.policy_set import DEFAULTS
from paysupport.workflows import (
    CaseContext,
    IssueRefund,
    RequestApproval,
    approve_refund,
    request_refund,
    triage,
)

from ._support import at, captured, case, request

#: How a host may pass the requesting operator (or fail to).
MODES = ("nothing", "operator", "directory", "someone_else", "directory_without_them")
SPELLINGS = st.sampled_from(["op_j", "OP_J", "Op_J", "oP_j"])


def _kwargs(mode: str, op: Operator) -> dict[str, Any]:
    other = Operator(id="op_other", tier=Tier.SENIOR)
    return {
        "nothing": {},
        "operator": {"operator": op},
        "directory": {"operators": {op.id: op}},
        "someone_else": {"operator": other},
        "directory_without_them": {"operators": {other.id: other}},
    }[mode]


def _may_alone(op: Operator, amount: Money) -> bool:
    return DEFAULTS.authority.check(op, amount, None).outcome is Verdict.APPROVE


@given(
    minor=st.integers(min_value=1, max_value=300_000),
    tier=st.sampled_from([Tier.JUNIOR, Tier.MIDDLE, Tier.SENIOR]),
    mode=st.sampled_from(MODES),
    spelling=SPELLINGS,
)
def test_an_operators_request_never_pays_beyond_their_authority(
    minor: int, tier: Tier, mode: str, spelling: str
) -> None:
    op = Operator(id="op_j", tier=tier)
    amount = Money.from_minor(minor, "EUR")
    p = captured(str(amount.amount))
    req = request(requester_id=spelling, requested_by="operator")
    if mode in ("nothing", "someone_else", "directory_without_them"):
        with pytest.raises(NotAuthorized):
            request_refund(p, req, **_kwargs(mode, op), now=at())
        return
    out = request_refund(p, req, **_kwargs(mode, op), now=at())
    issued = out.effects_of(IssueRefund)
    if issued:
        assert _may_alone(op, issued[0].amount)  # type: ignore[attr-defined]
    asks = out.effects_of(RequestApproval)
    if asks:
        refund = out.after("payment", "pay_1").refund("rf_rr_1")
        assert refund.status is RefundStatus.AWAITING_APPROVAL
        (decision,) = out.decisions
        assert decision.tier is asks[0].tier  # type: ignore[attr-defined]


@given(minor=st.integers(min_value=1, max_value=300_000), spelling=SPELLINGS)
def test_triage_by_an_operator_never_pays_beyond_their_authority(minor: int, spelling: str) -> None:
    op = Operator(id=spelling, tier=Tier.JUNIOR)
    amount = Money.from_minor(minor, "EUR")
    out = triage(
        case(), CaseContext(payments=[captured(str(amount.amount))], operator=op), now=at(1)
    )
    for effect in out.effects_of(IssueRefund):
        assert _may_alone(op, effect.amount)  # type: ignore[attr-defined]


@given(approver=SPELLINGS, tier=st.sampled_from([Tier.JUNIOR, Tier.MIDDLE, Tier.SENIOR]))
def test_four_eyes_holds_on_the_acting_operator_in_any_spelling(approver: str, tier: Tier) -> None:
    parked = request_refund(
        captured("2000"),
        request(requester_id="op_j", requested_by="operator"),
        operator=Operator(id="op_j", tier=Tier.JUNIOR),
        now=at(),
    ).after("payment", "pay_1")
    with pytest.raises(NotAuthorized):
        approve_refund(parked, "rf_rr_1", Operator(id=approver, tier=tier), now=at(1))
