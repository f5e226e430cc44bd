"""The batch route: ``Lifecycle.advance`` on lightweight records agrees with ``fire``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paysupport.errors import DeadlinePassed, InvalidTransition, ValidationFailed
from paysupport.lifecycles import dispute, refund
from paysupport.models import Dispute, DisputeStatus, RefundStatus
from paysupport.money import Money
from paysupport.networks import DisputeStage, Network

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class DisputeRecord:
    """The dispute fields the lifecycle reads and writes, plus history and version."""

    due_by: datetime | None
    stage: DisputeStage = DisputeStage.CHARGEBACK
    status: DisputeStatus = DisputeStatus.NEEDS_RESPONSE
    network: Network = Network.VISA
    reason_code: str = "13.1"
    opened_at: datetime = T0
    evidence: tuple[Any, ...] = ()
    evidence_submitted_at: datetime | None = None
    history: list[tuple[Any, ...]] = field(default_factory=list)
    version: int = 0

    @property
    def state(self) -> str:
        return f"{self.stage.value}:{self.status.value}"


def new_dispute() -> Dispute:
    return Dispute.opened(
        id="dp_1",
        payment_id="pay_1",
        network="visa",
        reason_code="13.1",
        amount=Money.of("25.00", "EUR"),
        opened_at=T0,
    )


def test_advance_moves_logs_and_versions() -> None:
    rec = DisputeRecord(T0 + timedelta(days=30))
    assert dispute.advance(rec, "submit_evidence", now=T0 + timedelta(days=3), actor="op_1") == (
        "chargeback:under_review"
    )
    assert rec.state == "chargeback:under_review"
    assert rec.version == 1
    assert rec.history == [
        (
            "submit_evidence",
            "chargeback:needs_response",
            "chargeback:under_review",
            T0 + timedelta(days=3),
            "op_1",
            None,
        )
    ]


def test_advance_refusal_changes_nothing() -> None:
    rec = DisputeRecord(T0 + timedelta(days=30))
    with pytest.raises(DeadlinePassed):
        dispute.advance(rec, "submit_evidence", now=T0 + timedelta(days=31))
    with pytest.raises(InvalidTransition):
        dispute.advance(rec, "no_such_event", now=T0)
    assert (rec.state, rec.version, rec.history) == ("chargeback:needs_response", 0, [])


@given(
    st.lists(
        st.tuples(st.sampled_from(dispute.events), st.integers(0, 50 * 86_400)),
        max_size=8,
    )
)
def test_advance_and_fire_agree(steps: list[tuple[str, int]]) -> None:
    model = new_dispute()
    rec = DisputeRecord(model.due_by)
    now = T0
    for event, gap in steps:
        now = now + timedelta(seconds=gap)
        try:
            model = dispute.fire(model, event, now=now)
        except InvalidTransition:
            with pytest.raises(InvalidTransition):
                dispute.advance(rec, event, now=now)
            continue
        dispute.advance(rec, event, now=now)
        assert rec.state == f"{model.stage.value}:{model.status.value}"
        assert rec.version == model.version
        assert rec.due_by == model.due_by
        assert rec.evidence_submitted_at == model.evidence_submitted_at
        assert [h[0] for h in rec.history] == [e.event for e in model.history]


def test_advance_runs_the_time_checks_fire_runs() -> None:
    rec = DisputeRecord(T0 + timedelta(days=30))
    with pytest.raises(InvalidTransition) as early:
        dispute.advance(rec, "submit_evidence", now=T0 - timedelta(days=1))  # before opening
    assert early.value.code == "out_of_order"
    dispute.advance(rec, "submit_evidence", now=T0 + timedelta(days=3))
    with pytest.raises(InvalidTransition) as back:
        dispute.advance(rec, "win", now=T0 + timedelta(days=2))  # before the last event
    assert back.value.code == "out_of_order"
    with pytest.raises(ValidationFailed) as naive:
        dispute.advance(rec, "win", now=datetime(2026, 2, 1))  # naive on purpose
    assert naive.value.rule == "timezone_aware"
    assert (rec.state, rec.version) == ("chargeback:under_review", 1)
    assert rec.history[-1][3] == T0 + timedelta(days=3)


def test_advance_reads_the_acting_operator() -> None:
    @dataclass
    class RefundRecord:
        requested_by: str | None
        created_at: datetime = T0
        status: RefundStatus = RefundStatus.AWAITING_APPROVAL
        approved_by: str | None = None
        history: list[tuple[Any, ...]] = field(default_factory=list)
        version: int = 0

    rec = RefundRecord("op_j")
    with pytest.raises(InvalidTransition) as exc:
        refund.advance(rec, "approve", now=T0, actor="OP_J ")
    assert exc.value.code == "four_eyes"
    assert refund.advance(rec, "approve", now=T0, actor="op_x") == "requested"
    assert rec.approved_by == "op_x"


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 1, 3, 9, tzinfo=ZoneInfo("Europe/Berlin")),  # not a fixed offset
        datetime(2026, 1, 3, 9, tzinfo=timezone(timedelta(hours=-5))),
        datetime(2025, 12, 31, tzinfo=UTC),  # before opened_at
        datetime(2026, 3, 1, tzinfo=UTC),  # after due_by
    ],
)
def test_advance_and_fire_agree_on_any_timezone_and_date(now: datetime) -> None:
    d = new_dispute()
    # A record whose history holds the model's own entries, not the batch route's tuples.
    d = dispute.fire(d, "submit_evidence", now=T0 + timedelta(days=1))
    rec = DisputeRecord(
        due_by=d.due_by,
        status=d.status,
        evidence_submitted_at=d.evidence_submitted_at,
        history=list(d.history),
        version=d.version,
    )
    for event in ("win", "lose", "accept"):
        refusal: InvalidTransition | None = None
        try:
            fired: Any = dispute.fire(d, event, now=now)
        except InvalidTransition as exc:
            refusal = exc
        if refusal is not None:
            with pytest.raises(type(refusal)) as caught:
                dispute.advance(rec, event, now=now)
            assert (caught.value.code, caught.value.reason) == (refusal.code, refusal.reason)
            assert rec.version == d.version  # nothing changed
            continue
        target = dispute.advance(rec, event, now=now)
        assert target == dispute.state_of(fired)
        assert (rec.stage, rec.status, rec.version) == (fired.stage, fired.status, fired.version)
        assert rec.history[-1][3] == fired.history[-1].at
        return
