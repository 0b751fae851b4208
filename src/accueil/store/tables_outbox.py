"""The outbox: every event, written in the transaction of the change it tells.

A row's ``id`` is the cursor a subscriber resumes from; on PostgreSQL rows are read in the
order (``xact``, ``id``), settled rows only (``services/outbox.py``). ``published_at`` is set
by the relay once the event has been handed on; rows are never updated otherwise, nor deleted
by accueil.
``account`` is the account's key ("" for the operator's own data), kept as text without a
foreign key so the history of an account survives its removal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, FetchedValue, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from accueil.store.tables import Base
from accueil.store.types import UTCDateTime


class OutboxRow(Base):
    __tablename__ = "outbox"
    # ``xact`` is the server's and never read back on insert (nothing here needs it; an insert
    # that named it would fail on a database migrated only so far, as the migrations' tests do)
    __mapper_args__ = {"eager_defaults": False}  # noqa: RUF012 (SQLAlchemy reads it as is)
    __table_args__ = (
        Index("ix_outbox_account_id", "account", "id"),
        Index("ix_outbox_unpublished", "published_at", "id"),
        Index("ix_outbox_xact_id", "xact", "id"),
        Index("ix_outbox_account_xact_id", "account", "xact", "id"),
    )

    # BIGINT on PostgreSQL; SQLite needs INTEGER for its rowid alias (autoincrement)
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    account: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # PostgreSQL: the writing transaction's id, set by the server (migration 0022); readers
    # hand out only rows no transaction still running can precede. SQLite: empty (one writer)
    xact: Mapped[int | None] = mapped_column(
        BigInteger, nullable=True, server_default=FetchedValue()
    )
