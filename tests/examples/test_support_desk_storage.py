"""The support desk's storage and adapters on their own: unit of work, effects, seeding."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("fastapi")

from examples.support_desk.db import make_engine
from examples.support_desk.gateway import FakeGateway, GatewayTimeout
from examples.support_desk.repository import UnitOfWork
from examples.support_desk.seed import sample_portfolio, seed
from examples.support_desk.service import _dump, _load_effect
from sqlalchemy.orm import Session, sessionmaker

from paysupport import lifecycles
from paysupport.errors import ConflictError
from paysupport.models import Payment
from paysupport.money import Money
from paysupport.networks import DisputeStage
from paysupport.workflows import IssueRefund, ScheduleRetry, SubmitEvidence

Sessions = sessionmaker[Session]
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def uow_factory(tmp_path: Path) -> Sessions:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    return sessionmaker(engine, expire_on_commit=False)


def _uow(factory: Sessions) -> UnitOfWork:
    return UnitOfWork(factory, lambda: NOW)


def test_a_stale_save_is_a_conflict_and_changes_nothing(uow_factory: Sessions) -> None:
    portfolio, _ = sample_portfolio()
    assert seed(_uow(uow_factory), portfolio) > 0
    assert seed(_uow(uow_factory), portfolio) == 0  # seeding twice is harmless

    with _uow(uow_factory) as first, _uow(uow_factory) as second:
        a = first.aggregates.get(Payment, "pay_1001")
        b = second.aggregates.get(Payment, "pay_1001")
        first.aggregates.save(a.evolve(description="first writer"))
        first.commit()
        with pytest.raises(ConflictError):
            second.aggregates.save(b.evolve(description="second writer"))
    with _uow(uow_factory) as check:
        assert check.aggregates.get(Payment, "pay_1001").description == "first writer"


def test_events_are_appended_from_the_history_and_never_rewritten(
    uow_factory: Sessions,
) -> None:
    seed(_uow(uow_factory))
    with _uow(uow_factory) as uow:
        p = uow.aggregates.get(Payment, "pay_1001")
        dispute = p.disputes[0]
        answered = lifecycles.dispute.fire(dispute, "submit_evidence", now=NOW)
        uow.aggregates.save(p.with_dispute(answered))
        uow.commit()
    with _uow(uow_factory) as uow:
        events = uow.aggregates.events("dispute", dispute.id)
        assert [e.event for e in events] == ["submit_evidence"]
        p = uow.aggregates.get(Payment, "pay_1001")
        assert p.dispute(dispute.id).history == tuple(events)
        rewound = p.with_dispute(dispute)  # the history without its last event
        with pytest.raises(ConflictError):
            uow.aggregates.save(rewound)


def test_an_effect_key_is_planned_once(uow_factory: Sessions) -> None:
    effect = IssueRefund(
        payment_id="p1", refund_id="rf_1", amount=Money.of("5.00", "EUR"), provider="stripe"
    )
    with _uow(uow_factory) as uow:
        assert uow.effects.plan(effect.idempotency_key, effect.kind, _dump(effect))
        assert not uow.effects.plan(effect.idempotency_key, effect.kind, _dump(effect))
        assert uow.effects.claim(effect.idempotency_key)
        assert not uow.effects.claim(effect.idempotency_key)
        uow.commit()


@pytest.mark.parametrize(
    "effect",
    [
        IssueRefund(payment_id="p1", refund_id="rf_1", amount=Money.of("5.00", "EUR")),
        ScheduleRetry(
            failure_id="f1", attempt=2, at=NOW + timedelta(days=1), amount=Money.of("9", "USD")
        ),
        SubmitEvidence(payment_id="p1", dispute_id="d1", stage=DisputeStage.CHARGEBACK),
    ],
)
def test_a_stored_effect_reloads_with_the_same_idempotency_key(effect: object) -> None:
    from paysupport.workflows import Effect

    assert isinstance(effect, Effect)
    again = _load_effect(_dump(effect))
    assert type(again) is type(effect)
    assert again.idempotency_key == effect.idempotency_key


def test_the_fake_gateway_pays_once_per_key() -> None:
    g = FakeGateway()
    amount = Money.of("12.00", "EUR")
    one = g.refund(payment_reference="ch_1", amount=amount, idempotency_key="k1")
    two = g.refund(payment_reference="ch_1", amount=amount, idempotency_key="k1")
    assert one == two
    assert len(g.entries("refund")) == 1
    assert (
        g.refund(
            payment_reference="ch_1", amount=Money.of("1.13", "EUR"), idempotency_key="k2"
        ).outcome
        == "failed"
    )
    with pytest.raises(GatewayTimeout):
        g.refund(payment_reference="ch_1", amount=Money.of("1.99", "EUR"), idempotency_key="k3")
    assert (
        g.refund(
            payment_reference="ch_1", amount=Money.of("1.99", "EUR"), idempotency_key="k3"
        ).outcome
        == "succeeded"
    )
    assert len(g.entries("refund")) == 2
