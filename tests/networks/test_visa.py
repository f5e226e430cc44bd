import pytest

from paysupport.networks import (
    Confidence,
    DisputeCategory,
    DisputeFlow,
    DisputeStage,
    EvidenceKind,
    Network,
    network_rules,
    reason_code,
    reason_codes,
    visa,
)
from paysupport.providers import stripe_reason_for

ALL_CONDITIONS = [
    "10.1",
    "10.2",
    "10.3",
    "10.4",
    "10.5",
    "11.1",
    "11.2",
    "11.3",
    "12.1",
    "12.2",
    "12.3",
    "12.4",
    "12.5",
    "12.6.1",
    "12.6.2",
    "12.7",
    "13.1",
    "13.2",
    "13.3",
    "13.4",
    "13.5",
    "13.6",
    "13.7",
    "13.8",
    "13.9",
]


def test_every_condition_is_catalogued() -> None:
    conditions = [rc.code for rc in reason_codes("visa") if not rc.is_inquiry]
    assert conditions == ALL_CONDITIONS


def test_retrieval_codes_are_inquiries() -> None:
    inquiries = reason_codes("visa", stage=DisputeStage.INQUIRY)
    assert [rc.code for rc in inquiries] == ["28", "30", "33", "34"]
    assert all(rc.flow is None for rc in inquiries)


def test_fact_08_stripe_maps_13_2_and_12_6_x() -> None:
    assert stripe_reason_for("visa", "13.2") == "subscription_canceled"
    assert stripe_reason_for("visa", "12.6.1") == "duplicate"
    assert stripe_reason_for("visa", "12.6.2") == "duplicate"


def test_fact_09_stripe_maps_11_x_general_and_10_x_fraudulent() -> None:
    for code in ("11.1", "11.2", "11.3"):
        assert stripe_reason_for("visa", code) == "general"
    for code in ("10.1", "10.2", "10.3", "10.4", "10.5"):
        assert stripe_reason_for("visa", code) == "fraudulent"


def test_fact_11_visa_13_1() -> None:
    rc = reason_code("visa", "13.1")
    assert rc.title == "Merchandise/Services Not Received"
    assert rc.family == "13"
    assert rc.category is DisputeCategory.CONSUMER_DISPUTE
    assert rc.flow is DisputeFlow.COLLABORATION


def test_fact_12_visa_10_4() -> None:
    rc = reason_code("visa", "10.4")
    assert rc.title == "Other Fraud – Card-Absent Environment"
    assert rc.time_limit.days == 120
    assert rc.time_limit.counted_from == "transaction processing date"
    assert rc.time_limit.confidence is Confidence.CONFIRMED
    assert rc.flow is DisputeFlow.ALLOCATION


@pytest.mark.parametrize("code", ["11.1", "11.2", "11.3"])
def test_fact_13_authorization_time_limit_is_75_days(code: str) -> None:
    assert reason_code("visa", code).time_limit.days == 75


def test_fact_14_visa_12_7_invalid_data_75_days() -> None:
    rc = reason_code("visa", "12.7")
    assert rc.title == "Invalid Data"
    assert rc.time_limit.days == 75


def test_fact_15_visa_13_6_wait_15_then_120() -> None:
    limit = reason_code("visa", "13.6").time_limit
    assert limit.wait_days == 15
    assert limit.days == 120
    assert "Credit Transaction Receipt date" in limit.note


def test_fact_16_visa_13_7_at_most_540_days() -> None:
    assert reason_code("visa", "13.7").time_limit.max_days == 540


def test_fact_17_flows_follow_categories() -> None:
    for rc in reason_codes("visa"):
        if rc.is_inquiry:
            continue
        expected = (
            DisputeFlow.ALLOCATION
            if rc.category in {DisputeCategory.FRAUD, DisputeCategory.AUTHORIZATION}
            else DisputeFlow.COLLABORATION
        )
        assert rc.flow is expected, rc.code


@pytest.mark.parametrize(
    ("code", "days", "wait", "cap"),
    [
        ("13.1", 120, 15, None),
        ("10.4", 120, None, None),
        ("11.2", 75, None, None),
        ("12.7", 75, None, None),
        ("13.7", 120, 15, 540),
        ("13.6", 120, 15, 540),
        ("13.8", 120, None, None),
    ],
)
def test_time_limits(code: str, days: int, wait: int | None, cap: int | None) -> None:
    limit = reason_code("visa", code).time_limit
    assert (limit.days, limit.wait_days, limit.max_days) == (days, wait, cap)


@pytest.mark.parametrize("code", ["12.3", "12.5", "13.4", "13.5", "13.9"])
def test_not_found_time_limits_stay_not_found(code: str) -> None:
    limit = reason_code("visa", code).time_limit
    assert limit.days is None
    assert limit.confidence is Confidence.NOT_FOUND


@pytest.mark.parametrize("code", ["10.2", "10.3", "10.5", "13.3"])
def test_unconfirmed_time_limits_stay_unconfirmed(code: str) -> None:
    assert reason_code("visa", code).time_limit.confidence is Confidence.UNCONFIRMED


def test_every_condition_answers_to_refund_and_withdrawal() -> None:
    for rc in reason_codes("visa"):
        if not rc.is_inquiry:
            assert EvidenceKind.REFUND_ISSUED in rc.evidence
            assert EvidenceKind.CARDHOLDER_WITHDRAWAL in rc.evidence


def test_condition_specific_evidence() -> None:
    assert EvidenceKind.CHIP_READ in reason_code("visa", "10.1").evidence
    assert EvidenceKind.PRIOR_UNDISPUTED_TRANSACTIONS in reason_code("visa", "10.4").evidence
    assert EvidenceKind.TRANSACTION_DATE_PROOF in reason_code("visa", "12.1").evidence
    assert EvidenceKind.DUPLICATE_CHARGE_DOCUMENTATION in reason_code("visa", "12.6.1").evidence


def test_only_10_4_takes_ce3_evidence() -> None:
    holders = [
        rc.code
        for rc in reason_codes()
        if EvidenceKind.PRIOR_UNDISPUTED_TRANSACTIONS in rc.evidence
    ]
    assert holders == ["10.4"]


def test_visa_rules() -> None:
    rules = network_rules(Network.VISA)
    assert rules is visa.RULES
    assert rules.stages == tuple(DisputeStage)
    assert rules.response_days[DisputeStage.CHARGEBACK] == 30
    assert rules.response_windows[DisputeStage.CHARGEBACK].confidence is Confidence.CONFIRMED
    assert rules.response_days[DisputeStage.PRE_ARBITRATION] == 30
    pre_arb = rules.response_windows[DisputeStage.PRE_ARBITRATION]
    assert pre_arb.confidence is Confidence.UNCONFIRMED
    assert rules.filing_windows[DisputeStage.ARBITRATION].days == 10


def test_titles_keep_visa_spelling() -> None:
    assert reason_code("visa", "13.2").title == "Cancelled Recurring Transaction"
    assert reason_code("visa", "13.7").title == "Cancelled Merchandise/Services"
