"""The directory's tables. Every row that belongs to a client carries ``account_id``.

Lists (languages, devices) are JSON columns: they are read and written whole, never queried
inside. Business hours are kept in their textual form, which is what people write and read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from accueil.store.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Stamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.now(), onupdate=func.now()
    )


class AccountRow(Stamped, Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    answer_name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    country: Mapped[str] = mapped_column(String(2), default="FR")
    subdivision: Mapped[str] = mapped_column(String(16), default="")
    languages: Mapped[list[Any]] = mapped_column(default=list)
    business_hours: Mapped[str] = mapped_column(Text, default="")
    tier: Mapped[str] = mapped_column(String(16), default="standard")
    target_seconds: Mapped[int] = mapped_column(Integer, default=20)
    notes: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(16), default="#4a6fa5")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped by every write to the account's people, groups or names: a cache of the directory
    # (the search index) checks it in one row read (services/directory_version.py).
    directory_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Bumped with every change a call's decision reads (directory, rules, lists, contacts,
    # rotas, closures), in the change's transaction: the switchboard's kept slices check it
    # in one row read per call (services/call_slices.py).
    routing_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DirectoryVersionRow(Base):
    """One row: the whole directory's version, bumped with any account's."""

    __tablename__ = "directory_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Removable:
    """A row taken down but kept: when and by whom (None: it is in use)."""

    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    removed_by: Mapped[str] = mapped_column(String(100), default="")


class GroupRow(Removable, Stamped, Base):
    """A team of an account. Taken down, never deleted: its key stays its own, and ``members``
    keeps who was in it then (the people leave it; putting it back brings them back)."""

    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("account_id", "key", name="uq_groups_account_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    members: Mapped[list[Any]] = mapped_column(default=list)  # person keys, when taken down


class PersonRow(Stamped, Base):
    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("account_id", "key", name="uq_people_account_key"),
        Index("ix_people_account_group", "account_id", "group_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    pronunciation: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    group_key: Mapped[str] = mapped_column(String(64), default="")
    languages: Mapped[list[Any]] = mapped_column(default=list)
    email: Mapped[str] = mapped_column(String(254), default="")
    # [{"key": "mobile", "kind": "mobile", "address": "+33612345678"}, …]
    devices: Mapped[list[Any]] = mapped_column(default=list)
    working_hours: Mapped[str | None] = mapped_column(Text, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class NumberRow(Stamped, Base):
    __tablename__ = "numbers"

    e164: Mapped[str] = mapped_column(String(20), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
    raw: Mapped[str] = mapped_column(String(64), default="")
    label: Mapped[str] = mapped_column(String(100), default="")


class NumberReleaseRow(Base):
    """A number released from an account, kept: what it led to (``person``: whose direct line;
    empty: the switchboard), who released it and when. The number itself is free again: giving
    it anew adds a ``numbers`` row, and every release stays here."""

    __tablename__ = "number_releases"
    __table_args__ = (Index("ix_number_releases_account_e164", "account_id", "e164"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    e164: Mapped[str] = mapped_column(String(20))
    person: Mapped[str] = mapped_column(String(64), default="")  # a person key, never reused
    raw: Mapped[str] = mapped_column(String(64), default="")
    label: Mapped[str] = mapped_column(String(100), default="")
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_by: Mapped[str] = mapped_column(String(100), default="")


class AgentRow(Stamped, Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    site: Mapped[str] = mapped_column(String(64), default="home")
    languages: Mapped[list[Any]] = mapped_column(default=list)
    sip_uri: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class TrainingRow(Base):
    __tablename__ = "agent_trainings"
    __table_args__ = (
        UniqueConstraint("agent_id", "account_id", name="uq_trainings_agent_account"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[int] = mapped_column(Integer, default=1)
