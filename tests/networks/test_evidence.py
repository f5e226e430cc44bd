import datetime as dt

from paysupport.networks import EvidenceKind
from paysupport.networks.evidence import STRIPE_EVIDENCE_FIELDS, VISA_CE3

# Every `evidence.*` field of disputes.md §5.3 (top level).
SECTION_5_3 = {
    "cancellation_policy",
    "customer_communication",
    "customer_signature",
    "duplicate_charge_documentation",
    "receipt",
    "refund_policy",
    "service_documentation",
    "shipping_documentation",
    "uncategorized_file",
    "access_activity_log",
    "billing_address",
    "cancellation_policy_disclosure",
    "cancellation_rebuttal",
    "customer_email_address",
    "customer_name",
    "customer_purchase_ip",
    "duplicate_charge_explanation",
    "duplicate_charge_id",
    "product_description",
    "refund_policy_disclosure",
    "refund_refusal_explanation",
    "service_date",
    "shipping_address",
    "shipping_carrier",
    "shipping_date",
    "shipping_tracking_number",
    "uncategorized_text",
}


def test_every_stripe_field_has_a_kind() -> None:
    mapped = {f for fields in STRIPE_EVIDENCE_FIELDS.values() for f in fields}
    assert mapped >= SECTION_5_3


def test_no_field_maps_to_two_kinds() -> None:
    fields = [f for fields in STRIPE_EVIDENCE_FIELDS.values() for f in fields]
    assert len(fields) == len(set(fields))


def test_kinds_without_a_stripe_field() -> None:
    assert EvidenceKind.REFUND_ISSUED not in STRIPE_EVIDENCE_FIELDS
    assert STRIPE_EVIDENCE_FIELDS[EvidenceKind.PRIOR_UNDISPUTED_TRANSACTIONS] == (
        "enhanced_evidence.visa_compelling_evidence_3.prior_undisputed_transactions",
    )


def test_fact_18_ce3_applies_to_10_4_with_120_to_365_day_old_transactions() -> None:
    assert VISA_CE3.reason_codes == ("10.4",)
    assert VISA_CE3.prior_transactions == 2
    assert VISA_CE3.effective_from == dt.date(2023, 4, 15)
    assert not VISA_CE3.accepts_age(119)
    assert VISA_CE3.accepts_age(120)
    assert VISA_CE3.accepts_age(365)
    assert not VISA_CE3.accepts_age(366)
