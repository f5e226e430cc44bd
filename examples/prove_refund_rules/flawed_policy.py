"""A team's own refund policy, as first written, and the fix the property checks led to.

Acme Outdoor's support team wrote down their refund rules:

1. an open chargeback is never refunded (the card network is already moving the money);
2. a payment with nothing left to refund is denied;
3. goods that came back are refunded in full, straight away;
4. otherwise, within 30 days of capture the customer gets what they asked for (up to what is
   left), with a senior looking first at anything above 200.00;
5. after 30 days: denied.

:class:`GoodsBackPolicy` is how they first coded it. Rule 3 refunds "everything the customer
paid", which they wrote as the captured amount, forgetting that part of it may have been
refunded already (or be on its way back). ``never_approves_more_than_refundable`` finds it in
a second. :class:`GoodsBackPolicyFixed` refunds what is still refundable instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import attrs

from paysupport.models import Tier
from paysupport.money import Money
from paysupport.policies import Decision, PolicyInfo, Reason, RefundContext, Verdict


@attrs.frozen
class GoodsBackPolicy:
    """Acme Outdoor's refund rules, first version (with the bug in rule 3)."""

    window_days: int = 30
    review_above_minor: int = 20_000

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "acme_goods_back",
            "window_days": self.window_days,
            "review_above_minor": self.review_above_minor,
        }

    @property
    def info(self) -> PolicyInfo:
        return PolicyInfo.of(self.to_dict())

    def goods_back_amount(self, ctx: RefundContext) -> Money:
        # BUG: "everything the customer paid" is not what is left to refund: earlier partial
        # refunds, refunds in flight and lost chargebacks have already taken part of it.
        return ctx.captured

    def decide(self, ctx: RefundContext, now: datetime) -> Decision:
        if ctx.blocking_dispute:
            return self._deny("open_chargeback", "open_dispute", "the payment has an open dispute")
        if not ctx.refundable.is_positive():
            return self._deny("nothing_refundable", "refundable", "nothing is left to refund")
        if ctx.request.goods_returned:
            amount = self.goods_back_amount(ctx)
            return Decision(
                Verdict.APPROVE,
                (
                    Reason(
                        "goods_returned",
                        "goods_returned",
                        (("amount", amount),),
                        "the goods are back: refund {amount}",
                    ),
                ),
                self.info,
                amount=amount,
            )
        captured_at = ctx.captured_at
        if captured_at is None or now - captured_at > timedelta(days=self.window_days):
            return self._deny(
                "outside_refund_window", "window_days", f"more than {self.window_days} days"
            )
        asked = ctx.request.amount or ctx.refundable
        amount = min(asked, ctx.refundable)
        if amount.minor > self.review_above_minor:
            return Decision(
                Verdict.REVIEW,
                (
                    Reason(
                        "above_review_limit",
                        "review_above_minor",
                        (("amount", amount),),
                        "{amount} needs a senior's eyes",
                    ),
                ),
                self.info,
                amount=amount,
                tier=Tier.SENIOR,
            )
        if amount < asked:
            return Decision(
                Verdict.APPROVE_PARTIAL,
                (
                    Reason(
                        "exceeds_refundable",
                        "refundable",
                        (("asked", asked), ("refundable", ctx.refundable)),
                        "asked {asked}, only {refundable} is left",
                    ),
                ),
                self.info,
                amount=amount,
            )
        return Decision(
            Verdict.APPROVE,
            (Reason("within_window", "window_days", (), "asked within the refund window"),),
            self.info,
            amount=amount,
        )

    def decide_many(self, contexts: Iterable[RefundContext], now: datetime) -> list[Decision]:
        return [self.decide(ctx, now) for ctx in contexts]

    def _deny(self, code: str, rule: str, sentence: str) -> Decision:
        return Decision(Verdict.DENY, (Reason(code, rule, (), sentence),), self.info)


@attrs.frozen
class GoodsBackPolicyFixed(GoodsBackPolicy):
    """The same rules, with rule 3 refunding what is still refundable."""

    def goods_back_amount(self, ctx: RefundContext) -> Money:
        return ctx.refundable
