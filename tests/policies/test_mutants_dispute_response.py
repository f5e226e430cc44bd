"""``DisputeResponse.checklist``: the same checklist a decision carries, on its own.

Written against the mutants `scripts/mutation.py policies` left alive in dispute_response.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from paysupport.models import Dispute, Evidence
from paysupport.money import Money
from paysupport.networks import DisputeStage, EvidenceKind
from paysupport.policies import DisputeContext, DisputeResponse

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def dispute(code: str = "13.1", evidence: tuple[EvidenceKind, ...] = ()) -> Dispute:
    return Dispute(
        id="dp_1",
        payment_id="pay_1",
        network="visa",
        reason_code=code,
        amount=Money.from_minor(10_000, "EUR"),
        opened_at=T0,
        due_by=T0 + timedelta(days=30),
        evidence=tuple(Evidence(kind=k) for k in evidence),
    )


def test_the_checklist_lists_what_the_reason_code_needs_and_what_is_missing():
    ctx = DisputeContext(dispute(evidence=(EvidenceKind.CUSTOMER_COMMUNICATION,)))
    checklist = DisputeResponse().checklist(ctx)
    assert checklist.required == ("proof_of_delivery|service_documentation",)
    assert checklist.missing == checklist.required
    assert checklist.on_file == ("customer_communication",)
    assert checklist.strengthening_missing == ()
    assert checklist == DisputeResponse().decide(ctx, T0 + timedelta(days=1)).detail


def test_the_checklist_is_complete_once_the_evidence_is_on_file():
    ctx = DisputeContext(dispute(evidence=(EvidenceKind.PROOF_OF_DELIVERY,)))
    checklist = DisputeResponse().checklist(ctx)
    assert checklist.complete
    assert checklist.strengthening_missing == ("customer_communication",)


def at_stage(due_by, stage=None, amount=10_000, evidence=()):
    return Dispute(
        id="dp_1",
        payment_id="pay_1",
        network="visa",
        reason_code="13.1",
        amount=Money.from_minor(amount, "EUR"),
        opened_at=T0,
        due_by=due_by,
        stage=stage or DisputeStage.CHARGEBACK,
        evidence=tuple(Evidence(kind=k) for k in evidence),
    )


NOW = T0 + timedelta(days=2)
POD = (EvidenceKind.PROOF_OF_DELIVERY, EvidenceKind.CUSTOMER_COMMUNICATION)


@pytest.mark.parametrize(
    ("due_by", "evidence", "amount", "outcome", "why"),
    [
        (
            T0 + timedelta(days=30),
            (),
            10_000,
            "accept",
            [("evidence_missing", "compelling"), ("contest_does_not_pay", "expected_value")],
        ),
        (T0 + timedelta(days=1), (), 10_000, "accept", [("deadline_passed", "due_by")]),
        (None, (), 10_000, "accept", [("no_response_possible", "due_by")]),
        (T0 + timedelta(days=30), POD, 500, "accept", [("contest_does_not_pay", "expected_value")]),
        (T0 + timedelta(days=30), POD, 1_000_000, "contest", [("contest_pays", "expected_value")]),
    ],
)
def test_each_answer_names_the_rule_that_gave_it(due_by, evidence, amount, outcome, why):
    policy = DisputeResponse()
    d = policy.decide(DisputeContext(at_stage(due_by, amount=amount, evidence=evidence)), NOW)
    assert (d.outcome.value, d.amount, d.policy) == (
        outcome,
        Money.from_minor(amount, "EUR"),
        policy.info,
    )
    assert [(r.code, r.rule, r.policy) for r in d.reasons] == [
        (*w, "dispute_response") for w in why
    ]
