"""Self-tests of paysupport.testing.properties: pass on the built-ins, fail on broken policies.

Each broken policy below has one deliberate flaw; the matching check must catch it and say
so in an operator's words. The code blocks of docs/testing.md run here too.
"""

from __future__ import annotations

import inspect
import itertools
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, settings

from paysupport.models import ClaimKind, Operator, SupportCase, Tier
from paysupport.money import Money
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
from paysupport.testing import properties as pp
from paysupport.testing import strategies as ps

# Expected failures must not leave examples in the repository's Hypothesis database.
QUIET = settings(settings.default, database=None)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "testing.md"


# ---------------------------------------------------------------------- broken policies
class _Base:
    """What every test policy shares: an info, to_dict, decide_many."""

    kind = "test_policy"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind}

    @property
    def info(self) -> PolicyInfo:
        return PolicyInfo.of(self.to_dict())

    def decide(self, ctx: Any, now: datetime) -> Decision:
        raise NotImplementedError

    def decide_many(self, contexts: Iterable[Any], now: datetime) -> list[Decision]:
        return [self.decide(c, now) for c in contexts]


OK = (Reason("ok", "test", (), "fine"),)


class ApprovesWhatIsAsked(_Base):
    """Flaw: approves the requested amount (or the whole capture) without looking further."""

    def decide(self, ctx: RefundContext, now: datetime) -> Decision:
        if any(d.blocks_refund for d in ctx.payment.disputes):
            # It does respect open chargebacks: its one flaw is the amount.
            reason = Reason("open_chargeback", "dispute", (), "a chargeback is open")
            return Decision(Verdict.DENY, (reason,), self.info)
        amount = ctx.request.amount or ctx.captured
        return Decision(Verdict.APPROVE, OK, self.info, amount=amount)


class Sloppy(ApprovesWhatIsAsked):
    """Two flaws: approves any amount asked; sends 'everything' to review without a tier."""

    def decide(self, ctx: RefundContext, now: datetime) -> Decision:
        if ctx.request.amount is None:
            return Decision(Verdict.REVIEW, (Reason("look", "all", (), "look"),), self.info)
        return super().decide(ctx, now)


class CountsCalls(_Base):
    """Flaw: every other call denies (a counter in the policy)."""

    def __init__(self) -> None:
        self.calls = itertools.count()

    def decide(self, ctx: RefundContext, now: datetime) -> Decision:
        if next(self.calls) % 2:
            return Decision(Verdict.DENY, (Reason("busy", "counter", (), "try later"),), self.info)
        return Decision(
            Verdict.REVIEW, (Reason("check", "all", (), "look"),), self.info, tier=Tier.MIDDLE
        )


class DeniesWithoutReasons(_Base):
    """Flaw: denies everything with a blank reason (Decision itself refuses an empty tuple)."""

    def decide(self, ctx: RefundContext, now: datetime) -> Decision:
        return Decision(Verdict.DENY, (Reason("", ""),), self.info)


class UnrenderableReason(_Base):
    """Flaw: the reason's template names a value the rule did not record."""

    def decide(self, ctx: RefundContext, now: datetime) -> Decision:
        reason = Reason("too_late", "window", (("days", 3),), "{days} days, window {window}")
        return Decision(Verdict.DENY, (reason,), self.info)


class ReviewsWithoutTier(_Base):
    """Flaw: sends everything to review without saying who reviews."""

    def decide(self, ctx: RefundContext, now: datetime) -> Decision:
        return Decision(Verdict.REVIEW, (Reason("look", "all", (), "look at it"),), self.info)


class Crashes(_Base):
    """Flaw: assumes every payment has a customer."""

    def decide(self, ctx: RefundContext, now: datetime) -> Decision:
        if ctx.customer is None:
            raise KeyError("customer")
        return Decision(Verdict.DENY, (Reason("no", "all", (), "no"),), self.info)


class SometimesOverApproves(_Base):
    """Flaw: over-approves on the first call only (a cache warming up): flaky on replay."""

    def __init__(self) -> None:
        self.seen = 0

    def decide(self, ctx: RefundContext, now: datetime) -> Decision:
        self.seen += 1
        if self.seen == 3:
            return Decision(
                Verdict.APPROVE,
                OK,
                self.info,
                amount=ctx.refundable + Money.from_minor(1, ctx.currency),
            )
        return Decision(Verdict.DENY, (Reason("no", "all", (), "no"),), self.info)


class TierDropsForLargeAmounts(_Base):
    """Flaw: 'big customers are handled by the key-account desk' lowers the tier."""

    def decide(self, ctx: EscalationContext, now: datetime) -> Decision:
        stake = ctx.stake
        tier = Tier.MIDDLE
        if stake is not None and stake.minor >= 1_000_000:
            tier = Tier.JUNIOR
        return Decision(Verdict.ASSIGN, OK, self.info, tier=tier, amount=stake)


class NoTier(_Base):
    """Flaw: assigns without a tier."""

    def decide(self, ctx: EscalationContext, now: datetime) -> Decision:
        return Decision(Verdict.ASSIGN, OK, self.info)


class RequesterMayApprove(OperatorAuthority):
    """Flaw: forgets four eyes (the built-in rules, minus the requester check)."""

    def decide(self, ctx: ApprovalContext, now: datetime | None = None) -> Decision:
        return super().decide(ApprovalContext(ctx.approver, ctx.amount, None), now)


class ApprovesAnything(_Base):
    """Flaw: any active operator may approve any amount (but not their own request)."""

    def decide(self, ctx: ApprovalContext, now: datetime) -> Decision:
        if pp.same_operator(ctx.requester_id, ctx.approver.id):
            return Decision(Verdict.DENY, (Reason("four_eyes", "four_eyes", (), "no"),), self.info)
        return Decision(Verdict.APPROVE, OK, self.info, amount=ctx.amount)


# ---------------------------------------------------------------------- the built-ins pass
@pytest.mark.parametrize(
    "policy",
    [
        RefundFairness(),
        RefundFairness(require_return=True, allow_partial=False, review_tier=Tier.SENIOR),
    ],
    ids=["default", "strict"],
)
def test_refund_fairness_passes_every_refund_check(policy: RefundFairness) -> None:
    pp.check_refund_policy(policy)


def test_refund_checks_take_currencies_and_now() -> None:
    now = datetime(2027, 1, 15, 9, 0, tzinfo=ps.DEFAULT_NOW.tzinfo)
    pp.never_approves_more_than_refundable(RefundFairness(), now=now, currencies=["JPY", "KWD"])


def test_escalation_tier_and_operator_authority_pass() -> None:
    pp.check_escalation_policy(EscalationTier(), authority=OperatorAuthority())


def test_escalation_checks_take_currencies() -> None:
    pp.tier_is_monotone_in_amount(EscalationTier(), currencies=["JPY", "EUR", "CHF"])
    pp.respects_operator_limits(OperatorAuthority(), currencies=["EUR", "JPY"])


# ---------------------------------------------------------------------- broken ones fail
def _violation(run: Callable[[], None]) -> pp.PropertyViolation:
    with pytest.raises(pp.PropertyViolation) as info:
        run()
    return info.value


def test_blind_approval_exceeds_refundable() -> None:
    exc = _violation(
        lambda: pp.never_approves_more_than_refundable(ApprovesWhatIsAsked(), settings=QUIET)
    )
    text = str(exc)
    assert exc.check == "never_approves_more_than_refundable"
    assert exc.policy == "ApprovesWhatIsAsked"
    assert text.startswith("Policy 'ApprovesWhatIsAsked' approved ")
    assert "on payment pay_gen" in text
    assert re.search(r"only \d+\.\d+ EUR is refundable|an approval gives money back", text)
    assert "Request: " in text


def test_counter_makes_a_policy_nondeterministic() -> None:
    exc = _violation(lambda: pp.is_deterministic(CountsCalls(), settings=QUIET))
    assert "decided the same case differently" in str(exc)
    assert "first review" in str(exc) or "first deny" in str(exc)


@pytest.mark.parametrize(
    ("policy", "words"),
    [
        # Reason refuses both at construction; the check reports the policy's error.
        (DeniesWithoutReasons(), "reason code '' is not snake_case"),
        (UnrenderableReason(), "template names ['window']"),
        (ReviewsWithoutTier(), "without naming the tier that must review it"),
    ],
    ids=["blank", "template", "no-tier"],
)
def test_unexplained_decisions_are_caught(policy: _Base, words: str) -> None:
    exc = _violation(lambda: pp.explains_every_deny_and_review(policy, settings=QUIET))
    assert words in str(exc)
    assert "Request: " in str(exc)


def test_a_crash_is_reported_with_the_case() -> None:
    exc = _violation(lambda: pp.explains_every_deny_and_review(Crashes(), settings=QUIET))
    assert "raised KeyError" in str(exc)
    assert isinstance(exc.__cause__, KeyError)


def test_a_flaky_failure_becomes_a_violation() -> None:
    exc = _violation(
        lambda: pp.never_approves_more_than_refundable(SometimesOverApproves(), settings=QUIET)
    )
    assert "passed when the same example was run again" in str(exc)


def test_check_refund_policy_reports_every_failing_check() -> None:
    # Which checks fail is known before shrinking; shrinking two failures costs most of the run.
    few = settings(QUIET, max_examples=30, phases=[Phase.generate])
    exc = _violation(lambda: pp.check_refund_policy(ApprovesWhatIsAsked(), settings=few))
    assert exc.check == "never_approves_more_than_refundable"  # only that one fails
    exc = _violation(lambda: pp.check_refund_policy(Sloppy(), settings=few))
    assert exc.check == "several"
    assert str(exc).startswith("2 properties fail:\n- never_approves_more_than_refundable: ")
    assert "\n- explains_every_deny_and_review: " in str(exc)


def test_tier_dropping_for_large_amounts_is_caught() -> None:
    exc = _violation(
        lambda: pp.tier_is_monotone_in_amount(TierDropsForLargeAmounts(), settings=QUIET)
    )
    text = str(exc)
    assert "a larger amount lowered the tier" in text
    assert "to tier junior but" in text
    assert "Case: " in text


def test_a_missing_tier_is_caught() -> None:
    exc = _violation(lambda: pp.tier_is_monotone_in_amount(NoTier(), settings=QUIET))
    assert "without naming a tier" in str(exc)


def test_requester_approving_is_caught() -> None:
    exc = _violation(lambda: pp.enforces_four_eyes(RequesterMayApprove(), settings=QUIET))
    assert "that they requested themselves: four eyes" in str(exc)
    # The limits themselves are still respected.
    pp.respects_operator_limits(RequesterMayApprove())


def test_approving_above_the_limit_is_caught() -> None:
    exc = _violation(lambda: pp.respects_operator_limits(ApprovesAnything(), settings=QUIET))
    assert re.search(r"above their own limit|no approval limit in|not an active operator", str(exc))
    assert "Approval: " in str(exc)


def test_check_escalation_policy_runs_the_authority_checks() -> None:
    exc = _violation(
        lambda: pp.check_escalation_policy(
            EscalationTier(), authority=ApprovesAnything(), settings=QUIET
        )
    )
    assert exc.check == "respects_operator_limits"


# ---------------------------------------------------------------------- descriptions
def test_describe_speaks_operator(payment_factory: Any, paysupport_now: datetime) -> None:
    from paysupport.models import RefundRequest

    p = payment_factory("60.00", "EUR", age=timedelta(days=3))
    req = RefundRequest(id="rq_1", payment_id=p.id, requested_at=paysupport_now)
    text = pp.describe(RefundContext(p, req), paysupport_now)
    assert text.startswith("Request: requested_by_customer, full amount, 3 days after capture")
    assert "captured 60.00 EUR, refunded 0.00 EUR, in flight 0.00 EUR" in text

    case = SupportCase(
        id="cs_1", claim=ClaimKind.REFUND_REQUEST, opened_at=paysupport_now - timedelta(hours=1)
    )
    text = pp.describe(EscalationContext(case, amount=Money.of("10", "EUR")), paysupport_now)
    assert text.startswith("Case: refund_request case via")
    assert "10.00 EUR at stake" in text

    op = Operator(id="op_a", tier=Tier.JUNIOR, refund_limits={"EUR": Money.of("50", "EUR")})
    text = pp.describe(ApprovalContext(op, Money.of("20", "EUR"), "op_a"))
    assert text == (
        "Approval: op_a (junior, active, own limits 50.00 EUR) approves 20.00 EUR; "
        "requested by op_a."
    )
    assert pp.describe(42) == "42"


def test_violation_is_an_assertion_error() -> None:
    exc = pp.PropertyViolation("msg", check="c", policy="p")
    assert isinstance(exc, AssertionError)
    assert (str(exc), exc.check, exc.policy) == ("msg", "c", "p")


# ---------------------------------------------------------------------- the docs page runs
def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def _plugin_fixtures() -> dict[str, Any]:
    """The pytest plugin's fixtures, built by hand for the docs' test functions."""
    from paysupport.testing import pytest_plugin as plugin

    now = plugin.FIXED_NOW
    merchant = plugin.paysupport_merchant.__wrapped__()  # type: ignore[attr-defined]
    customer = plugin.paysupport_customer.__wrapped__()  # type: ignore[attr-defined]
    factory = plugin.payment_factory.__wrapped__(now, merchant, customer)  # type: ignore[attr-defined]
    return {
        "paysupport_now": now,
        "paysupport_merchant": merchant,
        "paysupport_customer": customer,
        "payment_factory": factory,
    }


def test_docs_page_code_runs() -> None:
    blocks = _python_blocks(DOCS.read_text(encoding="utf-8"))
    assert len(blocks) >= 5
    for i, block in enumerate(blocks):
        namespace: dict[str, Any] = {"__name__": f"docs_testing_block_{i}"}
        exec(compile(block, f"{DOCS.name}[block {i}]", "exec"), namespace)
        for name, value in list(namespace.items()):
            if name.startswith("test_") and callable(value) and not isinstance(value, type):
                fixtures = _plugin_fixtures()
                wanted = inspect.signature(value).parameters
                value(**{k: fixtures[k] for k in wanted})
