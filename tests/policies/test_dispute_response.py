"""Dispute response: deadline, evidence checklist, expected value (exact), fees."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from policy_factories import T0, payment

from paysupport.models import Dispute, Evidence, RefundStatus
from paysupport.money import Money
from paysupport.networks import DisputeStage, EvidenceKind
from paysupport.policies import DisputeContext, DisputeResponse, Outcome

P = DisputeResponse()
NOW = T0 + timedelta(days=2)
DUE = T0 + timedelta(days=30)


def dispute(
    code="13.1",
    amount=10_000,
    evidence=(),
    stage=DisputeStage.CHARGEBACK,
    due=DUE,
    currency="EUR",
    network="visa",
):
    return Dispute(
        id="dp_1",
        payment_id="pay_1",
        network=network,
        reason_code=code,
        amount=Money.from_minor(amount, currency),
        opened_at=T0,
        due_by=due,
        stage=stage,
        evidence=tuple(Evidence(kind=k) for k in evidence),
    )


POD = (EvidenceKind.PROOF_OF_DELIVERY, EvidenceKind.CUSTOMER_COMMUNICATION)


@pytest.mark.parametrize(
    ("now", "due", "outcome", "code"),
    [
        (DUE - timedelta(microseconds=1), DUE, Outcome.CONTEST, "contest_pays"),
        (DUE, DUE, Outcome.ACCEPT, "deadline_passed"),  # no contest at or after due_by
        (DUE + timedelta(days=1), DUE, Outcome.ACCEPT, "deadline_passed"),
        (NOW, None, Outcome.ACCEPT, "no_response_possible"),
    ],
)
def test_deadline(now, due, outcome, code):
    d = P.decide(DisputeContext(dispute(amount=20_000, evidence=POD, due=due)), now)
    assert d.outcome is outcome
    assert code in d.codes


def test_checklist_lists_what_is_missing():
    d = P.decide(DisputeContext(dispute()), NOW)
    assert d.detail.required == (
        "proof_of_delivery|service_documentation",
        "customer_communication",
    )
    assert d.detail.missing == d.detail.required
    assert not d.detail.complete
    d = P.decide(DisputeContext(dispute(evidence=(EvidenceKind.SERVICE_DOCUMENTATION,))), NOW)
    assert d.detail.missing == ("customer_communication",)
    assert d.detail.on_file == ("service_documentation",)


def test_checklist_falls_back_to_the_catalogue():
    p = DisputeResponse(evidence={})
    d = p.decide(DisputeContext(dispute(code="10.4")), NOW)
    assert len(d.detail.required) == 1
    assert "three_ds_authentication" in d.detail.required[0]
    assert "refund_issued" not in d.detail.required[0]


# 13.1: rate 0.35 (consumer_dispute); fee 1500, handling 2500, arbitration 60000 (EUR)
@pytest.mark.parametrize(
    ("amount", "evidence", "stage", "outcome", "ev"),
    [
        (10_000, POD, DisputeStage.CHARGEBACK, Outcome.ACCEPT, -500),
        (12_000, POD, DisputeStage.CHARGEBACK, Outcome.CONTEST, 200),
        (11_428, POD, DisputeStage.CHARGEBACK, Outcome.ACCEPT, 0),  # 3999.8 - 4000 < 0
        (11_429, POD, DisputeStage.CHARGEBACK, Outcome.CONTEST, 0),  # 4000.15 - 4000 > 0
        (12_000, (), DisputeStage.CHARGEBACK, Outcome.ACCEPT, -2950),  # chance x 0.25
        (12_000, POD, DisputeStage.INQUIRY, Outcome.CONTEST, 1700),  # inquiries: no fee
        (200_000, POD, DisputeStage.PRE_ARBITRATION, Outcome.CONTEST, 6000),  # + arbitration
    ],
)
def test_expected_value(amount, evidence, stage, outcome, ev):
    d = P.decide(DisputeContext(dispute(amount=amount, evidence=evidence, stage=stage)), NOW)
    assert d.outcome is outcome
    last = d.reasons[-1]
    assert last.code == ("contest_pays" if outcome is Outcome.CONTEST else "contest_does_not_pay")
    assert last.value("expected_value").minor == ev  # shown rounded toward zero


def test_expected_value_is_exact_at_the_threshold():
    p = DisputeResponse(
        win_rates={"*": "0.5"},
        dispute_fee={"EUR": 1_000},
        handling_cost={"EUR": 0},
        arbitration_fee={"EUR": 0},
    )
    d = p.decide(DisputeContext(dispute(amount=2_000, evidence=POD)), NOW)
    assert d.outcome is Outcome.ACCEPT  # 1000 - 1000 = 0, not above 0
    d = p.decide(DisputeContext(dispute(amount=2_001, evidence=POD)), NOW)
    assert d.outcome is Outcome.CONTEST  # 1000.5 - 1000 > 0


def test_most_specific_rate_wins():
    p = DisputeResponse(
        win_rates={"*": "0.1", "consumer_dispute": "0.2", "visa:13": "0.3", "visa:13.1": "0.9"}
    )
    assert p.win_rate(dispute().reason)[0] == "visa:13.1"
    assert p.win_rate(dispute(code="13.2").reason)[0] == "visa:13"
    assert p.win_rate(dispute(code="4853", network="mastercard").reason)[0] == "consumer_dispute"
    assert p.win_rate(dispute(code="10.4").reason)[0] == "*"


def test_refund_already_issued_contests():
    d = P.decide(DisputeContext(dispute(evidence=(EvidenceKind.REFUND_ISSUED,))), NOW)
    assert (d.outcome, d.codes) == (Outcome.CONTEST, ("refund_already_issued",))
    pay = payment(refunded=((10_000, RefundStatus.SUCCEEDED),))
    d = P.decide(DisputeContext(dispute(), payment=pay), NOW)
    assert d.codes == ("refund_already_issued",)
    d = P.decide(DisputeContext(dispute(evidence=(EvidenceKind.CARDHOLDER_WITHDRAWAL,))), NOW)
    assert d.codes == ("cardholder_withdrew",)


def test_unknown_fee_currency_goes_to_review():
    d = P.decide(DisputeContext(dispute(currency="JPY", amount=5_000, evidence=POD)), NOW)
    assert (d.outcome, d.codes) == (Outcome.REVIEW, ("no_fee_for_currency",))


def test_floats_are_refused_in_config():
    from paysupport.errors import PolicyConfigError

    with pytest.raises(PolicyConfigError) as exc:
        DisputeResponse.from_dict({"win_rates": {"fraud": 0.3}})
    assert exc.value.field == "win_rates.fraud"
    assert exc.value.rule == "no_float"
    assert DisputeResponse.from_dict({"win_rates": {"fraud": "0.3"}}).win_rates == (
        ("fraud", Decimal("0.3")),
    )


@given(
    st.integers(1, 10**7),
    st.sampled_from(["13.1", "10.4", "12.6.1", "11.2"]),
    st.lists(st.sampled_from(list(EvidenceKind)), max_size=4),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)),
)
def test_never_contest_after_due_by_and_always_explained(amount, code, ev, after):
    d = dispute(code=code, amount=amount, evidence=ev)
    now = T0 + after
    dec = P.decide(DisputeContext(d), now)
    assert dec.reasons
    assert dec.detail is not None
    if now >= d.due_by:
        assert dec.outcome is Outcome.ACCEPT
    assert dec == P.decide(DisputeContext(d), now)
