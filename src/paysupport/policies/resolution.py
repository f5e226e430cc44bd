"""Resolution steps: an ordered plan for each claim kind and dispute reason-code family.

Each step names what to do, who does it (tier), by when, and the effect it leads to. A plan
is data: a list of step templates per claim kind and per reason key (``"visa:13.1"``,
``"visa:13"``, ``"fraud"``, ``"*"``; the most specific wins). A template's deadline counts
from ``now``, from the case's opening, or back from the dispute's ``due_by`` minus a safety
margin (so evidence goes in before the network's deadline, never on it).

Example (the default for Visa 13.1, merchandise not received): collect proof of delivery
(junior, three days before the deadline minus the margin); submit it (middle, by the deadline
minus the margin) if it is on file; otherwise accept the dispute.
"""
# ruff: noqa: RUF009  (param() and derived() are attrs field specifiers, like attrs.field)

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, ClassVar

import attrs

from paysupport.models import ClaimKind, Tier

from ._reason_keys import ReasonKey, keys_for
from .config import (
    Count,
    Items,
    OneOf,
    PolicyBase,
    Record,
    Table,
    Text,
    build,
    param,
    register_kind,
)
from .context import ResolutionContext
from .decision import Decision, Reason, Step, Verdict
from .rules import Rule

__all__ = ["DEFAULT_SAFETY_MARGIN_HOURS", "Resolution", "StepTemplate"]

ANCHORS = ("now", "opened", "due_by")
#: Hours before a dispute's ``due_by`` that responses are due by default.
DEFAULT_SAFETY_MARGIN_HOURS = 48


# Enum members read on every case, bound once: on Python 3.11 reading a member off its
# class goes through EnumType's attribute hook (about 0.2 µs); a module name does not.
_PLAN = Verdict.PLAN


def _why(
    code: str, rule: str, values: tuple[tuple[str, Any], ...] = (), template: str = ""
) -> Reason:
    return Reason(code, rule, values, template, "resolution")


@attrs.frozen(slots=False)
class StepTemplate:
    """A step of a plan, before it is placed in time.

    Attributes:
        action: what to do (``"collect_proof_of_delivery"``).
        tier: who does it.
        effect: the effect it leads to (``"submit_evidence"``, ``"accept_dispute"``...).
        hours: hours after the anchor (``now``, ``opened``), or before it for ``due_by``.
        anchor: ``"now"``, ``"opened"`` (the case's opening) or ``"due_by"`` (the dispute's
            deadline minus the policy's safety margin).
        condition: when the step applies (``""``: always; ``"evidence_on_file"``...).
    """

    action: str = param(Text)
    tier: Tier = param(Tier)
    effect: str = param(Text)
    hours: int = param(Count, 24)
    anchor: str = param(OneOf(*ANCHORS), "now")
    condition: str = param(str, "")

    @classmethod
    def from_dict(cls, data: dict[str, Any], path: str = "") -> StepTemplate:
        """Build from a table (``action``, ``tier``, ``effect``, ``hours``, ``anchor``...)."""
        return build(cls, data, path)


def _t(
    action: str, tier: str, effect: str, hours: int, anchor: str, cond: str = ""
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "action": action,
        "tier": tier,
        "effect": effect,
        "hours": hours,
        "anchor": anchor,
    }
    if cond:
        out["condition"] = cond
    return out


_DEFAULT_DISPUTE_PLANS: dict[str, list[dict[str, Any]]] = {
    "visa:13.1": [
        _t("collect_proof_of_delivery", "junior", "request_evidence", 72, "due_by"),
        _t("submit_evidence", "middle", "submit_evidence", 0, "due_by", "evidence_on_file"),
        _t("accept_dispute", "middle", "accept_dispute", 0, "due_by", "no_evidence"),
    ],
    "fraud": [
        _t("check_authentication_and_avs", "junior", "request_evidence", 72, "due_by"),
        _t("collect_prior_undisputed_transactions", "junior", "request_evidence", 72, "due_by"),
        _t("decide_contest_or_accept", "middle", "decide_dispute", 24, "due_by"),
        _t("submit_evidence", "middle", "submit_evidence", 0, "due_by", "contest"),
    ],
    "processing_error": [
        _t("check_for_processing_error", "junior", "request_evidence", 72, "due_by"),
        _t("refund_if_error_confirmed", "middle", "issue_refund", 48, "due_by", "error"),
        _t("submit_evidence", "middle", "submit_evidence", 0, "due_by", "no_error"),
    ],
    "consumer_dispute": [
        _t("collect_customer_communication", "junior", "request_evidence", 72, "due_by"),
        _t("decide_contest_or_accept", "middle", "decide_dispute", 24, "due_by"),
        _t("submit_evidence", "middle", "submit_evidence", 0, "due_by", "contest"),
    ],
    "*": [
        _t("review_dispute", "middle", "decide_dispute", 24, "due_by"),
        _t("submit_evidence", "middle", "submit_evidence", 0, "due_by", "contest"),
    ],
}
_DEFAULT_CLAIM_PLANS: dict[str, list[dict[str, Any]]] = {
    "refund_request": [
        _t("decide_refund", "junior", "decide_refund", 24, "opened"),
        _t("tell_customer", "junior", "notify_customer", 24, "opened"),
    ],
    "duplicate_charge": [
        _t("verify_duplicate", "junior", "decide_refund", 4, "opened"),
        _t("refund_duplicate", "junior", "issue_refund", 24, "opened", "duplicate_confirmed"),
    ],
    "overcharge": [
        _t("confirm_correct_amount", "junior", "decide_refund", 24, "opened"),
        _t("refund_difference", "junior", "issue_refund", 48, "opened"),
    ],
    "unrecognized_charge": [
        _t("identify_charge_with_customer", "junior", "notify_customer", 24, "opened"),
        _t("check_fraud_signals", "middle", "assign_case", 24, "opened"),
    ],
    "failed_payment": [
        _t("plan_retry", "junior", "schedule_retry", 1, "now"),
        _t("ask_new_payment_method", "junior", "notify_customer", 24, "now", "hard_decline"),
    ],
    "dispute_received": [
        _t("triage_dispute", "middle", "assign_case", 4, "opened"),
    ],
}

_STEPS = Items(Record(StepTemplate), 1)
#: How many plans (per claim and reason code) a policy keeps once found.
_MAX_CACHED = 4096


@attrs.frozen(slots=True, eq=False)
class _Plan:
    """A plan found once per policy and key, ready to place.

    Its templates, what placing them needs, and the reason that names it (shared by every
    decision that uses the plan).
    """

    templates: tuple[StepTemplate, ...]
    #: Per template, what placing it reads: (action, tier, effect, condition, hours as a
    #: timedelta, anchor); and the highest tier of the steps.
    rows: tuple[tuple[str, Tier, str, str, timedelta, str], ...]
    top: Tier
    why: Reason

    @classmethod
    def of(cls, templates: tuple[StepTemplate, ...], why: Reason) -> _Plan:
        rows = tuple(
            (t.action, t.tier, t.effect, t.condition, timedelta(hours=t.hours), t.anchor)
            for t in templates
        )
        top = max((t.tier for t in templates), key=lambda t: t.rank)
        return cls(templates, rows, top, why)


class _Draft:
    """The plan found for one case."""

    __slots__ = ("plan", "reasons")

    def __init__(self) -> None:
        self.reasons: list[Reason] = []
        self.plan: _Plan | None = None


@register_kind("resolution")
@attrs.frozen(slots=False)
class Resolution(PolicyBase):
    """The default resolution plans; each plan is a list of step templates.

    Attributes:
        dispute_plans: per reason key (``"visa:13.1"``, ``"visa:13"``, ``"fraud"``, ``"*"``).
        claim_plans: per claim kind, for cases without a dispute.
        safety_margin_hours: deadlines anchored on ``due_by`` end this many hours before it.
    """

    KIND: ClassVar[str] = "resolution"

    CONTEXT: ClassVar[type[Any]] = ResolutionContext

    dispute_plans: tuple[tuple[str, tuple[StepTemplate, ...]], ...] = param(
        Table(ReasonKey, _STEPS), factory=lambda: dict(_DEFAULT_DISPUTE_PLANS)
    )
    claim_plans: tuple[tuple[ClaimKind, tuple[StepTemplate, ...]], ...] = param(
        Table(ClaimKind, _STEPS), factory=lambda: dict(_DEFAULT_CLAIM_PLANS)
    )
    safety_margin_hours: int = param(Count, DEFAULT_SAFETY_MARGIN_HOURS)

    @cached_property
    def _disputes(self) -> dict[str, tuple[StepTemplate, ...]]:
        return dict(self.dispute_plans)

    @cached_property
    def _claims(self) -> dict[ClaimKind, tuple[StepTemplate, ...]]:
        return dict(self.claim_plans)

    @cached_property
    def _found(self) -> dict[tuple[ClaimKind, str, str] | ClaimKind, _Plan]:
        # The plan per claim kind, and reason code (network, code as given) of a dispute.
        return {}

    @cached_property
    def safety_margin(self) -> timedelta:
        """Responses are due this long before a dispute's ``due_by``.

        The one definition: ``PolicySet.dispute_safety_margin`` reads it.
        """
        return timedelta(hours=self.safety_margin_hours)

    def decide(self, ctx: ResolutionContext, now: datetime) -> Decision:
        """The plan for one case at ``now``: verdict ``plan`` with the steps in order."""
        draft = _Draft()
        for rule in self.RULES:
            decision = rule.check(self, ctx, now, draft)
            if decision is not None:
                return decision
        raise AssertionError("the last rule always decides")  # pragma: no cover

    RULES: ClassVar[tuple[Rule[Resolution, ResolutionContext, _Draft], ...]]


# ---------------------------------------------------------------------- the rules
_P = Resolution
_C = ResolutionContext


def _find_plan(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    dispute = ctx.dispute
    found = p._found
    lookup: tuple[ClaimKind, str, str] | ClaimKind = (
        ctx.claim if dispute is None else (ctx.claim, dispute.network, dispute.reason_code)
    )
    plan = found.get(lookup)
    if plan is None:
        plan = _plan_for(p, ctx)
        if plan is not None and len(found) < _MAX_CACHED:
            found[lookup] = plan
    if plan is None:
        why = _why(
            "no_plan",
            "plans",
            (("claim", ctx.claim.value),),
            "no resolution plan for a {claim} claim",
        )
        return Decision(Verdict.REVIEW, (why,), p.info, tier=Tier.MIDDLE)
    d.plan = plan
    d.reasons.append(plan.why)
    return None


def _plan_for(p: _P, ctx: _C) -> _Plan | None:
    """The most specific dispute plan, else the claim's plan (``None``: no plan)."""
    templates: tuple[StepTemplate, ...] | None = None
    key = ""
    dispute = ctx.dispute
    if dispute is not None:
        for key in keys_for(dispute.reason):
            templates = p._disputes.get(key)
            if templates is not None:
                break
    if templates is None:
        key = ctx.claim.value
        templates = p._claims.get(ctx.claim)
    if templates is None:
        return None
    rule = "dispute_plans" if dispute is not None else "claim_plans"
    return _Plan.of(templates, _why("plan_for", rule, (("key", key),), "plan for {key}"))


def _place(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision:
    dispute = ctx.dispute
    deadline = None
    if dispute is not None and dispute.due_by is not None:
        deadline = dispute.due_by - p.safety_margin
    opened = ctx.opened_at or now
    tight = no_deadline = False
    steps: list[Step] = []
    plan = d.plan
    assert plan is not None, "find_plan runs first and sets the plan or decides"
    for action, tier, effect, condition, hours, anchor in plan.rows:
        if anchor == "due_by":
            no_deadline = no_deadline or deadline is None
            due = now if deadline is None else deadline - hours
        else:
            due = (opened if anchor == "opened" else now) + hours
        if due < now:
            tight, due = True, now
        steps.append(Step(action, tier, due, effect, condition))
    if no_deadline:
        d.reasons.append(
            _why("no_deadline", "due_by", (), "the dispute has no response deadline: act now")
        )
    if tight:
        d.reasons.append(
            _why(
                "deadline_tight",
                "safety_margin_hours",
                (
                    ("due_by", dispute.due_by if dispute is not None else None),
                    ("margin_hours", p.safety_margin_hours),
                ),
                "some steps are already due (deadline {due_by}, margin {margin_hours} h): do "
                "them now",
            )
        )
    return Decision(_PLAN, tuple(d.reasons), p.info, tier=plan.top, steps=tuple(steps))


Resolution.RULES = (
    Rule(
        "find_plan",
        "review",
        ("plan_for", "no_plan"),
        ("dispute_plans", "claim_plans"),
        "the most specific dispute plan (code, family, category, `*`), else the claim's plan",
        _find_plan,
    ),
    Rule(
        "place_steps",
        "plan",
        ("no_deadline", "deadline_tight"),
        ("safety_margin_hours",),
        "each step due from `now`, the case's opening, or back from `due_by` minus the safety "
        "margin (the one definition `PolicySet.dispute_safety_margin` reads); past-due steps "
        "are due now",
        _place,
    ),
)
