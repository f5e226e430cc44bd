"""Retry for failed payments: a schedule that obeys the networks, or what to ask the customer.

The policy is its rulebook, ``RetrySchedule.RULES`` (refunds-and-failed-payments.md §3,
§4), listed in ``docs/policies/retry.md`` (generated). The schedule obeys the network limits
in force on each retry's date: Visa's reattempts per 30 days (15, or 20 from 2025-05-25),
Mastercard's declines per card and merchant per 24 h (10) and per card, merchant and amount
per 30 days (35). An unknown network gets both networks' limits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache, cached_property
from typing import Any, ClassVar

import attrs

from paysupport.errors import UnknownCode
from paysupport.models import PaymentFailure, RecoveryStatus
from paysupport.networks import (
    DeclineCode,
    DeclineSeverity,
    MerchantAdviceCode,
    Network,
    RetryAction,
    VisaDeclineCategory,
    retry_limits,
    visa_reattempt_limit,
)

from .config import Count, Int, Items, OneOf, PolicyBase, Table, param, register_kind
from .context import RetryContext
from .decision import Decision, Reason, RetryPlan, Verdict
from .rules import Rule

__all__ = ["NetworkLimits", "RetrySchedule", "network_limits"]

_ASKS = ("new_payment_method", "update_card", "authenticate", "contact_issuer")
_DEFAULT_ASK: dict[str, str] = {
    "contact_issuer": "contact_issuer",
    "fix_data": "update_card",
    "customer_action": "authenticate",
    "new_payment_method": "new_payment_method",
    "update_card": "update_card",
    "do_not_retry": "new_payment_method",
}
_30D = timedelta(days=30)
_24H = timedelta(hours=24)


# Enum members read on every case, bound once: on Python 3.11 reading a member off its
# class goes through EnumType's attribute hook (about 0.2 µs); a module name does not.
_VISA = Network.VISA
_MASTERCARD = Network.MASTERCARD
_ASK_CUSTOMER = Verdict.ASK_CUSTOMER
_RETRY = Verdict.RETRY
_STOP = Verdict.STOP
_RECOVERED = RecoveryStatus.RECOVERED
_RETRY_THEN_CONTACT = RetryAction.RETRY_THEN_CONTACT
_DO_NOT_RETRY = RetryAction.DO_NOT_RETRY
_HARD = DeclineSeverity.HARD
_CATEGORY_1 = VisaDeclineCategory.ISSUER_WILL_NEVER_APPROVE
_UPDATE_CARD = RetryAction.UPDATE_CARD
_RETRY_LATER = RetryAction.RETRY_LATER
_NEW_PAYMENT_METHOD = RetryAction.NEW_PAYMENT_METHOD


@attrs.frozen(slots=True)
class NetworkLimits:
    """The network retry limits in force on one date (from ``paysupport.networks``).

    Attributes:
        visa_reattempts_30d: Visa reattempts per credential per 30 days (categories 2-4).
        mc_declines_24h: Mastercard declines per card and merchant per 24 hours.
        mc_declines_same_amount_30d: Mastercard declines per card, merchant and amount per
            30 days.
    """

    visa_reattempts_30d: int
    mc_declines_24h: int
    mc_declines_same_amount_30d: int | None


def _why(
    code: str, rule: str, values: tuple[tuple[str, Any], ...] = (), template: str = ""
) -> Reason:
    return Reason(code, rule, values, template, "retry_schedule")


@cache
def network_limits(on: dt.date) -> NetworkLimits:
    """The limits in force on ``on`` (Visa 15 before 2025-05-25 and 20 from it...)."""
    try:
        visa = visa_reattempt_limit(on)
    except UnknownCode:
        visa = 15
    daily = 10
    same_amount: int | None = None
    for rl in retry_limits(Network.MASTERCARD, on=on):
        if rl.name == "mastercard_declines_per_day":
            daily = rl.limit
        elif rl.name == "mastercard_declines_same_amount":
            same_amount = rl.limit
    return NetworkLimits(visa, daily, same_amount)


def _fits(t: datetime, times: Sequence[datetime], window: timedelta, limit: int) -> datetime:
    """The earliest time from ``t`` with fewer than ``limit`` of ``times`` in the window.

    One more event at that time then stays within the limit.
    """
    if limit <= 0:
        return datetime.max.replace(tzinfo=t.tzinfo)
    if len(times) < limit:
        return t  # fewer times in all than the limit: no window can hold too many
    while True:
        start = t - window
        inside = sorted(x for x in times if start < x <= t)
        if len(inside) < limit:
            return t
        # Wait until enough of the oldest ones leave the window.
        t = inside[len(inside) - limit] + window + timedelta(microseconds=1)


def _within_network_limits(
    t: datetime,
    tried: list[datetime],
    card_declines: list[datetime],
    declines: list[datetime],
    visa_rules: bool,
    mc_rules: bool,
) -> datetime:
    """The earliest time from ``t`` that keeps one more try within every network window."""
    limits = network_limits(t.date())
    for _ in range(8):  # settle all windows; each pass only moves t later
        t0 = t
        if visa_rules:
            t = _fits(t, tried, _30D, limits.visa_reattempts_30d)
        if mc_rules:
            t = _fits(t, card_declines, _24H, limits.mc_declines_24h)
            if limits.mc_declines_same_amount_30d is not None:
                t = _fits(t, declines, _30D, limits.mc_declines_same_amount_30d)
        if t == t0:
            break
        limits = network_limits(t.date())
    return t


@cache
def _lowest_limits() -> NetworkLimits:
    """Each limit at its lowest on any day (a same-amount limit: ``None`` if none ever holds).

    `network_limits` changes only on a day a catalogued limit starts or ends: the days it
    gives are those it gives on these days and on the earliest day.
    """
    days = {dt.date.min}
    for rl in retry_limits():
        days.update(d for d in (rl.effective_from, rl.effective_until) if d is not None)
    every = [network_limits(day) for day in days]
    held = [
        x.mc_declines_same_amount_30d for x in every if x.mc_declines_same_amount_30d is not None
    ]
    return NetworkLimits(
        min(x.visa_reattempts_30d for x in every),
        min(x.mc_declines_24h for x in every),
        min(held) if held else None,
    )


def _fits_at_once(
    t: datetime,
    planned: int,
    tried: list[datetime],
    card_declines: list[datetime],
    declines: list[datetime],
    visa_rules: bool,
    mc_rules: bool,
) -> bool:
    """True when ``_within_network_limits`` would return ``t`` itself, found from lengths.

    Every window list (each plus ``planned`` scheduled times) is shorter than its limit at
    ``t``, so the first pass moves nothing and the lists need not be built (the usual case).
    """
    return _shorter(
        network_limits(t.date()), planned, tried, card_declines, declines, visa_rules, mc_rules
    )


def _shorter(
    limits: NetworkLimits,
    planned: int,
    tried: list[datetime],
    card_declines: list[datetime],
    declines: list[datetime],
    visa_rules: bool,
    mc_rules: bool,
) -> bool:
    """True when every window list plus ``planned`` times is shorter than its limit."""
    if visa_rules and len(tried) + planned >= limits.visa_reattempts_30d:
        return False
    if mc_rules:
        if len(card_declines) + planned >= limits.mc_declines_24h:
            return False
        same = limits.mc_declines_same_amount_30d
        if same is not None and len(declines) + planned >= same:
            return False
    return True


@attrs.define(slots=True)
class _Draft:
    """What the rules read about one failure, looked up once."""

    mac: MerchantAdviceCode | None
    decline: DeclineCode | None
    on: dt.date
    visa_rules: bool
    mc_rules: bool
    action: RetryAction | None = None


def _networks(network: Network | None) -> tuple[bool, bool]:
    """Whether Visa's and Mastercard's rules apply (both for an unknown network)."""
    return network is None or network is _VISA, network is None or network is _MASTERCARD


def _draft(f: PaymentFailure, day: dt.date) -> _Draft:
    return _Draft(f.advice, f.decline, day, *_networks(f.network))


#: What the rules kept per codes gave: their decision (``None``: they passed), and the
#: advice, decline and action the later rules read.
_Kept = tuple[Decision | None, MerchantAdviceCode | None, DeclineCode | None, RetryAction | None]
#: How many (codes, network, day) a policy keeps what `_CODE_RULES` gave for.
_MAX_KEPT = 4096


def _first(
    p: RetrySchedule,
    rules: Sequence[Rule[Any, Any, Any]],
    ctx: RetryContext,
    now: datetime,
    d: _Draft,
) -> Decision | None:
    """The decision of the first of ``rules`` that decides (``None``: all passed)."""
    for rule in rules:
        decision = rule.check(p, ctx, now, d)
        if decision is not None:
            return decision
    return None


def _decided(decision: Decision | None) -> Decision:
    if decision is None:
        raise AssertionError("the last rule always decides")  # pragma: no cover
    return decision


@register_kind("retry_schedule")
@attrs.frozen(slots=False)
class RetrySchedule(PolicyBase):
    """The default retry policy for declined payments.

    Attributes:
        waits_hours: hours between consecutive tries (the last value repeats).
        max_retries: the team's cap on reattempts of one payment (Stripe recommends 8).
        horizon_days: no retry later than this many days after the decline.
        mac_02_wait_hours: the wait after Mastercard MAC 02 (processors suggest 72 h).
        retry_actions: the decline actions this policy retries automatically.
        ask: what to ask the customer for, per decline action that is not retried.
    """

    KIND: ClassVar[str] = "retry_schedule"

    CONTEXT: ClassVar[type[Any]] = RetryContext

    waits_hours: tuple[int, ...] = param(
        Items(Int(1), 1), factory=lambda: [24, 48, 72, 72, 96, 96, 120, 120]
    )
    max_retries: int = param(Count, 8)
    horizon_days: int = param(Int(1), 30)
    mac_02_wait_hours: int = param(Count, 72)
    retry_actions: tuple[RetryAction, ...] = param(
        Items(RetryAction), factory=lambda: ["retry", "retry_later", "retry_then_contact"]
    )
    ask: tuple[tuple[RetryAction, str], ...] = param(
        Table(RetryAction, OneOf(*_ASKS)), factory=lambda: dict(_DEFAULT_ASK)
    )

    @cached_property
    def _waits(self) -> tuple[timedelta, ...]:
        return tuple(timedelta(hours=h) for h in self.waits_hours)

    @cached_property
    def _retry(self) -> frozenset[RetryAction]:
        return frozenset(self.retry_actions)

    @cached_property
    def _ask(self) -> dict[RetryAction, str]:
        return dict(self.ask)

    def _asking(self, ask: str, reason: Reason) -> Decision:
        return Decision(_ASK_CUSTOMER, (reason,), self.info, detail=RetryPlan((), ask))

    @cached_property
    def _by_codes(self) -> dict[tuple[Any, ...], _Kept]:
        return {}

    def decide(self, ctx: RetryContext, now: datetime) -> Decision:
        """Plan the recovery of one declined payment at ``now``: the first rule that decides.

        The rules `_CODE_RULES` read only the failure's codes, its network and the day of
        ``now``: what they gave for those is kept (`_by_codes`) and given again. Not for a
        subclass or a failure of another class (their rules or properties may read more).
        """
        f = ctx.failure
        if (
            type(self) is not RetrySchedule
            or type(f) is not PaymentFailure
            or self.RULES is not _TABLE  # the table was replaced: no split of it is known
        ):
            return _decided(_first(self, self.RULES, ctx, now, _draft(f, now.date())))
        values = f.__dict__  # one read: a model's attribute read takes pydantic's hook
        day = now.date()
        key = (
            values["merchant_advice_code"],
            values["decline_code"],
            values["network_decline_code"],
            values["provider_decline"],
            values["network"],
            day,
        )
        kept = self._by_codes.get(key)
        if kept is None:
            draft = _draft(f, day)
            decision = _first(self, _HEAD, ctx, now, draft)
            if decision is not None:
                return decision
            decision = _first(self, _CODED, ctx, now, draft)
            if len(self._by_codes) < _MAX_KEPT:
                self._by_codes[key] = (decision, draft.mac, draft.decline, draft.action)
        else:
            decision, mac, decline, action = kept
            draft = _Draft(mac, decline, day, *_networks(values["network"]), action)
            first = _first(self, _HEAD, ctx, now, draft)
            if first is not None:
                return first
        if decision is not None:
            return decision
        return _decided(_first(self, _TAIL, ctx, now, draft))

    RULES: ClassVar[tuple[Rule[RetrySchedule, RetryContext, _Draft], ...]]

    def _earliest(
        self, last: datetime, mac_code: str | None, retry_after: timedelta | None
    ) -> tuple[datetime, list[Reason]]:
        """The earliest retry a Mastercard advice code allows, with the reason it says so."""
        if retry_after is not None:
            reason = _why(
                "mac_retry_after",
                "merchant_advice_code",
                (("mac", mac_code), ("wait", retry_after)),
                "MAC {mac}: wait at least {wait}",
            )
            return last + retry_after, [reason]
        if mac_code == "02":
            reason = _why(
                "mac_retry_later",
                "mac_02_wait_hours",
                (("mac", "02"), ("hours", self.mac_02_wait_hours)),
                "MAC 02: try again later (after {hours} h)",
            )
            return last + timedelta(hours=self.mac_02_wait_hours), [reason]
        return last, []

    def _exhausted(self, reasons: list[Reason], limited_by: str, made: int, cap: int) -> Decision:
        """No retry left: ask the customer for a new payment method, saying why."""
        reasons.append(
            _why(
                "retries_exhausted",
                limited_by or "max_retries",
                (("reattempts", made), ("max_retries", cap), ("horizon_days", self.horizon_days)),
                "no retry left ({reattempts} made, cap {max_retries}, horizon "
                "{horizon_days} days): ask for a new payment method",
            )
        )
        return Decision(
            _ASK_CUSTOMER,
            tuple(reasons),
            self.info,
            detail=RetryPlan((), "new_payment_method"),
        )

    def _schedule(
        self,
        ctx: RetryContext,
        now: datetime,
        action: RetryAction,
        mac_code: str | None,
        retry_after: timedelta | None,
        visa_rules: bool,
        mc_rules: bool,
    ) -> Decision:
        f = ctx.failure
        reattempts = [a.at for a in f.attempts]
        declines = [f.declined_at, *reattempts]
        card_declines = [*declines, *ctx.card_declines]
        last = max(declines)
        cap = self.max_retries
        if action is _RETRY_THEN_CONTACT:
            cap = min(cap, 1)
        left = cap - len(reattempts)
        horizon = f.declined_at + timedelta(days=self.horizon_days)
        earliest, reasons = self._earliest(last, mac_code, retry_after)
        # Shorter than the lowest limits of any day with every retry planned: each fits at once.
        fits = _shorter(
            _lowest_limits(), left - 1, reattempts, card_declines, declines, visa_rules, mc_rules
        )
        schedule: list[datetime] = []
        waits = self._waits
        prev = last
        i = len(reattempts)
        limited_by = ""
        while left > 0:
            wait = waits[min(i, len(waits) - 1)]
            t = max(prev + wait, earliest, now)
            if not fits and not _fits_at_once(
                t, len(schedule), reattempts, card_declines, declines, visa_rules, mc_rules
            ):
                t = _within_network_limits(
                    t,
                    [*reattempts, *schedule],
                    [*card_declines, *schedule],
                    [*declines, *schedule],
                    visa_rules,
                    mc_rules,
                )
            if t > horizon:
                limited_by = "horizon_days"
                break
            schedule.append(t)
            prev = t
            i += 1
            left -= 1
        if not schedule:
            return self._exhausted(reasons, limited_by, len(reattempts), cap)
        reasons.append(
            _why(
                "retry_scheduled",
                "waits_hours",
                (("count", len(schedule)), ("first", schedule[0]), ("action", action.value)),
                "{count} retries from {first} ({action})",
            )
        )
        then = "contact_issuer" if action is _RETRY_THEN_CONTACT else ""
        return Decision(_RETRY, tuple(reasons), self.info, detail=RetryPlan(tuple(schedule), then))


# ---------------------------------------------------------------------- the rules
_P = RetrySchedule
_C = RetryContext


def _recovered(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    if ctx.failure.status is not _RECOVERED:
        return None
    why = _why("already_recovered", "status", (), "the payment has been recovered")
    return Decision(_STOP, (why,), p.info)


def _advice_known(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    code = ctx.failure.merchant_advice_code
    if not code or d.mac is not None:
        return None
    why = _why(
        "unknown_advice_code",
        "merchant_advice_code",
        (("code", code),),
        "Mastercard advice code {code} is unknown: no automatic retry",
    )
    return Decision(Verdict.REVIEW, (why,), p.info)


def _advice(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    mac = d.mac
    if mac is None:
        return None
    if mac.code == "21":
        why = _why(
            "mac_stop_recurring",
            "merchant_advice_code",
            (("mac", "21"),),
            "MAC 21: the cardholder stopped this recurring payment; never retry, cancel the "
            "subscription",
        )
        return Decision(Verdict.STOP, (why,), p.info, detail=RetryPlan((), ""))
    if mac.never_retry:
        return p._asking(
            "new_payment_method",
            _why(
                "mac_do_not_retry",
                "merchant_advice_code",
                (("mac", mac.code),),
                "MAC {mac}: do not try again; ask for a new payment method",
            ),
        )
    if mac.action is _UPDATE_CARD:
        return p._asking(
            "update_card",
            _why(
                "mac_update_card",
                "merchant_advice_code",
                (("mac", mac.code),),
                "MAC {mac}: new account information is available",
            ),
        )
    return None


def _decline_known(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    if d.decline is not None:
        return None
    f = ctx.failure
    why = _why(
        "unknown_decline_code",
        "decline_code",
        (("decline_code", f.decline_code), ("network_decline_code", f.network_decline_code)),
        "decline code {decline_code}/{network_decline_code} is unknown: no automatic retry",
    )
    return Decision(Verdict.REVIEW, (why,), p.info)


def _hard(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    dc = d.decline
    assert dc is not None  # _decline_known decided otherwise
    if d.visa_rules and dc.visa_category_on(d.on) is _CATEGORY_1:
        return p._asking(
            "new_payment_method",
            _why(
                "visa_category_1",
                "visa_category",
                (("code", dc.code),),
                "{code} is Visa category 1 (issuer will never approve): no retry",
            ),
        )
    if dc.severity_on(d.on) is _HARD or dc.action is _DO_NOT_RETRY:
        return p._asking(
            "new_payment_method",
            _why(
                "hard_decline",
                "severity",
                (("code", dc.code),),
                "{code} is a hard decline: ask for a new payment method",
            ),
        )
    return None


def _customer(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    dc = d.decline
    assert dc is not None  # _decline_known decided otherwise
    mac = d.mac
    late = mac is not None and mac.retry_after is not None
    action = _RETRY_LATER if late else dc.action
    d.action = action
    if dc.stripe_non_retryable:
        ask = p._ask.get(action or _NEW_PAYMENT_METHOD, "new_payment_method")
        return p._asking(
            ask,
            _why(
                "stripe_non_retryable",
                "stripe_non_retryable",
                (("code", dc.code),),
                "{code} is on Stripe's non-retryable list",
            ),
        )
    if action is None or action not in p._retry:
        ask = p._ask.get(action, "new_payment_method") if action else "new_payment_method"
        return p._asking(
            ask,
            _why(
                "customer_must_act",
                "retry_actions",
                (("code", dc.code), ("action", action.value if action else None), ("ask", ask)),
                "{code} needs {action}: ask the customer to {ask}"
                if action
                else "{code} has no retry action: ask the customer to {ask}",
            ),
        )
    return None


def _plan(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision:
    mac = d.mac
    assert d.action is not None  # set by _customer
    return p._schedule(
        ctx,
        now,
        d.action,
        mac.code if mac else None,
        mac.retry_after if mac else None,
        d.visa_rules,
        d.mc_rules,
    )


RetrySchedule.RULES = (
    Rule("recovered", "stop", ("already_recovered",), (), "the payment was recovered", _recovered),
    Rule(
        "advice_known",
        "review",
        ("unknown_advice_code",),
        (),
        "a Mastercard advice code the catalogue does not know is never retried automatically",
        _advice_known,
    ),
    Rule(
        "merchant_advice",
        "stop / ask",
        ("mac_stop_recurring", "mac_do_not_retry", "mac_update_card"),
        (),
        "Mastercard MAC 21 (cardholder stopped the recurring payment), 03 (never retry), "
        "01 (new account information)",
        _advice,
    ),
    Rule(
        "decline_known",
        "review",
        ("unknown_decline_code",),
        (),
        "a decline code the catalogue does not know is never retried automatically",
        _decline_known,
    ),
    Rule(
        "hard_decline",
        "ask",
        ("visa_category_1", "hard_decline"),
        (),
        "Visa category 1 or a hard decline on the day's rules (the recovery lifecycle uses the "
        "same date-effective definition, `DeclineCode.severity_on`): ask for a new payment "
        "method, never retry",
        _hard,
    ),
    Rule(
        "customer_action",
        "ask",
        ("stripe_non_retryable", "customer_must_act"),
        ("retry_actions", "ask"),
        "the decline's action is not one this policy retries: ask the customer",
        _customer,
    ),
    Rule(
        "schedule",
        "retry / ask",
        ("retry_scheduled", "retries_exhausted", "mac_retry_after", "mac_retry_later"),
        ("waits_hours", "max_retries", "horizon_days", "mac_02_wait_hours"),
        "waits from `waits_hours` after a MAC's minimum wait, capped by `max_retries`, "
        "`horizon_days` and the network limits in force on each retry's date",
        _plan,
    ),
)

#: The rules that read only the failure's codes (decline, network decline, advice and the
#: provider's record), its network and the day of ``now``, with the policy's parameters:
#: for the same of these they give the same, which `RetrySchedule.decide` keeps. A rule
#: made to read anything else (the customer, the amount, the attempts) leaves this set.
_CODE_RULES = frozenset(
    {"advice_known", "merchant_advice", "decline_known", "hard_decline", "customer_action"}
)


def _split(
    rules: tuple[Rule[RetrySchedule, RetryContext, _Draft], ...],
) -> tuple[tuple[Rule[RetrySchedule, RetryContext, _Draft], ...], ...]:
    """The rules before `_CODE_RULES`, those, and the rules after them."""
    at = [i for i, rule in enumerate(rules) if rule.name in _CODE_RULES]
    if len(at) != len(_CODE_RULES) or at != list(range(at[0], at[0] + len(at))):
        raise AssertionError("the rules kept per codes run one after another")  # pragma: no cover
    return rules[: at[0]], rules[at[0] : at[-1] + 1], rules[at[-1] + 1 :]


_TABLE = RetrySchedule.RULES
_HEAD, _CODED, _TAIL = _split(_TABLE)
