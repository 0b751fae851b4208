"""Tables of availability and rules. Every row carries ``account_id``; nothing is overwritten
where history matters: manual statuses and rule versions are appended, the latest wins.
Caller lists and rotas keep every saved version.
Delegations, closures, known contacts, calendars, caller lists and rotas are never deleted: a
removal stamps ``removed_at`` and ``removed_by`` (``Removable``), and every read that decides
leaves them out.

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from accueil.store.tables import Base, Removable, Stamped
from accueil.store.types import UTCDateTime

_ACCOUNT = "accounts.id"
_PERSON = "people.id"
CURRENT = text("removed_at IS NULL")  # the rows not removed (partial unique indexes)


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


class CallerListRow(Removable, Stamped, Base):
    __tablename__ = "caller_lists"
    __table_args__ = (UniqueConstraint("account_id", "key", name="uq_caller_lists_account_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(_ACCOUNT, ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer, default=0)  # the one in force (0: none yet)


class CallerListVersionRow(Base):
    """One saved version of a caller list: ``entries`` is ``[{pattern, label}]``; the list's
    ``version`` names the one in force, the earlier ones stay for history."""

    __tablename__ = "caller_list_versions"
    __table_args__ = (
        UniqueConstraint("list_id", "version", name="uq_caller_list_versions_list_version"),
        Index("ix_caller_list_versions_account", "account_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(_ACCOUNT, ondelete="CASCADE"))
    list_id: Mapped[int] = mapped_column(ForeignKey("caller_lists.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200), default="")
    entries: Mapped[list[Any]] = mapped_column(default=list)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    saved_by: Mapped[str] = mapped_column(String(100), default="")


class KnownContactRow(Removable, Stamped, Base):
    __tablename__ = "known_contacts"
    __table_args__ = (
        # one current contact per number; the removed ones stay beside it
        Index(
            "ux_known_contacts_current",
            "account_id",
            "e164",
            unique=True,
            sqlite_where=CURRENT,
            postgresql_where=CURRENT,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(_ACCOUNT, ondelete="CASCADE"))
    e164: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200), default="")


class CalendarFeedRow(Removable, Stamped, Base):
    """A person's calendar: a feed URL (or an uploaded file) and its last good copy."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        Index(
            "ux_calendar_feeds_current",
            "person_id",
            unique=True,
            sqlite_where=CURRENT,
            postgresql_where=CURRENT,
        ),
    )

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


class DelegationRow(Removable, Base):
    __tablename__ = "delegations"
    __table_args__ = (Index("ix_delegations_person", "account_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(_ACCOUNT, ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON, ondelete="CASCADE"))
    delegate_id: Mapped[int] = mapped_column(ForeignKey(_PERSON, ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class RotaRow(Removable, Stamped, Base):
    __tablename__ = "on_call_rotas"
    __table_args__ = (UniqueConstraint("account_id", "key", name="uq_on_call_rotas_account_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(_ACCOUNT, ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    # the version in force, as decisions and escalations read it (its copy in rota_versions)
    shifts: Mapped[list[Any]] = mapped_column(default=list)
    version: Mapped[int] = mapped_column(Integer, default=0)  # the one in force (0: none yet)


class RotaVersionRow(Base):
    """One saved version of an on-call rota (name and shifts); the rota's ``version`` names
    the one in force, the earlier ones stay for history."""

    __tablename__ = "on_call_rota_versions"
    __table_args__ = (
        UniqueConstraint("rota_id", "version", name="uq_on_call_rota_versions_rota_version"),
        Index("ix_on_call_rota_versions_account", "account_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(_ACCOUNT, ondelete="CASCADE"))
    rota_id: Mapped[int] = mapped_column(ForeignKey("on_call_rotas.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200), default="")
    shifts: Mapped[list[Any]] = mapped_column(default=list)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    saved_by: Mapped[str] = mapped_column(String(100), default="")


class ClosureRow(Removable, Base):
    __tablename__ = "account_closures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(_ACCOUNT, ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
