"""Dispute response: deadline, evidence checklist, expected value (exact), fees."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from policy_factories import T0, payment

from paysupport.models import Dispute, Evidence, RefundStatus
from paysupport.models.purchase import PurchaseRecord
from paysupport.money import Money
from paysupport.networks import DisputeStage, EvidenceKind
from paysupport.policies import DisputeContext, DisputeResponse, Verdict

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
        (DUE - timedelta(microseconds=1), DUE, Verdict.CONTEST, "contest_pays"),
        (DUE, DUE, Verdict.ACCEPT, "deadline_passed"),  # no contest at or after due_by
        (DUE + timedelta(days=1), DUE, Verdict.ACCEPT, "deadline_passed"),
        (NOW, None, Verdict.ACCEPT, "no_response_possible"),
    ],
)
def test_deadline(now, due, outcome, code):
    d = P.decide(DisputeContext(dispute(amount=20_000, evidence=POD, due=due)), now)
    assert d.outcome is outcome
    assert code in d.codes


def test_checklist_lists_what_is_missing():
    d = P.decide(DisputeContext(dispute()), NOW)
    assert d.detail.required == ("proof_of_delivery|service_documentation",)
    assert d.detail.strengthening == ("customer_communication",)
    assert d.detail.missing == d.detail.required
    assert not d.detail.complete
    d = P.decide(DisputeContext(dispute(evidence=(EvidenceKind.SERVICE_DOCUMENTATION,))), NOW)
    assert d.detail.missing == ()  # compelling: strengthening evidence is never required
    assert d.detail.strengthening_missing == ("customer_communication",)
    assert d.detail.on_file == ("service_documentation",)


def test_checklist_falls_back_to_the_catalogue():
    p = DisputeResponse(compelling={})
    d = p.decide(DisputeContext(dispute(code="10.4")), NOW)
    assert len(d.detail.required) == 1
    assert "three_ds_authentication" in d.detail.required[0]
    assert "refund_issued" not in d.detail.required[0]


# 13.1: rate 0.35 (consumer_dispute); fee 1500, handling 2500, arbitration 60000 (EUR)
@pytest.mark.parametrize(
    ("amount", "evidence", "stage", "outcome", "ev"),
    [
        (10_000, POD, DisputeStage.CHARGEBACK, Verdict.ACCEPT, -500),
        (12_000, POD, DisputeStage.CHARGEBACK, Verdict.CONTEST, 200),
        (11_428, POD, DisputeStage.CHARGEBACK, Verdict.ACCEPT, 0),  # 3999.8 - 4000 < 0
        (11_429, POD, DisputeStage.CHARGEBACK, Verdict.CONTEST, 0),  # 4000.15 - 4000 > 0
        (12_000, (), DisputeStage.CHARGEBACK, Verdict.ACCEPT, -2950),  # chance x 0.25
        (12_000, POD, DisputeStage.INQUIRY, Verdict.CONTEST, 1700),  # inquiries: no fee
        (200_000, POD, DisputeStage.PRE_ARBITRATION, Verdict.CONTEST, 6000),  # + arbitration
    ],
)
def test_expected_value(amount, evidence, stage, outcome, ev):
    d = P.decide(DisputeContext(dispute(amount=amount, evidence=evidence, stage=stage)), NOW)
    assert d.outcome is outcome
    last = d.reasons[-1]
    assert last.code == ("contest_pays" if outcome is Verdict.CONTEST else "contest_does_not_pay")
    assert last.value("expected_value").minor == ev  # shown rounded toward zero


def test_expected_value_is_exact_at_the_threshold():
    p = DisputeResponse(
        win_rates={"*": "0.5"},
        dispute_fee={"EUR": 1_000},
        handling_cost={"EUR": 0},
        arbitration_fee={"EUR": 0},
    )
    d = p.decide(DisputeContext(dispute(amount=2_000, evidence=POD)), NOW)
    assert d.outcome is Verdict.ACCEPT  # 1000 - 1000 = 0, not above 0
    d = p.decide(DisputeContext(dispute(amount=2_001, evidence=POD)), NOW)
    assert d.outcome is Verdict.CONTEST  # 1000.5 - 1000 > 0


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
    assert (d.outcome, d.codes) == (Verdict.CONTEST, ("refund_already_issued",))
    pay = payment(refunded=((10_000, RefundStatus.SUCCEEDED),))
    d = P.decide(DisputeContext(dispute(), payment=pay), NOW)
    assert d.codes == ("refund_already_issued",)
    d = P.decide(DisputeContext(dispute(evidence=(EvidenceKind.CARDHOLDER_WITHDRAWAL,))), NOW)
    assert d.codes == ("cardholder_withdrew",)


def test_unknown_fee_currency_goes_to_review():
    d = P.decide(DisputeContext(dispute(currency="JPY", amount=5_000, evidence=POD)), NOW)
    assert (d.outcome, d.codes) == (Verdict.REVIEW, ("no_fee_for_currency",))


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
        assert dec.outcome is Verdict.ACCEPT
    assert dec == P.decide(DisputeContext(d), now)


# ------------------------------------------------------------------ compelling vs strengthening
def test_a_120_eur_visa_13_1_with_proof_of_delivery_is_contested_by_default():
    d = P.decide(
        DisputeContext(dispute(amount=12_000, evidence=(EvidenceKind.PROOF_OF_DELIVERY,))), NOW
    )
    assert d.outcome is Verdict.CONTEST
    assert d.detail.complete
    assert d.detail.strengthening_missing == ("customer_communication",)
    assert "evidence_missing" not in d.codes


def test_every_reason_names_the_dispute_response_policy():
    d = P.decide(DisputeContext(dispute()), NOW)
    assert {r.policy for r in d.reasons} == {"dispute_response"}


def _codes():
    from paysupport.networks import Network, reason_codes

    for net in (Network.VISA, Network.MASTERCARD, Network.AMEX, Network.DISCOVER):
        for rc in reason_codes(net):
            if DisputeStage.CHARGEBACK in rc.stages:
                yield net.value, rc.code


@pytest.mark.parametrize(("network", "code"), list(_codes()))
def test_one_answer_for_missing_evidence(network, code):
    for evidence in ((), (EvidenceKind.PROOF_OF_DELIVERY,), (EvidenceKind.CVV_AVS_MATCH,)):
        dp = dispute(network=network, code=code, evidence=evidence)
        checklist = P.decide(DisputeContext(dp), NOW).detail
        from_checklist = [k for group in checklist.missing for k in group.split("|")]
        assert from_checklist == [k.value for k in dp.missing_evidence()]


# ------------------------------------------------------------------ late stages
def test_an_arbitration_without_a_deadline_can_still_be_answered():
    dp = dispute(code="10.4", amount=500_000, stage=DisputeStage.ARBITRATION, due=None)
    dp = dp.evolve(evidence=(Evidence(kind=EvidenceKind.THREE_DS_AUTHENTICATION),))
    d = P.decide(DisputeContext(dp), NOW)
    assert "no_response_possible" not in d.codes
    assert d.codes[0] == "deadline_unknown"
    assert d.outcome is Verdict.CONTEST  # 5,000 EUR × 0.25 − 15 − 600 − 25 > 0


# ------------------------------------------------------------------ Visa CE 3.0
def _purchase(pid, days_before, *, device="dev_123456789012345", ip="203.0.113.7", **kw):
    return PurchaseRecord(
        payment_id=pid,
        card_fingerprint=kw.pop("fp", "fp_card_1"),
        processed_at=CE3_AT - timedelta(days=days_before),
        device_id=device,
        ip_address=ip,
        **kw,
    )


CE3_AT = T0  # 2026-03-01, after CE 3.0 took effect (2023-04-15)


@pytest.mark.parametrize(
    ("priors", "available"),
    [
        ((_purchase("p1", 120), _purchase("p2", 365)), True),  # both ends of the window
        ((_purchase("p1", 119), _purchase("p2", 200)), False),  # too recent
        ((_purchase("p1", 130), _purchase("p2", 366)), False),  # too old
        ((_purchase("p1", 130),), False),  # one is not enough
        ((_purchase("p1", 130), _purchase("p2", 140, ip=None)), False),  # one identifier only
        ((_purchase("p1", 130), _purchase("p2", 140, fp="fp_other")), False),  # other card
        ((_purchase("p1", 130), _purchase("p2", 140, disputed=True)), False),
        ((_purchase("p1", 130), _purchase("p2", 140, device=None, account_id="acc_1")), False),
    ],
)
def test_ce3_for_a_visa_10_4(priors, available):
    disputed = _purchase("pay_1", 0)
    ctx = DisputeContext(dispute(code="10.4"), purchase=disputed, prior_purchases=priors)
    d = P.decide(ctx, NOW)
    if available:
        assert "ce3_available" in d.codes
        assert "prior_undisputed_transactions" in d.detail.required[0]
        assert d.reasons[0].value("payments") == ("p2", "p1")  # oldest first
    else:
        assert "ce3_not_available" in d.codes
        assert all("prior_undisputed_transactions" not in g for g in d.detail.required)


def test_ce3_evidence_on_file_answers_the_10_4():
    priors = (_purchase("p1", 130), _purchase("p2", 140))
    dp = dispute(code="10.4", amount=50_000, evidence=(EvidenceKind.PRIOR_UNDISPUTED_TRANSACTIONS,))
    ctx = DisputeContext(dp, purchase=_purchase("pay_1", 0), prior_purchases=priors)
    d = P.decide(ctx, NOW)
    assert d.detail.complete
    assert d.outcome is Verdict.CONTEST
    # Without prior purchases the same evidence is not compelling for a 10.4.
    assert not P.decide(DisputeContext(dp), NOW).detail.complete


def test_ce3_is_only_for_visa_10_4():
    priors = (_purchase("p1", 130), _purchase("p2", 140))
    ctx = DisputeContext(
        dispute(code="13.1"), purchase=_purchase("pay_1", 0), prior_purchases=priors
    )
    assert not {"ce3_available", "ce3_not_available"} & set(P.decide(ctx, NOW).codes)


_KINDS = (
    EvidenceKind.PROOF_OF_DELIVERY,
    EvidenceKind.SERVICE_DOCUMENTATION,
    EvidenceKind.CUSTOMER_COMMUNICATION,
    EvidenceKind.THREE_DS_AUTHENTICATION,
)


@given(
    amount=st.integers(1, 10**9),
    rate=st.decimals(0, 1, places=4),
    factor=st.decimals(0, 1, places=3),
    fee=st.integers(0, 10**6),
    arb=st.integers(0, 10**6),
    handling=st.integers(0, 10**6),
    least=st.integers(-(10**6), 10**6),
    stage=st.sampled_from(
        [DisputeStage.INQUIRY, DisputeStage.CHARGEBACK, DisputeStage.ARBITRATION]
    ),
    code=st.sampled_from(["13.1", "10.4", "12.6.1"]),
    evidence=st.lists(st.sampled_from(_KINDS), max_size=2, unique=True),
)
def test_expected_value_is_the_exact_fraction_and_repeats(
    amount, rate, factor, fee, arb, handling, least, stage, code, evidence
):
    """The decision's figures equal exact Fraction arithmetic, and a policy that decided the
    same reason code, currency and evidence before (its derived tables made) decides alike."""
    from fractions import Fraction

    def make():
        return DisputeResponse(
            win_rates={"*": str(rate)},
            missing_evidence_factor=str(factor),
            dispute_fee={"EUR": fee},
            arbitration_fee={"EUR": arb},
            handling_cost={"EUR": handling},
            min_expected_value=least,
        )

    fresh, used = make(), make()
    due = None if stage is DisputeStage.ARBITRATION else DUE
    ctx = DisputeContext(dispute(code=code, amount=amount, evidence=evidence, stage=stage, due=due))
    first = used.decide(ctx, NOW)
    again = used.decide(ctx, NOW)
    assert again == first == fresh.decide(ctx, NOW)
    last = first.reasons[-1]
    chance = Fraction(rate) * (Fraction(factor) if first.detail.missing else 1)
    fees = [
        0 if stage is DisputeStage.INQUIRY else fee,
        arb if stage is DisputeStage.ARBITRATION else 0,
        handling,
    ]
    ev = amount * chance - sum(fees)
    assert last.value("expected_value") == Money.from_minor(int(ev), "EUR")
    assert last.value("chance") == Decimal(chance.numerator) / Decimal(chance.denominator)
    assert first.outcome is (Verdict.CONTEST if ev > least else Verdict.ACCEPT)
    shown = [last.value(k).minor for k in ("dispute_fee", "arbitration_fee", "handling_cost")]
    assert shown == fees
