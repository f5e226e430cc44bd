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


def test_fact_26_ua02_and_7030() -> None:
    ua02 = reason_code("discover", "ua02")
    assert ua02.title == "Fraud/Card-Not-Present Environment"
    assert ua02.category is DisputeCategory.FRAUD
    assert ua02.family == "Fraud"
    numeric = reason_code("discover", "7030")
    assert numeric.title == "Fraud - Card Not Present Transaction"
    assert numeric.is_fraud
    assert stripe_reason_for("discover", "7030") == "fraudulent"


@pytest.mark.parametrize("code", ["DP1", "UA12"])
def test_not_found_codes_are_not_catalogued(code: str) -> None:
    with pytest.raises(UnknownReasonCode):
        reason_code("discover", code)


def test_unconfirmed_categories_are_marked() -> None:
    for code in ("AP", "AW", "CD", "DP", "RN2", "TF"):
        rc = reason_code("discover", code)
        assert rc.family == "unconfirmed"
        assert "not from a source" in rc.notes
    assert reason_code("discover", "NF").confidence is Confidence.UNCONFIRMED
    assert reason_code("discover", "EX").confidence is Confidence.UNCONFIRMED


def test_numeric_codes_present() -> None:
    numeric = [rc.code for rc in reason_codes("discover") if rc.code.isdigit()]
    for code in ("4534", "4541", "4757", "4863", "7010", "7030", "8002", "6005", "6050"):
        assert code in numeric


def test_documentation_requests_are_inquiries() -> None:
    codes = [rc.code for rc in reason_codes("discover", stage=DisputeStage.INQUIRY)]
    assert codes == ["6005", "6021", "6040", "6041", "6050"]


def test_time_limits_are_unconfirmed() -> None:
    rc = reason_code("discover", "4541")
    assert rc.time_limit.days == 120
    assert rc.time_limit.wait_days == 15
    assert rc.time_limit.confidence is Confidence.UNCONFIRMED


def test_rules() -> None:
    rules = network_rules("discover")
    assert rules.response_days[DisputeStage.CHARGEBACK] == 30
    assert rules.response_windows[DisputeStage.CHARGEBACK].confidence is Confidence.UNCONFIRMED
    assert rules.stages == (DisputeStage.INQUIRY, DisputeStage.CHARGEBACK)
