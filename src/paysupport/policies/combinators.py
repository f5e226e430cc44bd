"""Combinators: build a team's policy out of smaller ones.

* :class:`FirstMatch`: the first policy with an opinion (not ``pass``) decides.
* :class:`AllMustApprove`: every policy must approve; otherwise the strictest answer wins.
* :class:`Override`: a team rule in front of a default; the default decides when the rule
  passes.
* :class:`RouteBySegment` / :class:`RouteByCurrency`: pick a policy by the merchant's segment
  or the amount's currency, with a default.
* :class:`Fixed`: a rule that always gives the same answer (a freeze during an incident, a
  placeholder while a team writes its own).

A combinator's decision carries its own fingerprint (which covers every inner policy's
configuration) and the inner decisions in ``parts``, so both are auditable. Contexts expose
``segment`` and ``currency`` for routing.
"""
# ruff: noqa: RUF009  (param() and derived() are attrs field specifiers, like attrs.field)

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar

import attrs

from paysupport.models import MerchantSegment, Tier

from ._config import (
    CurrencyKey,
    EnumCodec,
    MapCodec,
    PolicyBase,
    PolicyCodec,
    TextCodec,
    TupleCodec,
    derived,
    param,
    register_kind,
)
from .decision import Decision, Outcome, PolicyInfo, Reason

__all__ = ["AllMustApprove", "FirstMatch", "Fixed", "Override", "RouteByCurrency", "RouteBySegment"]

_SEVERITY: dict[Outcome, int] = {
    Outcome.DENY: 4,
    Outcome.STOP: 4,
    Outcome.REVIEW: 3,
    Outcome.ASK_CUSTOMER: 2,
    Outcome.APPROVE_PARTIAL: 1,
    Outcome.APPROVE: 0,
}


def _wrap(info: PolicyInfo, inner: Decision, parts: tuple[Decision, ...]) -> Decision:
    return Decision(
        inner.outcome,
        inner.reasons,
        info,
        amount=inner.amount,
        tier=inner.tier,
        steps=inner.steps,
        detail=inner.detail,
        parts=parts,
    )


class _Combinator(PolicyBase):
    __slots__ = ()

    def decide(self, ctx: Any, now: datetime) -> Decision:  # pragma: no cover - abstract
        raise NotImplementedError

    def decide_many(self, contexts: Iterable[Any], now: datetime) -> list[Decision]:
        """Decide a batch at the same ``now``."""
        decide = self.decide
        return [decide(c, now) for c in contexts]


@register_kind("first_match")
@attrs.frozen(slots=True)
class FirstMatch(_Combinator):
    """The first policy whose outcome is not ``pass`` decides; ``pass`` if none has one.

    Attributes:
        policies: the policies, in order.
    """

    KIND: ClassVar[str] = "first_match"

    policies: tuple[Any, ...] = param(TupleCodec(PolicyCodec(), min_len=1))
    _info: PolicyInfo = derived()

    def __attrs_post_init__(self) -> None:
        self._setup()

    def decide(self, ctx: Any, now: datetime) -> Decision:
        """Ask each policy in turn until one has an opinion."""
        seen: list[Decision] = []
        for p in self.policies:
            d = p.decide(ctx, now)
            seen.append(d)
            if d.outcome is not Outcome.PASS:
                return _wrap(self._info, d, tuple(seen))
        return Decision(
            Outcome.PASS,
            (Reason("no_policy_matched", "policies", (), "no policy had an opinion"),),
            self._info,
            parts=tuple(seen),
        )


@register_kind("all_must_approve")
@attrs.frozen(slots=True)
class AllMustApprove(_Combinator):
    """Approve only when every policy approves (the smallest amount); else the strictest.

    ``pass`` answers are ignored. When some policy does not approve, the strictest outcome
    (deny or stop, then review, then ask) wins, with the highest tier asked for and the
    reasons of every policy that did not approve.

    Attributes:
        policies: the policies that must all approve.
    """

    KIND: ClassVar[str] = "all_must_approve"

    policies: tuple[Any, ...] = param(TupleCodec(PolicyCodec(), min_len=1))
    _info: PolicyInfo = derived()

    def __attrs_post_init__(self) -> None:
        self._setup()

    def decide(self, ctx: Any, now: datetime) -> Decision:
        """Ask every policy and combine."""
        parts = tuple(p.decide(ctx, now) for p in self.policies)
        voting = [d for d in parts if d.outcome is not Outcome.PASS]
        if not voting:
            return Decision(
                Outcome.PASS,
                (Reason("no_policy_matched", "policies", (), "no policy had an opinion"),),
                self._info,
                parts=parts,
            )
        against = [d for d in voting if not d.outcome.is_approval]
        if against:
            worst = max(against, key=lambda d: _SEVERITY.get(d.outcome, 3))
            tiers = [d.tier for d in against if d.tier is not None]
            tier = max(tiers, key=lambda t: t.rank) if tiers else None
            reasons = tuple(r for d in against for r in d.reasons)
            return Decision(
                worst.outcome,
                reasons,
                self._info,
                amount=worst.amount,
                tier=tier,
                detail=worst.detail,
                parts=parts,
            )
        amounts = [d.amount for d in voting if d.amount is not None]
        smallest = min(amounts, key=lambda m: m.minor) if amounts else None
        partial = any(d.outcome is Outcome.APPROVE_PARTIAL for d in voting) or (
            smallest is not None and any(m.minor != smallest.minor for m in amounts)
        )
        reasons = tuple(r for d in voting for r in d.reasons)
        if partial and not reasons:
            reasons = (Reason("smallest_approval", "policies", (), "the smallest approval"),)
        return Decision(
            Outcome.APPROVE_PARTIAL if partial else Outcome.APPROVE,
            reasons,
            self._info,
            amount=smallest,
            parts=parts,
        )


@register_kind("override")
@attrs.frozen(slots=True)
class Override(_Combinator):
    """A team rule in front of a default: the rule decides unless it passes.

    Attributes:
        rule: the team's rule (returns ``pass`` when it has no opinion).
        default: the policy that decides otherwise.
    """

    KIND: ClassVar[str] = "override"

    rule: Any = param(PolicyCodec())
    default: Any = param(PolicyCodec())
    _info: PolicyInfo = derived()

    def __attrs_post_init__(self) -> None:
        self._setup()

    def decide(self, ctx: Any, now: datetime) -> Decision:
        """Ask the rule, then the default."""
        first = self.rule.decide(ctx, now)
        if first.outcome is not Outcome.PASS:
            return _wrap(self._info, first, (first,))
        second = self.default.decide(ctx, now)
        return _wrap(self._info, second, (first, second))


@register_kind("route_by_segment")
@attrs.frozen(slots=True)
class RouteBySegment(_Combinator):
    """Pick a policy by the merchant's segment (``ctx.segment``), else ``default``.

    Attributes:
        routes: the policy per segment.
        default: the policy for other segments and an unknown merchant.
    """

    KIND: ClassVar[str] = "route_by_segment"

    routes: Any = param(MapCodec(EnumCodec(MerchantSegment), PolicyCodec()))
    default: Any = param(PolicyCodec())
    _info: PolicyInfo = derived()
    _routes: dict[MerchantSegment, Any] = derived()

    def __attrs_post_init__(self) -> None:
        self._setup()
        object.__setattr__(self, "_routes", dict(self.routes))

    def decide(self, ctx: Any, now: datetime) -> Decision:
        """Decide with the segment's policy."""
        policy = self._routes.get(ctx.segment, self.default)
        d = policy.decide(ctx, now)
        return _wrap(self._info, d, (d,))


@register_kind("route_by_currency")
@attrs.frozen(slots=True)
class RouteByCurrency(_Combinator):
    """Pick a policy by the currency (``ctx.currency``, an ISO code), else ``default``.

    Attributes:
        routes: the policy per currency code.
        default: the policy for other currencies.
    """

    KIND: ClassVar[str] = "route_by_currency"

    routes: Any = param(MapCodec(CurrencyKey(), PolicyCodec()))
    default: Any = param(PolicyCodec())
    _info: PolicyInfo = derived()
    _routes: dict[str, Any] = derived()

    def __attrs_post_init__(self) -> None:
        self._setup()
        object.__setattr__(self, "_routes", dict(self.routes))

    def decide(self, ctx: Any, now: datetime) -> Decision:
        """Decide with the currency's policy."""
        policy = self._routes.get(ctx.currency, self.default)
        d = policy.decide(ctx, now)
        return _wrap(self._info, d, (d,))


_OUTCOMES = tuple(o.value for o in Outcome)


@register_kind("fixed")
@attrs.frozen(slots=True)
class Fixed(PolicyBase):
    """Always the same answer, with one reason (``code``, ``message``).

    Attributes:
        outcome: the outcome to give (``pass`` makes a no-op rule).
        code: the reason code.
        message: the sentence for people.
        tier: the tier to name, if any (``""``: none).
    """

    KIND: ClassVar[str] = "fixed"

    outcome: Outcome = param(EnumCodec(Outcome))
    code: str = param(TextCodec(), "fixed_rule")
    message: str = param(TextCodec(), "a fixed team rule")
    tier: str = param(TextCodec(("", "junior", "middle", "senior"), allow_empty=True), "")
    _info: PolicyInfo = derived()
    _decision: Decision = derived()

    def __attrs_post_init__(self) -> None:
        self._setup()
        reason = Reason(self.code, "fixed", (), self.message)
        object.__setattr__(
            self,
            "_decision",
            Decision(
                self.outcome, (reason,), self._info, tier=Tier(self.tier) if self.tier else None
            ),
        )

    def decide(self, ctx: Any, now: datetime) -> Decision:
        """The fixed decision."""
        return self._decision

    def decide_many(self, contexts: Iterable[Any], now: datetime) -> list[Decision]:
        """The fixed decision, once per context."""
        return [self._decision for _ in contexts]
