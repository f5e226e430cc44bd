"""Combinators: build a team's policy out of smaller ones.

* ``FirstMatch``: the first policy with an opinion (not ``pass``) decides.
* ``AllMustApprove``: every policy must approve; otherwise the strictest answer wins.
* ``Override``: a team rule in front of a default; the default decides when the rule
  passes.
* ``RouteBySegment`` / ``RouteByCurrency``: pick a policy by the merchant's segment
  or the amount's currency, with a default.
* ``Fixed``: a rule that always gives the same answer (a freeze during an incident, a
  placeholder while a team writes its own).

A combinator's decision carries its own fingerprint (which covers every inner policy's
configuration) and the inner decisions in ``parts``, so both are auditable. Contexts expose
``segment`` and ``currency`` for routing.
"""
# ruff: noqa: RUF009  (param() and derived() are attrs field specifiers, like attrs.field)

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar

import attrs

from paysupport.models import MerchantSegment, Tier

from .config import (
    CurrencyCode,
    Items,
    NestedPolicy,
    OneOf,
    PolicyBase,
    Table,
    Text,
    param,
    register_kind,
)
from .decision import Decision, PolicyInfo, Reason, Verdict

__all__ = ["AllMustApprove", "FirstMatch", "Fixed", "Override", "RouteByCurrency", "RouteBySegment"]

_SEVERITY: dict[Verdict, int] = {
    Verdict.DENY: 4,
    Verdict.STOP: 4,
    Verdict.REVIEW: 3,
    Verdict.ASK_CUSTOMER: 2,
    Verdict.APPROVE_PARTIAL: 1,
    Verdict.APPROVE: 0,
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
    """A policy made of policies: it decides whatever context its inner policies decide."""

    def inner(self) -> tuple[Any, ...]:
        """The inner policies, for checks such as ``PolicySet`` 's kind check."""
        raise NotImplementedError  # pragma: no cover - every combinator says


@register_kind("first_match")
@attrs.frozen(slots=False)
class FirstMatch(_Combinator):
    """The first policy whose outcome is not ``pass`` decides; ``pass`` if none has one.

    Attributes:
        policies: the policies, in order.
    """

    KIND: ClassVar[str] = "first_match"

    policies: tuple[Any, ...] = param(Items(NestedPolicy, 1))

    def inner(self) -> tuple[Any, ...]:
        """The policies, in order."""
        return self.policies

    def decide(self, ctx: Any, now: datetime) -> Decision:
        """Ask each policy in turn until one has an opinion."""
        seen: list[Decision] = []
        for p in self.policies:
            d = p.decide(ctx, now)
            seen.append(d)
            if d.outcome is not Verdict.PASS:
                return _wrap(self.info, d, tuple(seen))
        return Decision(
            Verdict.PASS,
            (Reason("no_policy_matched", "policies", (), "no policy had an opinion", self.KIND),),
            self.info,
            parts=tuple(seen),
        )


@register_kind("all_must_approve")
@attrs.frozen(slots=False)
class AllMustApprove(_Combinator):
    """Approve only when every policy approves (the smallest amount); else the strictest.

    ``pass`` answers are ignored. When some policy does not approve, the strictest outcome
    (deny or stop, then review, then ask) wins, with the highest tier asked for and the
    reasons of every policy that did not approve.

    Attributes:
        policies: the policies that must all approve.
    """

    KIND: ClassVar[str] = "all_must_approve"

    policies: tuple[Any, ...] = param(Items(NestedPolicy, 1))

    def inner(self) -> tuple[Any, ...]:
        """The policies, in order."""
        return self.policies

    def decide(self, ctx: Any, now: datetime) -> Decision:
        """Ask every policy and combine."""
        parts = tuple(p.decide(ctx, now) for p in self.policies)
        voting = [d for d in parts if d.outcome is not Verdict.PASS]
        if not voting:
            return Decision(
                Verdict.PASS,
                (
                    Reason(
                        "no_policy_matched", "policies", (), "no policy had an opinion", self.KIND
                    ),
                ),
                self.info,
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
                self.info,
                amount=worst.amount,
                tier=tier,
                detail=worst.detail,
                parts=parts,
            )
        amounts = [d.amount for d in voting if d.amount is not None]
        smallest = min(amounts, key=lambda m: m.minor) if amounts else None
        partial = any(d.outcome is Verdict.APPROVE_PARTIAL for d in voting) or (
            smallest is not None and any(m.minor != smallest.minor for m in amounts)
        )
        reasons = tuple(r for d in voting for r in d.reasons)
        if partial and not reasons:
            reasons = (
                Reason("smallest_approval", "policies", (), "the smallest approval", self.KIND),
            )
        return Decision(
            Verdict.APPROVE_PARTIAL if partial else Verdict.APPROVE,
            reasons,
            self.info,
            amount=smallest,
            parts=parts,
        )


@register_kind("override")
@attrs.frozen(slots=False)
class Override(_Combinator):
    """A team rule in front of a default: the rule decides unless it passes.

    Attributes:
        rule: the team's rule (returns ``pass`` when it has no opinion).
        default: the policy that decides otherwise.
    """

    KIND: ClassVar[str] = "override"

    rule: Any = param(NestedPolicy)
    default: Any = param(NestedPolicy)

    def inner(self) -> tuple[Any, ...]:
        """The rule and the default."""
        return (self.rule, self.default)

    def decide(self, ctx: Any, now: datetime) -> Decision:
        """Ask the rule, then the default."""
        first = self.rule.decide(ctx, now)
        if first.outcome is not Verdict.PASS:
            return _wrap(self.info, first, (first,))
        second = self.default.decide(ctx, now)
        return _wrap(self.info, second, (first, second))


@register_kind("route_by_segment")
@attrs.frozen(slots=False)
class RouteBySegment(_Combinator):
    """Pick a policy by the merchant's segment (``ctx.segment``), else ``default``.

    Attributes:
        routes: the policy per segment.
        default: the policy for other segments and an unknown merchant.
    """

    KIND: ClassVar[str] = "route_by_segment"

    routes: tuple[tuple[MerchantSegment, Any], ...] = param(Table(MerchantSegment, NestedPolicy))
    default: Any = param(NestedPolicy)

    @cached_property
    def _routes(self) -> dict[MerchantSegment, Any]:
        return dict(self.routes)

    def inner(self) -> tuple[Any, ...]:
        """The routed policies and the default."""
        return (*(p for _, p in self.routes), self.default)

    def decide(self, ctx: Any, now: datetime) -> Decision:
        """Decide with the segment's policy."""
        policy = self._routes.get(ctx.segment, self.default)
        d = policy.decide(ctx, now)
        return _wrap(self.info, d, (d,))


@register_kind("route_by_currency")
@attrs.frozen(slots=False)
class RouteByCurrency(_Combinator):
    """Pick a policy by the currency (``ctx.currency``, an ISO code), else ``default``.

    Attributes:
        routes: the policy per currency code.
        default: the policy for other currencies.
    """

    KIND: ClassVar[str] = "route_by_currency"

    routes: tuple[tuple[str, Any], ...] = param(Table(CurrencyCode, NestedPolicy))
    default: Any = param(NestedPolicy)

    @cached_property
    def _routes(self) -> dict[str, Any]:
        return dict(self.routes)

    def inner(self) -> tuple[Any, ...]:
        """The routed policies and the default."""
        return (*(p for _, p in self.routes), self.default)

    def decide(self, ctx: Any, now: datetime) -> Decision:
        """Decide with the currency's policy."""
        policy = self._routes.get(ctx.currency, self.default)
        d = policy.decide(ctx, now)
        return _wrap(self.info, d, (d,))


@register_kind("fixed")
@attrs.frozen(slots=False)
class Fixed(PolicyBase):
    """Always the same answer, with one reason (``code``, ``message``).

    Attributes:
        outcome: the verdict to give (``pass`` makes a no-op rule).
        code: the reason code.
        message: the sentence for people.
        tier: the tier to name, if any (``""``: none).
    """

    KIND: ClassVar[str] = "fixed"
    CONTEXT: ClassVar[type[Any]] = object  # decides any context

    outcome: Verdict = param(Verdict)
    code: str = param(Text, "fixed_rule")
    message: str = param(Text, "a fixed team rule")
    tier: str = param(OneOf("", "junior", "middle", "senior"), "")

    @cached_property
    def _decision(self) -> Decision:
        reason = Reason(self.code, "fixed", (), self.message, self.KIND)
        tier = Tier(self.tier) if self.tier else None
        return Decision(self.outcome, (reason,), self.info, tier=tier)

    def decide(self, ctx: Any, now: datetime) -> Decision:
        """The fixed decision."""
        return self._decision
