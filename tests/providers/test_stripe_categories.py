import pytest

from paysupport.errors import UnknownReasonCode
from paysupport.networks import Network
from paysupport.providers import stripe_reason_for
from paysupport.providers.stripe_categories import STRIPE_CATEGORIES

# Stripe's documented dispute `reason` values (disputes.md §5.1).
STRIPE_REASONS = {
    "bank_cannot_process",
    "check_returned",
    "credit_not_processed",
    "customer_initiated",
    "debit_not_authorized",
    "duplicate",
    "fraudulent",
    "general",
    "incorrect_account_details",
    "insufficient_funds",
    "noncompliant",
    "product_not_received",
    "product_unacceptable",
    "subscription_canceled",
    "unrecognized",
}


def test_table_uses_only_documented_reasons() -> None:
    assert set(STRIPE_CATEGORIES) <= STRIPE_REASONS


def test_each_code_in_one_category_only() -> None:
    seen: dict[tuple[Network, str], str] = {}
    for reason, row in STRIPE_CATEGORIES.items():
        for network, codes in row.items():
            for code in codes:
                assert (network, code) not in seen, (network, code)
                seen[network, code] = reason


def test_catalogue_agrees_with_table() -> None:
    for reason, row in STRIPE_CATEGORIES.items():
        for network, codes in row.items():
            for code in codes:
                assert stripe_reason_for(network, code) == reason


@pytest.mark.parametrize(
    ("network", "code", "reason"),
    [
        ("visa", "13.2", "subscription_canceled"),
        ("visa", "12.6.1", "duplicate"),
        ("visa", "33", "fraudulent"),
        ("mastercard", "4863", "unrecognized"),
        ("mastercard", "4834", "duplicate"),
        ("amex", "c08", "product_not_received"),
        ("amex", "177", "fraudulent"),
        ("amex", "61", "credit_not_processed"),
        ("discover", "4541", "subscription_canceled"),
    ],
)
def test_stripe_reason_for(network: str, code: str, reason: str) -> None:
    assert stripe_reason_for(network, code) == reason


def test_visa_compliance_range_is_noncompliant() -> None:
    assert stripe_reason_for("visa", "C028") == "noncompliant"
    assert stripe_reason_for("visa", "c0135") == "noncompliant"
    with pytest.raises(UnknownReasonCode):
        stripe_reason_for("visa", "C0136")


def test_unmapped_catalogued_codes_give_none() -> None:
    assert stripe_reason_for("mastercard", "4850") is None
    assert stripe_reason_for("discover", "UA02") is None


def test_unknown_codes_raise() -> None:
    with pytest.raises(UnknownReasonCode):
        stripe_reason_for("discover", "9999")
