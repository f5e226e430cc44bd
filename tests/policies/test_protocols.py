"""Built-in policies satisfy their protocols; a host policy can too."""

from __future__ import annotations

from datetime import timedelta

from policy_factories import T0, refund_ctx

from paysupport.policies import (
    Decision,
    DisputeResponse,
    DisputeResponsePolicy,
    EscalationPolicy,
    EscalationTier,
    Outcome,
    Override,
    PolicyInfo,
    Reason,
    RefundFairness,
    RefundPolicy,
    Resolution,
    ResolutionPolicy,
    RetryPolicy,
    RetrySchedule,
)


def test_built_ins_satisfy_protocols():
    assert isinstance(RefundFairness(), RefundPolicy)
    assert isinstance(EscalationTier(), EscalationPolicy)
    assert isinstance(Resolution(), ResolutionPolicy)
    assert isinstance(DisputeResponse(), DisputeResponsePolicy)
    assert isinstance(RetrySchedule(), RetryPolicy)


class NoRefundsOnSundays:
    """A host's team rule: no automatic refunds on Sundays."""

    info = PolicyInfo.of({"kind": "no_refunds_on_sundays"})

    def decide(self, ctx, now):
        if now.weekday() == 6:
            return Decision(Outcome.REVIEW, (Reason("sunday", "weekday"),), self.info)
        return Decision(Outcome.PASS, (), self.info)

    def decide_many(self, contexts, now):
        return [self.decide(c, now) for c in contexts]

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
    assert p.decide(refund_ctx(), sunday + timedelta(days=1)).outcome is Outcome.APPROVE
    assert p.to_dict()["rule"] == {"kind": "no_refunds_on_sundays"}
