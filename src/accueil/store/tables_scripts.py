"""Tables of scripts and of call records. Every row carries ``account_id``.

Script versions are appended, never updated: a save is a new version, a rollback is a new
version equal to an old one. A call record keeps the script version it used (``script_ref``)
and, when a message was taken, the message's fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from accueil.store.tables import Base
from accueil.store.types import UTCDateTime


class ScriptVersionRow(Base):
    """One saved version of the script layer of an account, a group or a person."""

    __tablename__ = "script_versions"
    __table_args__ = (
        UniqueConstraint(
            "account_id", "scope", "owner_key", "version", name="uq_script_versions_owner_version"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(10))  # account, group, person
    owner_key: Mapped[str] = mapped_column(String(64), default="")  # "" for the account
    version: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(8))  # yaml, json
    source: Mapped[str] = mapped_column(Text)  # the text as authored, comments included
    file: Mapped[str] = mapped_column(String(200), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    saved_by: Mapped[str] = mapped_column(String(100), default="")


class CallRecordRow(Base):
    """One call answered for an account: who called, what the script did, what was taken."""

    __tablename__ = "call_records"
    __table_args__ = (
        Index("ix_call_records_account_caller", "account_id", "caller", "started_at"),
        # the screen pop asks "has this agent served this account lately?" on every offer
        Index("ix_call_records_account_agent", "account_id", "agent_key", "started_at"),
        # the supervisor's figures of the day read every account's records of a time range
        Index("ix_call_records_started", "started_at"),
        # a switchboard that replays its journal writes a record only where none was
        Index("ix_call_records_call_id", "call_id"),
        # one record per call, whoever writes it (a deposed leader's thread, its successor)
        Index(
            "ux_call_records_call_id",
            "account_id",
            "call_id",
            unique=True,
            sqlite_where=text("call_id <> ''"),
            postgresql_where=text("call_id <> ''"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
    call_id: Mapped[str] = mapped_column(String(64), default="")
    caller: Mapped[str] = mapped_column(String(20), default="")  # E.164, "" when withheld
    caller_name: Mapped[str] = mapped_column(String(200), default="")
    dialled: Mapped[str] = mapped_column(String(20), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    agent_key: Mapped[str] = mapped_column(String(64), default="")
    script_ref: Mapped[str] = mapped_column(String(200), default="")
    outcome: Mapped[str] = mapped_column(String(20), default="")  # an ActionKind, or ""
    urgency: Mapped[str] = mapped_column(String(10), default="")
    # [[field id, label, value], …] when a message was taken
    message: Mapped[Any] = mapped_column(JSON, nullable=True)
    # answered, abandoned, overflowed, connected (to the person's device), rejected, unanswered
    fate: Mapped[str] = mapped_column(String(16), default="answered", server_default="answered")
    waited_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)  # until answered
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    familiar: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # the engine's verdict
    treatment: Mapped[str] = mapped_column(String(16), default="", server_default="")
    rule: Mapped[str] = mapped_column(String(200), default="", server_default="")
