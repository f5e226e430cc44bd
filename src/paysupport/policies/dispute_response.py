"""Dispute response: accept or contest, from the expected value, the evidence and the deadline.

The policy is its rulebook, ``DisputeResponse.RULES`` (disputes.md §1.5, §1.6, §5.4, §8;
refunds-and-failed-payments.md §1.4), listed in ``docs/policies/dispute-response.md``. The
evidence checklist separates evidence that makes a response *compelling* (missing it
multiplies the win chance by ``missing_evidence_factor``) from evidence that *strengthens*
it (listed, never required). Both come from
``paysupport.networks.evidence_needs.evidence_needs``, the table
``Dispute.missing_evidence()`` reads too, unless the team overrides a key here.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any, ClassVar

import attrs

from paysupport.models import Dispute, Payment
from paysupport.models.purchase import ce3_prior_payments
from paysupport.money import Money
from paysupport.networks import DisputeStage, EvidenceKind, ReasonCode
from paysupport.networks.evidence_needs import UNIVERSAL_EVIDENCE, evidence_needs

from ._reason_keys import ReasonKey, keys_for
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
from .context import DisputeContext
from .decision import Checklist, Decision, Reason, Verdict
from .rules import Rule

# ruff: noqa: RUF009  (param() is an attrs field specifier, like attrs.field)

__all__ = ["DisputeResponse"]

KIND = "dispute_response"
_LATE_STAGES = frozenset({DisputeStage.PRE_ARBITRATION, DisputeStage.ARBITRATION})
_CE3_CODES = frozenset({"visa:10.4"})

# Team estimates to start from, not sourced figures: tune them on your own history.
_DEFAULT_WIN_RATES: dict[str, str] = {
    "fraud": "0.25",
    "authorization": "0.45",
    "processing_error": "0.45",
    "consumer_dispute": "0.35",
}
_FEES: dict[str, int] = {"EUR": 1_500, "USD": 1_500, "GBP": 1_500}
_ARB_FEES: dict[str, int] = {"EUR": 60_000, "USD": 50_000, "GBP": 50_000}
_HANDLING: dict[str, int] = {"EUR": 2_500, "USD": 2_500, "GBP": 2_500}

Groups = tuple[tuple[EvidenceKind, ...], ...]
#: How many reason codes (and evidence sets per code) a policy keeps derived tables for.
_MAX_CACHED = 4096


# Enum members read on every case, bound once: on Python 3.11 reading a member off its
# class goes through EnumType's attribute hook (about 0.2 µs); a module name does not.
_CONTEST = Verdict.CONTEST
_ACCEPT = Verdict.ACCEPT
_REVIEW = Verdict.REVIEW
_REFUND_ISSUED = EvidenceKind.REFUND_ISSUED
_WITHDRAWAL = EvidenceKind.CARDHOLDER_WITHDRAWAL
_INQUIRY = DisputeStage.INQUIRY


def _why(
    code: str, rule: str, values: tuple[tuple[str, Any], ...] = (), template: str = ""
) -> Reason:
    return Reason(code, rule, values, template, KIND)


def _text(group: tuple[EvidenceKind, ...]) -> str:
    return "|".join(k.value for k in group)


@attrs.frozen(slots=True, eq=False)
class _Code:
    """What a policy derives once per reason code: computed on first use, then shared.

    ``chance`` and ``missing_chance`` are the win chance without and with compelling
    evidence missing, as an exact fraction ``(numerator, denominator)`` and the Decimal a
    reason shows; ``checklists`` memoises the checklist per evidence set on file, and
    ``missing_notes`` the ``evidence_missing`` reason said of it.
    """

    rc: ReasonCode
    key: str
    compelling: Groups
    strengthening: tuple[EvidenceKind, ...]
    ce3: bool
    chance: tuple[int, int, Decimal]
    missing_chance: tuple[int, int, Decimal]
    checklists: dict[frozenset[EvidenceKind], Checklist] = attrs.field(factory=dict)
    missing_notes: dict[frozenset[EvidenceKind], Reason] = attrs.field(factory=dict)


@attrs.define(slots=True)
class _Draft:
    """The checklist and notes gathered for one dispute (``have``: the evidence on file)."""

    code: _Code
    have: frozenset[EvidenceKind]
    compelling: Groups
    strengthening: tuple[EvidenceKind, ...]
    notes: list[Reason] = attrs.Factory(list)
    checklist: Checklist | None = None


def _exact(chance: Fraction) -> tuple[int, int, Decimal]:
    return chance.numerator, chance.denominator, _dec(chance)


@register_kind(KIND)
@attrs.frozen(slots=False)
class DisputeResponse(PolicyBase):
    """The default dispute-response policy: contest when it pays and the rules allow.

    Attributes:
        win_rates: the chance of winning per reason key (``"visa:13.1"``, ``"visa:13"``,
            ``"fraud"``, ``"*"``), as exact decimals in ``[0, 1]``; the most specific wins.
        default_win_rate: the chance when no key matches.
        compelling: per reason key, the team's own compelling evidence (groups; any one kind
            satisfies a group), replacing the library's table for that key.
        strengthening: per reason key, the team's own strengthening evidence.
        missing_evidence_factor: the win chance is multiplied by this while compelling
            evidence is missing (strengthening evidence never lowers it).
        dispute_fee: per currency (minor units), the fee contesting costs at the chargeback
            stage and later (inquiries are free).
        arbitration_fee: per currency (minor units), added at pre-arbitration and arbitration.
        handling_cost: per currency (minor units), the team's cost of preparing a response.
        min_expected_value: contest only when the expected value is above this (minor units
            of the dispute's currency).
    """

    KIND: ClassVar[str] = KIND
    CONTEXT: ClassVar[type[Any]] = DisputeContext

    win_rates: tuple[tuple[str, Decimal], ...] = param(
        Table(ReasonKey, Probability), factory=lambda: dict(_DEFAULT_WIN_RATES)
    )
    default_win_rate: Decimal = param(Probability, Decimal("0.3"))
    compelling: tuple[tuple[str, Groups], ...] = param(
        Table(ReasonKey, Items(Items(EvidenceKind, 1))), factory=dict
    )
    strengthening: tuple[tuple[str, tuple[EvidenceKind, ...]], ...] = param(
        Table(ReasonKey, Items(EvidenceKind)), factory=dict
    )
    missing_evidence_factor: Decimal = param(Probability, Decimal("0.25"))
    dispute_fee: tuple[tuple[str, int], ...] = param(
        Table(CurrencyCode, Count), factory=lambda: dict(_FEES)
    )
    arbitration_fee: tuple[tuple[str, int], ...] = param(
        Table(CurrencyCode, Count), factory=lambda: dict(_ARB_FEES)
    )
    handling_cost: tuple[tuple[str, int], ...] = param(
        Table(CurrencyCode, Count), factory=lambda: dict(_HANDLING)
    )
    min_expected_value: int = param(Int(None), 0)

    @cached_property
    def _rates(self) -> dict[str, Fraction]:
        return {k: Fraction(v) for k, v in self.win_rates}

    @cached_property
    def _compelling(self) -> dict[str, Groups]:
        return dict(self.compelling)

    @cached_property
    def _strengthening(self) -> dict[str, tuple[EvidenceKind, ...]]:
        return dict(self.strengthening)

    @cached_property
    def _fees(self) -> dict[str, int]:
        return dict(self.dispute_fee)

    @cached_property
    def _arb(self) -> dict[str, int]:
        return dict(self.arbitration_fee)

    @cached_property
    def _handling(self) -> dict[str, int]:
        return dict(self.handling_cost)

    @cached_property
    def _codes(self) -> dict[tuple[str, str], _Code]:
        return {}

    @cached_property
    def _cost_table(self) -> dict[tuple[str, DisputeStage], tuple[int, tuple[Money, ...]]]:
        return {}

    def _code(self, dispute: Dispute) -> _Code:
        """The reason code's derived table (keys, chances, evidence needs), made once."""
        codes = self._codes
        found = codes.get((dispute.network, dispute.reason_code))
        if found is None:
            rc = dispute.reason
            compelling, strengthening = self.needs(rc)
            key, rate = self.win_rate(rc)
            found = _Code(
                rc,
                key,
                compelling,
                strengthening,
                f"{rc.network.value}:{rc.code}" in _CE3_CODES,
                _exact(rate),
                _exact(rate * Fraction(self.missing_evidence_factor)),
            )
            if len(codes) < _MAX_CACHED:
                codes[(dispute.network, dispute.reason_code)] = found
        return found

    def _costs(self, dispute: Dispute, code: str) -> tuple[int, tuple[Money, ...]]:
        """Fees plus handling (minor units) and the four amounts a reason shows.

        Made once per currency and stage; the fees rule has checked that they are set.
        """
        table = self._cost_table
        stage = dispute.stage
        found = table.get((code, stage))
        if found is None:
            fee = 0 if stage is _INQUIRY else self._fees[code]
            arb = self._arb[code] if stage in _LATE_STAGES else 0
            handling = self._handling[code]
            currency = dispute.amount.currency
            shown = tuple(
                Money.from_minor(v, currency) for v in (fee, arb, handling, self.min_expected_value)
            )
            found = (fee + arb + handling, shown)
            if len(table) < _MAX_CACHED:
                table[(code, stage)] = found
        return found

    # ------------------------------------------------------------------ pieces
    def win_rate(self, rc: ReasonCode) -> tuple[str, Fraction]:
        """The key that matched and the chance of winning for a reason code."""
        for key in keys_for(rc):
            rate = self._rates.get(key)
            if rate is not None:
                return key, rate
        return "default_win_rate", Fraction(self.default_win_rate)

    def needs(self, rc: ReasonCode) -> tuple[Groups, tuple[EvidenceKind, ...]]:
        """The compelling groups and strengthening kinds for ``rc`` (team table first)."""
        base = evidence_needs(rc)
        compelling, strengthening = base.compelling, base.strengthening
        for key in keys_for(rc):
            if key in self._compelling:
                compelling = self._compelling[key]
                break
        for key in keys_for(rc):
            if key in self._strengthening:
                strengthening = self._strengthening[key]
                break
        return compelling, strengthening

    def checklist(self, ctx: DisputeContext) -> Checklist:
        """The evidence checklist of the dispute (CE 3.0 included when it is available)."""
        draft = self._draft(ctx)
        _ce3(self, ctx, ctx.dispute.opened_at, draft)
        return _make_checklist(ctx, draft)

    def _draft(self, ctx: DisputeContext) -> _Draft:
        code = self._code(ctx.dispute)
        return _Draft(code, ctx.dispute.evidence_kinds, code.compelling, code.strengthening)

    # ------------------------------------------------------------------ deciding
    def decide(self, ctx: DisputeContext, now: datetime) -> Decision:
        """Accept or contest one dispute at ``now``: the first rule that decides."""
        draft = self._draft(ctx)
        for rule in self.RULES:
            decision = rule.check(self, ctx, now, draft)
            if decision is not None:
                return decision
        raise AssertionError("the last rule always decides")  # pragma: no cover

    def _done(self, verdict: Verdict, ctx: DisputeContext, d: _Draft, *reasons: Reason) -> Decision:
        checklist = d.checklist or _make_checklist(ctx, d)
        return Decision(
            verdict, (*d.notes, *reasons), self.info, amount=ctx.dispute.amount, detail=checklist
        )

    RULES: ClassVar[tuple[Rule[DisputeResponse, DisputeContext, _Draft], ...]]


def _make_checklist(ctx: DisputeContext, d: _Draft) -> Checklist:
    have = d.have
    # The code's own needs (CE 3.0 did not add to them): one checklist per evidence set.
    cache = d.code.checklists if d.compelling is d.code.compelling else None
    if cache is not None:
        found = cache.get(have)
        if found is not None:
            return found
    answered = bool(have & UNIVERSAL_EVIDENCE)
    missing = () if answered else tuple(g for g in d.compelling if not any(k in have for k in g))
    checklist = Checklist(
        required=tuple(_text(g) for g in d.compelling),
        on_file=tuple(sorted(k.value for k in have)),
        missing=tuple(_text(g) for g in missing),
        strengthening=tuple(k.value for k in d.strengthening),
        strengthening_missing=tuple(k.value for k in d.strengthening if k not in have),
    )
    if cache is not None and len(cache) < _MAX_CACHED:
        cache[have] = checklist
    return checklist


_P = DisputeResponse
_C = DisputeContext


def _response_possible(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    dispute = ctx.dispute
    if dispute.due_by is not None:
        return None
    allowed = dispute.stage in d.code.rc.stages
    if allowed and dispute.stage in _LATE_STAGES:
        # Catalogues often give no window at the late stages and providers may omit one:
        # the network allows an answer, so decide, and say the deadline is unknown.
        d.notes.append(
            _why(
                "deadline_unknown",
                "due_by",
                (("stage", dispute.stage.value),),
                "the network allows an answer at {stage} but no deadline is known: get the "
                "provider's due_by and answer as soon as possible",
            )
        )
        return None
    return p._done(
        Verdict.ACCEPT,
        ctx,
        d,
        _why(
            "no_response_possible",
            "due_by",
            (("due_by", None), ("stage", dispute.stage.value)),
            "the network allows no response to this dispute at {stage}",
        ),
    )


def _deadline(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    due = ctx.dispute.due_by
    if due is None or now < due:
        return None
    return p._done(
        Verdict.ACCEPT,
        ctx,
        d,
        _why(
            "deadline_passed",
            "due_by",
            (("due_by", due), ("now", now)),
            "the response deadline {due_by} has passed",
        ),
    )


def _refund_issued(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    dispute = ctx.dispute
    refunded = _refunded_at_least(ctx.payment, dispute.amount)
    if _REFUND_ISSUED not in d.have and not refunded:
        return None
    return p._done(
        _CONTEST,
        ctx,
        d,
        _why(
            "refund_already_issued",
            "refund_issued",
            (("amount", dispute.amount),),
            "a refund was already issued: submit it as evidence rather than accept and pay twice",
        ),
    )


def _refunded_at_least(payment: Payment | None, amount: Money) -> bool:
    """``payment.amount_refunded >= amount`` (False without a payment), on minor units.

    ``amount_refunded`` is ``amounts().refunded`` as Money: in the payment's currency the
    comparison is the minor units'; across currencies Money's own comparison refuses it.
    """
    if payment is None:
        return False
    if payment.amount.currency is amount.currency:
        return payment.amounts().refunded >= amount.minor
    return payment.amount_refunded >= amount


_WITHDREW = _why(
    "cardholder_withdrew",
    "cardholder_withdrawal",
    (),
    "the cardholder withdrew the dispute in writing",
)


def _withdrawal(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    if _WITHDRAWAL in d.have:
        return p._done(_CONTEST, ctx, d, _WITHDREW)
    return None


def _ce3(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    if ctx.purchase is None or not d.code.ce3:
        return None
    priors = ce3_prior_payments(ctx.purchase, ctx.prior_purchases)
    if not priors:
        d.notes.append(
            _why(
                "ce3_not_available",
                "visa_ce3",
                (("prior_payments", len(ctx.prior_purchases)),),
                "Visa CE 3.0 does not apply: fewer than two undisputed payments 120-365 days "
                "old on the same card share the buyer's device or IP and one more identifier "
                "({prior_payments} prior payments given)",
            )
        )
        return None
    ce3 = (EvidenceKind.PRIOR_UNDISPUTED_TRANSACTIONS,)
    d.compelling = ((*d.compelling[0], *ce3), *d.compelling[1:]) if d.compelling else (ce3,)
    d.notes.append(
        _why(
            "ce3_available",
            "visa_ce3",
            (("payments", tuple(x.payment_id for x in priors)),),
            "Visa CE 3.0 applies: submit {payments} as prior undisputed transactions",
        )
    )
    return None


def _fees(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision | None:
    code = ctx.currency
    stage = ctx.dispute.stage
    known = (
        (stage is _INQUIRY or code in p._fees)
        and (stage not in _LATE_STAGES or code in p._arb)
        and code in p._handling
    )
    if known:
        return None
    return p._done(
        _REVIEW,
        ctx,
        d,
        _why(
            "no_fee_for_currency",
            "dispute_fee",
            (("currency", code),),
            "dispute fees or handling cost are not set for {currency}",
        ),
    )


def _expected_value(p: _P, ctx: _C, now: datetime, d: _Draft) -> Decision:
    dispute = ctx.dispute
    amount = dispute.amount
    costs, (fee, arb, handling, least) = p._costs(dispute, ctx.currency)
    code = d.code
    d.checklist = checklist = _make_checklist(ctx, d)
    if checklist.missing:
        num, den, chance = code.missing_chance
        d.notes.append(_missing_note(p, d, checklist))
    else:
        num, den, chance = code.chance
    # Exact, on ints: the expected value is ev / den (den > 0), amount × chance − costs.
    ev = amount.minor * num - costs * den
    whole = ev // den if ev >= 0 else -(-ev // den)  # toward zero
    values = (
        ("amount", amount),
        ("chance", chance),
        ("rate_key", code.key),
        ("dispute_fee", fee),
        ("arbitration_fee", arb),
        ("handling_cost", handling),
        ("expected_value", Money.from_minor(whole, amount.currency)),
        ("min_expected_value", least),
    )
    if ev > p.min_expected_value * den:
        why = _why("contest_pays", "expected_value", values, _PAYS)
        return p._done(_CONTEST, ctx, d, why)
    why = _why("contest_does_not_pay", "expected_value", values, _DOES_NOT_PAY)
    return p._done(_ACCEPT, ctx, d, why)


def _missing_note(p: _P, d: _Draft, checklist: Checklist) -> Reason:
    """The ``evidence_missing`` reason: one per evidence set, as the code's own checklist is."""
    code = d.code
    cache = code.missing_notes if d.compelling is code.compelling else None
    found = cache.get(d.have) if cache is not None else None
    if found is None:
        found = _why(
            "evidence_missing",
            "compelling",
            (("missing", checklist.missing), ("factor", p.missing_evidence_factor)),
            "compelling evidence missing: {missing} (win chance × {factor})",
        )
        if cache is not None and len(cache) < _MAX_CACHED:
            cache[d.have] = found
    return found


# The expected-value sentences, made once (a reason's template is checked per distinct text).
_EV = (
    "{amount} × {chance} − fees {dispute_fee} + {arbitration_fee} − handling "
    "{handling_cost} = {expected_value}"
)
_PAYS = _EV + " > {min_expected_value}"
_DOES_NOT_PAY = _EV + " ≤ {min_expected_value}"


def _dec(value: Fraction) -> Decimal:
    """A fraction as a Decimal for display (exact when it terminates, else 28 digits)."""
    return Decimal(value.numerator) / Decimal(value.denominator)


DisputeResponse.RULES = (
    Rule(
        "response_possible",
        "accept",
        ("no_response_possible", "deadline_unknown"),
        (),
        "no `due_by` and the network allows no answer at this stage; at pre-arbitration "
        "and arbitration, where the network allows an answer, decide on and note "
        "`deadline_unknown`",
        _response_possible,
    ),
    Rule(
        "deadline",
        "accept",
        ("deadline_passed",),
        (),
        "`now` is at or after `due_by`: no contest after the deadline",
        _deadline,
    ),
    Rule(
        "refund_issued",
        "contest",
        ("refund_already_issued",),
        (),
        "a refund already issued answers every condition: submit it rather than pay twice",
        _refund_issued,
    ),
    Rule(
        "cardholder_withdrawal",
        "contest",
        ("cardholder_withdrew",),
        (),
        "the cardholder's written withdrawal answers every condition",
        _withdrawal,
    ),
    Rule(
        "visa_ce3",
        "note",
        ("ce3_available", "ce3_not_available"),
        (),
        "Visa 10.4 with the disputed purchase and the customer's prior ones: CE 3.0 "
        "evidence joins the compelling evidence when two prior payments qualify",
        _ce3,
    ),
    Rule(
        "fees_known",
        "review",
        ("no_fee_for_currency",),
        ("dispute_fee", "arbitration_fee", "handling_cost"),
        "the fees of contesting are unknown in the dispute's currency",
        _fees,
    ),
    Rule(
        "expected_value",
        "contest / accept",
        ("contest_pays", "contest_does_not_pay", "evidence_missing"),
        ("win_rates", "default_win_rate", "missing_evidence_factor", "min_expected_value"),
        "amount × chance − fees − handling, exactly; chance × `missing_evidence_factor` while "
        "compelling evidence is missing; contest when above `min_expected_value`",
        _expected_value,
    ),
)
