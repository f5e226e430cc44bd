"""Self-tests of paysupport.testing.stateful: every base runs, subclassed with policies.

Each base is subclassed the way a user would (own policy, own invariant, transition hook)
and run as a test; broken policies plugged into the machines are caught.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from paysupport.models import Payment, Refund, SupportCase
from paysupport.policies import (
    ApprovalContext,
    Decision,
    EscalationContext,
    EscalationTier,
    OperatorAuthority,
    PolicyInfo,
    Reason,
    RefundContext,
    RefundFairness,
    Verdict,
)
from paysupport.testing import stateful
from paysupport.testing.properties import PropertyViolation

QUIET = settings(
    settings.default,
    database=None,
    max_examples=100,
    phases=[p for p in settings.default.phases if p is not Phase.explain],
)
# The machines below must catch a broken policy; whether they do is known before shrinking.
# 300 runs, not QUIET's 100: a run stops at the first catch (about 1 s), and with 100 runs
# the self-approval machine missed the bug under 2 of 40 seeds (22 and 29; the same before
# and after the 2026-12-02 speed pass).
CATCHING = settings(QUIET, max_examples=300, phases=[Phase.generate])
_INFO = PolicyInfo.of({"kind": "test_policy"})
_OK = (Reason("ok", "test", (), "fine"),)


# ---------------------------------------------------------------------- users' machines
class OurPayments(stateful.PaymentLifecycleMachine):
    def refund_policy(self) -> RefundFairness:
        return RefundFairness()

    def check(self, model: Payment) -> None:
        assert model.amount_refundable <= model.amount_captured


class OurRefunds(stateful.RefundLifecycleMachine):
    def authority(self) -> OperatorAuthority:
        return OperatorAuthority()


class OurDisputes(stateful.DisputeLifecycleMachine):
    pass


class OurRecoveries(stateful.RecoveryLifecycleMachine):
    pass


class OurCases(stateful.CaseLifecycleMachine):
    def escalation_policy(self) -> EscalationTier:
        return EscalationTier()

    def on_transition(self, before: SupportCase, after: SupportCase, event: str) -> None:
        if event == "resolve":
            assert after.resolved_at is not None


# Runs go deep (about 30 steps, most of them accepted events), so a fifth of the profile's
# examples (the deep profile still scales them) keeps the suite fast; the payment machine,
# which also asks the policy along the way, gets a tenth.
_PROFILE = settings()
LIGHTER = settings(_PROFILE, max_examples=max(20, _PROFILE.max_examples // 5))
LIGHTEST = settings(_PROFILE, max_examples=max(10, _PROFILE.max_examples // 10))
TestOurPayments = stateful.as_test_case(OurPayments, settings=LIGHTEST)
TestOurRefunds = stateful.as_test_case(OurRefunds, settings=LIGHTER)
TestOurDisputes = stateful.as_test_case(OurDisputes, settings=LIGHTER)
TestOurRecoveries = stateful.as_test_case(OurRecoveries, settings=LIGHTER)
TestOurCases = stateful.as_test_case(OurCases, settings=LIGHTER)


def test_as_test_case_applies_settings() -> None:
    custom = settings(max_examples=7)
    case = stateful.as_test_case(OurDisputes, settings=custom)
    assert case.settings is custom
    assert stateful.as_test_case(OurDisputes).settings.max_examples >= 1


def test_the_base_needs_initial_models() -> None:
    with pytest.raises(NotImplementedError, match="initial_models"):
        stateful.LifecycleStateMachine().initial_models()


# ---------------------------------------------------------------------- hooks are called
def test_user_check_runs_and_failures_surface() -> None:
    class NeverRefunded(stateful.PaymentLifecycleMachine):
        def check(self, model: Payment) -> None:
            assert not model.amount_refunded.is_positive(), "a refund happened"

    with pytest.raises(AssertionError, match="a refund happened"):
        run_state_machine_as_test(NeverRefunded, settings=QUIET)


def test_on_transition_sees_every_accepted_event() -> None:
    seen: list[str] = []

    class Recording(stateful.RefundLifecycleMachine):
        def on_transition(self, before: Refund, after: Refund, event: str) -> None:
            seen.append(event)
            assert after.version == before.version + 1

    run_state_machine_as_test(Recording, settings=settings(QUIET, max_examples=20))
    assert seen


# ---------------------------------------------------------------------- broken policies
class ForgetsEarlierRefunds:
    """Refunds the whole capture every time, however much was refunded before."""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "forgets"}

    def decide(self, ctx: RefundContext, now: datetime) -> Decision:
        if not ctx.captured.is_positive():
            return Decision(Verdict.DENY, (Reason("not_captured", "captured", (), "no"),), _INFO)
        if ctx.payment.is_disputed:
            # Its one bug is the amount: it does respect open chargebacks.
            return Decision(Verdict.DENY, (Reason("disputed", "chargeback", (), "no"),), _INFO)
        return Decision(Verdict.APPROVE, _OK, _INFO, amount=ctx.captured)

    def decide_many(self, contexts: Any, now: datetime) -> list[Decision]:
        return [self.decide(c, now) for c in contexts]


def test_payment_machine_catches_over_approval() -> None:
    class Machine(stateful.PaymentLifecycleMachine):
        def refund_policy(self) -> Any:
            return ForgetsEarlierRefunds()

    with pytest.raises(PropertyViolation, match=r"but only .* is refundable") as info:
        run_state_machine_as_test(Machine, settings=CATCHING)
    assert info.value.check == "never_approves_more_than_refundable"


class LetsRequesterApprove(OperatorAuthority):
    def decide(self, ctx: ApprovalContext, now: datetime | None = None) -> Decision:
        return super().decide(ApprovalContext(ctx.approver, ctx.amount, None), now)


def test_refund_machine_catches_self_approval() -> None:
    class Machine(stateful.RefundLifecycleMachine):
        def authority(self) -> Any:
            return LetsRequesterApprove()

    with pytest.raises(PropertyViolation, match="four eyes") as info:
        run_state_machine_as_test(Machine, settings=CATCHING)
    assert info.value.check == "enforces_four_eyes"


class RoutesNowhere:
    def to_dict(self) -> dict[str, Any]:
        return {"kind": "nowhere"}

    def decide(self, ctx: EscalationContext, now: datetime) -> Decision:
        return Decision(Verdict.ASSIGN, _OK, _INFO)

    def decide_many(self, contexts: Any, now: datetime) -> list[Decision]:
        return [self.decide(c, now) for c in contexts]


def test_case_machine_catches_a_missing_tier() -> None:
    class Machine(stateful.CaseLifecycleMachine):
        def escalation_policy(self) -> Any:
            return RoutesNowhere()

    with pytest.raises(PropertyViolation, match="without naming a tier"):
        run_state_machine_as_test(Machine, settings=CATCHING)
