"""Refund fairness: approve, approve partially, send to review, or deny a refund request.

The policy is its rulebook, ``RefundFairness.RULES``: an ordered table of small rules
(refunds-and-failed-payments.md §1.3, §1.4, §6). The first rule that decides wins; rules
marked "note" add a reason that the last rule, ``settle``, weighs (any review note sends the
request to review). ``docs/policies/refund-fairness.md`` lists the table, generated from it.
"""
# ruff: noqa: RUF009  (param() is an attrs field specifier, like attrs.field)

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, ClassVar

import attrs

from paysupport.errors import MissingExchangeRate
from paysupport.models import PaymentStatus, RefundReason, Tier
from paysupport.money import Money

from .config import Count, CurrencyCode, Flag, Int, PolicyBase, Table, Text, param, register_kind
from .context import RefundContext
from .decision import Decision, Reason, Verdict
from .fx import at_most
from .rules import Rule

__all__ = ["RefundFairness"]

KIND = "refund_fairness"
_A = Verdict.APPROVE
_AP = Verdict.APPROVE_PARTIAL
_R = Verdict.REVIEW
_D = Verdict.DENY

_DEFAULT_WINDOWS: dict[str, int] = {
    "card": 180,
    "amazon_pay": 90,
    "ideal": 180,
    "bancontact": 180,
    "sepa_debit": 180,
}
_DEFAULT_LIMITS: dict[str, int] = {"EUR": 50_000, "USD": 50_000, "GBP": 50_000}
_DEFAULT_HISTORY_AMOUNT: dict[str, int] = {"EUR": 100_000, "USD": 100_000, "GBP": 100_000}


# Enum members read on every case, bound once: on Python 3.11 reading a member off its
# class goes through EnumType's attribute hook (about 0.2 µs); a module name does not.
_PARTIALLY_CAPTURED = PaymentStatus.PARTIALLY_CAPTURED
_OVERCHARGE = RefundReason.OVERCHARGE


def _why(code: str, rule: str, values: tuple[tuple[str, Any], ...], template: str) -> Reason:
    return Reason(code, rule, values, template, KIND)


@attrs.define(slots=True)
class _Draft:
    """What the rules noted so far for one request (reasons that do not decide alone)."""

    asked: Money | None
    pre: tuple[Reason, ...] = ()
    review: list[Reason] = attrs.Factory(list)
    grant: Money | None = None
    partial: Reason | None = None


@register_kind(KIND)
@attrs.frozen(slots=False)
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
            units). A currency absent here is compared with the ``reference_currency``'s limit
            through the day's exchange rates (``RefundContext.rates``); without a rate, or
            without any limit, the request goes to review.
        reference_currency: the currency whose limit covers every other currency.
        require_return: goods must be back before a refund (``goods_returned=False`` → review).
        allow_partial: grant what is refundable when more is asked (else deny).
        review_tier: the least tier that reviews what this policy sends to review.
    """

    KIND: ClassVar[str] = KIND
    CONTEXT: ClassVar[type[Any]] = RefundContext

    refund_window_days: tuple[tuple[str, int], ...] = param(
        Table(Text, Count), factory=lambda: dict(_DEFAULT_WINDOWS)
    )
    default_window_days: int = param(Count, 180)
    history_window_days: int = param(Int(1), 90)
    history_max_count: int = param(Count, 3)
    history_max_amount: tuple[tuple[str, int], ...] = param(
        Table(CurrencyCode, Count), factory=lambda: dict(_DEFAULT_HISTORY_AMOUNT)
    )
    serial_refunder_count: int = param(Int(1), 8)
    duplicate_window_seconds: int = param(Count, 300)
    auto_approve_limit: tuple[tuple[str, int], ...] = param(
        Table(CurrencyCode, Count), factory=lambda: dict(_DEFAULT_LIMITS)
    )
    reference_currency: str = param(CurrencyCode, "EUR")
    require_return: bool = param(Flag, False)
    allow_partial: bool = param(Flag, True)
    review_tier: Tier = param(Tier, Tier.MIDDLE)

    # ------------------------------------------------------------------ lookups
    @cached_property
    def _windows(self) -> dict[str, timedelta]:
        return {m: timedelta(days=d) for m, d in self.refund_window_days}

    @cached_property
    def _history_window(self) -> timedelta:
        return timedelta(days=self.history_window_days)

    @cached_property
    def _limits(self) -> dict[str, int]:
        return dict(self.auto_approve_limit)

    @cached_property
    def _history_amount(self) -> dict[str, int]:
        return dict(self.history_max_amount)

    # ------------------------------------------------------------------ deciding
    def decide(self, ctx: RefundContext, now: datetime) -> Decision:
        """Decide one refund request at ``now``: the first rule of ``RULES`` that decides."""
        draft = _Draft(ctx.request.amount)
        for check in self._checks:
            decision: Decision | None = check(self, ctx, now, draft)
            if decision is not None:
                return decision
        raise AssertionError("the last rule always decides")  # pragma: no cover

    @cached_property
    def _checks(self) -> tuple[Any, ...]:
        return tuple(r.check for r in self.RULES)

    def _deny(self, draft: _Draft, reason: Reason) -> Decision:
        return Decision(_D, (*draft.pre, reason), self.info)

    def _review(self, draft: _Draft, reason: Reason, amount: Money | None) -> Decision:
        return Decision(_R, (*draft.pre, reason), self.info, amount=amount, tier=self.review_tier)

    def _grant(self, ctx: RefundContext, draft: _Draft, grant: Money, reason: Reason) -> Decision:
        wanted = ctx.refundable if draft.asked is None else draft.asked
        reasons = (*draft.pre, reason)
        if grant.minor >= wanted.minor:
            return Decision(_A, reasons, self.info, amount=wanted)
        return Decision(_AP, reasons, self.info, amount=grant)

    RULES: ClassVar[tuple[Rule[RefundFairness, RefundContext, _Draft], ...]]


# ---------------------------------------------------------------------- the rules
# Each rule: (policy, ctx, now, draft) -> Decision | None. Order matters; see RULES.

_P = RefundFairness
_C = RefundContext


def _currency(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    asked = d.asked
    if asked is not None and asked.currency is not ctx.refundable.currency:
        return p._deny(
            d,
            _why(
                "currency_mismatch",
                "currency",
                (("asked", asked), ("payment_currency", ctx.currency)),
                "{asked} is not in the payment's currency {payment_currency}",
            ),
        )
    return None


def _nothing_left(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    if ctx.refundable.minor <= 0:
        return p._deny(
            d,
            _why(
                "nothing_refundable",
                "refundable_amount",
                (("refundable", ctx.refundable),),
                "nothing is left to refund ({refundable})",
            ),
        )
    return None


def _capture_final(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    if ctx.payment.status is not _PARTIALLY_CAPTURED:
        return None
    # Multicapture still open: the captured part may be refunded only once the capture is
    # final (last capture, or the rest released); a person decides.
    refundable = ctx.refundable
    return p._review(
        d,
        _why(
            "capture_not_final",
            "payment_status",
            (("captured", ctx.captured), ("authorized", ctx.payment.amount)),
            "only {captured} of {authorized} is captured and more captures may come: "
            "finish or release the capture before refunding",
        ),
        min(d.asked, refundable) if d.asked is not None else refundable,
    )


_ALLOWS = _why(
    "dispute_allows_refund",
    "open_dispute",
    (("is_charge_refundable", True),),
    "the payment is disputed but the network lets a refund settle it",
)
_BLOCKS = _why(
    "open_chargeback",
    "open_dispute",
    (("is_charge_refundable", False),),
    "the payment has an open chargeback: a refund would pay the customer twice",
)


def _open_chargeback(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    if not ctx.open_dispute:
        return None
    if ctx.blocking_dispute:
        return p._deny(d, _BLOCKS)
    if any(x.is_open and x.is_charge_refundable for x in ctx.payment.disputes):
        d.pre = (_ALLOWS,)
    return None


_EFW = _why(
    "early_fraud_warning",
    "early_fraud_warning",
    (),
    "an actionable early fraud warning favours a refund",
)


def _early_fraud_warning(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    if ctx.efw_actionable:
        return p._grant(ctx, d, ctx.refundable, _EFW)
    return None


def closest_duplicate(ctx: RefundContext) -> tuple[timedelta, str] | None:
    """The related payment closest in time with the same card, merchant and amount.

    Only the payment the request names (``duplicate_of``) counts when it names one; without
    a card fingerprint nothing matches. Returns ``(gap, payment id)`` or ``None``.
    """
    p = ctx.payment
    fp = p.payment_method.fingerprint
    if fp is None:
        return None
    wanted = ctx.request.duplicate_of
    best: tuple[timedelta, str] | None = None
    for other in ctx.related_payments:
        if other.id == p.id or (wanted is not None and other.id != wanted):
            continue
        if (
            other.payment_method.fingerprint == fp
            and other.merchant_id == p.merchant_id
            and other.amount == p.amount
        ):
            gap = abs(p.created_at - other.created_at)
            if best is None or gap < best[0]:
                best = (gap, other.id)
    return best


def _duplicate(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    if not ctx.is_duplicate_claim:
        return None
    match = closest_duplicate(ctx)
    window = p.duplicate_window_seconds
    if match is not None and match[0] <= timedelta(seconds=window):
        return p._grant(
            ctx,
            d,
            ctx.refundable,
            _why(
                "duplicate_charge",
                "duplicate_window_seconds",
                (
                    ("duplicate_of", match[1]),
                    ("gap_seconds", int(match[0].total_seconds())),
                    ("window_seconds", window),
                ),
                "same card, amount and merchant as {duplicate_of}, {gap_seconds}s apart "
                "(window {window_seconds}s)",
            ),
        )
    gap = None if match is None else int(match[0].total_seconds())
    closest = "none found" if gap is None else "closest: {gap_seconds}s"
    return p._review(
        d,
        _why(
            "duplicate_not_confirmed",
            "duplicate_window_seconds",
            (("gap_seconds", gap), ("window_seconds", window)),
            "no charge with the same card, amount and merchant within {window_seconds}s "
            f"({closest})",
        ),
        min(d.asked, ctx.refundable) if d.asked is not None else ctx.refundable,
    )


def _overcharge(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    req = ctx.request
    if req.reason is not _OVERCHARGE:
        return None
    correct = req.correct_amount
    if correct is None:
        why = _why(
            "overcharge_amount_missing",
            "overcharge",
            (),
            "an overcharge claim without the correct amount",
        )
        return p._review(d, why, None)
    charged = ctx.captured
    diff = charged.minor - correct.minor
    values = (("charged", charged), ("correct", correct))
    if correct.currency is not charged.currency or diff <= 0:
        return p._deny(
            d,
            _why(
                "no_overcharge",
                "overcharge",
                values,
                "charged {charged}, correct amount {correct}: no overcharge",
            ),
        )
    grant = Money.from_minor(min(diff, ctx.refundable.minor), charged.currency)
    return p._grant(
        ctx,
        d,
        grant,
        _why(
            "overcharge",
            "overcharge",
            (*values, ("difference", grant)),
            "charged {charged} instead of {correct}: refund {difference}",
        ),
    )


def _refund_window(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    captured_at = ctx.captured_at
    if captured_at is None:
        return None
    method = ctx.method
    window = p._windows.get(method)
    if window is None:
        window = timedelta(days=p.default_window_days)
    since = now - captured_at
    if since <= window:
        return None
    return p._deny(
        d,
        _why(
            "outside_refund_window",
            "refund_window_days",
            (
                ("method", method),
                ("days_since_capture", since.days),
                ("window_days", window.days),
            ),
            "{days_since_capture} days since capture, the {method} window is {window_days} days",
        ),
    )


def _history(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    history = ctx.history
    if not history:
        return None
    since = now - p._history_window
    count = 0
    total = 0
    cur = ctx.currency
    for at, minor, code in history:
        if at >= since:
            count += 1
            if code == cur:
                total += minor
    days = p.history_window_days
    if count >= p.serial_refunder_count:
        return p._deny(
            d,
            _why(
                "serial_refunder",
                "serial_refunder_count",
                (("count", count), ("limit", p.serial_refunder_count), ("days", days)),
                "{count} refunds in {days} days (serial refunder at {limit})",
            ),
        )
    if count > p.history_max_count:
        d.review.append(
            _why(
                "refund_history_count",
                "history_max_count",
                (("count", count), ("limit", p.history_max_count), ("days", days)),
                "{count} refunds in {days} days, more than {limit}",
            )
        )
    cap = p._history_amount.get(cur)
    if cap is not None and total > cap:
        d.review.append(
            _why(
                "refund_history_amount",
                "history_max_amount",
                (("total", Money.from_minor(total, cur)), ("limit", Money.from_minor(cap, cur))),
                "{total} refunded recently, more than {limit}",
            )
        )
    return None


_NOT_RETURNED = _why(
    "goods_not_returned",
    "require_return",
    (("goods_returned", False),),
    "the goods have not been returned",
)


def _goods_returned(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    if p.require_return and ctx.request.goods_returned is False:
        d.review.append(_NOT_RETURNED)
    return None


def _refundable(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    refundable = ctx.refundable
    grant = refundable if d.asked is None else d.asked
    if grant.minor > refundable.minor:
        why = _why(
            "exceeds_refundable",
            "refundable_amount",
            (("asked", grant), ("refundable", refundable)),
            "asked {asked}, only {refundable} is refundable",
        )
        if not p.allow_partial:
            return p._deny(d, why)
        d.partial = why
        grant = refundable
    d.grant = grant
    return None


def _auto_approve_limit(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    grant = d.grant
    assert grant is not None  # set by _refundable
    own = p._limits.get(ctx.currency)
    if own is not None:
        if grant.minor > own:
            limit = Money.from_minor(own, grant.currency)
            d.review.append(_above(grant, limit))
        return None
    ref = p._limits.get(p.reference_currency)
    if ref is None:
        d.review.append(
            _why(
                "no_limit_for_currency",
                "auto_approve_limit",
                (("currency", ctx.currency),),
                "no auto-approve limit is set for {currency}",
            )
        )
        return None
    limit = Money.from_minor(ref, p.reference_currency)
    try:
        if not at_most(ctx.rates, grant, limit):
            d.review.append(_above(grant, limit))
    except MissingExchangeRate as exc:
        d.review.append(
            _why(
                "no_exchange_rate",
                "auto_approve_limit",
                (
                    ("currency", ctx.currency),
                    ("reference", p.reference_currency),
                    ("error", exc.message),
                ),
                "{error}: the {reference} auto-approve limit cannot cover {currency}",
            )
        )
    return None


def _above(amount: Money, limit: Money) -> Reason:
    return _why(
        "above_auto_approve_limit",
        "auto_approve_limit",
        (("amount", amount), ("limit", limit)),
        "{amount} is above the auto-approve limit ({limit})",
    )


_OK = _why("within_policy", "all_rules", (), "every rule passed")


def _settle(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision:
    grant = d.grant
    assert grant is not None  # set by _refundable
    if d.review:
        reasons = (*d.pre, *d.review, *((d.partial,) if d.partial else ()))
        return Decision(_R, reasons, p.info, amount=grant, tier=p.review_tier)
    if d.partial is not None:
        return Decision(_AP, (*d.pre, d.partial), p.info, amount=grant)
    return Decision(_A, (*d.pre, _OK), p.info, amount=grant)


RefundFairness.RULES = (
    Rule(
        "currency",
        "deny",
        ("currency_mismatch",),
        (),
        "the asked amount is not in the payment's currency",
        _currency,
    ),
    Rule(
        "refundable_left",
        "deny",
        ("nothing_refundable",),
        (),
        "captured − refunded − in flight − lost chargebacks is zero",
        _nothing_left,
    ),
    Rule(
        "capture_final",
        "review",
        ("capture_not_final",),
        (),
        "a partially captured payment waits until the capture is final",
        _capture_final,
    ),
    Rule(
        "open_chargeback",
        "deny",
        ("open_chargeback", "dispute_allows_refund"),
        (),
        "an open chargeback (or later stage) would pay the customer twice, unless the "
        "provider marks the charge refundable (then `dispute_allows_refund` is noted); an "
        "inquiry never blocks",
        _open_chargeback,
    ),
    Rule(
        "early_fraud_warning",
        "approve",
        ("early_fraud_warning",),
        (),
        "an actionable early fraud warning: refund all that is refundable",
        _early_fraud_warning,
    ),
    Rule(
        "duplicate_charge",
        "approve in full / review",
        ("duplicate_charge", "duplicate_not_confirmed"),
        ("duplicate_window_seconds",),
        "a duplicate claim: same card fingerprint, amount and merchant within the window; "
        "otherwise review (identical legitimate purchases exist)",
        _duplicate,
    ),
    Rule(
        "overcharge",
        "approve the difference / deny / review",
        ("overcharge", "no_overcharge", "overcharge_amount_missing"),
        (),
        "an overcharge claim: refund captured − correct amount",
        _overcharge,
    ),
    Rule(
        "refund_window",
        "deny",
        ("outside_refund_window",),
        ("refund_window_days", "default_window_days"),
        "too long since capture for the payment method (the window's last instant is inside)",
        _refund_window,
    ),
    Rule(
        "refund_history",
        "deny / note → review",
        ("serial_refunder", "refund_history_count", "refund_history_amount"),
        ("serial_refunder_count", "history_window_days", "history_max_count", "history_max_amount"),
        "the customer's refunds in the window: deny a serial refunder, review many or large",
        _history,
    ),
    Rule(
        "goods_returned",
        "note → review",
        ("goods_not_returned",),
        ("require_return",),
        "the goods must be back first",
        _goods_returned,
    ),
    Rule(
        "refundable_amount",
        "deny / note → approve_partial",
        ("exceeds_refundable",),
        ("allow_partial",),
        "never more than is refundable",
        _refundable,
    ),
    Rule(
        "auto_approve_limit",
        "note → review",
        ("above_auto_approve_limit", "no_limit_for_currency", "no_exchange_rate"),
        ("auto_approve_limit", "reference_currency"),
        "above the currency's limit, or the reference currency's limit through the day's rate",
        _auto_approve_limit,
    ),
    Rule(
        "settle",
        "review / approve_partial / approve",
        ("within_policy",),
        ("review_tier",),
        "any note sends the request to review (at `review_tier`); else approve what is granted",
        _settle,
    ),
)
