import pytest

from paysupport.errors import UnknownReasonCode
from paysupport.networks import (
    DisputeCategory,
    DisputeStage,
    network_rules,
    reason_code,
    reason_codes,
)
from paysupport.providers import stripe_reason_for

CHARGEBACKS = [
    "4837",
    "4840",
    "4849",
    "4863",
    "4870",
    "4871",
    "4807",
    "4808",
    "4812",
    "4834",
    "4831",
    "4842",
    "4846",
    "4850",
    "4999",
    "4853",
    "4841",
    "4854",
    "4855",
    "4859",
    "4860",
]


def test_section_2_1_codes_are_catalogued() -> None:
    assert [rc.code for rc in reason_codes("mastercard") if not rc.is_inquiry] == CHARGEBACKS


def test_fact_10_stripe_maps_4863_to_unrecognized() -> None:
    assert stripe_reason_for("mastercard", "4863") == "unrecognized"


def test_fact_19_4853_is_a_cardholder_dispute() -> None:
    rc = reason_code("mastercard", "4853")
    assert rc.title == "Cardholder Dispute"
    assert rc.family == "Cardholder Disputes"
    assert rc.category is DisputeCategory.CONSUMER_DISPUTE


def test_fact_20_4834_4837_4808_categories() -> None:
    poi = reason_code("mastercard", "4834")
    assert poi.title == "Point-of-Interaction Error"
    assert poi.family == "Point-of-Interaction Error"
    assert poi.category is DisputeCategory.PROCESSING_ERROR
    assert reason_code("mastercard", "4837").category is DisputeCategory.FRAUD
    assert reason_code("mastercard", "4808").category is DisputeCategory.AUTHORIZATION


@pytest.mark.parametrize("code", ["4808", "4870", "4871"])
def test_fact_21_straight_to_arbitration(code: str) -> None:
    stages = reason_code("mastercard", code).stages
    assert DisputeStage.PRE_ARBITRATION not in stages
    assert stages == (DisputeStage.CHARGEBACK, DisputeStage.ARBITRATION)


def test_other_codes_go_through_pre_arbitration() -> None:
    assert DisputeStage.PRE_ARBITRATION in reason_code("mastercard", "4853").stages


def test_fact_23_only_6343_is_current_retrieval_code() -> None:
    retrievals = reason_codes("mastercard", stage=DisputeStage.INQUIRY)
    assert len(retrievals) == 8
    assert [rc.code for rc in retrievals if not rc.deprecated] == ["6343"]


@pytest.mark.parametrize("code", ["4807", "4842", "4846"])
def test_stripe_deprecated_codes_are_flagged(code: str) -> None:
    assert reason_code("mastercard", code).deprecated


def test_umbrella_sub_reasons() -> None:
    assert len(reason_code("mastercard", "4853").sub_reasons) == 14
    assert "Credit Not Processed" in reason_code("mastercard", "4853").sub_reasons
    assert len(reason_code("mastercard", "4834").sub_reasons) == 9
    assert reason_code("mastercard", "4834").sub_reasons[0] == "Transaction Amount Differs"
    assert reason_code("mastercard", "4860").sub_reasons == ()


def test_documentation_codes_are_not_reason_codes() -> None:
    with pytest.raises(UnknownReasonCode):
        reason_code("mastercard", "4901")
    assert stripe_reason_for("mastercard", "4901") == "general"


def test_titleless_mastercom_codes_are_left_out() -> None:
    for code in ("4801", "4802", "4809", "4835", "4847", "4856", "4857", "4862", "4899"):
        with pytest.raises(UnknownReasonCode):
            reason_code("mastercard", code)


def test_mastercard_rules() -> None:
    rules = network_rules("mc")
    assert rules.response_days[DisputeStage.CHARGEBACK] == 45
    assert rules.response_windows[DisputeStage.CHARGEBACK].confidence.value == "unconfirmed"
    assert rules.response_days[DisputeStage.PRE_ARBITRATION] == 30
