"""Ready-made property checks for your own refund, escalation and approval policies.

Call them from an ordinary test; each runs Hypothesis over the library's strategies and,
when the policy breaks the property, raises `PropertyViolation` (an
``AssertionError``) whose message describes the shrunk counterexample in an operator's
words::

    from paysupport.testing.properties import check_refund_policy

    def test_our_refund_rules_hold():
        check_refund_policy(OurRefundPolicy())

Refund policies (``decide(RefundContext, now)``):

- `never_approves_more_than_refundable`: an approval is positive, in the payment's
  currency, and at most captured minus refunded minus in flight minus charged back;
- `is_deterministic`: the same case decided twice (or in a batch) decides the same;
- `explains_every_deny_and_review`: every deny, review and partial approval carries
  reasons with a code, a rule and a message that renders; a review names its tier.

Escalation policies (``decide(EscalationContext, now)``) and operator authorities
(``decide(ApprovalContext, now)``, like
[`OperatorAuthority`][paysupport.policies.OperatorAuthority]):

- `tier_is_monotone_in_amount`: a larger amount at stake never lowers the tier;
- `respects_operator_limits`: nobody approves above their own limit, in a currency
  they have no limit in, or while inactive;
- `enforces_four_eyes`: nobody approves their own request.

`check_refund_policy` and `check_escalation_policy` run every check of their
kind and report all violations at once; `check_retry_policy` does the same for retry
schedules (`never_retries_hard_decline`), and `never_refunds_during_open_chargeback`
joins the refund checks. Every check takes ``now`` (the injected clock the cases are dated
against), ``settings`` (Hypothesis settings; by default the active profile's), ``seed`` (fix
the examples drawn) and ``currencies`` (ISO codes to draw amounts in).

The case strategies lean on the boundaries where rules decide (refundable payments with
earlier refunds and refunds in flight, requests at and one unit around what is refundable,
amounts at approvers' limits, ids spelled in other case, hard declines) and report their mix
with ``hypothesis.event``: run pytest with ``--hypothesis-show-statistics`` to see it.

Do not call them inside a Hypothesis ``@given`` test: they are property tests themselves.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

import attrs
from hypothesis import HealthCheck, Phase, event, given, note
from hypothesis import seed as hypothesis_seed
from hypothesis import settings as Settings  # noqa: N812  (the argument is called settings)
from hypothesis import strategies as st
from hypothesis.errors import Flaky

from paysupport.lifecycles import hard_decline_reason
from paysupport.models import (
    DisputeStatus,
    Payment,
    PaymentFailure,
    PaymentStatus,
    Refund,
    RefundReason,
    RefundRequest,
    RefundStatus,
)
from paysupport.money import Money
from paysupport.networks import DisputeStage
from paysupport.policies import (
    ApprovalContext,
    Decision,
    EscalationContext,
    RefundContext,
    RetryContext,
    Verdict,
)
from paysupport.testing import strategies as ps

__all__ = [
    "ApprovalPolicy",
    "PropertyViolation",
    "approval_contexts",
    "check_escalation_policy",
    "check_refund_policy",
    "check_retry_policy",
    "describe",
    "enforces_four_eyes",
    "escalation_contexts",
    "explains_every_deny_and_review",
    "explanation_problem",
    "four_eyes_problem",
    "is_deterministic",
    "limit_problem",
    "never_approves_more_than_refundable",
    "never_refunds_during_open_chargeback",
    "never_retries_hard_decline",
    "open_chargeback_problem",
    "refund_contexts",
    "refundable_problem",
    "respects_operator_limits",
    "retry_contexts",
    "retry_problem",
    "same_operator",
    "tier_is_monotone_in_amount",
]

C = TypeVar("C")
C_contra = TypeVar("C_contra", contravariant=True)

_CODE = re.compile(r"[a-z][a-z0-9_]*")
_APPROVAL_CURRENCIES = ("EUR", "USD", "GBP")


class PropertyViolation(AssertionError):
    """A policy broke a property; the message is the counterexample in operator terms.

    Attributes:
        check: the name of the check that failed (``"never_approves_more_than_refundable"``).
        policy: the policy's name, as the message shows it.
    """

    def __init__(self, message: str, *, check: str = "", policy: str = "") -> None:
        super().__init__(message)
        self.check = check
        self.policy = policy


class _Decides(Protocol[C_contra]):
    """Anything with ``decide(ctx, now)``: the shape every policy kind shares."""

    def decide(self, ctx: C_contra, now: datetime) -> Decision:
        """Decide one case at ``now``."""
        ...


class ApprovalPolicy(Protocol):
    """An operator authority: may this operator approve this amount (four eyes included)?

    `OperatorAuthority` is one; ``decide`` returns ``approve``
    when the operator may approve alone, else ``deny`` naming the tier that must.
    """

    def decide(self, ctx: ApprovalContext, now: datetime) -> Decision:
        """Decide whether ``ctx.approver`` may approve ``ctx.amount`` at ``now``."""
        ...


# ---------------------------------------------------------------------- strategies
@st.composite
def refund_contexts(
    draw: st.DrawFn,
    *,
    now: datetime = ps.DEFAULT_NOW,
    currencies: Sequence[str] | None = None,
    max_minor: int = 10**8,
    reasons: Sequence[RefundReason] | None = None,
    refundable_share: float = 0.8,
) -> RefundContext:
    """Refund cases: a payment's whole history, a request on it, the customer and merchant.

    Weighted towards the cases where refund rules decide: by default 8 payments in 10 have
    something refundable (captured, or partially refunded with earlier refunds), one in
    three of those also has a refund in flight (pending, or outcome unknown), and requests
    ask for exactly what is refundable, one minor unit more or less, what was captured, or
    captured minus the succeeded refunds (the amounts that forgetful rules approve).
    Goods are returned, kept or not mentioned in equal shares. The customer (with past
    refunds in the payment's currency) and the merchant are sometimes unknown; sometimes a
    related payment with the same card, amount and merchant is there, so duplicate-charge
    rules fire. Each draw reports its mix with ``hypothesis.event`` (``pytest
    --hypothesis-show-statistics`` prints it).

    Args:
        draw: Hypothesis' draw function (supplied by ``st.composite``).
        now: the clock the case is dated against.
        currencies: ISO codes to draw payments in (default: a mix with 0, 2 and 3 decimals).
        max_minor: the largest authorization, in minor units.
        reasons: refund reasons to draw from.
        refundable_share: the share of payments with something left to refund.
    """
    refundable_first = draw(st.floats(0, 1)) < refundable_share
    statuses = _REFUNDABLE if refundable_first else None
    payment = draw(
        ps.payments(currencies=currencies, max_minor=max_minor, now=now, statuses=statuses)
    )
    payment = _with_refund_in_flight(draw, payment)
    payment = _with_open_chargeback(draw, payment, now)
    request = _boundary_request(draw, payment, now, reasons)
    _report_refund_mix(payment)
    customer = draw(
        st.none()
        | ps.customers(currencies=[payment.currency.code], now=now).map(
            lambda c: c.evolve(id=payment.customer_id or c.id)
        )
    )
    merchant = draw(st.none() | ps.merchants().map(lambda m: m.evolve(id=payment.merchant_id)))
    related = _twins(draw, payment)
    return RefundContext(payment, request, customer, merchant, related)


def _with_open_chargeback(draw: st.DrawFn, payment: Payment, now: datetime) -> Payment:
    """One refundable payment in five also has an open chargeback (or later stage) on it.

    The case where a refund would pay the customer twice; half of them are marked
    refundable by the provider (Stripe's ``is_charge_refundable``), which allows it.
    """
    if not payment.captures or payment.disputes or draw(st.integers(0, 4)) != 0:
        return payment
    stage = draw(st.sampled_from([DisputeStage.CHARGEBACK, DisputeStage.PRE_ARBITRATION]))
    dispute = draw(
        ps.disputes(
            payment_id=payment.id,
            amount=payment.amount_captured,
            networks=["visa", "mastercard"],
            stages=[stage],
            statuses=[DisputeStatus.NEEDS_RESPONSE, DisputeStatus.UNDER_REVIEW],
            now=now,
        )
    )
    opened = max(c.captured_at for c in payment.captures) + timedelta(days=1)
    dispute = dispute.evolve(id="dp_open", opened_at=opened, due_by=opened + timedelta(days=20))
    event(f"open dispute: {dispute.stage.value}, refundable={dispute.is_charge_refundable}")
    return payment.with_dispute(dispute)


def _with_refund_in_flight(draw: st.DrawFn, payment: Payment) -> Payment:
    """One time in three, part of what is left is already on its way back.

    The case where "refund what was paid" and "refund what is left" differ, which bugs
    hide in.
    """
    left = payment.amount_refundable.minor
    if not payment.captures or left < 2 or draw(st.integers(0, 2)) != 0:
        return payment
    taken = {r.id for r in payment.refunds}
    in_flight = Refund(
        id=next(f"re_flight{i}" for i in range(len(taken) + 1) if f"re_flight{i}" not in taken),
        payment_id=payment.id,
        amount=Money.from_minor(draw(st.integers(1, left - 1)), payment.currency),
        status=draw(st.sampled_from([RefundStatus.PENDING, RefundStatus.UNKNOWN])),
        created_at=max(c.captured_at for c in payment.captures) + timedelta(minutes=30),
    )
    return payment.with_refund(in_flight)


def _boundary_request(
    draw: st.DrawFn, payment: Payment, now: datetime, reasons: Sequence[RefundReason] | None
) -> RefundRequest:
    """A request, its amount often on a boundary; goods returned, kept or not said."""
    request = draw(ps.refund_requests(payment, now=now, reasons=reasons))
    boundary = draw(st.sampled_from([None, *_BOUNDARIES]))
    if boundary is not None and payment.captures:
        asked = _boundary_amount(payment, boundary)
        if asked > 0:
            request = request.evolve(amount=Money.from_minor(asked, payment.currency))
            event(f"refund request: {boundary}")
    return request.evolve(goods_returned=draw(st.sampled_from([True, None, False])))


def _twins(draw: st.DrawFn, payment: Payment) -> tuple[Payment, ...]:
    """Sometimes a payment with the same card, amount and merchant, seconds to days before."""
    if payment.payment_method.fingerprint is None or not draw(st.booleans()):
        return ()
    gap = draw(st.integers(1, 3 * 86_400))
    twin = Payment(
        id=f"{payment.id}_twin",
        merchant_id=payment.merchant_id,
        customer_id=payment.customer_id,
        amount=payment.amount,
        status=payment.status,
        payment_method=payment.payment_method,
        created_at=payment.created_at - timedelta(seconds=gap),
        captures=payment.captures,
    )
    return (twin,)


_REFUNDABLE = (PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_REFUNDED)
_BOUNDARIES = (
    "exactly refundable",
    "refundable + 1",
    "refundable - 1",
    "all captured",
    "captured - succeeded refunds",
)


def _boundary_amount(payment: Payment, boundary: str) -> int:
    refundable = payment.amount_refundable.minor
    succeeded = sum(r.amount.minor for r in payment.refunds if r.status is RefundStatus.SUCCEEDED)
    return {
        "exactly refundable": refundable,
        "refundable + 1": refundable + 1,
        "refundable - 1": refundable - 1,
        "all captured": payment.amount_captured.minor,
        "captured - succeeded refunds": payment.amount_captured.minor - succeeded,
    }[boundary]


def _report_refund_mix(payment: Payment) -> None:
    event(f"payment: {payment.status.value}")
    event(f"refundable left: {'yes' if payment.amount_refundable.is_positive() else 'none'}")
    if any(
        r.status.holds_funds and r.status is not RefundStatus.SUCCEEDED for r in payment.refunds
    ):
        event("refund in flight")
    if any(r.status is RefundStatus.SUCCEEDED for r in payment.refunds):
        event("earlier refunds")
    event(f"currency exponent: {payment.currency.exponent}")


@st.composite
def escalation_contexts(
    draw: st.DrawFn,
    *,
    now: datetime = ps.DEFAULT_NOW,
    currencies: Sequence[str] | None = None,
    with_amount: bool = True,
) -> EscalationContext:
    """Support cases to route: a claim, sometimes a dispute, a merchant, an amount at stake.

    With ``with_amount=False`` the context has no explicit amount (the dispute's, if any,
    is the stake), so a check can set one with `attrs.evolve`.
    """
    case = draw(ps.support_cases(now=now))
    dispute = draw(st.none() | ps.disputes(now=now, currencies=currencies))
    merchant = draw(st.none() | ps.merchants())
    amount = None
    if with_amount:
        amount = draw(st.none() | ps.money(currencies, min_minor=1, max_minor=10**8))
    fraud = draw(st.booleans())
    return EscalationContext(
        case=case, amount=amount, dispute=dispute, merchant=merchant, fraud_signal=fraud
    )


@st.composite
def approval_contexts(
    draw: st.DrawFn,
    *,
    currencies: Sequence[str] | None = None,
    own_request: bool | None = False,
) -> ApprovalContext:
    """An operator about to approve an amount; the requester is someone else by default.

    Operators have per-currency limits (sometimes not in the amount's currency) and are
    sometimes inactive. Half the amounts are in a currency the approver has a limit in, and
    half of those sit on the limit: exactly on it, one minor unit above or below it, or a
    little (up to 1 %) above it. ``own_request=True`` makes the approver the
    requester (the id sometimes spelled in other case or with spaces, as ticketing tools
    do); ``None`` draws both.
    """
    codes = list(currencies or _APPROVAL_CURRENCIES)
    limit_codes = draw(st.lists(st.sampled_from(codes), min_size=1, unique=True))
    op = draw(ps.operators(currencies=limit_codes))
    if draw(st.integers(0, 9)) == 0:
        op = op.evolve(active=False)
    # Half the time a currency the approver has a limit in, so the limit decides.
    pool = limit_codes if draw(st.booleans()) else codes
    code = draw(st.sampled_from(pool))
    amount = draw(ps.money([code], min_minor=1, max_minor=2 * 10**6))
    limit = op.limit_for(amount.currency.code)
    if limit is not None and draw(st.booleans()):
        # A minor unit above the limit, on it, below it; or just a little (up to 1 %) above.
        over = max(1, limit.minor // 100)
        step = draw(st.sampled_from([-1, 0, 1]) | st.integers(1, over))
        amount = Money.from_minor(max(1, limit.minor + step), amount.currency)
        event(
            f"approval amount: limit {step:+d}"
            if abs(step) <= 1
            else "approval amount: <= 1 % over the limit"
        )
    own = draw(st.booleans()) if own_request is None else own_request
    requester = draw(_spellings(op.id)) if own else draw(st.none() | st.just("op_requester"))
    return ApprovalContext(op, amount, requester)


def _spellings(operator_id: str) -> st.SearchStrategy[str]:
    """The same operator id as a ticketing tool may write it: as is, upper case, padded."""
    return st.sampled_from([operator_id, operator_id.upper(), f" {operator_id} "])


def same_operator(a: str | None, b: str | None) -> bool:
    """Whether two operator ids name the same person (case and surrounding space ignored)."""
    return a is not None and b is not None and a.strip().casefold() == b.strip().casefold()


# ---------------------------------------------------------------------- descriptions
def _name(policy: object) -> str:
    return type(policy).__name__


def _days(delta: timedelta) -> str:
    days = delta.days
    if delta < timedelta(0):
        return "before capture"
    if days == 0:
        return f"{int(delta.total_seconds() // 3600)} hours after capture"
    return f"{days} day{'s' if days != 1 else ''} after capture"


def _describe_refund(ctx: RefundContext, now: datetime, *, money: bool = True) -> str:
    p = ctx.payment
    r = ctx.request
    parts = [r.reason.value, "full amount" if r.amount is None else f"asks {r.amount}"]
    if r.correct_amount is not None:
        parts.append(f"correct amount {r.correct_amount}")
    if r.goods_returned is not None:
        parts.append("goods returned" if r.goods_returned else "goods not returned")
    captured_at = ctx.captured_at
    parts.append("payment not captured" if captured_at is None else _days(now - captured_at))
    parts.append(f"requested by {r.requested_by.value}")
    facts = [f"{p.status.value} {p.payment_method.type} payment of {p.amount}"]
    if money:
        facts.append(_money_facts(p))
    for d in p.open_disputes:
        refundable = "refundable" if d.is_charge_refundable else "not refundable"
        facts.append(
            f"open {_network(d.network)} {d.reason_code} dispute at {d.stage.value}, {refundable}"
        )
    if ctx.efw_actionable:
        facts.append("actionable early fraud warning")
    if ctx.related_payments:
        facts.append(f"{len(ctx.related_payments)} related payment(s) of the customer")
    if ctx.customer is not None:
        recent = ctx.customer.refunds_since(now - timedelta(days=90))
        facts.append(f"customer had {len(recent)} refunds in 90 days")
    if ctx.segment is not None:
        facts.append(f"{ctx.segment.value} merchant")
    return f"Request: {', '.join(parts)}. Payment {p.id}: {'; '.join(facts)}."


def _network(network: object) -> str:
    """A dispute's network as text: catalogued networks are enums, others raw strings."""
    return str(getattr(network, "value", network))


def _money_facts(p: Payment) -> str:
    text = (
        f"captured {p.amount_captured}, refunded {p.amount_refunded}, "
        f"in flight {p.amount_refund_in_flight}"
    )
    if p.amount_charged_back.is_positive():
        text += f", charged back {p.amount_charged_back}"
    return text


def _describe_escalation(ctx: EscalationContext, now: datetime) -> str:
    c = ctx.case
    parts = [f"{c.claim.value} case via {c.channel.value}", f"{c.contacts} contacts"]
    if c.tier is not None:
        parts.append(f"now at tier {c.tier.value}")
    if c.sla_due_at is not None:
        left = c.sla_due_at - now
        window = c.sla_due_at - c.opened_at
        parts.append(f"SLA {_hours(left)} of {_hours(window)} left")
    if ctx.stake is not None:
        parts.append(f"{ctx.stake} at stake")
    if ctx.dispute is not None:
        d = ctx.dispute
        parts.append(f"{_network(d.network)} {d.reason_code} dispute at {d.stage.value}")
    if ctx.fraud:
        parts.append(f"fraud signals {', '.join(ctx.fraud)}")
    if ctx.segment is not None:
        parts.append(f"{ctx.segment.value} merchant")
    return f"Case: {', '.join(parts)}."


def _hours(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 3600:.1f}h"


def _describe_approval(ctx: ApprovalContext) -> str:
    op = ctx.approver
    limits = ", ".join(str(m) for m in op.refund_limits.values()) or "none"
    state = "active" if op.active else "inactive"
    requester = ctx.requester_id or "nobody named"
    return (
        f"Approval: {op.id} ({op.tier.value}, {state}, own limits {limits}) approves "
        f"{ctx.amount}; requested by {requester}."
    )


def describe(ctx: object, now: datetime = ps.DEFAULT_NOW) -> str:
    """A case in an operator's words: the request, the payment's money, the case's stakes.

    Knows [`RefundContext`][paysupport.policies.RefundContext],
    [`EscalationContext`][paysupport.policies.EscalationContext] and
    [`ApprovalContext`][paysupport.policies.ApprovalContext]; anything else is shown with ``repr``.
    """
    if isinstance(ctx, RefundContext):
        return _describe_refund(ctx, now)
    if isinstance(ctx, EscalationContext):
        return _describe_escalation(ctx, now)
    if isinstance(ctx, ApprovalContext):
        return _describe_approval(ctx)
    if isinstance(ctx, RetryContext):
        return _describe_retry(ctx)
    return repr(ctx)


def _describe_retry(ctx: RetryContext) -> str:
    f = ctx.failure
    network = getattr(f.network, "value", f.network) or "an unknown network"
    advice = f", Mastercard advice {f.merchant_advice_code}" if f.merchant_advice_code else ""
    return (
        f"A {f.amount} payment on {network} was declined on {f.declined_at:%Y-%m-%d} with "
        f"code {f.network_decline_code or f.decline_code}{advice}; the card had "
        f"{len(ctx.card_declines)} earlier declines."
    )


def _summary(d: Decision) -> str:
    text = d.outcome.value
    if d.amount is not None:
        text += f" {d.amount}"
    if d.tier is not None:
        text += f" (tier {d.tier.value})"
    if d.reasons:
        text += f" [{', '.join(r.code or '<no code>' for r in d.reasons)}]"
    return text


# ---------------------------------------------------------------------- running
def _settings(given_settings: Settings | None) -> Settings:
    """The settings a check runs with: the given ones, or the active profile's.

    Without the ``explain`` phase, which reruns a failure many times to point at lines of
    code: on whole payment histories that costs seconds and says less than the message.
    The active profile also gets the ``too_slow`` health check suppressed.
    """
    base = given_settings if given_settings is not None else Settings.default
    if base is None:  # pragma: no cover - Hypothesis always has a default profile
        base = Settings()
    suppressed = set(base.suppress_health_check)
    if given_settings is None:
        suppressed.add(HealthCheck.too_slow)
    phases = [p for p in base.phases if p is not Phase.explain]
    return Settings(
        base, suppress_health_check=sorted(suppressed, key=lambda h: h.value), phases=phases
    )


def _run(
    check: str,
    policy: object,
    strategy: st.SearchStrategy[C],
    body: Callable[[C], None],
    settings: Settings | None,
    seed: int | None = None,
) -> None:
    """Run ``body`` over ``strategy`` with Hypothesis; turn flakiness into a violation.

    ``seed`` fixes the examples drawn (``hypothesis.seed``); by default each run draws anew
    (or, under a derandomized profile, the same examples every run).
    """

    def prop(case: C) -> None:
        body(case)

    prop.__name__ = prop.__qualname__ = f"{check}__{_name(policy)}"
    test = _settings(settings)(given(strategy)(prop))
    if seed is not None:
        test = hypothesis_seed(seed)(test)
    # Each (check, policy class) pair keeps its own failing examples in the database.
    key = f"paysupport.testing.properties:{check}:{type(policy).__module__}.{_name(policy)}"
    test._hypothesis_internal_database_key = key.encode()  # type: ignore[attr-defined]
    try:
        test()
    except Flaky as exc:
        raise PropertyViolation(
            f"Policy {_name(policy)!r} failed {check} on an example, then passed when the same "
            "example was run again: its decisions depend on something besides the case and "
            "`now` (a counter, the clock, randomness, a cache).",
            check=check,
            policy=_name(policy),
        ) from exc


def _decide(policy: _Decides[C], ctx: C, now: datetime, check: str) -> Decision:
    try:
        decision = policy.decide(ctx, now)
    except Exception as exc:
        raise PropertyViolation(
            f"Policy {_name(policy)!r} raised {type(exc).__name__}: {exc}. {describe(ctx, now)}",
            check=check,
            policy=_name(policy),
        ) from exc
    if not isinstance(decision, Decision):
        raise PropertyViolation(
            f"Policy {_name(policy)!r} returned {type(decision).__name__}, not a Decision. "
            f"{describe(ctx, now)}",
            check=check,
            policy=_name(policy),
        )
    return decision


def _explain(decision: Decision) -> str:
    try:
        return decision.explain()
    except Exception as exc:  # a reason that does not render is reported by its own check
        return f"{_summary(decision)} (cannot render: {type(exc).__name__}: {exc})"


def _fail(check: str, policy: object, message: str, *decisions: Decision) -> PropertyViolation:
    for decision in decisions:
        note(f"{_name(policy)} decided: {_explain(decision)}")
    return PropertyViolation(message, check=check, policy=_name(policy))


# ---------------------------------------------------------------------- refund checks
def refundable_problem(policy: object, ctx: RefundContext, decision: Decision) -> str | None:
    """Why an approval grants more than the payment can give back (``None`` when it is fine).

    Shared by `never_approves_more_than_refundable` and the stateful machines.
    """
    if not decision.approved:
        return None
    p = ctx.payment
    refundable = ctx.refundable
    asked = ctx.request.amount
    grant = decision.amount
    if grant is None:
        grant = asked if asked is not None else refundable
    where = f"on payment {p.id}"
    if grant.currency is not p.currency:
        return (
            f"Policy {_name(policy)!r} approved {grant} {where}, which is in "
            f"{p.currency.code}: amounts of different currencies never mix."
        )
    money = _money_facts(p)
    if not grant.is_positive():
        return f"Policy {_name(policy)!r} approved {grant} {where}: an approval gives money back."
    if grant > refundable:
        return (
            f"Policy {_name(policy)!r} approved {grant} {where}, but only {refundable} is "
            f"refundable ({money})."
        )
    return None


def _each_decision(
    check: str,
    policy: Any,
    cases: st.SearchStrategy[C],
    problem_of: Callable[[Any, C, Decision], str | None],
    story: Callable[[C], str],
    at: datetime,
    settings: Settings | None,
    seed: int | None,
) -> None:
    """Decide every drawn case; fail with the case's story when ``problem_of`` finds one."""

    def body(ctx: C) -> None:
        decision = _decide(policy, ctx, at, check)
        problem = problem_of(policy, ctx, decision)
        if problem is not None:
            raise _fail(check, policy, f"{problem} {story(ctx)}", decision)

    _run(check, policy, cases, body, settings, seed)


def never_approves_more_than_refundable(
    policy: _Decides[RefundContext],
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    seed: int | None = None,
    currencies: Sequence[str] | None = None,
) -> None:
    """Check that an approval never exceeds what is refundable on the payment.

    Refundable is captured minus refunded, minus refunds in flight, minus lost chargebacks
    (`Payment.amount_refundable`). An approval without an amount counts as the amount
    asked for (everything refundable when none was).

    Raises:
        PropertyViolation: with the shrunk counterexample, e.g. "Policy 'MyRefundPolicy'
            approved 60.01 EUR on payment pay_gen, but only 60.00 EUR is refundable ...".
    """
    at = now or ps.DEFAULT_NOW
    _each_decision(
        "never_approves_more_than_refundable",
        policy,
        refund_contexts(now=at, currencies=currencies),
        refundable_problem,
        lambda ctx: _describe_refund(ctx, at, money=False),
        at,
        settings,
        seed,
    )


def _copied(ctx: C) -> C:
    try:
        return copy.deepcopy(ctx)
    except Exception:  # pragma: no cover - every library context deep-copies
        return ctx


def is_deterministic(
    policy: _Decides[Any],
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    seed: int | None = None,
    currencies: Sequence[str] | None = None,
    contexts: st.SearchStrategy[Any] | None = None,
) -> None:
    """Check that the same case at the same ``now`` always gets the same decision.

    The case is decided twice, once more on an equal copy, and (if the policy has
    ``decide_many``) in a batch of two: all four decisions must be equal. ``contexts``
    chooses the cases (refund cases by default; pass `escalation_contexts` or
    [`approval_contexts`][paysupport.testing.properties.approval_contexts] for other kinds).

    Raises:
        PropertyViolation: naming the two decisions that differ, and the case.
    """
    check = "is_deterministic"
    at = now or ps.DEFAULT_NOW
    strategy = contexts if contexts is not None else refund_contexts(now=at, currencies=currencies)

    def body(ctx: Any) -> None:
        first = _decide(policy, ctx, at, check)
        others = [("again", _decide(policy, ctx, at, check))]
        others.append(("on an equal copy of the case", _decide(policy, _copied(ctx), at, check)))
        many = getattr(policy, "decide_many", None)
        if callable(many):
            batch = list(many([ctx, ctx], at))
            others.extend((f"in a batch (position {i + 1})", d) for i, d in enumerate(batch))
        for how, other in others:
            if other != first:
                raise _fail(
                    check,
                    policy,
                    f"Policy {_name(policy)!r} decided the same case differently: first "
                    f"{_summary(first)}, then {how} {_summary(other)}. {describe(ctx, at)}",
                    first,
                    other,
                )

    _run(check, policy, strategy, body, settings, seed)


def explanation_problem(policy: object, decision: Decision) -> str | None:
    """Why a decision is not explained (``None`` when it is).

    A deny, review, partial approval, stop or ask needs at least one reason; every reason
    needs a snake_case ``code``, a ``rule``, and a ``message`` that renders; a review names
    the tier that reviews; the decision names its policy's kind.
    """
    outcome = decision.outcome
    if not outcome.needs_reason:
        return None
    who = f"Policy {_name(policy)!r}"
    head = f"{who} decided {_summary(decision)}"
    if not decision.reasons:
        return f"{head} without any reason: an operator cannot tell the customer why."
    for reason in decision.reasons:
        if not _CODE.fullmatch(reason.code or ""):
            return f"{head} with a reason whose code {reason.code!r} is not a snake_case code."
        if not reason.rule:
            return f"{head}: reason {reason.code!r} names no rule or parameter behind it."
        try:
            message = reason.message
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            return (
                f"{head}: the message of reason {reason.code!r} does not render "
                f"({type(exc).__name__}: {exc}); template {reason.template!r}."
            )
        if not message.strip():
            return f"{head}: reason {reason.code!r} has an empty message."
    if outcome is Verdict.REVIEW and decision.tier is None:
        return f"{head} without naming the tier that must review it."
    if not decision.policy.kind:
        return f"{head}, but the decision does not name its policy's kind."
    return None


def explains_every_deny_and_review(
    policy: _Decides[Any],
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    seed: int | None = None,
    currencies: Sequence[str] | None = None,
    contexts: st.SearchStrategy[Any] | None = None,
) -> None:
    """Check that every deny, review and partial approval says why, in a way people can read.

    See `explanation_problem` for what counts as explained. ``contexts`` chooses the
    cases (refund cases by default).

    Raises:
        PropertyViolation: naming the unexplained decision and the case.
    """
    check = "explains_every_deny_and_review"
    at = now or ps.DEFAULT_NOW
    strategy = contexts if contexts is not None else refund_contexts(now=at, currencies=currencies)

    def body(ctx: Any) -> None:
        decision = _decide(policy, ctx, at, check)
        problem = explanation_problem(policy, decision)
        if problem is not None:
            raise _fail(check, policy, f"{problem} {describe(ctx, at)}", decision)

    _run(check, policy, strategy, body, settings, seed)


def open_chargeback_problem(policy: object, ctx: RefundContext, decision: Decision) -> str | None:
    """Why an approval refunds a payment whose open chargeback forbids it (``None`` if fine).

    A refund while a chargeback (or a later stage) is open pays the customer twice: once by
    the refund, once by the chargeback. Only a dispute the provider marks refundable allows
    it ([`blocks_refund`][paysupport.models.Dispute.blocks_refund] is the one definition).
    """
    if not decision.approved:
        return None
    blocking = [d for d in ctx.payment.disputes if d.blocks_refund]
    if not blocking:
        return None
    d = blocking[0]
    return (
        f"Policy {_name(policy)!r} approved a refund on payment {ctx.payment.id} while dispute "
        f"{d.id} is open at the {d.stage.value} stage: the customer would be paid twice."
    )


def never_refunds_during_open_chargeback(
    policy: _Decides[RefundContext],
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    seed: int | None = None,
    currencies: Sequence[str] | None = None,
) -> None:
    """Check that no refund is approved while an open chargeback forbids it.

    Raises:
        PropertyViolation: e.g. "Policy 'X' approved a refund on payment pay_gen while
            dispute dp_0 is open at the chargeback stage: the customer would be paid twice."
    """
    at = now or ps.DEFAULT_NOW
    _each_decision(
        "never_refunds_during_open_chargeback",
        policy,
        refund_contexts(now=at, currencies=currencies),
        open_chargeback_problem,
        lambda ctx: _describe_refund(ctx, at, money=False),
        at,
        settings,
        seed,
    )


def _collect(checks: Iterable[Callable[[], None]], fail_fast: bool = False) -> None:
    found: list[PropertyViolation] = []
    for run in checks:
        try:
            run()
        except PropertyViolation as exc:
            if fail_fast:
                raise
            found.append(exc)
    if len(found) == 1:
        raise found[0]
    if found:
        lines = "\n".join(f"- {exc.check}: {exc}" for exc in found)
        raise PropertyViolation(
            f"{len(found)} properties fail:\n{lines}", check="several", policy=found[0].policy
        ) from found[0]


def check_refund_policy(
    policy: _Decides[RefundContext],
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    seed: int | None = None,
    currencies: Sequence[str] | None = None,
    fail_fast: bool = False,
) -> None:
    """Run every refund-policy check and report all that fail.

    The checks: `never_approves_more_than_refundable`,
    `never_refunds_during_open_chargeback`, `is_deterministic` and
    `explains_every_deny_and_review`.

    With ``fail_fast=True`` the run stops at the first failing check (faster when you
    only need to know whether the policy holds).

    Raises:
        PropertyViolation: one check failed (its own violation), or several (one message
            listing each).
    """
    kw: dict[str, Any] = {"now": now, "settings": settings, "seed": seed, "currencies": currencies}
    _collect(
        [
            lambda: never_approves_more_than_refundable(policy, **kw),
            lambda: never_refunds_during_open_chargeback(policy, **kw),
            lambda: is_deterministic(policy, **kw),
            lambda: explains_every_deny_and_review(policy, **kw),
        ],
        fail_fast,
    )


# ---------------------------------------------------------------------- escalation checks
def tier_is_monotone_in_amount(
    policy: _Decides[EscalationContext],
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    seed: int | None = None,
    currencies: Sequence[str] | None = None,
) -> None:
    """Check that a larger amount at stake never lowers the tier, everything else equal.

    Each case is routed along a ladder of amounts in one currency: a drawn amount, 10, 100
    and 1,000 times it, and another larger amount, so a tier threshold almost always lies
    on the ladder. Every decision must name a tier.

    Raises:
        PropertyViolation: e.g. "Policy 'X' routes 1000.00 EUR to tier junior but 100.00 EUR
            to tier middle: a larger amount lowered the tier."
    """
    check = "tier_is_monotone_in_amount"
    at = now or ps.DEFAULT_NOW

    @st.composite
    def ladders(draw: st.DrawFn) -> list[EscalationContext]:
        ctx = draw(escalation_contexts(now=at, currencies=currencies, with_amount=False))
        cur = draw(ps.currencies_(currencies))
        small = draw(st.integers(1, 10**8))
        other = draw(st.integers(small, 10**8 + 1))
        amounts = sorted({small, small * 10, small * 100, small * 1_000, other})
        return [attrs.evolve(ctx, amount=Money.from_minor(m, cur)) for m in amounts]

    def body(ladder: list[EscalationContext]) -> None:
        routed = []
        for ctx in ladder:
            d = _decide(policy, ctx, at, check)
            if d.tier is None:
                raise _fail(
                    check,
                    policy,
                    f"Policy {_name(policy)!r} decided {_summary(d)} without naming a tier. "
                    f"{describe(ctx, at)}",
                )
            routed.append((ctx, d, d.tier))
        for (lo, d_lo, t_lo), (hi, d_hi, t_hi) in itertools.pairwise(routed):
            if t_hi < t_lo:
                raise _fail(
                    check,
                    policy,
                    f"Policy {_name(policy)!r} routes {hi.stake} to tier {t_hi.value} but "
                    f"{lo.stake} to tier {t_lo.value}: a larger amount lowered the tier. "
                    f"{describe(lo, at)}",
                    d_lo,
                    d_hi,
                )

    _run(check, policy, ladders(), body, settings, seed)


def limit_problem(authority: object, ctx: ApprovalContext, decision: Decision) -> str | None:
    """Why an approval breaks the approver's limits (``None`` when it does not)."""
    if not decision.approved:
        return None
    op = ctx.approver
    who = f"Authority {_name(authority)!r} let {op.id} ({op.tier.value})"
    if not op.active:
        return f"{who} approve {ctx.amount} although {op.id} is not an active operator."
    limit = op.limit_for(ctx.currency)
    if limit is None:
        return f"{who} approve {ctx.amount}, but {op.id} has no approval limit in {ctx.currency}."
    if ctx.amount > limit:
        return f"{who} approve {ctx.amount}, above their own limit of {limit}."
    return None


def respects_operator_limits(
    authority: ApprovalPolicy,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    seed: int | None = None,
    currencies: Sequence[str] | None = None,
) -> None:
    """Check that nobody approves above their limit, outside their currencies, or inactive.

    Operators come from [`operators`][paysupport.testing.strategies.operators] with limits in
    some of ``currencies`` (default EUR, USD, GBP); an approval must be within
    ``operator.limit_for(currency)``.

    Raises:
        PropertyViolation: e.g. "Authority 'X' let op_a1 (junior) approve 60.01 EUR, above
            their own limit of 50.00 EUR."
    """
    at = now or ps.DEFAULT_NOW
    _each_decision(
        "respects_operator_limits",
        authority,
        approval_contexts(currencies=currencies),
        limit_problem,
        lambda ctx: _describe_approval(ctx),
        at,
        settings,
        seed,
    )


def four_eyes_problem(authority: object, ctx: ApprovalContext, decision: Decision) -> str | None:
    """Why a decision lets someone approve their own request (``None`` when it does not)."""
    if decision.approved and same_operator(ctx.requester_id, ctx.approver.id):
        return (
            f"Authority {_name(authority)!r} let {ctx.approver.id} approve {ctx.amount} "
            "that they requested themselves: four eyes needs a second person."
        )
    return None


def enforces_four_eyes(
    authority: ApprovalPolicy,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    seed: int | None = None,
    currencies: Sequence[str] | None = None,
) -> None:
    """Check that no operator ever approves a request they made themselves.

    Raises:
        PropertyViolation: e.g. "Authority 'X' let op_a1 approve 20.00 EUR that they
            requested themselves: four eyes needs a second person."
    """
    check = "enforces_four_eyes"
    at = now or ps.DEFAULT_NOW

    def body(ctx: ApprovalContext) -> None:
        decision = _decide(authority, ctx, at, check)
        problem = four_eyes_problem(authority, ctx, decision)
        if problem is None and not decision.approved:
            problem = explanation_problem(authority, decision)
        if problem is not None:
            raise _fail(check, authority, f"{problem} {_describe_approval(ctx)}", decision)

    strategy = approval_contexts(currencies=currencies, own_request=True)
    _run(check, authority, strategy, body, settings, seed)


def check_escalation_policy(
    policy: _Decides[EscalationContext],
    *,
    authority: ApprovalPolicy | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
    seed: int | None = None,
    currencies: Sequence[str] | None = None,
    fail_fast: bool = False,
) -> None:
    """Run every escalation check (and, given an ``authority``, the approval checks).

    The checks: `tier_is_monotone_in_amount`, `is_deterministic` and
    `explains_every_deny_and_review` over escalation cases; with ``authority``, also
    `respects_operator_limits` and `enforces_four_eyes` on it.

    With ``fail_fast=True`` the run stops at the first failing check (faster when you
    only need to know whether the policy holds).

    Raises:
        PropertyViolation: one check failed, or several (one message listing each).
    """
    at = now or ps.DEFAULT_NOW
    kw: dict[str, Any] = {"now": now, "settings": settings, "seed": seed}
    cases = escalation_contexts(now=at, currencies=currencies)
    checks: list[Callable[[], None]] = []
    if authority is not None:
        auth = authority
        checks += [
            lambda: respects_operator_limits(auth, currencies=currencies, **kw),
            lambda: enforces_four_eyes(auth, currencies=currencies, **kw),
        ]
    checks += [
        lambda: tier_is_monotone_in_amount(policy, currencies=currencies, **kw),
        lambda: is_deterministic(policy, contexts=cases, **kw),
        lambda: explains_every_deny_and_review(policy, contexts=cases, **kw),
    ]
    _collect(checks, fail_fast)


# ---------------------------------------------------------------------- retry checks
@st.composite
def retry_contexts(
    draw: st.DrawFn,
    *,
    now: datetime = ps.DEFAULT_NOW,
    currencies: Sequence[str] | None = None,
) -> RetryContext:
    """Declines to plan retries for, weighted to the codes where retry rules decide.

    Half the declines carry a code that is hard on the decline date (Visa category 1, a
    do-not-retry code, or Mastercard advice 03/21) and half a soft one; the card's earlier
    declines sometimes sit just under or at a network's reattempt limit.
    """
    failure = draw(ps.payment_failures(currencies=currencies, now=now))
    hard = _hard_reason(failure)
    event(f"decline: {'hard' if hard else 'soft'}")
    count = draw(st.sampled_from([0, 0, 1, 9, 10, 14, 15, 34, 35]))
    step = timedelta(minutes=draw(st.integers(1, 120)))
    declines = tuple(failure.declined_at - step * (i + 1) for i in range(count))
    return RetryContext(failure=failure, card_declines=declines)


def _hard_reason(failure: PaymentFailure) -> str | None:
    return hard_decline_reason(failure.decline, failure.advice, failure.declined_at.date())


def retry_problem(policy: object, ctx: RetryContext, decision: Decision) -> str | None:
    """Why a retry plan retries a decline that must never be retried (``None`` if fine).

    Hard is the library's one definition (`paysupport.lifecycles.hard_decline_reason`):
    the Visa category in force on the decline date, a do-not-retry code, or a Mastercard
    advice code that says never retry.
    """
    plan = decision.detail
    schedule = getattr(plan, "schedule", ())
    if not schedule:
        return None
    f = ctx.failure
    hard = _hard_reason(f)
    if hard is not None:
        return (
            f"Policy {_name(policy)!r} schedules {len(schedule)} retr"
            f"{'y' if len(schedule) == 1 else 'ies'} of payment failure {f.id} "
            f"(code {f.network_decline_code or f.decline_code}): {hard}."
        )
    if any(at < f.declined_at for at in schedule):
        return f"Policy {_name(policy)!r} schedules a retry before the decline it answers."
    return None


def never_retries_hard_decline(
    policy: _Decides[RetryContext],
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    seed: int | None = None,
    currencies: Sequence[str] | None = None,
) -> None:
    """Check that a hard decline is never retried, and no retry is scheduled in the past.

    Raises:
        PropertyViolation: e.g. "Policy 'X' schedules 2 retries of payment failure pf_1
            (code 04): Visa category 1 ...".
    """
    at = now or ps.DEFAULT_NOW
    _each_decision(
        "never_retries_hard_decline",
        policy,
        retry_contexts(now=at, currencies=currencies),
        retry_problem,
        lambda ctx: describe(ctx, at),
        at,
        settings,
        seed,
    )


def check_retry_policy(
    policy: _Decides[RetryContext],
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    seed: int | None = None,
    currencies: Sequence[str] | None = None,
    fail_fast: bool = False,
) -> None:
    """Run every retry-policy check and report all that fail.

    The checks: `never_retries_hard_decline`, `is_deterministic` and
    `explains_every_deny_and_review` over declines.

    With ``fail_fast=True`` the run stops at the first failing check (faster when you
    only need to know whether the policy holds).

    Raises:
        PropertyViolation: one check failed, or several (one message listing each).
    """
    at = now or ps.DEFAULT_NOW
    kw: dict[str, Any] = {"now": now, "settings": settings, "seed": seed}
    cases = retry_contexts(now=at, currencies=currencies)
    _collect(
        [
            lambda: never_retries_hard_decline(policy, currencies=currencies, **kw),
            lambda: is_deterministic(policy, contexts=cases, **kw),
            lambda: explains_every_deny_and_review(policy, contexts=cases, **kw),
        ],
        fail_fast,
    )
