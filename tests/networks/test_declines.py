import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paysupport.errors import UnknownDeclineCode
from paysupport.networks import (
    AmbiguousDeclineCode,
    Confidence,
    DeclineCode,
    DeclineSeverity,
    Network,
    RetryAction,
    VisaDeclineCategory,
    decline_code,
    decline_codes,
)
from paysupport.providers import stripe_decline, stripe_declines

CAT_1 = VisaDeclineCategory.ISSUER_WILL_NEVER_APPROVE
CAT_2 = VisaDeclineCategory.ISSUER_CANNOT_APPROVE_AT_THIS_TIME
ALL = (*decline_codes(), *stripe_declines())  # the networks' ISO codes and Stripe's


def _lookup(code: str, network: Network | None = None) -> DeclineCode:
    """A Stripe ``decline_code`` from providers, an ISO 8583 code from networks."""
    return stripe_decline(code) if len(code) > 2 else decline_code(code, network=network)


ISO_ROWS = [
    "00",
    "01",
    "02",
    "03",
    "04",
    "05",
    "07",
    "12",
    "13",
    "14",
    "15",
    "19",
    "41",
    "43",
    "46",
    "51",
    "54",
    "55",
    "57",
    "58",
    "59",
    "61",
    "62",
    "63",
    "65",
    "75",
    "78",
    "79",
    "82",
    "82",
    "83",
    "83",
    "91",
    "93",
    "96",
    "1A",
    "N7",
    "R0",
    "R1",
    "R3",
    "5C",
    "9G",
]
STRIPE_ROWS = [
    "authentication_required",
    "authentication_not_handled",
    "approve_with_id",
    "call_issuer",
    "card_not_supported",
    "card_velocity_exceeded",
    "currency_not_supported",
    "do_not_honor",
    "do_not_try_again",
    "duplicate_transaction",
    "expired_card",
    "fraudulent",
    "generic_decline",
    "incorrect_address",
    "incorrect_cvc",
    "incorrect_zip",
    "incorrect_pin",
    "invalid_cvc",
    "invalid_expiry_month",
    "invalid_expiry_year",
    "invalid_number",
    "invalid_pin",
    "incorrect_number",
    "insufficient_funds",
    "invalid_account",
    "invalid_amount",
    "issuer_not_available",
    "lost_card",
    "merchant_blacklist",
    "new_account_information_available",
    "no_action_taken",
    "not_permitted",
    "security_violation",
    "service_not_allowed",
    "transaction_not_allowed",
    "offline_pin_required",
    "online_or_offline_pin_required",
    "mobile_device_authentication_required",
    "pickup_card",
    "pin_try_exceeded",
    "processing_error",
    "reenter_transaction",
    "restricted_card",
    "revocation_of_authorization",
    "revocation_of_all_authorizations",
    "stop_payment_order",
    "stolen_card",
    "testmode_decline",
    "try_again_later",
    "withdrawal_count_limit_exceeded",
]
NON_RETRYABLE = {
    "incorrect_number",
    "lost_card",
    "pickup_card",
    "revocation_of_authorization",
    "revocation_of_all_authorizations",
    "authentication_required",
}


def test_every_row_of_3_1_and_3_2_is_present() -> None:
    assert [dc.code for dc in decline_codes()] == ISO_ROWS
    assert [dc.code for dc in stripe_declines()] == STRIPE_ROWS


def test_non_retryable_marks() -> None:
    marked = {dc.code for dc in stripe_declines() if dc.stripe_non_retryable}
    assert marked == NON_RETRYABLE


def test_every_visa_category_1_code_is_hard() -> None:
    cat_1 = [dc for dc in ALL if dc.visa_category is CAT_1]
    assert {"04", "07", "12", "14", "15", "41", "43", "46", "57", "R0", "R1", "R3"} <= {
        dc.code for dc in cat_1
    }
    assert all(dc.severity is DeclineSeverity.HARD for dc in cat_1)


def test_hard_means_category_1_or_do_not_retry() -> None:
    for dc in ALL:
        if dc.severity is None:
            continue
        hard = dc.visa_category is CAT_1 or dc.action is RetryAction.DO_NOT_RETRY
        assert (dc.severity is DeclineSeverity.HARD) == hard, dc.code


@pytest.mark.parametrize("code", ["insufficient_funds", "51"])
def test_insufficient_funds_is_soft(code: str) -> None:
    dc = _lookup(code)
    assert dc.severity is DeclineSeverity.SOFT
    assert dc.action is RetryAction.RETRY_LATER
    assert dc.visa_category is CAT_2


def test_57_category_around_2026_10_25() -> None:
    dc = decline_code("57")
    # Category 1 per processor tables before, by Visa's reclassification from 2026-10-25.
    assert dc.visa_category_on(dt.date(2026, 10, 24)) is CAT_1
    assert dc.visa_category_on(dt.date(2026, 10, 25)) is CAT_1
    assert (dt.date(2026, 10, 25), CAT_1) in dc.visa_categories
    assert dc.confidence is Confidence.UNCONFIRMED
    assert "contradictory" in dc.notes


@pytest.mark.parametrize("code", ["03", "62", "78", "93"])
def test_2021_move_from_category_1_to_2(code: str) -> None:
    dc = decline_code(code)
    assert dc.visa_category_on(dt.date(2021, 4, 16)) is CAT_1
    assert dc.visa_category_on(dt.date(2021, 4, 17)) is CAT_2
    assert dc.severity_on(dt.date(2021, 4, 16)) is DeclineSeverity.HARD
    assert dc.severity is DeclineSeverity.SOFT


def test_83_date_conflict_is_unconfirmed() -> None:
    dc = decline_code("83", network="visa")
    assert dc.confidence is Confidence.UNCONFIRMED
    assert dc.visa_category_on(dt.date(2026, 10, 24)) is None
    assert dc.visa_category_on(dt.date(2026, 10, 25)) is CAT_2
    assert "2026-07-25" in dc.notes


def test_codes_are_normalised() -> None:
    assert decline_code("05").scheme == "iso8583"
    assert decline_code("1a").code == "1A"
    assert decline_code(" N7 ").code == "N7"
    assert decline_code("5").code == "05"
    assert decline_code("R0").scheme == "iso8583"
    assert stripe_decline(" Lost_Card ").scheme == "stripe"
    assert stripe_decline("lost_card").network_codes == ("41",)


def test_a_stripe_code_is_not_the_networks_vocabulary() -> None:
    with pytest.raises(UnknownDeclineCode) as caught:
        decline_code("lost_card")
    assert "paysupport.providers.stripe_decline" in str(caught.value)
    with pytest.raises(UnknownDeclineCode):
        stripe_decline("05")


def test_stripe_codes_inherit_visa_categories_of_their_iso_codes() -> None:
    for dc in stripe_declines():
        for code in dc.network_codes:
            assert decline_code(code).visa_categories == dc.visa_categories, dc.code


def test_approval_and_mac_grouping_have_no_severity() -> None:
    assert decline_code("00").severity is None
    assert decline_code("00").action is None
    assert decline_code("79").severity is None


def test_1a_is_an_sca_soft_decline() -> None:
    dc = decline_code("1A")
    assert dc.severity is DeclineSeverity.SOFT
    assert dc.action is RetryAction.CUSTOMER_ACTION


def test_deprecated_stripe_codes() -> None:
    assert stripe_decline("do_not_try_again").deprecated
    assert stripe_decline("try_again_later").deprecated
    assert not stripe_decline("lost_card").deprecated


@pytest.mark.parametrize("code", ["99", "not_a_code", "ZZZ"])
def test_unknown_code_raises(code: str) -> None:
    with pytest.raises(UnknownDeclineCode):
        decline_code(code)
    with pytest.raises(UnknownDeclineCode):
        stripe_decline(code)


def test_visa_category_names() -> None:
    assert [c.value for c in VisaDeclineCategory] == [1, 2, 3, 4]
    assert CAT_1.description == "Issuer will never approve"


@given(st.sampled_from(ALL))
def test_lookup_round_trip(dc: DeclineCode) -> None:
    assert _lookup(dc.code, network=dc.network) is dc


@given(st.sampled_from(ALL), st.dates())
def test_categories_are_dated_in_order(dc: DeclineCode, on: dt.date) -> None:
    dates = [d for d, _ in dc.visa_categories if d is not None]
    assert dates == sorted(dates)
    assert dc.visa_category_on(dt.date.max) is dc.visa_category
    if dc.severity is not None:
        assert dc.severity_on(on) is not None


@given(st.sampled_from(ALL))
def test_records_immutable_and_sourced(dc: DeclineCode) -> None:
    assert dc.sources
    with pytest.raises(dataclasses.FrozenInstanceError):
        dc.code = "x"  # type: ignore[misc]


@pytest.mark.parametrize("code", ["82", "83"])
def test_codes_that_mean_different_things_per_network_need_the_network(code: str) -> None:
    with pytest.raises(AmbiguousDeclineCode) as caught:
        decline_code(code)
    assert caught.value.known == ("visa", "mastercard")
    assert "pass network=" in str(caught.value)


@pytest.mark.parametrize("code", ["82", "83"])
def test_mastercard_groupings_take_their_action_from_the_advice_code(code: str) -> None:
    mastercard = decline_code(code, network="mastercard")
    assert mastercard.network is Network.MASTERCARD
    assert mastercard.action is None
    assert mastercard.severity is None
    visa = decline_code(code, network=Network.VISA)
    assert visa.network is Network.VISA
    assert visa.action is not None
    assert visa.meaning != mastercard.meaning


def test_a_code_with_one_meaning_is_found_on_any_network() -> None:
    assert decline_code("05", network="mastercard") is decline_code("05")
    assert decline_code("79") is decline_code("79", network="mastercard")
    with pytest.raises(UnknownDeclineCode):
        decline_code("79", network="visa")


@pytest.mark.parametrize("bad", ["", "   "])
def test_an_empty_code_is_refused(bad: str) -> None:
    with pytest.raises(UnknownDeclineCode):
        decline_code(bad)


def test_an_unknown_network_is_refused() -> None:
    with pytest.raises(UnknownDeclineCode) as caught:
        decline_code("05", network="diners")
    assert "network" in str(caught.value)


def test_lookups_kept_per_code_and_network_equal_fresh_ones() -> None:
    """``decline_code`` keeps what it found per (code, network): the same record as a fresh
    lookup, whichever way the code and the network are written; refusals are not kept."""
    from paysupport.networks.declines import _find, _found

    _found.cache_clear()
    for dc in decline_codes():
        for code in (dc.code, f" {dc.code.lower()} "):
            for net in (dc.network, dc.network.value if dc.network else None):
                first = decline_code(code, network=net)
                assert first is _find(code, net)
                assert decline_code(code, network=net) is first  # kept
    assert _found.cache_info().hits > 0
    assert decline_code("51", network=Network.VISA) is decline_code("51", network="visa")
    for _ in range(2):  # refused every time, not kept as an answer
        with pytest.raises(AmbiguousDeclineCode):
            decline_code("83")
        with pytest.raises(UnknownDeclineCode):
            decline_code("zz9")
        with pytest.raises(UnknownDeclineCode):
            decline_code("   ")
        with pytest.raises(UnknownDeclineCode):
            decline_code("51", network="not_a_network")
        with pytest.raises(UnknownDeclineCode):
            decline_code(51)  # type: ignore[arg-type]
