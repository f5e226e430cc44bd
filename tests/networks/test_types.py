import dataclasses

import pytest

from paysupport.errors import UnknownCode, UnknownNetwork
from paysupport.networks import (
    Confidence,
    DisputeStage,
    Network,
    TimeLimit,
    network_rules,
    reason_code,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("visa", Network.VISA),
        ("VISA", Network.VISA),
        ("  Visa ", Network.VISA),
        ("mastercard", Network.MASTERCARD),
        ("MC", Network.MASTERCARD),
        ("master card", Network.MASTERCARD),
        ("amex", Network.AMEX),
        ("American Express", Network.AMEX),
        ("american_express", Network.AMEX),
        ("american-express", Network.AMEX),
        ("Discover", Network.DISCOVER),
        (Network.AMEX, Network.AMEX),
    ],
)
def test_network_parse_accepts_names_and_aliases(text: str, expected: Network) -> None:
    assert Network.parse(text) is expected


@pytest.mark.parametrize("text", ["jcb", "", "visa electron", "diners"])
def test_network_parse_rejects_unknown(text: str) -> None:
    with pytest.raises(UnknownNetwork) as info:
        Network.parse(text)
    assert isinstance(info.value, UnknownCode)
    assert isinstance(info.value, LookupError)
    assert "visa" in info.value.known


def test_enum_values_are_lower_case() -> None:
    assert [c.value for c in Confidence] == ["confirmed", "unconfirmed", "not_found", "inferred"]
    assert [n.value for n in Network] == ["visa", "mastercard", "amex", "discover"]


def test_stages_rank_in_lifecycle_order() -> None:
    ranks = [stage.rank for stage in DisputeStage]
    assert ranks == sorted(ranks) == [0, 1, 2, 3]
    assert DisputeStage.INQUIRY.can_move_to(DisputeStage.CHARGEBACK)
    assert DisputeStage.CHARGEBACK.can_move_to(DisputeStage.ARBITRATION)
    assert not DisputeStage.ARBITRATION.can_move_to(DisputeStage.PRE_ARBITRATION)
    assert not DisputeStage.CHARGEBACK.can_move_to(DisputeStage.CHARGEBACK)


def test_time_limit_not_found_has_no_days() -> None:
    limit = TimeLimit.not_found("why")
    assert limit.days is None
    assert limit.confidence is Confidence.NOT_FOUND
    assert limit.note == "why"


def test_records_are_immutable() -> None:
    rc = reason_code("visa", "13.1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        rc.title = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        rc.time_limit.days = 1  # type: ignore[misc]
    rules = network_rules("amex")
    with pytest.raises(TypeError):
        rules.response_windows[DisputeStage.ARBITRATION] = TimeLimit.not_found()  # type: ignore[index]


def test_reason_code_properties() -> None:
    rc = reason_code("visa", "10.4")
    assert rc.key == (Network.VISA, "10.4")
    assert rc.is_fraud
    assert not rc.is_inquiry
    assert rc.response_days == 30
    assert reason_code("amex", "004").is_inquiry
