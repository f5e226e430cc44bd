"""The database schema: SQLAlchemy 2.x declarative tables.

- ``aggregates``: the current state of each aggregate as the library's JSON, with a storage
  version for optimistic concurrency (``kind``, ``id``, ``version``, ``json``).
- ``events``: the append-only log of every aggregate's lifecycle events (``seq`` from 1).
- ``effects``: every effect a workflow asked for, by its idempotency key (UNIQUE), with its
  status (``planned`` or ``scheduled`` → ``running`` → ``done`` / ``failed`` /
  ``unknown``) and the result.
- ``cases``: a queryable projection of support cases (status, tier, assignee) for queues.
- ``inbox``: provider notifications already applied, by event id (webhooks arrive twice).
- ``requests``: client request ids already answered (a replayed POST returns the same answer).
- ``lookup``: refund, dispute and provider ids → the payment that holds them.
- ``evidence``: documents collected for a dispute before the response goes in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    Engine,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """The declarative base of the support desk's tables."""


class AggregateRow(Base):
    """One aggregate's current state (a Payment, a PaymentFailure, a SupportCase...)."""

    __tablename__ = "aggregates"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    json: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class EventRow(Base):
    """One lifecycle event of one aggregate; rows are only ever inserted."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("aggregate_kind", "aggregate_id", "seq"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    aggregate_kind: Mapped[str] = mapped_column(String(32), nullable=False)
    aggregate_id: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    event: Mapped[str] = mapped_column(String(64), nullable=False)
    json: Mapped[str] = mapped_column(Text, nullable=False)


class EffectRow(Base):
    """One effect, executed at most once per idempotency key."""

    __tablename__ = "effects"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    json: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="planned")
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    planned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    executed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CaseRow(Base):
    """A support case as a queue sees it (the full case is in ``aggregates``)."""

    __tablename__ = "cases"
    __table_args__ = (ForeignKeyConstraint(["kind", "id"], ["aggregates.kind", "aggregates.id"]),)

    kind: Mapped[str] = mapped_column(String(32), nullable=False, default="case")
    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    claim: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    tier: Mapped[str | None] = mapped_column(String(16), nullable=True)
    assignee: Mapped[str | None] = mapped_column(String(255), nullable=True)
    payment_id: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)


class InboxRow(Base):
    """A provider notification already applied (Stripe event id, Adyen derived id)."""

    __tablename__ = "inbox"

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    provider: Mapped[str] = mapped_column(String(16), nullable=False)
    object_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class RequestRow(Base):
    """A client request id already handled, and the aggregate it produced."""

    __tablename__ = "requests"

    request_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    result_id: Mapped[str] = mapped_column(String(255), nullable=False)


class IndexRow(Base):
    """Where a record embedded in a payment lives: refund and dispute ids, provider ids."""

    __tablename__ = "lookup"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    id: Mapped[str] = mapped_column(String(255), nullable=False)
    payment_id: Mapped[str] = mapped_column(String(255), nullable=False)


class EvidenceRow(Base):
    """A document collected for a dispute (the evidence store), before it is submitted."""

    __tablename__ = "evidence"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dispute_id: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    json: Mapped[str] = mapped_column(Text, nullable=False)


def make_engine(database_url: str) -> Engine:
    """An engine for ``database_url`` with the schema created (SQLite gets foreign keys on)."""
    engine = create_engine(database_url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
            cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    Base.metadata.create_all(engine)
    return engine
