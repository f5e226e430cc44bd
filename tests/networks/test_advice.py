import dataclasses
import datetime as dt
import pickle

import pytest

from paysupport.errors import UnknownCode, UnknownDeclineCode
from paysupport.networks import (
    Confidence,
    Network,
    RetryAction,
    RetryLimits,
    VisaDeclineCategory,
    merchant_advice_code,
    retry_limits,
    visa_reattempt_limit,
)
from paysupport.networks.advice import MERCHANT_ADVICE_CODES, RETRY_LIMITS


@pytest.mark.parametrize("code", ["03", "21"])
def test_mac_03_and_21_never_retry(code: str) -> None:
    mac = merchant_advice_code(code)
    assert mac.never_retry
    assert mac.action is RetryAction.DO_NOT_RETRY


def test_only_03_and_21_never_retry() -> None:
    assert [m.code for m in MERCHANT_ADVICE_CODES if m.never_retry] == ["03", "21"]


def test_mac_27_waits_4_days() -> None:
    assert merchant_advice_code("27").retry_after == dt.timedelta(days=4)


@pytest.mark.parametrize(
    ("code", "wait"),
    [
        ("24", dt.timedelta(hours=1)),
        ("25", dt.timedelta(hours=24)),
        ("26", dt.timedelta(days=2)),
        ("28", dt.timedelta(days=6)),
        ("29", dt.timedelta(days=8)),
        ("30", dt.timedelta(days=10)),
    ],
)
def test_mac_waits(code: str, wait: dt.timedelta) -> None:
    assert merchant_advice_code(code).retry_after == wait


def test_mac_02_has_no_mandated_wait() -> None:
    mac = merchant_advice_code("2")
    assert mac.retry_after is None
    assert "72 h" in mac.notes


def test_mac_lookup_pads_and_rejects() -> None:
    assert merchant_advice_code("3") is merchant_advice_code("03")
    assert merchant_advice_code(" 01 ").action is RetryAction.UPDATE_CARD
    with pytest.raises(UnknownDeclineCode):
        merchant_advice_code("99")


def test_visa_reattempt_limit_changes_on_2025_05_25() -> None:
    assert visa_reattempt_limit(dt.date(2025, 5, 24)) == 15
    assert visa_reattempt_limit(dt.date(2025, 5, 25)) == 20
    assert visa_reattempt_limit(dt.date(2021, 4, 1)) == 15


def test_visa_category_1_never_reattempts() -> None:
    cat_1 = VisaDeclineCategory.ISSUER_WILL_NEVER_APPROVE
    assert visa_reattempt_limit(dt.date(2025, 6, 1), cat_1) == 0


def test_visa_limit_before_2021_is_unknown() -> None:
    with pytest.raises(UnknownCode):
        visa_reattempt_limit(dt.date(2021, 3, 31))


def test_20_per_30_days_primary_is_unconfirmed() -> None:
    (current,) = [r for r in retry_limits("visa", on=dt.date(2026, 1, 1)) if r.limit == 20]
    assert current.confidence is Confidence.UNCONFIRMED
    assert current.window == dt.timedelta(days=30)


def test_mastercard_limits_by_date() -> None:
    def per_day(on: dt.date) -> int:
        (rule,) = [
            r for r in retry_limits(Network.MASTERCARD, on=on) if r.window == dt.timedelta(hours=24)
        ]
        return rule.limit

    assert per_day(dt.date(2022, 9, 30)) == 20
    assert per_day(dt.date(2022, 10, 1)) == 10
    same_amount = [r for r in RETRY_LIMITS if r.name == "mastercard_declines_same_amount"]
    assert same_amount[0].limit == 35
    assert same_amount[0].confidence is Confidence.UNCONFIRMED
    (mac_rule,) = [r for r in RETRY_LIMITS if r.advice_codes]
    assert mac_rule.limit == 0
    assert mac_rule.advice_codes == ("03", "21")


def test_limits_are_sourced_immutable_records() -> None:
    assert RetryLimits is type(RETRY_LIMITS[0])
    for rule in RETRY_LIMITS:
        assert rule.sources
        with pytest.raises(dataclasses.FrozenInstanceError):
            rule.limit = 1  # type: ignore[misc]


def test_records_pickle() -> None:
    for record in (*MERCHANT_ADVICE_CODES, *RETRY_LIMITS):
        assert pickle.loads(pickle.dumps(record)) == record
