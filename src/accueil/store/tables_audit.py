"""The audit log: who changed what (or read personal data), when, from where. Append-only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from accueil.store.tables import Base
from accueil.store.types import UTCDateTime


class AuditRow(Base):
    """One audited request, written in the transaction of the change it made.

    The account is kept as its key, not a foreign key: the log outlives what it speaks of.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_account_id", "account", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the cursor
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    account: Mapped[str] = mapped_column(String(64), default="")  # "" for the operator's data
    user: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    operation: Mapped[str] = mapped_column(String(200))  # "PUT /api/v1/…/{person}/status"
    target: Mapped[str] = mapped_column(String(500))  # the path asked for
    request_id: Mapped[str] = mapped_column(String(64), default="")
    client: Mapped[str] = mapped_column(String(64), default="")  # the client's address
