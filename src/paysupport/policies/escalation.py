"""Escalation: which tier handles a case, and who may approve what (operator authority).

``EscalationTier`` is a rulebook (``EscalationTier.RULES``): each rule may ask for a
tier (amount bands per currency, claim kind, dispute stage, fraud signals, merchant
segment, repeat contacts); the case goes to the highest tier asked for, bumped one tier
when the SLA is close to breach. Raising the amount never lowers the tier.

``OperatorAuthority`` says whether an operator may approve an amount: each tier has a
limit per currency, or one limit in a reference currency compared through the day's
exchange rates; the top tier may approve any amount; an operator's own ``refund_limits``
can only narrow their tier's; nobody approves their own request (four eyes).
``OperatorAuthority.route`` is the one place that says which tier must approve a
refund decision.
"""
# ruff: noqa: RUF009  (param() is an attrs field specifier, like attrs.field)

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any, ClassVar

import attrs

from paysupport.errors import MissingExchangeRate, NotAuthorized
from paysupport.models import ClaimKind, MerchantSegment, Operator, Tier
from paysupport.money import Money
from paysupport.networks import DisputeStage

from .config import (
    Count,
    CurrencyCode,
    Int,
    Items,
    PolicyBase,
    Probability,
    Table,
    param,
    register_kind,
)
from .context import EscalationContext
from .decision import Decision, Reason, Verdict
from .fx import ExchangeRates, at_most
from .rules import Rule

__all__ = ["DEFAULT_SLA_BUMP_AT", "ApprovalContext", "EscalationTier", "OperatorAuthority"]

_TIERS = (Tier.JUNIOR, Tier.MIDDLE, Tier.SENIOR)
#: How many reasons a policy keeps made (contacts counts are unbounded in principle).
_MAX_REASONS = 1024
_US = timedelta(microseconds=1)
_ESC = "escalation_tier"
_AUTH = "operator_authority"

#: The fraction of an SLA window left at which a case is near breach (one definition: the
#: escalation policy's ``sla_bump_at`` and ``PolicySet.sla_warning`` read it).
DEFAULT_SLA_BUMP_AT = Decimal("0.25")

_DEFAULT_BANDS: dict[str, list[int]] = {
    "EUR": [10_000, 100_000],
    "USD": [10_000, 100_000],
    "GBP": [10_000, 100_000],
    "JPY": [1_500_000, 15_000_000],
}
_DEFAULT_CLAIMS: dict[str, str] = {
    "refund_request": "junior",
    "duplicate_charge": "junior",
    "overcharge": "junior",
    "failed_payment": "junior",
    "unrecognized_charge": "middle",
    "dispute_received": "middle",
}
_DEFAULT_STAGES: dict[str, str] = {
    "inquiry": "junior",
    "chargeback": "middle",
    "pre_arbitration": "senior",
    "arbitration": "senior",
}
_DEFAULT_SEGMENTS: dict[str, str] = {
    "small": "junior",
    "medium": "junior",
    "enterprise": "senior",
    "vip": "senior",
}


# Enum members read on every case, bound once: on Python 3.11 reading a member off its
# class goes through EnumType's attribute hook (about 0.2 µs); a module name does not.
_JUNIOR = Tier.JUNIOR
_ASSIGN = Verdict.ASSIGN
_DENY = Verdict.DENY
_APPROVE = Verdict.APPROVE
_REVIEW = Verdict.REVIEW


#: Each tier's rank and value (``Tier.rank``, ``Tier.value``), read without a property call.
_RANK = {t: t.rank for t in _TIERS}
_VALUE = {t: t.value for t in _TIERS}


class _Route:
    """The tier asked for so far, and why."""

    __slots__ = ("reasons", "tier")

    def __init__(self) -> None:
        self.tier: Tier = _JUNIOR
        self.reasons: list[Reason] = []

    def need(self, tier: Tier, reason: Reason) -> None:
        if tier is not _JUNIOR:  # junior is the least tier: it asks for nothing
            self.reasons.append(reason)
            if _RANK[tier] > _RANK[self.tier]:
                self.tier = tier


@register_kind(_ESC)
@attrs.frozen(slots=False)
class EscalationTier(PolicyBase):
    """The default escalation policy: the highest tier any rule asks for, plus an SLA bump.

    Attributes:
        amount_bands: per currency, ``[middle_from, senior_from]`` in minor units (ascending);
            an amount at or above a bound needs that tier.
        unknown_currency_tier: the tier for an amount in a currency without bands.
        claim_tiers: the least tier per claim kind.
        stage_tiers: the least tier per dispute stage (pre-arbitration and arbitration are
            senior work by default).
        fraud_tier: the least tier when any fraud signal is present.
        segment_tiers: the least tier per merchant segment (enterprise and VIP: senior).
        repeat_contacts: from this many contacts on the case, ``repeat_contact_tier`` at least.
        repeat_contact_tier: the least tier for a repeat contact.
        sla_bump_at: bump one tier when this fraction of the SLA window or less is left; the
            one definition of "near breach" (``PolicySet.sla_warning`` reads it).
    """

    KIND: ClassVar[str] = _ESC
    CONTEXT: ClassVar[type[Any]] = EscalationContext

    amount_bands: tuple[tuple[str, tuple[int, ...]], ...] = param(
        Table(CurrencyCode, Items(Count, 2, ascending=True)), factory=lambda: dict(_DEFAULT_BANDS)
    )
    unknown_currency_tier: Tier = param(Tier, Tier.MIDDLE)
    claim_tiers: tuple[tuple[ClaimKind, Tier], ...] = param(
        Table(ClaimKind, Tier), factory=lambda: dict(_DEFAULT_CLAIMS)
    )
    stage_tiers: tuple[tuple[DisputeStage, Tier], ...] = param(
        Table(DisputeStage, Tier), factory=lambda: dict(_DEFAULT_STAGES)
    )
    fraud_tier: Tier = param(Tier, Tier.MIDDLE)
    segment_tiers: tuple[tuple[MerchantSegment, Tier], ...] = param(
        Table(MerchantSegment, Tier), factory=lambda: dict(_DEFAULT_SEGMENTS)
    )
    repeat_contacts: int = param(Int(1), 3)
    repeat_contact_tier: Tier = param(Tier, Tier.MIDDLE)
    sla_bump_at: Decimal = param(Probability, DEFAULT_SLA_BUMP_AT)

    @cached_property
    def _bands(self) -> dict[str, tuple[int, ...]]:
        return dict(self.amount_bands)

    @cached_property
    def _claims(self) -> dict[ClaimKind, Tier]:
        return dict(self.claim_tiers)

    @cached_property
    def _stages(self) -> dict[DisputeStage, Tier]:
        return dict(self.stage_tiers)

    @cached_property
    def _segments(self) -> dict[MerchantSegment, Tier]:
        return dict(self.segment_tiers)

    @cached_property
    def _reasons(self) -> dict[tuple[str, Any], tuple[Tier, Reason]]:
        # ("claim" | "stage" | "segment" | "fraud" | "contacts", key) -> the tier and its
        # reason, made once per key (reasons are immutable; keys come from small sets).
        return {}

    @cached_property
    def _band_money(self) -> dict[str, tuple[Money, Money]]:
        # The bands of a currency as Money (what an amount_band reason shows), made once.
        return {}

    def tier_for_amount(self, amount: Money) -> Tier:
        """The tier the amount bands ask for (monotone in the amount)."""
        bands = self._bands.get(amount.currency.code)
        if bands is None:
            return self.unknown_currency_tier
        rank = 0
        for i, bound in enumerate(bands[:2]):
            if amount.minor >= bound:
                rank = i + 1
        return _TIERS[rank]

    def near_breach(self, opened_at: datetime, due_at: datetime, now: datetime) -> bool:
        """True when ``sla_bump_at`` of the SLA window or less is left at ``now`` (exactly)."""
        window = (due_at - opened_at) // _US
        left = (due_at - now) // _US
        sla = Fraction(self.sla_bump_at)
        return window <= 0 or left * sla.denominator <= sla.numerator * window

    def decide(self, ctx: EscalationContext, now: datetime) -> Decision:
        """Route one case at ``now``: verdict ``assign`` with the tier, and why."""
        route = _Route()
        for rule in self.RULES:
            rule.check(self, ctx, now, route)
        reasons = route.reasons or [_ROUTINE]
        return Decision(_ASSIGN, tuple(reasons), self.info, tier=route.tier, amount=ctx.stake)

    RULES: ClassVar[tuple[Rule[EscalationTier, EscalationContext, _Route], ...]]


def _esc(code: str, rule: str, values: tuple[tuple[str, Any], ...], template: str) -> Reason:
    return Reason(code, rule, values, template, _ESC)


_ROUTINE = _esc("routine", "default", (), "no rule asks for more than junior")
_E = EscalationTier
_X = EscalationContext


def _amount(p: _E, ctx: _X, now: datetime, r: _Route) -> None:
    stake = ctx.stake
    if stake is None:
        return
    t = p.tier_for_amount(stake)
    if t is _JUNIOR:
        return  # junior asks for nothing a route does not have (``_Route.need``)
    code = stake.currency.code
    bands = p._bands.get(code)
    if bands is None:
        why = _esc(
            "no_band_for_currency",
            "amount_bands",
            (("amount", stake), ("bands", None), ("tier", _VALUE[t])),
            "{amount}: no amount bands for this currency, so tier {tier}",
        )
    else:
        shown = p._band_money.get(code)
        if shown is None:
            shown = (
                Money.from_minor(bands[0], stake.currency),
                Money.from_minor(bands[1], stake.currency),
            )
            p._band_money[code] = shown
        why = _esc(
            "amount_band",
            "amount_bands",
            (
                ("amount", stake),
                ("bands", bands),
                ("middle_from", shown[0]),
                ("senior_from", shown[1]),
                ("tier", _VALUE[t]),
            ),
            "{amount} needs tier {tier} (middle from {middle_from}, senior from {senior_from})",
        )
    r.need(t, why)


#: Per kind of key: the policy's tier table, the reason code, its parameter, the value's
#: name and the reason's template.
_KEYED: dict[str, tuple[str, str, str, str, str]] = {
    "claim": ("_claims", "claim_kind", "claim_tiers", "claim", "a {claim} claim needs tier {tier}"),
    "stage": (
        "_stages", "dispute_stage", "stage_tiers", "stage", "a dispute at {stage} needs tier {tier}"
    ),
    "segment": (
        "_segments", "merchant_segment", "segment_tiers", "segment",
        "{segment} merchants need tier {tier}",
    ),
}  # fmt: skip


def _keyed(p: _E, kind: str, key: Any) -> tuple[Tier, Reason]:
    """The tier a claim, stage or segment needs and the reason saying so (made once)."""
    found = p._reasons.get((kind, key))
    if found is None:
        table, code, rule, name, template = _KEYED[kind]
        t = getattr(p, table).get(key, Tier.JUNIOR)
        why = _esc(code, rule, ((name, key.value), ("tier", t.value)), template)
        found = p._reasons[(kind, key)] = (t, why)
    return found


def _claim(p: _E, ctx: _X, now: datetime, r: _Route) -> None:
    r.need(*_keyed(p, "claim", ctx.case.claim))


def _stage(p: _E, ctx: _X, now: datetime, r: _Route) -> None:
    stage = ctx.stage
    if stage is None:
        return
    r.need(*_keyed(p, "stage", stage))


def _fraud(p: _E, ctx: _X, now: datetime, r: _Route) -> None:
    signals = ctx.fraud
    if not signals:
        return
    why = p._reasons.get(("fraud", signals))  # a few combinations of signals: made once each
    if why is None:
        why = p._reasons[("fraud", signals)] = (
            p.fraud_tier,
            _esc(
                "fraud_signal",
                "fraud_tier",
                (("signals", signals), ("tier", p.fraud_tier.value)),
                "fraud signals {signals} need tier {tier}",
            ),
        )
    r.need(*why)


def _segment(p: _E, ctx: _X, now: datetime, r: _Route) -> None:
    segment = ctx.segment
    if segment is None:
        return
    r.need(*_keyed(p, "segment", segment))


def _repeat(p: _E, ctx: _X, now: datetime, r: _Route) -> None:
    contacts = ctx.case.contacts
    if contacts < p.repeat_contacts:
        return
    why = p._reasons.get(("contacts", contacts))  # made once per count of contacts
    if why is None:
        why = (
            p.repeat_contact_tier,
            _esc(
                "repeat_contact",
                "repeat_contacts",
                (
                    ("contacts", contacts),
                    ("limit", p.repeat_contacts),
                    ("tier", p.repeat_contact_tier.value),
                ),
                "{contacts} contacts (from {limit}) need tier {tier}",
            ),
        )
        if len(p._reasons) < _MAX_REASONS:
            p._reasons[("contacts", contacts)] = why
    r.need(*why)


def _sla(p: _E, ctx: _X, now: datetime, r: _Route) -> None:
    case = ctx.case
    if case.sla_due_at is None or not p.near_breach(case.opened_at, case.sla_due_at, now):
        return
    bumped = r.tier.bump()
    r.reasons.append(
        _esc(
            "sla_near_breach",
            "sla_bump_at",
            (
                ("left", case.sla_due_at - now),
                ("window", case.sla_due_at - case.opened_at),
                ("threshold", p.sla_bump_at),
                ("from_tier", r.tier.value),
                ("tier", bumped.value),
            ),
            "SLA {left} left of {window} (bump at {threshold} left): {from_tier} -> {tier}",
        )
    )
    r.tier = bumped


EscalationTier.RULES = (
    Rule(
        "amount_band",
        "tier",
        ("amount_band", "no_band_for_currency"),
        ("amount_bands", "unknown_currency_tier"),
        "the amount at stake (the case's, else the dispute's, else the payment's) picks a band",
        _amount,
    ),
    Rule(
        "claim_kind",
        "tier",
        ("claim_kind",),
        ("claim_tiers",),
        "the least tier per claim kind",
        _claim,
    ),
    Rule(
        "dispute_stage",
        "tier",
        ("dispute_stage",),
        ("stage_tiers",),
        "the least tier per dispute stage",
        _stage,
    ),
    Rule(
        "fraud_signal",
        "tier",
        ("fraud_signal",),
        ("fraud_tier",),
        "a host signal, an unrecognized charge, a fraud dispute or an early fraud warning",
        _fraud,
    ),
    Rule(
        "merchant_segment",
        "tier",
        ("merchant_segment",),
        ("segment_tiers",),
        "the least tier per merchant segment",
        _segment,
    ),
    Rule(
        "repeat_contact",
        "tier",
        ("repeat_contact",),
        ("repeat_contacts", "repeat_contact_tier"),
        "the customer came back this many times",
        _repeat,
    ),
    Rule(
        "sla_near_breach",
        "bump one tier",
        ("sla_near_breach",),
        ("sla_bump_at",),
        "this fraction of the SLA window or less is left (`routine` when no rule fired)",
        _sla,
    ),
)


# ---------------------------------------------------------------------- operator authority
@attrs.frozen(slots=True, eq=False)
class ApprovalContext:
    """An operator about to approve an amount that someone (maybe they) requested.

    Attributes:
        approver: the operator who would approve.
        amount: the amount to approve.
        requester_id: who asked for it (the operator or system id); never the approver.
        action: what is approved, for messages (``"approve refund"``).
        rates: the day's exchange rates, for limits set in the reference currency.
    """

    approver: Operator
    amount: Money
    requester_id: str | None = None
    action: str = "approve refund"
    rates: ExchangeRates | None = None

    @property
    def currency(self) -> str:
        """The amount's currency code."""
        return self.amount.currency.code

    @property
    def segment(self) -> None:
        """Approvals are not routed by merchant segment."""
        return None


_DEFAULT_TIER_LIMITS: dict[str, dict[str, int]] = {
    "junior": {"EUR": 10_000, "USD": 10_000, "GBP": 10_000},
    "middle": {"EUR": 100_000, "USD": 100_000, "GBP": 100_000},
}


def _same_id(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.strip().casefold() == b.strip().casefold()


def _auth(code: str, rule: str, values: tuple[tuple[str, Any], ...], template: str) -> Reason:
    return Reason(code, rule, values, template, _AUTH)


@register_kind(_AUTH)
@attrs.frozen(slots=False)
class OperatorAuthority(PolicyBase):
    """What each tier may approve alone, and the four-eyes rule.

    Attributes:
        tier_limits: per tier, per currency, the largest amount (minor units) it may approve.
            A currency absent for a tier is compared with the tier's ``reference_currency``
            limit through the day's exchange rates; without a rate (or a limit) the tier has
            no authority in it. An operator's own ``refund_limits`` can only lower the limit.
        reference_currency: the currency whose limit covers the currencies not listed.
        top_tier: this tier may approve any amount in any currency (four eyes and an active
            operator still required), so every request has someone who can approve it.
    """

    KIND: ClassVar[str] = _AUTH
    CONTEXT: ClassVar[type[Any]] = ApprovalContext

    tier_limits: tuple[tuple[Tier, tuple[tuple[str, int], ...]], ...] = param(
        Table(Tier, Table(CurrencyCode, Count)),
        factory=lambda: {k: dict(v) for k, v in _DEFAULT_TIER_LIMITS.items()},
    )
    reference_currency: str = param(CurrencyCode, "EUR")
    top_tier: Tier = param(Tier, Tier.SENIOR)

    @cached_property
    def _limits(self) -> dict[Tier, dict[str, int]]:
        return {t: dict(m) for t, m in self.tier_limits}

    def limit_for(self, operator: Operator, currency_code: str) -> int | None:
        """The operator's limit set in ``currency_code`` itself (minor units), or ``None``.

        ``None`` also for the top tier (no limit at all) and for a currency covered only
        through the reference currency.
        """
        tier_limit = self._limits.get(operator.tier, {}).get(currency_code)
        if tier_limit is None:
            return None
        if operator.refund_limits:
            own = operator.limit_for(currency_code)
            return None if own is None else min(tier_limit, own.minor)
        return tier_limit

    def tier_covers(self, tier: Tier, amount: Money, rates: ExchangeRates | None = None) -> bool:
        """True when ``tier`` may approve ``amount`` alone.

        Raises:
            MissingExchangeRate: the tier's limit is in the reference currency and no rate
                converts ``amount`` (names the pair).
        """
        if tier is self.top_tier:
            return True
        limits = self._limits.get(tier, {})
        own = limits.get(amount.currency.code)
        if own is not None:
            return amount.minor <= own
        ref = limits.get(self.reference_currency)
        if ref is None:
            return False
        return at_most(rates, amount, Money.from_minor(ref, self.reference_currency))

    def tier_needed(self, amount: Money, rates: ExchangeRates | None = None) -> Tier:
        """The lowest tier that may approve ``amount`` alone (the top tier at worst)."""
        for t in _TIERS:
            try:
                if self.tier_covers(t, amount, rates):
                    return t
            except MissingExchangeRate:
                continue
        return self.top_tier

    def decide(self, ctx: ApprovalContext, now: datetime | None = None) -> Decision:
        """Approve (the operator may approve alone) or deny, naming the tier that must."""
        op = ctx.approver
        if _same_id(ctx.requester_id, op.id):
            why = _auth(
                "four_eyes",
                "four_eyes",
                (("operator", op.id),),
                "{operator} requested this and cannot approve their own request",
            )
            return Decision(_DENY, (why,), self.info, amount=ctx.amount, tier=op.tier)
        amount = ctx.amount
        return self._check(op, amount, ctx.rates, self.tier_needed(amount, ctx.rates))

    def _check(
        self, op: Operator, amount: Money, rates: ExchangeRates | None, needed: Tier
    ) -> Decision:
        """`decide` past four eyes, for ``op`` approving ``amount``; ``needed`` is its tier.

        ``needed`` is ``tier_needed(amount, rates)``, given, not computed here: ``route``
        needs it too, and computes it once. The context's parts are given as they are, so
        ``route`` builds no ``ApprovalContext`` it would only take apart.
        """
        # The operator's fields, read once from its ``__dict__`` (a model's attribute read
        # takes pydantic's ``__getattr__`` hook).
        fields = op.__dict__
        tier = fields["tier"]
        own_limits = fields["refund_limits"]
        op_id = fields["id"]
        if not fields["active"]:
            why = _auth(
                "inactive_operator",
                "active",
                (("operator", op_id),),
                "{operator} is not an active operator",
            )
            return Decision(_DENY, (why,), self.info, amount=amount, tier=needed)
        currency = amount.currency.code
        try:
            ok = self.tier_covers(tier, amount, rates)
        except MissingExchangeRate as exc:
            why = _auth(
                "no_authority_in_currency",
                "tier_limits",
                (
                    ("operator", op_id),
                    ("tier", _VALUE[tier]),
                    ("currency", currency),
                    ("error", exc.message),
                ),
                "{operator} ({tier}) has no approval authority in {currency}: {error}",
            )
            return Decision(_DENY, (why,), self.info, amount=amount, tier=needed)
        own = op.limit_for(currency) if own_limits else None
        if own_limits and (own is None or amount.minor > own.minor):
            ok = False
        if ok:
            why = _auth(
                "within_operator_limit",
                "tier_limits",
                (("operator", op_id), ("tier", _VALUE[tier]), ("amount", amount)),
                "{amount} is within {operator}'s limit ({tier})",
            )
            return Decision(_APPROVE, (why,), self.info, amount=amount, tier=tier)
        limits = self._limits.get(tier, {})
        has_limit = currency in limits or self.reference_currency in limits
        if not has_limit or (own_limits and own is None):
            why = _auth(
                "no_authority_in_currency",
                "tier_limits",
                (("operator", op_id), ("tier", _VALUE[tier]), ("currency", currency)),
                "{operator} ({tier}) has no approval authority in {currency}",
            )
            return Decision(_DENY, (why,), self.info, amount=amount, tier=needed)
        why = _auth(
            "above_operator_limit",
            "tier_limits",
            (
                ("operator", op_id),
                ("tier", _VALUE[tier]),
                ("amount", amount),
                ("needed", _VALUE[needed]),
            ),
            "{amount} is above {operator}'s limit ({tier}); tier {needed} must approve",
        )
        return Decision(_DENY, (why,), self.info, amount=amount, tier=needed)

    def check(
        self,
        approver: Operator,
        amount: Money,
        requester_id: str | None,
        rates: ExchangeRates | None = None,
    ) -> Decision:
        """Shorthand for ``decide`` on an ``ApprovalContext``."""
        return self.decide(ApprovalContext(approver, amount, requester_id, rates=rates))

    def authorize(
        self,
        approver: Operator,
        amount: Money,
        requester_id: str | None,
        action: str = "approve refund",
        rates: ExchangeRates | None = None,
    ) -> Decision:
        """Like ``check``, but raise ``NotAuthorized`` instead of a deny.

        Raises:
            NotAuthorized: four eyes, an inactive operator, or an amount above the limit.
        """
        decision = self.decide(ApprovalContext(approver, amount, requester_id, action, rates))
        if decision.outcome is not Verdict.APPROVE:
            raise NotAuthorized(approver.id, f"{action} of {amount}", decision.reasons[0].message)
        return decision

    def route(
        self,
        decision: Decision,
        *,
        operator: Operator | None = None,
        operator_request: bool = False,
        requester_id: str | None = None,
        rates: ExchangeRates | None = None,
    ) -> Decision:
        """The one answer to "may this refund go out now, or which tier must approve it?".

        Takes the refund policy's decision and returns the decision the workflow acts on,
        whose ``parts`` hold the refund decision (and the authority check, if any):

        * a deny, or a decision without an amount, comes back unchanged;
        * a request made by an operator (``operator_request``) is checked against that
          operator's authority; an unknown operator (``operator`` missing, or not the
          ``requester_id``) is refused (``unknown_operator``, deny), never unlimited;
        * an operator handling someone else's request is checked the same way;
        * a review, or an amount above the operator's authority, becomes ``review`` with
          ``tier`` = the higher of the refund policy's review tier (or the tier the operator's
          check names) and ``tier_needed`` (never a dead end: the top tier can always
          approve).
        """
        amount = decision.amount
        if decision.outcome is _DENY or amount is None:
            return decision
        parts: tuple[Decision, ...] = (decision,)
        floor = decision.tier if decision.outcome is _REVIEW else None
        if operator_request and (operator is None or not _same_id(operator.id, requester_id)):
            why = _auth(
                "unknown_operator",
                "requester",
                (("requester", requester_id),),
                "the request names operator {requester}, who is not the operator given: refused",
            )
            return Decision(_DENY, (*decision.reasons, why), self.info, amount=amount, parts=parts)
        reasons = decision.reasons
        needed = None
        if operator is not None and floor is None:
            if type(self).decide is OperatorAuthority.decide:
                # nobody requested it (None): four eyes cannot refuse, so `decide` is
                # `_check`, given the tier this route needs below too (worked out once)
                needed = self.tier_needed(amount, rates)
                check = self._check(operator, amount, rates, needed)
            else:  # a subclass's own `decide` is the check it asks for
                check = self.decide(ApprovalContext(operator, amount, None, rates=rates))
            parts = (decision, check)
            if check.outcome is not _APPROVE:
                floor = check.tier or self.top_tier
                reasons = (*reasons, *check.reasons)
        if floor is None:
            return Decision(decision.outcome, reasons, self.info, amount=amount, parts=parts)
        if needed is None:
            needed = self.tier_needed(amount, rates)
        tier = floor if _RANK[floor] >= _RANK[needed] else needed
        why = _auth(
            "approval_tier",
            "tier_limits",
            (("amount", amount), ("tier", _VALUE[tier])),
            "a {tier} operator must approve {amount}",
        )
        return Decision(_REVIEW, (*reasons, why), self.info, amount=amount, tier=tier, parts=parts)
