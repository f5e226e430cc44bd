from __future__ import annotations

from datetime import timedelta

import pytest

from paysupport.errors import ModelValidationError
from paysupport.models import Dispute, Evidence
from paysupport.networks import DisputeCategory, DisputeStage, EvidenceKind, Network
from tests.models._support import NOW, eur


def open_dispute(network: str = "visa", code: str = "13.1", **kw: object) -> Dispute:
    return Dispute.opened(
        id="dp_1",
        payment_id="pay_1",
        network=network,
        reason_code=code,
        amount=eur("60"),
        opened_at=NOW,
        **kw,
    )


def test_visa_13_1_with_its_deadline() -> None:
    d = open_dispute()
    assert d.network is Network.VISA
    assert d.reason.title == "Merchandise/Services Not Received"
    assert d.category is DisputeCategory.CONSUMER_DISPUTE
    assert d.due_by == NOW + timedelta(days=30)  # Visa's 30-day response window
    assert d.is_open
    assert d.time_left(NOW + timedelta(days=29)) == timedelta(days=1)


def test_mastercard_4853() -> None:
    d = open_dispute("mastercard", "4853", due_by=NOW + timedelta(days=45))
    assert d.reason.title == "Cardholder Dispute"
    assert d.category is DisputeCategory.CONSUMER_DISPUTE


def test_codes_are_normalised_and_networks_parsed() -> None:
    d = open_dispute("AMEX", "c08", due_by=NOW + timedelta(days=20))
    assert d.network is Network.AMEX
    assert d.reason_code == "C08"


def test_unknown_reason_code_names_field_and_rule() -> None:
    with pytest.raises(ModelValidationError) as info:
        open_dispute(code="99.9")
    v = info.value.violations[0]
    assert (v.field, v.rule) == ("reason_code", "reason_code_known")
    assert "10" in v.message  # the known families are listed


def test_stage_must_exist_for_the_network() -> None:
    with pytest.raises(ModelValidationError) as info:
        open_dispute("amex", "C08", stage=DisputeStage.ARBITRATION, due_by=NOW + timedelta(days=5))
    assert "stage_exists_for_network" in info.value.rules


def test_deadline_after_opening() -> None:
    with pytest.raises(ModelValidationError) as info:
        open_dispute(due_by=NOW)
    assert "due_after_opened" in info.value.rules


def test_missing_evidence_checklist() -> None:
    d = open_dispute()  # Visa 13.1: proof of delivery or service documentation answers it
    missing = d.missing_evidence()
    assert missing == (EvidenceKind.PROOF_OF_DELIVERY, EvidenceKind.SERVICE_DOCUMENTATION)
    for kind in (EvidenceKind.SERVICE_DOCUMENTATION, EvidenceKind.REFUND_ISSUED):
        on_file = d.evolve(evidence=[Evidence(kind=kind, collected_at=NOW)])
        assert on_file.missing_evidence() == ()


def test_round_trip() -> None:
    d = open_dispute(evidence=[Evidence(kind=EvidenceKind.REFUND_ISSUED, description="re_1")])
    assert Dispute.model_validate_json(d.model_dump_json()) == d
    assert "reason_code" in Dispute.model_json_schema()["required"]


def test_a_stage_is_checked_for_each_network_code_and_stage_alike() -> None:
    # Fitting stages are remembered per network, code and stage: a stage the code does not
    # go through is refused after the same network and code fitted at another stage, and
    # on a change of the stage alone.
    due = NOW + timedelta(days=45)
    fits = open_dispute("mastercard", "4808", due_by=due)
    assert open_dispute("mastercard", "4808", due_by=due) == fits
    for attempt in (
        lambda: open_dispute("mastercard", "4808", stage=DisputeStage.PRE_ARBITRATION, due_by=due),
        lambda: fits.evolve(stage=DisputeStage.PRE_ARBITRATION),
    ):
        with pytest.raises(ModelValidationError) as info:
            attempt()
        assert info.value.violations[0].rule == "stage_exists_for_reason_code"
    assert fits.evolve(stage=DisputeStage.ARBITRATION).stage is DisputeStage.ARBITRATION
