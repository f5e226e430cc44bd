import pytest

from paysupport.errors import UnknownReasonCode
from paysupport.networks import (
    Confidence,
    DisputeCategory,
    DisputeStage,
    network_rules,
    reason_code,
    reason_codes,
)
from paysupport.providers import stripe_reason_for

LETTERED = [
    "A01",
    "A02",
    "A08",
    "C02",
    "C04",
    "C05",
    "C08",
    "C14",
    "C18",
    "C28",
    "C31",
    "C32",
    "M10",
    "M49",
    "F10",
    "F14",
    "F24",
    "F29",
    "F30",
    "F31",
    "FR2",
    "FR4",
    "FR6",
    "FR5",
    "M01",
    "R03",
    "R13",
    "P01",
    "P03",
    "P04",
    "P05",
    "P07",
    "P08",
    "P22",
    "P23",
]
INQUIRIES = [
    "004",
    "021",
    "024",
    "059",
    "062",
    "063",
    "127",
    "154",
    "155",
    "158",
    "173",
    "175",
    "176",
    "193",
    "680",
    "684",
    "691",
    "693",
]


def test_section_3_2_and_3_3_codes() -> None:
    codes = reason_codes("amex")
    assert [rc.code for rc in codes if not rc.is_inquiry] == LETTERED
    assert [rc.code for rc in codes if rc.is_inquiry] == INQUIRIES


def test_fact_10_stripe_maps_c08_to_product_not_received() -> None:
    assert stripe_reason_for("amex", "C08") == "product_not_received"


def test_fact_24_c08_title_and_group() -> None:
    rc = reason_code("amex", "c08")
    assert rc.title.casefold() == "goods/services not received or only partially received"
    assert rc.family == "CMD"
    assert rc.category is DisputeCategory.CONSUMER_DISPUTE


def test_fact_25_inquiry_window_and_r_codes() -> None:
    rules = network_rules("american express")
    assert rules.response_days[DisputeStage.INQUIRY] == 20
    assert reason_code("amex", "R13").title == "No Reply"
    assert reason_code("amex", "R03").title.casefold() == "insufficient reply"
    assert reason_code("amex", "193").response_days == 20


def test_no_arbitration() -> None:
    rules = network_rules("amex")
    assert DisputeStage.ARBITRATION not in rules.stages
    assert not rules.has_stage(DisputeStage.PRE_ARBITRATION)
    assert all(DisputeStage.ARBITRATION not in rc.stages for rc in reason_codes("amex"))


def test_chargeback_reversal_window() -> None:
    assert network_rules("amex").response_days[DisputeStage.CHARGEBACK] == 20


@pytest.mark.parametrize(
    ("group", "category"),
    [
        ("AUTH", DisputeCategory.AUTHORIZATION),
        ("CMD", DisputeCategory.CONSUMER_DISPUTE),
        ("FRAUD", DisputeCategory.FRAUD),
        ("PROC", DisputeCategory.PROCESSING_ERROR),
    ],
)
def test_groups_map_to_categories(group: str, category: DisputeCategory) -> None:
    members = [rc for rc in reason_codes("amex") if rc.family == group]
    assert members
    assert all(rc.category is category for rc in members)


def test_conflicting_and_single_source_codes_are_unconfirmed() -> None:
    assert reason_code("amex", "F14").confidence is Confidence.UNCONFIRMED
    assert "conflict" in reason_code("amex", "F14").notes
    assert reason_code("amex", "FR5").confidence is Confidence.UNCONFIRMED
    assert reason_code("amex", "FR5").family == "unconfirmed"
    assert "Multiple ROCs" in reason_code("amex", "F24").notes


def test_filing_window_and_exceptions() -> None:
    assert reason_code("amex", "F29").time_limit.days == 120
    assert reason_code("amex", "F29").time_limit.counted_from == "transaction date"
    assert reason_code("amex", "C08").time_limit.confidence is Confidence.NOT_FOUND


def test_no_knowledge_is_not_fraud_but_193_is() -> None:
    assert not reason_code("amex", "127").is_fraud
    assert reason_code("amex", "193").is_fraud


def test_inquiry_codes_accept_missing_zero_padding() -> None:
    assert reason_code("amex", "4").code == "004"
    assert reason_code("amex", " 21 ").code == "021"


def test_status_codes_are_not_reasons() -> None:
    with pytest.raises(UnknownReasonCode):
        reason_code("amex", "S01")
