"""Built-in policies satisfy their protocols; a host policy can too; kinds are told apart."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from policy_factories import T0, refund_ctx

from paysupport.errors import PolicyConfigError
from paysupport.policies import (
    AllMustApprove,
    Decision,
    DisputeResponse,
    DisputeResponsePolicy,
    EscalationPolicy,
    EscalationTier,
    Fixed,
    Override,
    PolicyInfo,
    PolicySet,
    Reason,
    RefundContext,
    RefundFairness,
    RefundPolicy,
    Resolution,
    ResolutionPolicy,
    RetryPolicy,
    RetrySchedule,
    Verdict,
)


def test_built_ins_satisfy_protocols():
    assert isinstance(RefundFairness(), RefundPolicy)
    assert isinstance(EscalationTier(), EscalationPolicy)
    assert isinstance(Resolution(), ResolutionPolicy)
    assert isinstance(DisputeResponse(), DisputeResponsePolicy)
    assert isinstance(RetrySchedule(), RetryPolicy)


class NoRefundsOnSundays:
    """A host's team rule: no automatic refunds on Sundays."""

    CONTEXT = RefundContext
    info = PolicyInfo.of({"kind": "no_refunds_on_sundays"})

    def decide(self, ctx, now):
        if now.weekday() == 6:
            return Decision(Verdict.REVIEW, (Reason("sunday", "weekday"),), self.info)
        return Decision(Verdict.PASS, (), self.info)

    def to_dict(self, full=True):
        return {"kind": "no_refunds_on_sundays"}

    def __hash__(self):
        return 1

    def __eq__(self, other):
        return isinstance(other, NoRefundsOnSundays)


def test_host_policy_in_a_combinator():
    host = NoRefundsOnSundays()
    assert isinstance(host, RefundPolicy)
    p = Override(host, RefundFairness())
    sunday = T0 + timedelta(days=(6 - T0.weekday()) % 7)
    assert p.decide(refund_ctx(), sunday).codes == ("sunday",)
    assert p.decide(refund_ctx(), sunday + timedelta(days=1)).outcome is Verdict.APPROVE
    assert p.to_dict()["rule"] == {"kind": "no_refunds_on_sundays"}


@pytest.mark.parametrize(
    ("field", "policy"),
    [
        ("refund", RetrySchedule()),
        ("retry", RefundFairness()),
        ("escalation", Resolution()),
        ("dispute_response", EscalationTier()),
        ("resolution", DisputeResponse()),
        ("refund", AllMustApprove((RefundFairness(), RetrySchedule()))),
    ],
)
def test_policy_set_refuses_a_policy_of_the_wrong_kind(field, policy):
    with pytest.raises(PolicyConfigError) as exc:
        PolicySet(**{field: policy})
    assert (exc.value.field, exc.value.rule) == (field, "wrong_policy_kind")


class Undeclared:
    """A host policy that does not say what it decides."""

    def decide(self, ctx, now):
        raise NotImplementedError

    def to_dict(self):
        return {"kind": "undeclared"}


class AnnotatedHost:
    """A host policy whose annotation says what it decides."""

    def decide(self, ctx: RefundContext, now: datetime) -> Decision:
        raise NotImplementedError

    def to_dict(self):
        return {"kind": "annotated"}


def test_policy_set_tells_host_policies_apart():
    with pytest.raises(PolicyConfigError) as exc:
        PolicySet(refund=Undeclared())
    assert "does not say what it decides" in exc.value.message
    assert PolicySet(refund=AnnotatedHost()).refund.to_dict() == {"kind": "annotated"}
    with pytest.raises(PolicyConfigError):
        PolicySet(retry=AnnotatedHost())
    assert PolicySet(refund=Override(NoRefundsOnSundays(), RefundFairness())).refund
    freeze = Fixed(Verdict.DENY, "refund_freeze", "refunds are frozen")
    assert PolicySet(refund=freeze, retry=freeze).refund is freeze
