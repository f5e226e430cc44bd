"""Dispute response: every reason in full, the fee tables one by one, the team's evidence tables.

Written against the mutants ``scripts/mutation.py policies/dispute_response.py`` left alive on
the snapshot at 4551560 (session 5). Each test builds its own policy: a policy keeps what it
derives per reason code (win chance, CE 3.0, checklists), and a policy built when a test
module is imported keeps what mutmut's first, unmutated run derived, so a mutant of that
derivation is judged only by a policy it derives afresh.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest

from paysupport.models import Dispute, Evidence
from paysupport.models.purchase import PurchaseRecord
from paysupport.money import Money
from paysupport.networks import DisputeStage
from paysupport.networks import EvidenceKind as K
from paysupport.policies import Decision, DisputeContext, DisputeResponse, Verdict

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=2)
DUE = T0 + timedelta(days=30)


def dispute(
    code: str = "13.1",
    amount: int = 10_000,
    evidence: tuple[K, ...] = (),
    stage: DisputeStage = DisputeStage.CHARGEBACK,
    due: datetime | None = DUE,
    currency: str = "EUR",
) -> Dispute:
    return Dispute(
        id="dp_1",
        payment_id="pay_1",
        network="visa",
        reason_code=code,
        amount=Money.from_minor(amount, currency),
        opened_at=T0,
        due_by=due,
        stage=stage,
        evidence=tuple(Evidence(kind=k) for k in evidence),
    )


def purchase(pid: str, days_before: int) -> PurchaseRecord:
    return PurchaseRecord(
        payment_id=pid,
        card_fingerprint="fp_card_1",
        processed_at=T0 - timedelta(days=days_before),
        device_id="dev_123456789012345",
        ip_address="203.0.113.7",
    )


def reasons(d: Decision) -> list[dict[str, Any]]:
    return [r.to_dict() for r in d.reasons]


def why(code: str, rule: str, message: str, **values: Any) -> dict[str, Any]:
    return {
        "code": code,
        "rule": rule,
        "policy": "dispute_response",
        "message": message,
        "values": values,
    }


def eur(minor: int) -> dict[str, Any]:
    return {"minor": minor, "currency": "EUR"}


def costs(fee: int = 1_500, arb: int = 0) -> dict[str, Any]:
    return {
        "dispute_fee": eur(fee),
        "arbitration_fee": eur(arb),
        "handling_cost": eur(2_500),
        "min_expected_value": eur(0),
    }


# ------------------------------------------------------------------ each reason in full
def test_an_answer_at_arbitration_without_a_deadline_says_the_deadline_is_unknown():
    dp = dispute("10.4", 500_000, (K.THREE_DS_AUTHENTICATION,), DisputeStage.ARBITRATION, None)
    d = DisputeResponse().decide(DisputeContext(dp), NOW)
    assert d.outcome is Verdict.CONTEST
    assert reasons(d) == [
        why(
            "deadline_unknown",
            "due_by",
            "the network allows an answer at arbitration but no deadline is known: get the "
            "provider's due_by and answer as soon as possible",
            stage="arbitration",
        ),
        why(
            "contest_pays",
            "expected_value",
            "5,000.00 EUR × 0.25 − fees 15.00 EUR + 600.00 EUR − handling 25.00 EUR = "
            "610.00 EUR > 0.00 EUR",
            amount=eur(500_000),
            chance="0.25",
            rate_key="fraud",
            expected_value=eur(61_000),
            **costs(arb=60_000),
        ),
    ]


def test_a_stage_the_reason_code_has_no_answer_at_is_accepted_and_says_so():
    dp = dispute(stage=DisputeStage.INQUIRY, due=None)
    d = DisputeResponse().decide(DisputeContext(dp), NOW)
    assert d.outcome is Verdict.ACCEPT
    assert reasons(d) == [
        why(
            "no_response_possible",
            "due_by",
            "the network allows no response to this dispute at inquiry",
            due_by=None,
            stage="inquiry",
        )
    ]


def test_a_passed_deadline_names_the_deadline_and_now():
    d = DisputeResponse().decide(DisputeContext(dispute(due=T0 + timedelta(days=1))), NOW)
    assert reasons(d) == [
        why(
            "deadline_passed",
            "due_by",
            "the response deadline 2026-03-02 12:00:00+00:00 has passed",
            due_by="2026-03-02 12:00:00+00:00",
            now="2026-03-03 12:00:00+00:00",
        )
    ]


def test_a_refund_on_file_is_contested_and_answers_the_checklist():
    d = DisputeResponse().decide(DisputeContext(dispute(evidence=(K.REFUND_ISSUED,))), NOW)
    assert d.outcome is Verdict.CONTEST
    assert reasons(d) == [
        why(
            "refund_already_issued",
            "refund_issued",
            "a refund was already issued: submit it as evidence rather than accept and pay twice",
            amount=eur(10_000),
        )
    ]
    # refund_issued answers every condition: nothing is missing, strengthening still listed
    assert d.detail.required == ("proof_of_delivery|service_documentation",)
    assert (d.detail.on_file, d.detail.missing) == (("refund_issued",), ())
    assert d.detail.strengthening == ("customer_communication",)
    assert d.detail.strengthening_missing == ("customer_communication",)


def test_missing_evidence_and_an_expected_value_that_does_not_pay_in_full():
    d = DisputeResponse().decide(DisputeContext(dispute()), NOW)
    assert d.outcome is Verdict.ACCEPT
    assert reasons(d) == [
        why(
            "evidence_missing",
            "compelling",
            "compelling evidence missing: proof_of_delivery or service_documentation "
            "(win chance × 0.25)",
            missing=["proof_of_delivery|service_documentation"],
            factor="0.25",
        ),
        why(
            "contest_does_not_pay",
            "expected_value",
            "100.00 EUR × 0.0875 − fees 15.00 EUR + 0.00 EUR − handling 25.00 EUR = "
            "-31.25 EUR ≤ 0.00 EUR",
            amount=eur(10_000),
            chance="0.0875",
            rate_key="consumer_dispute",
            expected_value=eur(-3_125),
            **costs(),
        ),
    ]


def test_an_expected_value_that_pays_in_full():
    dp = dispute(amount=1_000_000, evidence=(K.PROOF_OF_DELIVERY,))
    d = DisputeResponse().decide(DisputeContext(dp), NOW)
    assert d.outcome is Verdict.CONTEST
    assert reasons(d) == [
        why(
            "contest_pays",
            "expected_value",
            "10,000.00 EUR × 0.35 − fees 15.00 EUR + 0.00 EUR − handling 25.00 EUR = "
            "3,460.00 EUR > 0.00 EUR",
            amount=eur(1_000_000),
            chance="0.35",
            rate_key="consumer_dispute",
            expected_value=eur(346_000),
            **costs(),
        )
    ]


# ------------------------------------------------------------------ Visa CE 3.0
CE3_MISSING = "three_ds_authentication|cvv_avs_match|card_imprint|prior_undisputed_transactions"


def test_ce3_not_available_says_how_many_prior_payments_were_given():
    ctx = DisputeContext(dispute("10.4"), purchase=purchase("pay_1", 0), prior_purchases=[])
    d = DisputeResponse().decide(ctx, NOW)
    assert reasons(d)[0] == why(
        "ce3_not_available",
        "visa_ce3",
        "Visa CE 3.0 does not apply: fewer than two undisputed payments 120-365 days old on "
        "the same card share the buyer's device or IP and one more identifier (0 prior "
        "payments given)",
        prior_payments=0,
    )
    assert d.detail.required == ("three_ds_authentication|cvv_avs_match|card_imprint",)


def test_ce3_available_joins_the_first_compelling_group_and_names_the_payments():
    priors = (purchase("p1", 130), purchase("p2", 140))
    ctx = DisputeContext(dispute("10.4"), purchase=purchase("pay_1", 0), prior_purchases=priors)
    policy = DisputeResponse()
    d = policy.decide(ctx, NOW)
    assert reasons(d)[:2] == [
        why(
            "ce3_available",
            "visa_ce3",
            "Visa CE 3.0 applies: submit p2, p1 as prior undisputed transactions",
            payments=["p2", "p1"],
        ),
        why(
            "evidence_missing",
            "compelling",
            f"compelling evidence missing: {CE3_MISSING.replace('|', ' or ')} (win chance × 0.25)",
            missing=[CE3_MISSING],
            factor="0.25",
        ),
    ]
    assert d.detail.required == (CE3_MISSING,)
    assert policy.checklist(ctx) == d.detail
    # the same evidence on file without CE 3.0: the code's own checklist, not CE 3.0's
    plain = DisputeContext(dispute("10.4"))
    assert policy.checklist(plain).required == (
        "three_ds_authentication|cvv_avs_match|card_imprint",
    )
    assert policy.decide(plain, NOW).detail.required == policy.checklist(plain).required
    assert policy.checklist(ctx).required == (CE3_MISSING,)


def test_ce3_joins_a_team_table_of_several_groups_or_of_none():
    priors = (purchase("p1", 130), purchase("p2", 140))
    ctx = DisputeContext(dispute("10.4"), purchase=purchase("pay_1", 0), prior_purchases=priors)
    two = DisputeResponse(compelling={"visa:10.4": [["three_ds_authentication"], ["receipt"]]})
    assert two.checklist(ctx).required == (
        "three_ds_authentication|prior_undisputed_transactions",
        "receipt",
    )
    none = DisputeResponse(compelling={"visa:10.4": []})
    assert none.checklist(ctx).required == ("prior_undisputed_transactions",)
    assert none.decide(ctx, NOW).detail.required == ("prior_undisputed_transactions",)


def test_ce3_is_checked_by_a_policy_that_derives_the_code_afresh():
    priors = (purchase("p1", 130), purchase("p2", 140))
    for code, ce3 in (("10.4", True), ("13.1", False)):
        ctx = DisputeContext(dispute(code), purchase=purchase("pay_1", 0), prior_purchases=priors)
        codes = DisputeResponse().decide(ctx, NOW).codes
        assert ("ce3_available" in codes) is ce3


# ------------------------------------------------------------------ fees, table by table
@pytest.mark.parametrize(
    ("tables", "stage", "known"),
    [
        ({"dispute_fee": {}}, DisputeStage.CHARGEBACK, False),
        ({"handling_cost": {}}, DisputeStage.CHARGEBACK, False),
        ({"arbitration_fee": {}}, DisputeStage.CHARGEBACK, True),
        ({"arbitration_fee": {}}, DisputeStage.ARBITRATION, False),
        ({"dispute_fee": {}, "arbitration_fee": {}}, DisputeStage.ARBITRATION, False),
    ],
)
def test_each_fee_table_is_needed_only_where_it_applies(tables, stage, known):
    policy = DisputeResponse(**tables)
    d = policy.decide(DisputeContext(dispute("10.4", stage=stage)), NOW)
    if known:
        assert d.codes[-1] in {"contest_pays", "contest_does_not_pay"}
    else:
        assert d.outcome is Verdict.REVIEW
        assert reasons(d) == [
            why(
                "no_fee_for_currency",
                "dispute_fee",
                "dispute fees or handling cost are not set for EUR",
                currency="EUR",
            )
        ]


# ------------------------------------------------------------------ the team's tables
def test_win_rate_falls_back_to_the_default_rate_by_name():
    policy = DisputeResponse(win_rates={"visa:13.1": "0.5"}, default_win_rate="0.2")
    assert policy.win_rate(dispute("10.4").reason) == ("default_win_rate", Fraction(1, 5))
    assert policy.win_rate(dispute("13.1").reason) == ("visa:13.1", Fraction(1, 2))
    d = policy.decide(DisputeContext(dispute("10.4", evidence=(K.CVV_AVS_MATCH,))), NOW)
    assert (d.reasons[-1].value("rate_key"), d.reasons[-1].value("chance")) == (
        "default_win_rate",
        Fraction(1, 5),
    )


def test_the_team_tables_replace_the_library_needs_at_the_most_specific_key():
    policy = DisputeResponse(
        compelling={"visa:13": [["receipt"]], "consumer_dispute": [["other"]]},
        strengthening={"visa:13.1": ["refund_policy"], "*": ["other"]},
    )
    assert policy.needs(dispute("13.1").reason) == (((K.RECEIPT,),), (K.REFUND_POLICY,))
    assert policy.needs(dispute("10.4").reason) == (
        ((K.THREE_DS_AUTHENTICATION, K.CVV_AVS_MATCH, K.CARD_IMPRINT),),
        (K.OTHER,),
    )
