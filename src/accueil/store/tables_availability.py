"""Tables of availability and rules. Every row carries ``account_id``; nothing is overwritten
where history matters: manual statuses and rule versions are appended, the latest wins.

Times are stored in UTC; SQLite hands them back naive, ``as_utc`` in the services restores
the zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from accueil.store.tables import Base, Stamped
from accueil.store.types import UTCDateTime

_ACCOUNT = "accounts.id"
_PERSON = "people.id"


class ManualStatusRow(Base):
    """A status a person set; the latest row per person is the current one."""

    __tablename__ = "manual_statuses"
    __table_args__ = (Index("ix_manual_statuses_person", "account_id", "person_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(_ACCOUNT, ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON, ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20))  # a State, or "auto" when cleared
    until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(20), default="")
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RuleVersionRow(Base):
    """One saved version of the rules of a person, a group or the account (defaults)."""

    __tablename__ = "rule_versions"
    __table_args__ = (
        UniqueConstraint(
            "account_id", "scope", "owner_key", "version", name="uq_rule_versions_owner_version"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(_ACCOUNT, ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(10))  # person, group, account
    owner_key: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[int] = mapped_column(Integer)
    rules: Mapped[list[Any]] = mapped_column(default=list)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    saved_by: Mapped[str] = mapped_column(String(100), default="")


class CallerListRow(Stamped, Base):
    __tablename__ = "caller_lists"
    __table_args__ = (UniqueConstraint("account_id", "key", name="uq_caller_lists_account_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(_ACCOUNT, ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")


class CallerListEntryRow(Base):
    __tablename__ = "caller_list_entries"
    __table_args__ = (
        UniqueConstraint("list_id", "pattern", name="uq_caller_list_entries_list_pattern"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(_ACCOUNT, ondelete="CASCADE"), index=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("caller_lists.id", ondelete="CASCADE"))
    pattern: Mapped[str] = mapped_column(String(24))  # E.164, or '+digits*'
    label: Mapped[str] = mapped_column(String(200), default="")


class KnownContactRow(Stamped, Base):
    __tablename__ = "known_contacts"
    __table_args__ = (
        UniqueConstraint("account_id", "e164", name="uq_known_contacts_account_e164"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(_ACCOUNT, ondelete="CASCADE"))
    e164: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200), default="")


class CalendarFeedRow(Stamped, Base):
    """A person's calendar: a feed URL (or an uploaded file) and its last good copy."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (UniqueConstraint("person_id", name="uq_calendar_feeds_person"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(_ACCOUNT, ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON, ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text, default="")  # empty: an uploaded file
    # Up to 5 MB: loaded only when a refresh re-reads it, never by a decision.
    last_good: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    failures: Mapped[int] = mapped_column(Integer, default=0)
    # The last good copy expanded over the window decisions need (core.calendar.window_record),
    # written at refresh time so that no decision parses or expands a calendar.
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    window: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    skipped: Mapped[int] = mapped_column(Integer, default=0)  # events that could not be read
    notice: Mapped[str] = mapped_column(Text, default="")  # which, and why


class DelegationRow(Base):
    __tablename__ = "delegations"
    __table_args__ = (Index("ix_delegations_person", "account_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(_ACCOUNT, ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON, ondelete="CASCADE"))
    delegate_id: Mapped[int] = mapped_column(ForeignKey(_PERSON, ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class RotaRow(Stamped, Base):
    __tablename__ = "on_call_rotas"
    __table_args__ = (UniqueConstraint("account_id", "key", name="uq_on_call_rotas_account_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(_ACCOUNT, ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    shifts: Mapped[list[Any]] = mapped_column(default=list)


class ClosureRow(Base):
    __tablename__ = "account_closures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(_ACCOUNT, ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
