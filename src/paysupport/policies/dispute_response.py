"""Dispute response: accept or contest, from the expected value, the evidence and the deadline.

The rules, in order (disputes.md §1.5, §5.4, §8; refunds-and-failed-payments.md §1.4):

1. ``no_response_possible`` (accept): the dispute has no ``due_by`` (Stripe ``due_by = 0``).
2. ``deadline_passed`` (accept): ``now`` is at or after ``due_by``; no contest after it.
3. ``refund_already_issued`` / ``cardholder_withdrew`` (contest): a refund issued before the
   dispute, or the cardholder's withdrawal, answers every condition; accepting would pay
   twice (Braintree: submit the refund as evidence, don't accept).
4. ``no_fee_for_currency`` (review): the fees are unknown in the dispute's currency.
5. Expected value of contesting, exactly, in minor units:
   ``amount × chance − dispute fee − arbitration fee (later stages) − handling cost``, where
   ``chance`` is the win rate for the reason (code, family, category) times
   ``missing_evidence_factor`` when the evidence checklist is not complete.
   ``contest_pays`` (contest) when it is above ``min_expected_value``, else
   ``contest_does_not_pay`` (accept). The decision carries the :class:`Checklist`.
"""
# ruff: noqa: RUF009  (param() and derived() are attrs field specifiers, like attrs.field)

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any, ClassVar

import attrs

from paysupport.money import Money
from paysupport.networks import DisputeStage, EvidenceKind, ReasonCode

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

__all__ = ["DisputeResponse"]

_UNIVERSAL = frozenset({EvidenceKind.REFUND_ISSUED, EvidenceKind.CARDHOLDER_WITHDRAWAL})
_LATE_STAGES = frozenset({DisputeStage.PRE_ARBITRATION, DisputeStage.ARBITRATION})

# Team estimates to start from, not sourced figures: tune them on your own history.
_DEFAULT_WIN_RATES: dict[str, str] = {
    "fraud": "0.25",
    "authorization": "0.45",
    "processing_error": "0.45",
    "consumer_dispute": "0.35",
}
_DEFAULT_EVIDENCE: dict[str, list[list[str]]] = {
    # Merchandise / services not received: proof of delivery above all.
    "visa:13.1": [["proof_of_delivery", "service_documentation"], ["customer_communication"]],
    "mastercard:4855": [["proof_of_delivery", "service_documentation"]],
    "amex:C08": [["proof_of_delivery", "service_documentation"]],
    "visa:12.6.1": [["duplicate_charge_documentation"]],
    "visa:12.6.2": [["duplicate_charge_documentation"]],
    "fraud": [
        ["three_ds_authentication", "cvv_avs_match", "prior_undisputed_transactions"],
        ["customer_details"],
    ],
    "consumer_dispute": [["customer_communication"], ["refund_policy", "cancellation_policy"]],
    "processing_error": [["receipt", "authorization_approval", "transaction_date_proof"]],
    "authorization": [["authorization_approval"]],
}
_FEES: dict[str, int] = {"EUR": 1_500, "USD": 1_500, "GBP": 1_500}
_ARB_FEES: dict[str, int] = {"EUR": 60_000, "USD": 50_000, "GBP": 50_000}
_HANDLING: dict[str, int] = {"EUR": 2_500, "USD": 2_500, "GBP": 2_500}


def _why(
    code: str, rule: str, values: tuple[tuple[str, Any], ...] = (), template: str = ""
) -> Reason:
    return Reason(code, rule, values, template, "dispute_response")


@register_kind("dispute_response")
@attrs.frozen(slots=False)
class DisputeResponse(PolicyBase):
    """The default dispute-response policy: contest when it pays and the rules allow.

    Attributes:
        win_rates: the chance of winning per reason key (``"visa:13.1"``, ``"visa:13"``,
            ``"fraud"``, ``"*"``), as exact decimals in ``[0, 1]``; the most specific wins.
        default_win_rate: the chance when no key matches.
        evidence: per reason key, the evidence to have on file: a list of groups, each a
            list of kinds any one of which satisfies the group. Without a matching key the
            network catalogue's condition-specific kinds form one group.
        missing_evidence_factor: the win chance is multiplied by this while evidence is
            missing.
        dispute_fee: per currency (minor units), the fee contesting costs at the chargeback
            stage and later (inquiries are free).
        arbitration_fee: per currency (minor units), added at pre-arbitration and arbitration.
        handling_cost: per currency (minor units), the team's cost of preparing a response.
        min_expected_value: contest only when the expected value is above this (minor units
            of the dispute's currency).
    """

    KIND: ClassVar[str] = "dispute_response"

    CONTEXT: ClassVar[type[Any]] = DisputeContext

    win_rates: tuple[tuple[str, Decimal], ...] = param(
        Table(ReasonKey, Probability), factory=lambda: dict(_DEFAULT_WIN_RATES)
    )
    default_win_rate: Decimal = param(Probability, Decimal("0.3"))
    evidence: tuple[tuple[str, tuple[tuple[EvidenceKind, ...], ...]], ...] = param(
        Table(ReasonKey, Items(Items(EvidenceKind, 1))),
        factory=lambda: {k: [list(g) for g in v] for k, v in _DEFAULT_EVIDENCE.items()},
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
    def _evidence(self) -> dict[str, tuple[tuple[EvidenceKind, ...], ...]]:
        return dict(self.evidence)

    @cached_property
    def _fees(self) -> dict[str, int]:
        return dict(self.dispute_fee)

    @cached_property
    def _arb(self) -> dict[str, int]:
        return dict(self.arbitration_fee)

    @cached_property
    def _handling(self) -> dict[str, int]:
        return dict(self.handling_cost)

    # ------------------------------------------------------------------ pieces
    def win_rate(self, rc: ReasonCode) -> tuple[str, Fraction]:
        """The key that matched and the chance of winning for a reason code."""
        for key in keys_for(rc):
            rate = self._rates.get(key)
            if rate is not None:
                return key, rate
        return "default_win_rate", Fraction(self.default_win_rate)

    def checklist(self, ctx: DisputeContext) -> Checklist:
        """The evidence the reason code needs, what is on file, and what is missing."""
        rc = ctx.dispute.reason
        groups: tuple[tuple[EvidenceKind, ...], ...] | None = None
        for key in keys_for(rc):
            groups = self._evidence.get(key)
            if groups is not None:
                break
        if groups is None:
            specific = tuple(k for k in rc.evidence if k not in _UNIVERSAL)
            groups = (specific,) if specific else ()
        have = ctx.dispute.evidence_kinds
        required = tuple("|".join(k.value for k in g) for g in groups)
        missing = tuple(
            "|".join(k.value for k in g) for g in groups if not any(k in have for k in g)
        )
        on_file = tuple(sorted(k.value for k in have))
        return Checklist(required, on_file, missing)

    # ------------------------------------------------------------------ deciding
    def decide(self, ctx: DisputeContext, now: datetime) -> Decision:
        """Accept or contest one dispute at ``now``."""
        info = self.info
        d = ctx.dispute
        checklist = self.checklist(ctx)
        amount = d.amount
        if d.due_by is None:
            return Decision(
                Verdict.ACCEPT,
                (
                    _why(
                        "no_response_possible",
                        "due_by",
                        (("due_by", None),),
                        "the network allows no response to this dispute",
                    ),
                ),
                info,
                amount=amount,
                detail=checklist,
            )
        if now >= d.due_by:
            return Decision(
                Verdict.ACCEPT,
                (
                    _why(
                        "deadline_passed",
                        "due_by",
                        (("due_by", d.due_by), ("now", now)),
                        "the response deadline {due_by} has passed",
                    ),
                ),
                info,
                amount=amount,
                detail=checklist,
            )
        have = d.evidence_kinds
        refunded = ctx.payment is not None and ctx.payment.amount_refunded >= amount
        if EvidenceKind.REFUND_ISSUED in have or refunded:
            return Decision(
                Verdict.CONTEST,
                (
                    _why(
                        "refund_already_issued",
                        "refund_issued",
                        (("amount", amount),),
                        "a refund was already issued: submit it as evidence rather than "
                        "accept and pay twice",
                    ),
                ),
                info,
                amount=amount,
                detail=checklist,
            )
        if EvidenceKind.CARDHOLDER_WITHDRAWAL in have:
            return Decision(
                Verdict.CONTEST,
                (
                    _why(
                        "cardholder_withdrew",
                        "cardholder_withdrawal",
                        (),
                        "the cardholder withdrew the dispute in writing",
                    ),
                ),
                info,
                amount=amount,
                detail=checklist,
            )
        code = ctx.currency
        fee = self._fees.get(code) if d.stage is not DisputeStage.INQUIRY else 0
        arb = self._arb.get(code) if d.stage in _LATE_STAGES else 0
        handling = self._handling.get(code)
        if fee is None or arb is None or handling is None:
            return Decision(
                Verdict.REVIEW,
                (
                    _why(
                        "no_fee_for_currency",
                        "dispute_fee",
                        (("currency", code),),
                        "dispute fees or handling cost are not set for {currency}",
                    ),
                ),
                info,
                amount=amount,
                detail=checklist,
            )
        key, rate = self.win_rate(d.reason)
        chance = rate
        reasons: list[Reason] = []
        if checklist.missing:
            chance = rate * Fraction(self.missing_evidence_factor)
            reasons.append(
                _why(
                    "evidence_missing",
                    "evidence",
                    (("missing", checklist.missing), ("factor", self.missing_evidence_factor)),
                    "evidence missing: {missing} (win chance × {factor})",
                )
            )
        ev = amount.minor * chance - fee - arb - handling
        ev_minor = Money.from_minor(int(ev), amount.currency)  # toward zero, for display
        values = (
            ("amount", amount),
            ("chance", _dec(chance)),
            ("rate_key", key),
            ("dispute_fee", fee),
            ("arbitration_fee", arb),
            ("handling_cost", handling),
            ("expected_value", ev_minor),
            ("min_expected_value", self.min_expected_value),
        )
        if ev > self.min_expected_value:
            reasons.append(
                _why(
                    "contest_pays",
                    "expected_value",
                    values,
                    "{amount} × {chance} − fees {dispute_fee}+{arbitration_fee} − handling "
                    "{handling_cost} = {expected_value} > {min_expected_value}",
                )
            )
            return Decision(Verdict.CONTEST, tuple(reasons), info, amount=amount, detail=checklist)
        reasons.append(
            _why(
                "contest_does_not_pay",
                "expected_value",
                values,
                "{amount} × {chance} − fees {dispute_fee}+{arbitration_fee} − handling "
                "{handling_cost} = {expected_value} ≤ {min_expected_value}",
            )
        )
        return Decision(Verdict.ACCEPT, tuple(reasons), info, amount=amount, detail=checklist)


def _dec(value: Fraction) -> Decimal:
    """A fraction as a Decimal for display (exact when it terminates, else 28 digits)."""
    return Decimal(value.numerator) / Decimal(value.denominator)
