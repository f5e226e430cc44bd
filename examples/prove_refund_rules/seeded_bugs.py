"""Twelve realistic mistakes in refund, approval, escalation and retry rules.

Each class is a rule set a support team could plausibly write, with exactly one mistake of
the kind that costs money or breaks a network rule. They are the testing kit's own proof:
`tests/testing/test_seeded_bugs.py` runs the kit's default checks
(:func:`~paysupport.testing.properties.check_refund_policy`,
:func:`~paysupport.testing.properties.check_escalation_policy`,
:func:`~paysupport.testing.properties.check_retry_policy`) on each, with the default example
count, and requires every one to be caught in every one of 20 runs with different seeds.

| class | the mistake | caught by |
|---|---|---|
| ForgetsEarlierRefunds | caps a refund at the captured amount | approves_more (*) |
| IgnoresRefundsInFlight | caps at captured minus succeeded refunds | approves_more |
| AssumesTwoDecimals | converts amounts to cents for every currency | approves_more |
| RefundsDuringChargeback | forgets the open-chargeback rule | during_open_chargeback |
| ApprovesWhenNothingLeft | tests "captured" instead of "refundable" | approves_more |
| DeniesWithoutReason | denies kept-goods refunds with no reason | explains_every_deny |
| RoundRobinReviewer | picks the reviewing tier from a counter | is_deterministic |
| CaseSensitiveFourEyes | compares operator ids as typed | enforces_four_eyes |
| LimitInAnyCurrency | compares minor units across currencies | respects_operator_limits |
| RoundingTolerance | lets approvers go 1 % over their limit | respects_operator_limits |
| UnsortedTierThresholds | first-match thresholds in the wrong order | tier_is_monotone |
| RetriesHardDeclines | retries everything Stripe does not flag | never_retries_hard_decline |

(*) ``never_approves_more_than_refundable``; the others are named after their checks too.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from paysupport.lifecycles import hard_decline_reason
from paysupport.models import Tier
from paysupport.money import Money
from paysupport.policies import (
    ApprovalContext,
    Decision,
    EscalationContext,
    PolicyInfo,
    Reason,
    RefundContext,
    RetryContext,
    Verdict,
)
from paysupport.policies.decision import RetryPlan

__all__ = [
    "APPROVAL_BUGS",
    "TEAM_ESCALATION",
    "ESCALATION_BUGS",
    "REFUND_BUGS",
    "RETRY_BUGS",
]


def _info(name: str) -> PolicyInfo:
    return PolicyInfo.of({"kind": name})


def _reason(code: str, message: str) -> Reason:
    return Reason(code, code, (), message)


# ---------------------------------------------------------------------- refund rules
@attrs.frozen
class TeamRefundRules:
    """The rules, written correctly: the base the refund mistakes below change one thing of.

    1. an open chargeback (or later stage) is never refunded;
    2. nothing refundable: deny;
    3. above ``review_above`` (in the payment's currency): a senior reviews;
    4. otherwise refund what was asked, up to what is refundable.
    """

    review_above_minor: int = 10_000

    def cap(self, ctx: RefundContext) -> Money:
        """The most this refund may give back."""
        return ctx.payment.amount_refundable

    def blocked(self, ctx: RefundContext) -> bool:
        """Whether an open dispute forbids the refund."""
        return any(d.blocks_refund for d in ctx.payment.disputes)

    def nothing_left(self, ctx: RefundContext) -> bool:
        """Whether there is nothing to refund."""
        return not ctx.payment.amount_refundable.is_positive()

    def grant(self, ctx: RefundContext) -> Money:
        """The amount approved."""
        asked = ctx.request.amount or self.cap(ctx)
        return min(asked, self.cap(ctx))

    def review(self, ctx: RefundContext, amount: Money) -> Decision:
        """A senior looks at large refunds."""
        return Decision(
            Verdict.REVIEW,
            (_reason("large_refund", "a large refund is reviewed by a senior"),),
            _info(type(self).__name__),
            amount=amount,
            tier=Tier.SENIOR,
        )

    def decide(self, ctx: RefundContext, now: datetime) -> Decision:
        """Apply rules 1-4."""
        info = _info(type(self).__name__)
        if self.blocked(ctx):
            return Decision(Verdict.DENY, (_reason("open_chargeback", "chargeback open"),), info)
        if self.nothing_left(ctx):
            return Decision(Verdict.DENY, (_reason("nothing_refundable", "nothing left"),), info)
        amount = self.grant(ctx)
        if amount.minor > self.review_above_minor:
            return self.review(ctx, amount)
        return Decision(Verdict.APPROVE, (), info, amount=amount)


@attrs.frozen
class ForgetsEarlierRefunds(TeamRefundRules):
    """Caps the refund at what was captured: earlier refunds are forgotten."""

    def cap(self, ctx: RefundContext) -> Money:
        return ctx.payment.amount_captured


@attrs.frozen
class IgnoresRefundsInFlight(TeamRefundRules):
    """Counts succeeded refunds only: a pending refund's money is handed out again."""

    def cap(self, ctx: RefundContext) -> Money:
        p = ctx.payment
        succeeded = sum(r.amount.minor for r in p.refunds if r.status.value == "succeeded")
        return Money.from_minor(max(0, p.amount_captured.minor - succeeded), p.currency)


@attrs.frozen
class AssumesTwoDecimals(TeamRefundRules):
    """Turns the display amount into "cents" by multiplying by 100, whatever the currency."""

    def grant(self, ctx: RefundContext) -> Money:
        amount = super().grant(ctx)
        cents = int(amount.amount * Decimal(100))
        return Money.from_minor(cents, amount.currency)


@attrs.frozen
class RefundsDuringChargeback(TeamRefundRules):
    """Forgets rule 1: refunds while the network is already taking the money back."""

    def blocked(self, ctx: RefundContext) -> bool:
        return False


@attrs.frozen
class ApprovesWhenNothingLeft(TeamRefundRules):
    """Checks that something was captured, not that something is left to refund."""

    def nothing_left(self, ctx: RefundContext) -> bool:
        return not ctx.payment.amount_captured.is_positive()


@attrs.frozen
class DeniesWithoutReason(TeamRefundRules):
    """Denies a refund when the customer kept the goods, and says nothing about why."""

    def decide(self, ctx: RefundContext, now: datetime) -> Decision:
        if ctx.request.goods_returned is False:
            return Decision(Verdict.DENY, (), _info(type(self).__name__))
        return super().decide(ctx, now)


_COUNTER: Iterator[int] = itertools.count()


@attrs.frozen
class RoundRobinReviewer(TeamRefundRules):
    """Spreads reviews over tiers with a counter: the same case gets different answers."""

    def review(self, ctx: RefundContext, amount: Money) -> Decision:
        tier = (Tier.MIDDLE, Tier.SENIOR)[next(_COUNTER) % 2]
        return Decision(
            Verdict.REVIEW,
            (_reason("large_refund", "a large refund is reviewed"),),
            _info(type(self).__name__),
            amount=amount,
            tier=tier,
        )

    def decide(self, ctx: RefundContext, now: datetime) -> Decision:
        # Every refund is "large" for this team, so the counter decides every case.
        return (
            self.review(ctx, self.grant(ctx)) if not self.blocked(ctx) else super().decide(ctx, now)
        )


# ---------------------------------------------------------------------- approval rules
@attrs.frozen
class TeamAuthority:
    """Approval authority, written correctly: active, within limit, not one's own request."""

    def same_person(self, ctx: ApprovalContext) -> bool:
        """Whether the approver made the request."""
        requester = ctx.requester_id
        return requester is not None and (
            requester.strip().casefold() == ctx.approver.id.strip().casefold()
        )

    def within_limit(self, ctx: ApprovalContext) -> bool:
        """Whether the amount is within the approver's limit in its currency."""
        limit = ctx.approver.limit_for(ctx.amount.currency.code)
        return limit is not None and ctx.amount <= limit

    def decide(self, ctx: ApprovalContext, now: datetime) -> Decision:
        """Approve, or deny with the reason."""
        info = _info(type(self).__name__)
        if not ctx.approver.active:
            return Decision(Verdict.DENY, (_reason("inactive", "operator inactive"),), info)
        if self.same_person(ctx):
            return Decision(Verdict.DENY, (_reason("four_eyes", "own request"),), info)
        if not self.within_limit(ctx):
            return Decision(Verdict.DENY, (_reason("over_limit", "above the limit"),), info)
        return Decision(Verdict.APPROVE, (), info, amount=ctx.amount)


@attrs.frozen
class CaseSensitiveFourEyes(TeamAuthority):
    """Compares ids exactly as typed: "OP_J" may approve what "op_j" asked for."""

    def same_person(self, ctx: ApprovalContext) -> bool:
        return ctx.requester_id == ctx.approver.id


@attrs.frozen
class LimitInAnyCurrency(TeamAuthority):
    """Compares minor units with whichever limit the operator has, in any currency."""

    def within_limit(self, ctx: ApprovalContext) -> bool:
        return any(ctx.amount.minor <= m.minor for m in ctx.approver.refund_limits.values())


@attrs.frozen
class RoundingTolerance(TeamAuthority):
    """Lets an approver go 1 % over the limit "for rounding"."""

    def within_limit(self, ctx: ApprovalContext) -> bool:
        limit = ctx.approver.limit_for(ctx.amount.currency.code)
        return limit is not None and ctx.amount.minor <= limit.minor + max(1, limit.minor // 100)


# ---------------------------------------------------------------------- escalation rules
@attrs.frozen
class UnsortedTierThresholds:
    """Routes by the first threshold the stake reaches, with the thresholds out of order."""

    # BUG: first match wins and the list is not sorted from the highest floor down: a stake
    # of 1,000.00 or more matches the middle-tier floor first, so it goes to a lower tier than
    # a stake of 100.00 does. Sorted (highest floor first), the same rule is correct.
    thresholds: tuple[tuple[int, Tier], ...] = ((10_000, Tier.MIDDLE), (1_000, Tier.SENIOR))

    def decide(self, ctx: EscalationContext, now: datetime) -> Decision:
        """Assign a tier by the stake."""
        stake = ctx.stake.minor if ctx.stake is not None else 0
        tier = next((t for floor, t in self.thresholds if stake >= floor), Tier.JUNIOR)
        return Decision(
            Verdict.ASSIGN,
            (_reason("by_stake", "routed by the amount at stake"),),
            _info(type(self).__name__),
            tier=tier,
        )


# ---------------------------------------------------------------------- retry rules
@attrs.frozen
class TeamRetryRules:
    """Retry rules, written correctly: never retry a hard decline, else once a day later."""

    def hard(self, ctx: RetryContext) -> bool:
        """Whether the decline must never be retried (the library's one definition)."""
        f = ctx.failure
        return hard_decline_reason(f.decline, f.advice, f.declined_at.date()) is not None

    def decide(self, ctx: RetryContext, now: datetime) -> Decision:
        """Ask for a new card after a hard decline; otherwise retry in 24 hours."""
        info = _info(type(self).__name__)
        if self.hard(ctx):
            return Decision(
                Verdict.ASK_CUSTOMER,
                (_reason("hard_decline", "the issuer will not approve this card"),),
                info,
                detail=RetryPlan((), "new_payment_method"),
            )
        at = ctx.failure.declined_at + timedelta(hours=24)
        return Decision(
            Verdict.RETRY,
            (_reason("retry_tomorrow", "retried a day later"),),
            info,
            detail=RetryPlan((at,), ""),
        )


@attrs.frozen
class RetriesHardDeclines(TeamRetryRules):
    """Retries every decline once a day later, unless Stripe lists the code as non-retryable.

    Visa category 1 codes (the issuer will never approve: ``04`` pick up card, ``14``
    invalid account, ...) and Mastercard advice 03/21 are retried anyway: a network breach.
    """

    def hard(self, ctx: RetryContext) -> bool:
        decline = ctx.failure.decline
        return decline is not None and decline.stripe_non_retryable


TEAM_ESCALATION = UnsortedTierThresholds(thresholds=((100_000, Tier.SENIOR), (10_000, Tier.MIDDLE)))
"""The same escalation rule with its thresholds sorted: correct."""

REFUND_BUGS = (
    ForgetsEarlierRefunds(),
    IgnoresRefundsInFlight(),
    AssumesTwoDecimals(),
    RefundsDuringChargeback(),
    ApprovesWhenNothingLeft(),
    DeniesWithoutReason(),
    RoundRobinReviewer(),
)
"""Refund policies with one mistake each (check with ``check_refund_policy``)."""
APPROVAL_BUGS = (CaseSensitiveFourEyes(), LimitInAnyCurrency(), RoundingTolerance())
"""Approval authorities with one mistake each (``check_escalation_policy(authority=...)``)."""
ESCALATION_BUGS = (UnsortedTierThresholds(),)
"""Escalation policies with one mistake each (``check_escalation_policy``)."""
RETRY_BUGS = (RetriesHardDeclines(),)
"""Retry policies with one mistake each (``check_retry_policy``)."""
