"""The switchboard's journal: the engine host's inputs, in order, so that another process (a
standby that wins the leader's lock, or the same one restarted) rebuilds the same state.

``switchboard_journal`` holds each input (versioned JSON, ``switchboard/codec.py``, with its
time on the engine's time line) appended by the leader before it applies it;
``switchboard_snapshots`` the whole state now and then, with the last journal row it covers;
``switchboard_terms`` one row per leadership, with the address agents reconnect to;
``switchboard_journal_quarantine`` the journal rows a take-over could not load, moved aside
whole with the reason (nothing lost, the rest replayed).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from accueil.store.tables import Base
from accueil.store.types import UTCDateTime

# BIGINT on PostgreSQL; SQLite needs INTEGER for its rowid alias (autoincrement)
_SEQ = BigInteger().with_variant(Integer, "sqlite")


class JournalRow(Base):
    __tablename__ = "switchboard_journal"

    seq: Mapped[int] = mapped_column(_SEQ, primary_key=True, autoincrement=True)
    term: Mapped[int] = mapped_column(Integer)
    at: Mapped[float] = mapped_column(Float)  # the engine's seconds
    kind: Mapped[str] = mapped_column(String(32))  # the input's class, for people reading
    body: Mapped[bytes] = mapped_column(LargeBinary)


class QuarantinedRow(Base):
    """A journal row that does not load (corrupted, of a newer format), kept as it was."""

    __tablename__ = "switchboard_journal_quarantine"

    seq: Mapped[int] = mapped_column(_SEQ, primary_key=True, autoincrement=False)  # as it was
    term: Mapped[int] = mapped_column(Integer)
    at: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(32))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    reason: Mapped[str] = mapped_column(String(500))
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SnapshotRow(Base):
    __tablename__ = "switchboard_snapshots"

    id: Mapped[int] = mapped_column(_SEQ, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(_SEQ)  # the last journal row the state includes
    term: Mapped[int] = mapped_column(Integer)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    body: Mapped[bytes] = mapped_column(LargeBinary)


class TermRow(Base):
    __tablename__ = "switchboard_terms"

    term: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    address: Mapped[str] = mapped_column(String(200))  # where agents reach this leader
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    origin: Mapped[datetime] = mapped_column(UTCDateTime)  # second 0 of the engine's time line
    speed: Mapped[float] = mapped_column(Float)
