"""Refund fairness: approve, approve partially, send to review, or deny a refund request.

The rules, in the order they are checked (refunds-and-failed-payments.md §1.3, §1.4, §6):

1. ``currency_mismatch`` (deny): the requested amount is not in the payment's currency.
2. ``nothing_refundable`` (deny): captured − refunded − in flight − lost chargebacks is zero.
3. ``open_chargeback`` (deny): an open dispute would pay the customer twice, unless every open
   dispute is ``is_charge_refundable`` (Stripe), which adds ``dispute_allows_refund``.
4. ``early_fraud_warning`` (approve all that is refundable): about 80% escalate otherwise.
5. ``duplicate_charge`` (approve in full): same card fingerprint, amount and merchant within
   ``duplicate_window_seconds``; a duplicate claim without such a match goes to review
   (``duplicate_not_confirmed``: identical legitimate purchases exist).
6. ``overcharge`` (approve the difference): captured − ``correct_amount``;
   ``no_overcharge`` (deny) when there is none, ``overcharge_amount_missing`` (review).
7. ``outside_refund_window`` (deny): more than ``refund_window_days[method]`` days since
   capture; exactly at the window's end is still inside.
8. ``serial_refunder`` (deny) / ``refund_history_count`` / ``refund_history_amount`` (review):
   the customer's refunds in the last ``history_window_days``.
9. ``goods_not_returned`` (review): with ``require_return``, the customer kept the goods.
10. ``exceeds_refundable`` (approve partially): never more than what is refundable.
11. ``above_auto_approve_limit`` / ``no_limit_for_currency`` (review).
"""
# ruff: noqa: RUF009  (param() and derived() are attrs field specifiers, like attrs.field)

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, ClassVar

import attrs

from paysupport.models import PaymentStatus, RefundReason, Tier
from paysupport.money import Money

from ._config import (
    BoolCodec,
    CurrencyKey,
    EnumCodec,
    IntCodec,
    MapCodec,
    PolicyBase,
    TextCodec,
    derived,
    param,
    register_kind,
)
from .context import RefundContext
from .decision import Decision, Outcome, PolicyInfo, Reason

__all__ = ["RefundFairness"]

_A = Outcome.APPROVE
_AP = Outcome.APPROVE_PARTIAL
_R = Outcome.REVIEW
_D = Outcome.DENY

_DEFAULT_WINDOWS: dict[str, int] = {
    "card": 180,
    "amazon_pay": 90,
    "ideal": 180,
    "bancontact": 180,
    "sepa_debit": 180,
}
_DEFAULT_LIMITS: dict[str, int] = {"EUR": 50_000, "USD": 50_000, "GBP": 50_000}
_DEFAULT_HISTORY_AMOUNT: dict[str, int] = {"EUR": 100_000, "USD": 100_000, "GBP": 100_000}


@register_kind("refund_fairness")
@attrs.frozen(slots=True)
class RefundFairness(PolicyBase):
    """The default refund-fairness policy; every number is a parameter a team tunes.

    Attributes:
        refund_window_days: days after capture a refund is allowed, per payment method type.
        default_window_days: the window for a method not in ``refund_window_days``.
        history_window_days: how far back the customer's refund history counts.
        history_max_count: more refunds than this in the window go to review.
        history_max_amount: more than this (minor units, per currency) goes to review.
        serial_refunder_count: this many refunds or more in the window are denied.
        duplicate_window_seconds: two charges this close are the same charge twice.
        auto_approve_limit: the largest refund approved without review, per currency (minor
            units); a currency absent here always goes to review.
        require_return: goods must be back before a refund (``goods_returned=False`` → review).
        allow_partial: grant what is refundable when more is asked (else deny).
        review_tier: the tier that reviews what this policy sends to review.
    """

    KIND: ClassVar[str] = "refund_fairness"

    refund_window_days: Any = param(
        MapCodec(TextCodec(), IntCodec(0)), factory=lambda: dict(_DEFAULT_WINDOWS)
    )
    default_window_days: int = param(IntCodec(0), 180)
    history_window_days: int = param(IntCodec(1), 90)
    history_max_count: int = param(IntCodec(0), 3)
    history_max_amount: Any = param(
        MapCodec(CurrencyKey(), IntCodec(0)), factory=lambda: dict(_DEFAULT_HISTORY_AMOUNT)
    )
    serial_refunder_count: int = param(IntCodec(1), 8)
    duplicate_window_seconds: int = param(IntCodec(0), 300)
    auto_approve_limit: Any = param(
        MapCodec(CurrencyKey(), IntCodec(0)), factory=lambda: dict(_DEFAULT_LIMITS)
    )
    require_return: bool = param(BoolCodec(), False)
    allow_partial: bool = param(BoolCodec(), True)
    review_tier: Tier = param(EnumCodec(Tier), Tier.MIDDLE)

    _info: PolicyInfo = derived()
    _windows: dict[str, timedelta] = derived()
    _default_window: timedelta = derived()
    _history_window: timedelta = derived()
    _history_amount: dict[str, int] = derived()
    _limits: dict[str, int] = derived()
    _dup_window: timedelta = derived()
    _ok: tuple[Reason, ...] = derived()

    def __attrs_post_init__(self) -> None:
        self._setup()
        s = object.__setattr__
        s(self, "_windows", {m: timedelta(days=d) for m, d in self.refund_window_days})
        s(self, "_default_window", timedelta(days=self.default_window_days))
        s(self, "_history_window", timedelta(days=self.history_window_days))
        s(self, "_history_amount", dict(self.history_max_amount))
        s(self, "_limits", dict(self.auto_approve_limit))
        s(self, "_dup_window", timedelta(seconds=self.duplicate_window_seconds))
        s(self, "_ok", (Reason("within_policy", "all_rules", (), "every rule passed"),))

    # ------------------------------------------------------------------ deciding
    def decide(self, ctx: RefundContext, now: datetime) -> Decision:
        """Decide one refund request at ``now``."""
        info = self._info
        req = ctx.request
        refundable = ctx.refundable
        asked = req.amount
        if asked is not None and asked.currency is not refundable.currency:
            return Decision(
                _D,
                (
                    Reason(
                        "currency_mismatch",
                        "currency",
                        (("asked", asked), ("payment_currency", ctx.currency)),
                        "{asked} is not in the payment's currency {payment_currency}",
                    ),
                ),
                info,
            )
        left = refundable.minor
        if left <= 0:
            return Decision(
                _D,
                (
                    Reason(
                        "nothing_refundable",
                        "refundable_amount",
                        (("refundable", refundable),),
                        "nothing is left to refund ({refundable})",
                    ),
                ),
                info,
            )
        if ctx.payment.status is PaymentStatus.PARTIALLY_CAPTURED:
            # Multicapture still open: the captured part may be refunded only once the
            # capture is final (last capture, or the rest released); a person decides.
            return Decision(
                _R,
                (
                    Reason(
                        "capture_not_final",
                        "payment_status",
                        (("captured", ctx.captured), ("authorized", ctx.payment.amount)),
                        "only {captured} of {authorized} is captured and more captures may "
                        "come: finish or release the capture before refunding",
                    ),
                ),
                info,
                amount=min(asked, refundable) if asked is not None else refundable,
                tier=self.review_tier,
            )
        pre: tuple[Reason, ...] = ()
        if ctx.open_dispute:
            if not ctx.dispute_refundable:
                return Decision(
                    _D,
                    (
                        Reason(
                            "open_chargeback",
                            "open_dispute",
                            (("is_charge_refundable", False),),
                            "the payment has an open dispute: a refund would pay the "
                            "customer twice",
                        ),
                    ),
                    info,
                )
            pre = (
                Reason(
                    "dispute_allows_refund",
                    "open_dispute",
                    (("is_charge_refundable", True),),
                    "the payment is disputed but the network lets a refund settle it",
                ),
            )
        if ctx.efw_actionable:
            return self._grant(
                ctx,
                refundable,
                (
                    *pre,
                    Reason(
                        "early_fraud_warning",
                        "early_fraud_warning",
                        (),
                        "an actionable early fraud warning favours a refund",
                    ),
                ),
            )
        if ctx.is_duplicate_claim:
            gap = ctx.duplicate_gap
            if gap is not None and gap <= self._dup_window:
                return self._grant(
                    ctx,
                    refundable,
                    (
                        *pre,
                        Reason(
                            "duplicate_charge",
                            "duplicate_window_seconds",
                            (
                                ("duplicate_of", ctx.duplicate_id),
                                ("gap_seconds", int(gap.total_seconds())),
                                ("window_seconds", self.duplicate_window_seconds),
                            ),
                            "same card, amount and merchant as {duplicate_of}, "
                            "{gap_seconds}s apart (window {window_seconds}s)",
                        ),
                    ),
                )
            return Decision(
                _R,
                (
                    *pre,
                    Reason(
                        "duplicate_not_confirmed",
                        "duplicate_window_seconds",
                        (
                            ("gap_seconds", None if gap is None else int(gap.total_seconds())),
                            ("window_seconds", self.duplicate_window_seconds),
                        ),
                        "no charge with the same card, amount and merchant within "
                        "{window_seconds}s (closest: {gap_seconds}s)",
                    ),
                ),
                info,
                amount=min(asked, refundable) if asked is not None else refundable,
                tier=self.review_tier,
            )
        if req.reason is RefundReason.OVERCHARGE:
            correct = req.correct_amount
            if correct is None:
                return Decision(
                    _R,
                    (
                        *pre,
                        Reason(
                            "overcharge_amount_missing",
                            "overcharge",
                            (),
                            "an overcharge claim without the correct amount",
                        ),
                    ),
                    info,
                    tier=self.review_tier,
                )
            charged = ctx.captured
            diff = charged.minor - correct.minor
            values = (("charged", charged), ("correct", correct))
            if correct.currency is not charged.currency or diff <= 0:
                return Decision(
                    _D,
                    (
                        *pre,
                        Reason(
                            "no_overcharge",
                            "overcharge",
                            values,
                            "charged {charged}, correct amount {correct}: no overcharge",
                        ),
                    ),
                    info,
                )
            grant = Money.from_minor(min(diff, left), charged.currency)
            return self._grant(
                ctx,
                grant,
                (
                    *pre,
                    Reason(
                        "overcharge",
                        "overcharge",
                        (*values, ("difference", grant)),
                        "charged {charged} instead of {correct}: refund {difference}",
                    ),
                ),
            )
        captured_at = ctx.captured_at
        window = self._windows.get(ctx.method, self._default_window)
        if captured_at is not None and now - captured_at > window:
            return Decision(
                _D,
                (
                    *pre,
                    Reason(
                        "outside_refund_window",
                        "refund_window_days",
                        (
                            ("method", ctx.method),
                            ("days_since_capture", (now - captured_at).days),
                            ("window_days", window.days),
                        ),
                        "{days_since_capture} days since capture, the {method} window is "
                        "{window_days} days",
                    ),
                ),
                info,
            )
        review: list[Reason] = list(pre)
        history = ctx.history
        if history:
            since = now - self._history_window
            count = 0
            total = 0
            cur = ctx.currency
            for at, minor, code in history:
                if at >= since:
                    count += 1
                    if code == cur:
                        total += minor
            if count >= self.serial_refunder_count:
                return Decision(
                    _D,
                    (
                        *pre,
                        Reason(
                            "serial_refunder",
                            "serial_refunder_count",
                            (
                                ("count", count),
                                ("limit", self.serial_refunder_count),
                                ("days", self.history_window_days),
                            ),
                            "{count} refunds in {days} days (serial refunder at {limit})",
                        ),
                    ),
                    info,
                )
            if count > self.history_max_count:
                review.append(
                    Reason(
                        "refund_history_count",
                        "history_max_count",
                        (
                            ("count", count),
                            ("limit", self.history_max_count),
                            ("days", self.history_window_days),
                        ),
                        "{count} refunds in {days} days, more than {limit}",
                    )
                )
            cap = self._history_amount.get(cur)
            if cap is not None and total > cap:
                review.append(
                    Reason(
                        "refund_history_amount",
                        "history_max_amount",
                        (("total", total), ("limit", cap), ("currency", cur)),
                        "{total} {currency} (minor units) refunded recently, more than {limit}",
                    )
                )
        if self.require_return and req.goods_returned is False:
            review.append(
                Reason(
                    "goods_not_returned",
                    "require_return",
                    (("goods_returned", False),),
                    "the goods have not been returned",
                )
            )
        grant = refundable if asked is None else asked
        partial: Reason | None = None
        if grant.minor > left:
            if not self.allow_partial:
                return Decision(
                    _D,
                    (
                        *pre,
                        Reason(
                            "exceeds_refundable",
                            "refundable_amount",
                            (("asked", grant), ("refundable", refundable)),
                            "asked {asked}, only {refundable} is refundable",
                        ),
                    ),
                    info,
                )
            partial = Reason(
                "exceeds_refundable",
                "refundable_amount",
                (("asked", grant), ("refundable", refundable)),
                "asked {asked}, only {refundable} is refundable",
            )
            grant = refundable
        limit = self._limits.get(ctx.currency)
        if limit is None:
            review.append(
                Reason(
                    "no_limit_for_currency",
                    "auto_approve_limit",
                    (("currency", ctx.currency),),
                    "no auto-approve limit is set for {currency}",
                )
            )
        elif grant.minor > limit:
            review.append(
                Reason(
                    "above_auto_approve_limit",
                    "auto_approve_limit",
                    (("amount", grant), ("limit", limit)),
                    "{amount} is above the auto-approve limit ({limit} minor units)",
                )
            )
        if len(review) > len(pre):
            if partial is not None:
                review.append(partial)
            return Decision(_R, tuple(review), info, amount=grant, tier=self.review_tier)
        if partial is not None:
            review.append(partial)
            return Decision(_AP, tuple(review), info, amount=grant)
        return Decision(_A, (*pre, *self._ok) if pre else self._ok, info, amount=grant)

    def _grant(self, ctx: RefundContext, grant: Money, reasons: tuple[Reason, ...]) -> Decision:
        asked = ctx.request.amount
        wanted = ctx.refundable if asked is None else asked
        if grant.minor >= wanted.minor:
            return Decision(_A, reasons, self._info, amount=wanted)
        return Decision(_AP, reasons, self._info, amount=grant)

    def decide_many(self, contexts: Iterable[RefundContext], now: datetime) -> list[Decision]:
        """Decide a batch of requests at the same ``now`` (no per-call overhead)."""
        decide = self.decide
        return [decide(c, now) for c in contexts]
