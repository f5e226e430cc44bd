"""Repositories and the unit of work: load and save aggregates, append events, log effects.

A :class:`UnitOfWork` is one database transaction. Everything a use case changes (the
aggregates, their new events, the effects to run, the case projection, the request and
webhook ids it answered) is written in it, or nothing is. Saving an aggregate checks the
storage version it was loaded at (optimistic concurrency): if another request saved it in the
meantime, :class:`~paysupport.errors.ConflictError` is raised and the whole transaction rolls
back; the web layer answers 409.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar

from examples.support_desk.db import (
    AggregateRow,
    CaseRow,
    EffectRow,
    EventRow,
    EvidenceRow,
    InboxRow,
    IndexRow,
    RequestRow,
)
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from paysupport import errors
from paysupport.errors import ConflictError
from paysupport.models import (
    Customer,
    Dispute,
    Evidence,
    LifecycleEvent,
    Merchant,
    Operator,
    Payment,
    PaymentFailure,
    PaysupportModel,
    Refund,
    RefundRequest,
    SupportCase,
)

M = TypeVar("M", bound=PaysupportModel)

#: The name each stored model type has in the ``aggregates.kind`` and ``events`` columns.
KINDS: dict[type[PaysupportModel], str] = {
    Payment: "payment",
    PaymentFailure: "failure",
    SupportCase: "case",
    RefundRequest: "refund_request",
    Operator: "operator",
    Merchant: "merchant",
    Customer: "customer",
    Refund: "refund",
    Dispute: "dispute",
}


class NotFound(errors.NotFound):
    """No stored record of that kind has that id: the library's ``NotFound`` (404)."""

    def __init__(self, kind: str, id: str, field: str = "id") -> None:
        super().__init__(kind, id, field)


def kind_of(model: PaysupportModel | type[PaysupportModel]) -> str:
    """The stored kind of a model (or model type)."""
    cls = model if isinstance(model, type) else type(model)
    return KINDS[cls]


def _histories(model: PaysupportModel) -> Iterator[tuple[str, str, tuple[LifecycleEvent, ...]]]:
    """Every event log an aggregate carries: its own, and those of the records it holds."""
    history = getattr(model, "history", None)
    if history is not None:
        yield kind_of(model), str(getattr(model, "id")), history  # noqa: B009
    if isinstance(model, Payment):
        for r in model.refunds:
            yield "refund", r.id, r.history
        for d in model.disputes:
            yield "dispute", d.id, d.history


class Repository:
    """Aggregates by kind and id, with the storage version each was loaded at."""

    def __init__(self, session: Session, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._clock = clock
        self._loaded: dict[tuple[str, str], int] = {}

    def find(self, model_type: type[M], id: str) -> M | None:
        """The aggregate, or ``None``; remembers its version for :meth:`save`."""
        kind = kind_of(model_type)
        row = self._session.get(AggregateRow, (kind, id))
        if row is None:
            return None
        self._loaded[(kind, id)] = row.version
        return model_type.model_validate_json(row.json)

    def get(self, model_type: type[M], id: str) -> M:
        """The aggregate (``NotFound`` if absent)."""
        found = self.find(model_type, id)
        if found is None:
            raise NotFound(kind_of(model_type), id)
        return found

    def all(self, model_type: type[M]) -> list[M]:
        """Every stored aggregate of a kind, by id (for small reference data)."""
        rows = self._session.scalars(
            select(AggregateRow).where(AggregateRow.kind == kind_of(model_type))
        )
        return [model_type.model_validate_json(r.json) for r in rows]

    def save(self, model: PaysupportModel) -> None:
        """Insert a new aggregate or update a loaded one, and append its new events.

        Raises:
            ConflictError: the stored version moved since this unit of work loaded it (or a
                new aggregate's id is taken).
        """
        kind, id = kind_of(model), str(getattr(model, "id"))  # noqa: B009
        now = self._clock()
        text = model.model_dump_json()
        expected = self._loaded.get((kind, id))
        if expected is None:
            existing = self._session.get(AggregateRow, (kind, id))
            if existing is not None:
                raise ConflictError(f"{kind} {id}", 0, existing.version)
            self._session.add(AggregateRow(kind=kind, id=id, version=1, json=text, updated_at=now))
            self._session.flush()
            self._loaded[(kind, id)] = 1
        else:
            result: Any = self._session.execute(
                update(AggregateRow)
                .where(
                    AggregateRow.kind == kind,
                    AggregateRow.id == id,
                    AggregateRow.version == expected,
                )
                .values(version=expected + 1, json=text, updated_at=now)
            )
            if result.rowcount != 1:
                actual = self._session.scalar(
                    select(AggregateRow.version).where(
                        AggregateRow.kind == kind, AggregateRow.id == id
                    )
                )
                raise ConflictError(f"{kind} {id}", expected, actual or 0)
            self._loaded[(kind, id)] = expected + 1
        for ev_kind, ev_id, history in _histories(model):
            self._append(ev_kind, ev_id, history)
        if isinstance(model, SupportCase):
            self._project_case(model)
        if isinstance(model, Payment):
            self._index_payment(model)

    def _index_payment(self, p: Payment) -> None:
        keys: list[tuple[str, str, str]] = []
        if p.provider_reference:
            keys.append((p.provider_reference, "payment", p.id))
        for r in p.refunds:
            keys.append((r.id, "refund", r.id))
            if r.provider_reference:
                keys.append((r.provider_reference, "refund", r.id))
        for d in p.disputes:
            keys.append((d.id, "dispute", d.id))
            if d.provider_reference:
                keys.append((d.provider_reference, "dispute", d.id))
        for key, kind, id in keys:
            if self._session.get(IndexRow, key) is None:
                self._session.add(IndexRow(key=key, kind=kind, id=id, payment_id=p.id))
        self._session.flush()

    def locate(self, key: str, kind: str | None = None) -> tuple[str, str] | None:
        """``(our id, payment id)`` of a refund, dispute or payment known by ``key``.

        ``key`` may be our id or the provider's.
        """
        row = self._session.get(IndexRow, key)
        if row is None or (kind is not None and row.kind != kind):
            return None
        return row.id, row.payment_id

    def _append(self, kind: str, id: str, history: tuple[LifecycleEvent, ...]) -> None:
        stored = (
            self._session.scalar(
                select(func.max(EventRow.seq)).where(
                    EventRow.aggregate_kind == kind, EventRow.aggregate_id == id
                )
            )
            or 0
        )
        if len(history) < stored:
            raise ConflictError(f"{kind} {id} history", stored, len(history))
        for seq, ev in enumerate(history[stored:], start=stored + 1):
            self._session.add(
                EventRow(
                    aggregate_kind=kind,
                    aggregate_id=id,
                    seq=seq,
                    event=ev.event,
                    json=ev.model_dump_json(),
                )
            )

    def _project_case(self, case: SupportCase) -> None:
        row = self._session.get(CaseRow, case.id)
        if row is None:
            row = CaseRow(id=case.id, kind="case", claim=case.claim.value, status="")
            self._session.add(row)
        row.status = case.status.value
        row.tier = case.tier.value if case.tier is not None else None
        row.assignee = case.assignee
        row.payment_id = case.payment_ids[0] if case.payment_ids else None
        self._session.flush()

    def events(self, kind: str, id: str) -> list[LifecycleEvent]:
        """The stored event log of one aggregate, in order."""
        rows = self._session.scalars(
            select(EventRow)
            .where(EventRow.aggregate_kind == kind, EventRow.aggregate_id == id)
            .order_by(EventRow.seq)
        )
        return [LifecycleEvent.model_validate_json(r.json) for r in rows]

    def cases(self, status: str | None = None) -> list[CaseRow]:
        """The case projection, optionally filtered by status."""
        query = select(CaseRow).order_by(CaseRow.id)
        if status is not None:
            query = query.where(CaseRow.status == status)
        return list(self._session.scalars(query))


class EvidenceStore:
    """Documents collected for disputes, kept until the response is submitted."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, dispute_id: str, evidence: Evidence) -> None:
        """File one document for a dispute."""
        self._session.add(EvidenceRow(dispute_id=dispute_id, json=evidence.model_dump_json()))

    def for_dispute(self, dispute_id: str) -> list[Evidence]:
        """The documents filed for a dispute, in order."""
        rows = self._session.scalars(
            select(EvidenceRow).where(EvidenceRow.dispute_id == dispute_id).order_by(EvidenceRow.pk)
        )
        return [Evidence.model_validate_json(r.json) for r in rows]


class EffectLog:
    """Effects by idempotency key: planned once, claimed once, finished once."""

    def __init__(self, session: Session, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._clock = clock

    def get(self, key: str) -> EffectRow | None:
        """The effect with this idempotency key, if it was ever planned."""
        return self._session.scalar(select(EffectRow).where(EffectRow.idempotency_key == key))

    def plan(self, key: str, kind: str, payload: str, due_at: datetime | None = None) -> bool:
        """Record an effect to run (``due_at``: when a retry is due); ``False`` if the key is known.

        A known key changes nothing: the effect runs once, whoever asks for it again.
        """
        if self.get(key) is not None:
            return False
        self._session.add(
            EffectRow(
                idempotency_key=key,
                kind=kind,
                json=payload,
                status="planned",
                due_at=due_at,
                planned_at=self._clock(),
            )
        )
        self._session.flush()  # the UNIQUE constraint is the last word on duplicates
        return True

    def claim(self, key: str, *, from_status: str = "planned") -> bool:
        """Move an effect to running; ``False`` if someone else already did (or it is done)."""
        result: Any = self._session.execute(
            update(EffectRow)
            .where(EffectRow.idempotency_key == key, EffectRow.status == from_status)
            .values(status="running")
        )
        return bool(result.rowcount == 1)

    def release(self, key: str) -> None:
        """Give a running effect back (its adapter could not reach the outside world)."""
        self._session.execute(
            update(EffectRow)
            .where(EffectRow.idempotency_key == key, EffectRow.status == "running")
            .values(status="planned")
        )

    def finish(self, key: str, status: str, result: str | None) -> None:
        """Record how a running effect ended (``done``, ``failed`` or ``unknown``)."""
        self._session.execute(
            update(EffectRow)
            .where(EffectRow.idempotency_key == key)
            .values(status=status, result=result, executed_at=self._clock())
        )

    def by_status(self, *statuses: str) -> list[EffectRow]:
        """Effects in the given statuses, oldest first."""
        return list(
            self._session.scalars(
                select(EffectRow).where(EffectRow.status.in_(statuses)).order_by(EffectRow.pk)
            )
        )

    def all(self) -> list[EffectRow]:
        """Every effect, oldest first."""
        return list(self._session.scalars(select(EffectRow).order_by(EffectRow.pk)))


class Inbox:
    """Provider notifications and client requests already handled."""

    def __init__(self, session: Session, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._clock = clock

    def seen(self, event_id: str) -> bool:
        """Whether this provider notification was applied already."""
        return self._session.get(InboxRow, event_id) is not None

    def remember(self, event_id: str, provider: str, object_id: str | None) -> None:
        """Record a provider notification as applied (in the same transaction)."""
        self._session.add(
            InboxRow(
                event_id=event_id, provider=provider, object_id=object_id, received_at=self._clock()
            )
        )

    def answered(self, request_id: str, kind: str) -> str | None:
        """The id a client request produced before, if it was handled already."""
        row = self._session.get(RequestRow, request_id)
        if row is None or row.kind != kind:
            return None
        return row.result_id

    def answer(self, request_id: str, kind: str, result_id: str) -> None:
        """Record that a client request produced ``result_id``."""
        self._session.add(RequestRow(request_id=request_id, kind=kind, result_id=result_id))


class UnitOfWork:
    """One transaction over the repositories: ``with uow: ...; uow.commit()``.

    Leaving the block without :meth:`commit` (or with an exception) rolls everything back.
    """

    def __init__(self, session_factory: Callable[[], Session], clock: Callable[[], datetime]):
        self._factory = session_factory
        self._clock = clock

    def __enter__(self) -> Self:
        self.session = self._factory()
        self.aggregates = Repository(self.session, self._clock)
        self.effects = EffectLog(self.session, self._clock)
        self.inbox = Inbox(self.session, self._clock)
        self.evidence = EvidenceStore(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        """Write everything done in this unit of work."""
        self.session.commit()
