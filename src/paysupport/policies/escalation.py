"""Escalation: which tier handles a case, and who may approve what (operator authority).

:class:`EscalationTier` takes the highest tier any rule asks for (amount bands per currency,
claim kind, dispute stage, fraud signals, merchant segment, repeat contacts), then bumps one
tier when the SLA is close to breach. Raising the amount never lowers the tier.

:class:`OperatorAuthority` says whether an operator may approve an amount: each tier has a
limit per currency (an operator's own ``refund_limits`` can only narrow it); above the limit
a higher tier must approve; nobody approves their own request (four eyes).
"""
# ruff: noqa: RUF009  (param() and derived() are attrs field specifiers, like attrs.field)

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

import attrs

from paysupport.errors import NotAuthorized
from paysupport.models import ClaimKind, MerchantSegment, Operator, Tier
from paysupport.money import Money
from paysupport.networks import DisputeStage

from ._config import (
    CurrencyKey,
    DecimalCodec,
    EnumCodec,
    IntCodec,
    MapCodec,
    PolicyBase,
    TupleCodec,
    derived,
    param,
    register_kind,
)
from .context import EscalationContext
from .decision import Decision, Outcome, PolicyInfo, Reason

__all__ = ["ApprovalContext", "EscalationTier", "OperatorAuthority"]

_TIERS = (Tier.JUNIOR, Tier.MIDDLE, Tier.SENIOR)
_US = timedelta(microseconds=1)

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


@register_kind("escalation_tier")
@attrs.frozen(slots=True)
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
        sla_bump_at: bump one tier when this fraction of the SLA window or less is left.
    """

    KIND: ClassVar[str] = "escalation_tier"

    amount_bands: Any = param(
        MapCodec(CurrencyKey(), TupleCodec(IntCodec(0), min_len=2, ascending=True)),
        factory=lambda: dict(_DEFAULT_BANDS),
    )
    unknown_currency_tier: Tier = param(EnumCodec(Tier), Tier.MIDDLE)
    claim_tiers: Any = param(
        MapCodec(EnumCodec(ClaimKind), EnumCodec(Tier)), factory=lambda: dict(_DEFAULT_CLAIMS)
    )
    stage_tiers: Any = param(
        MapCodec(EnumCodec(DisputeStage), EnumCodec(Tier)),
        factory=lambda: dict(_DEFAULT_STAGES),
    )
    fraud_tier: Tier = param(EnumCodec(Tier), Tier.MIDDLE)
    segment_tiers: Any = param(
        MapCodec(EnumCodec(MerchantSegment), EnumCodec(Tier)),
        factory=lambda: dict(_DEFAULT_SEGMENTS),
    )
    repeat_contacts: int = param(IntCodec(1), 3)
    repeat_contact_tier: Tier = param(EnumCodec(Tier), Tier.MIDDLE)
    sla_bump_at: Decimal = param(DecimalCodec(Decimal(0), Decimal(1)), Decimal("0.25"))

    _info: PolicyInfo = derived()
    _bands: dict[str, tuple[int, ...]] = derived()
    _claims: dict[ClaimKind, Tier] = derived()
    _stages: dict[DisputeStage, Tier] = derived()
    _segments: dict[MerchantSegment, Tier] = derived()
    _sla: Fraction = derived()

    def __attrs_post_init__(self) -> None:
        self._setup()
        s = object.__setattr__
        s(self, "_bands", dict(self.amount_bands))
        s(self, "_claims", dict(self.claim_tiers))
        s(self, "_stages", dict(self.stage_tiers))
        s(self, "_segments", dict(self.segment_tiers))
        s(self, "_sla", Fraction(self.sla_bump_at))

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

    def decide(self, ctx: EscalationContext, now: datetime) -> Decision:
        """Route one case at ``now``: outcome ``assign`` with the tier, and why."""
        tier = Tier.JUNIOR
        reasons: list[Reason] = []

        def need(t: Tier, reason: Reason) -> None:
            nonlocal tier
            if t.rank > Tier.JUNIOR.rank:
                reasons.append(reason)
            if t.rank > tier.rank:
                tier = t

        stake = ctx.stake
        if stake is not None:
            t = self.tier_for_amount(stake)
            bands = self._bands.get(stake.currency.code)
            if bands is not None:
                band_reason = Reason(
                    "amount_band",
                    "amount_bands",
                    (
                        ("amount", stake),
                        ("bands", bands),
                        ("middle_from", Money.from_minor(bands[0], stake.currency)),
                        ("senior_from", Money.from_minor(bands[-1], stake.currency)),
                        ("tier", t.value),
                    ),
                    "{amount} needs tier {tier} (middle from {middle_from}, "
                    "senior from {senior_from})",
                )
            else:
                band_reason = Reason(
                    "no_band_for_currency",
                    "amount_bands",
                    (("amount", stake), ("bands", None), ("tier", t.value)),
                    "{amount}: no amount bands for this currency, so tier {tier}",
                )
            need(t, band_reason)
        claim = ctx.case.claim
        t = self._claims.get(claim, Tier.JUNIOR)
        need(
            t,
            Reason(
                "claim_kind",
                "claim_tiers",
                (("claim", claim.value), ("tier", t.value)),
                "a {claim} claim needs tier {tier}",
            ),
        )
        stage = ctx.stage
        if stage is not None:
            t = self._stages.get(stage, Tier.JUNIOR)
            need(
                t,
                Reason(
                    "dispute_stage",
                    "stage_tiers",
                    (("stage", stage.value), ("tier", t.value)),
                    "a dispute at {stage} needs tier {tier}",
                ),
            )
        if ctx.fraud:
            need(
                self.fraud_tier,
                Reason(
                    "fraud_signal",
                    "fraud_tier",
                    (("signals", ctx.fraud), ("tier", self.fraud_tier.value)),
                    "fraud signals {signals} need tier {tier}",
                ),
            )
        segment = ctx.segment
        if segment is not None:
            t = self._segments.get(segment, Tier.JUNIOR)
            need(
                t,
                Reason(
                    "merchant_segment",
                    "segment_tiers",
                    (("segment", segment.value), ("tier", t.value)),
                    "{segment} merchants need tier {tier}",
                ),
            )
        contacts = ctx.case.contacts
        if contacts >= self.repeat_contacts:
            need(
                self.repeat_contact_tier,
                Reason(
                    "repeat_contact",
                    "repeat_contacts",
                    (
                        ("contacts", contacts),
                        ("limit", self.repeat_contacts),
                        ("tier", self.repeat_contact_tier.value),
                    ),
                    "{contacts} contacts (from {limit}) need tier {tier}",
                ),
            )
        case = ctx.case
        if case.sla_due_at is not None:
            window = case.sla_due_at - case.opened_at
            left = case.sla_due_at - now
            # left / window <= threshold, exactly, in microseconds.
            w = window // _US
            lt = left // _US
            if w <= 0 or lt * self._sla.denominator <= self._sla.numerator * w:
                bumped = tier.bump()
                reasons.append(
                    Reason(
                        "sla_near_breach",
                        "sla_bump_at",
                        (
                            ("left", left),
                            ("window", window),
                            ("threshold", self.sla_bump_at),
                            ("from_tier", tier.value),
                            ("tier", bumped.value),
                        ),
                        "SLA {left} left of {window} (bump at {threshold} left): "
                        "{from_tier} -> {tier}",
                    )
                )
                tier = bumped
        if not reasons:
            reasons.append(Reason("routine", "default", (), "no rule asks for more than junior"))
        return Decision(Outcome.ASSIGN, tuple(reasons), self._info, tier=tier, amount=stake)

    def decide_many(self, contexts: Iterable[EscalationContext], now: datetime) -> list[Decision]:
        """Route a batch of cases at the same ``now``."""
        decide = self.decide
        return [decide(c, now) for c in contexts]


# ---------------------------------------------------------------------- operator authority
@attrs.frozen(slots=True, eq=False)
class ApprovalContext:
    """An operator about to approve an amount that someone (maybe they) requested.

    Attributes:
        approver: the operator who would approve.
        amount: the amount to approve.
        requester_id: who asked for it (the operator or system id); never the approver.
        action: what is approved, for messages (``"approve refund"``).
    """

    approver: Operator
    amount: Money
    requester_id: str | None = None
    action: str = "approve refund"

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
    "senior": {"EUR": 1_000_000, "USD": 1_000_000, "GBP": 1_000_000},
}


@register_kind("operator_authority")
@attrs.frozen(slots=True)
class OperatorAuthority(PolicyBase):
    """What each tier may approve alone, per currency, and the four-eyes rule.

    Attributes:
        tier_limits: per tier, per currency, the largest amount (minor units) it may approve.
            A currency absent for a tier means no authority in it. An operator's own
            ``refund_limits`` can only lower the tier's limit, never raise it.
    """

    KIND: ClassVar[str] = "operator_authority"

    tier_limits: Any = param(
        MapCodec(EnumCodec(Tier), MapCodec(CurrencyKey(), IntCodec(0))),
        factory=lambda: {k: dict(v) for k, v in _DEFAULT_TIER_LIMITS.items()},
    )

    _info: PolicyInfo = derived()
    _limits: dict[Tier, dict[str, int]] = derived()

    def __attrs_post_init__(self) -> None:
        self._setup()
        object.__setattr__(self, "_limits", {t: dict(m) for t, m in self.tier_limits})

    def limit_for(self, operator: Operator, currency_code: str) -> int | None:
        """The largest amount (minor units) ``operator`` may approve alone, or ``None``."""
        tier_limit = self._limits.get(operator.tier, {}).get(currency_code)
        if tier_limit is None:
            return None
        if operator.refund_limits:
            own = operator.limit_for(currency_code)
            if own is None:
                return None
            return min(tier_limit, own.minor)
        return tier_limit

    def tier_needed(self, amount: Money) -> Tier | None:
        """The lowest tier whose limit covers ``amount`` (``None``: no tier may approve it)."""
        code = amount.currency.code
        for t in _TIERS:
            lim = self._limits.get(t, {}).get(code)
            if lim is not None and amount.minor <= lim:
                return t
        return None

    def decide(self, ctx: ApprovalContext, now: datetime | None = None) -> Decision:
        """Approve (the operator may approve alone) or deny, naming the tier that must."""
        op = ctx.approver
        info = self._info
        if ctx.requester_id is not None and ctx.requester_id == op.id:
            return Decision(
                Outcome.DENY,
                (
                    Reason(
                        "four_eyes",
                        "four_eyes",
                        (("operator", op.id),),
                        "{operator} requested this and cannot approve their own request",
                    ),
                ),
                info,
                amount=ctx.amount,
                tier=op.tier,
            )
        if not op.active:
            return Decision(
                Outcome.DENY,
                (
                    Reason(
                        "inactive_operator",
                        "active",
                        (("operator", op.id),),
                        "{operator} is not an active operator",
                    ),
                ),
                info,
                amount=ctx.amount,
                tier=self.tier_needed(ctx.amount),
            )
        limit = self.limit_for(op, ctx.currency)
        if limit is None:
            return Decision(
                Outcome.DENY,
                (
                    Reason(
                        "no_authority_in_currency",
                        "tier_limits",
                        (("operator", op.id), ("tier", op.tier.value), ("currency", ctx.currency)),
                        "{operator} ({tier}) has no approval authority in {currency}",
                    ),
                ),
                info,
                amount=ctx.amount,
                tier=self.tier_needed(ctx.amount),
            )
        if ctx.amount.minor > limit:
            needed = self.tier_needed(ctx.amount)
            return Decision(
                Outcome.DENY,
                (
                    Reason(
                        "above_operator_limit",
                        "tier_limits",
                        (
                            ("operator", op.id),
                            ("tier", op.tier.value),
                            ("amount", ctx.amount),
                            ("limit", limit),
                            ("needed", needed.value if needed else None),
                        ),
                        "{amount} is above {operator}'s limit ({limit} minor units, "
                        "{tier}); tier {needed} must approve",
                    ),
                ),
                info,
                amount=ctx.amount,
                tier=needed,
            )
        return Decision(
            Outcome.APPROVE,
            (
                Reason(
                    "within_operator_limit",
                    "tier_limits",
                    (("operator", op.id), ("amount", ctx.amount), ("limit", limit)),
                    "{amount} is within {operator}'s limit ({limit} minor units)",
                ),
            ),
            info,
            amount=ctx.amount,
            tier=op.tier,
        )

    def check(self, approver: Operator, amount: Money, requester_id: str | None) -> Decision:
        """Shorthand for :meth:`decide` on an :class:`ApprovalContext`."""
        return self.decide(ApprovalContext(approver, amount, requester_id))

    def authorize(
        self,
        approver: Operator,
        amount: Money,
        requester_id: str | None,
        action: str = "approve refund",
    ) -> Decision:
        """Like :meth:`check`, but raise :class:`NotAuthorized` instead of a deny.

        Raises:
            NotAuthorized: four eyes, an inactive operator, or an amount above the limit.
        """
        decision = self.decide(ApprovalContext(approver, amount, requester_id, action))
        if decision.outcome is not Outcome.APPROVE:
            raise NotAuthorized(approver.id, f"{action} of {amount}", decision.reasons[0].message)
        return decision

    def decide_many(
        self, contexts: Iterable[ApprovalContext], now: datetime | None = None
    ) -> list[Decision]:
        """Check a batch of approvals."""
        decide = self.decide
        return [decide(c, now) for c in contexts]
