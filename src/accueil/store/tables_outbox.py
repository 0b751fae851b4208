"""The outbox: every event, written in the transaction of the change it tells.

A row's ``id`` is the cursor a subscriber resumes from. ``published_at`` is set by the relay
once the event has been handed on; rows are never updated otherwise, nor deleted by accueil.
``account`` is the account's key ("" for the operator's own data), kept as text without a
foreign key so the history of an account survives its removal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from accueil.store.tables import Base
from accueil.store.types import UTCDateTime


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_account_id", "account", "id"),
        Index("ix_outbox_unpublished", "published_at", "id"),
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
