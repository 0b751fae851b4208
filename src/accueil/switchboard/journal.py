"""The switchboard's journal: its inputs in order, so its state can be rebuilt anywhere.

The switchboard is a fold over its inputs (telephony events with their decisions, agents'
actions), each stamped with its time on the engine's time line; the engine's own deadlines
follow from those times. The leader appends each input here *before* applying it, and now and
then a snapshot of the whole state. Whoever leads next (a standby that won the lock, or the
same process restarted) loads the last snapshot and replays the inputs after it: the same
calls in the same places, the same offers with the same fencing tokens, the same cursors on
the agents' desks.

Inputs and snapshots are versioned JSON of the switchboard's own types (``codec.py``): a
newer release reads an older journal, and a corrupted row is a clear error, never code run.
A journal row that does not load is moved aside whole (``switchboard_journal_quarantine``, with
the reason), said as an error with its place, and the inputs around it are replayed: a standby
takes over, and nothing is lost.
The two latest snapshots are kept with every input after the older one: a snapshot that does
not load is said in the log and the one before it is used.

On PostgreSQL the journal is written through the leader's own connection, the one that holds
the advisory lock (``switchboard/leader.py``): a leader that lost its lock cannot append.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, text

from accueil.store.tables_switchboard import JournalRow, QuarantinedRow, SnapshotRow, TermRow
from accueil.switchboard import codec

log = logging.getLogger(__name__)
Connect = Callable[[], AbstractContextManager[Connection]]
TERM_LOCK = 0x61636375_0002  # a new term waits for the appends in flight (PostgreSQL)


@dataclass(frozen=True)
class Entry:
    """One journaled input: its place, its time on the engine's time line, what it was."""

    seq: int
    at: float
    input: Any


@dataclass
class Saved:
    """What a new leader starts from: the last snapshot (None: the empty state) and the
    inputs after it, oldest first."""

    state: Any
    entries: list[Entry]

    @property
    def last_seq(self) -> int:
        return self.entries[-1].seq if self.entries else 0


class Journal:
    """Appends inputs and snapshots for one term of leadership; loads what was saved."""

    def __init__(self, engine: Engine, term: int = 0, connect: Connect | None = None) -> None:
        self.engine, self.term = engine, term
        self._connect: Connect | None = connect
        self.appended = 0
        self.last_seq = 0
        self.keep = 2  # snapshots kept: the latest, and the one to fall back to

    def append(self, at: float, entry: object) -> int:
        """Write one input (committed when this returns); its ``seq``. ``Deposed`` when a
        newer term has begun: this process leads no more, and writes nothing."""
        body = codec.dumps(entry)
        with (self._connect or self.engine.begin)() as connection:
            self._fence(connection)
            seq = connection.execute(
                insert(JournalRow)
                .values(term=self.term, at=at, kind=type(entry).__name__, body=body)
                .returning(JournalRow.seq)
            ).scalar_one()
        self.appended += 1
        self.last_seq = int(seq)
        return self.last_seq

    def _fence(self, connection: Connection) -> None:
        """Refuse to write for a term that is over. On PostgreSQL a shared transaction lock
        makes a new term wait for the appends in flight, so it loads them all."""
        if not self.term:
            return
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": TERM_LOCK})
        latest = connection.execute(select(func.max(TermRow.term))).scalar()
        if latest != self.term:
            raise Deposed(f"term {self.term} is over: term {latest} leads the switchboard")

    def snapshot(self, state: object, made_at: datetime) -> None:
        """Save ``state``, which includes every input appended so far. The ``keep`` latest
        snapshots are kept, and every input after the oldest of them: when the latest does
        not load, the one before it and the inputs since rebuild the same state."""
        body = codec.dumps(state)
        with (self._connect or self.engine.begin)() as connection:
            self._fence(connection)
            connection.execute(
                insert(SnapshotRow).values(
                    seq=self.last_seq, term=self.term, made_at=made_at, body=body
                )
            )
            kept = connection.execute(
                select(SnapshotRow.id, SnapshotRow.seq)
                .order_by(SnapshotRow.seq.desc(), SnapshotRow.id.desc())
                .limit(self.keep)
            ).all()
            if len(kept) < self.keep:  # nothing to fall back to yet: the journal stays whole
                return
            connection.execute(delete(JournalRow).where(JournalRow.seq <= kept[-1].seq))
            connection.execute(
                delete(SnapshotRow).where(SnapshotRow.id.not_in([k.id for k in kept]))
            )

    def load(self) -> Saved:
        """The latest snapshot that loads, and every input after it. A snapshot that does
        not load is said in the log and the one before it is tried; with none left, the
        inputs are replayed from the empty state when the journal still holds them all,
        else the switchboard starts empty (said in the log: what the journal lost)."""
        with self.engine.connect() as connection:
            state, after = None, 0
            snapshots = connection.execute(
                select(SnapshotRow.id, SnapshotRow.seq).order_by(
                    SnapshotRow.seq.desc(), SnapshotRow.id.desc()
                )
            ).all()
            for found in snapshots:
                body = connection.execute(
                    select(SnapshotRow.body).where(SnapshotRow.id == found.id)
                ).scalar_one()
                try:
                    state, after = codec.loads(body), int(found.seq)
                    break
                except codec.JournalFormatError as exc:  # corrupted, or another release's
                    log.error("switchboard snapshot at seq %s does not load: %s", found.seq, exc)
            if state is None and snapshots:
                after = self._without_snapshot(connection, int(snapshots[0].seq))
            rows = connection.execute(
                select(
                    JournalRow.seq, JournalRow.term, JournalRow.at, JournalRow.kind, JournalRow.body
                )
                .where(JournalRow.seq > after)
                .order_by(JournalRow.seq)
            ).all()
        entries, unloadable = _entries(rows)
        if unloadable:
            self._quarantine(unloadable)
        self.last_seq = int(rows[-1].seq) if rows else after
        return Saved(state, entries)

    def _quarantine(self, unloadable: list[tuple[Any, str]]) -> None:
        """Move the rows that do not load aside, whole, with the reason (nothing is lost; a
        person can read and mend them), and say each loudly with its place: the take-over
        replays the inputs around them rather than stop (the standby must take over)."""
        with (self._connect or self.engine.begin)() as connection:
            self._fence(connection)
            for row, reason in unloadable:
                connection.execute(
                    insert(QuarantinedRow).values(
                        seq=row.seq, term=row.term, at=row.at, kind=row.kind, body=row.body,
                        reason=reason[:500], moved_at=datetime.now(UTC),
                    )
                )  # fmt: skip
                connection.execute(delete(JournalRow).where(JournalRow.seq == row.seq))
        for row, reason in unloadable:
            log.error(
                "switchboard journal row %s (%s, term %s, at %.3f s) does not load: %s; moved "
                "to switchboard_journal_quarantine, the inputs after it are replayed without it",
                row.seq, row.kind, row.term, row.at, reason,
            )  # fmt: skip

    def _without_snapshot(self, connection: Connection, latest: int) -> int:
        """No snapshot loads: replay from the start if the journal still holds it (the seq
        after which to replay: 0), else start empty after the latest input (said loudly)."""
        firsts = [
            connection.execute(select(func.min(table.seq))).scalar()
            for table in (JournalRow, QuarantinedRow)  # a row moved aside is still the start
        ]
        first = min((f for f in firsts if f is not None), default=None)
        if (first is None and latest == 0) or first == 1:
            log.warning("no switchboard snapshot loads: the whole journal is replayed")
            return 0
        log.error(
            "no switchboard snapshot loads and the journal no longer holds its start (seq "
            "%s): the switchboard starts empty (what those inputs built is lost)",
            first,
        )
        last = connection.execute(select(func.max(JournalRow.seq))).scalar()
        return max(latest, int(last or 0))

    def length(self) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(select(func.count()).select_from(JournalRow)).scalar_one()
            )


class Deposed(Exception):
    """This process's term of leadership is over: another process leads the switchboard."""


def _entries(rows: Any) -> tuple[list[Entry], list[tuple[Any, str]]]:
    """The rows that load, as entries; those that do not, with the reason."""
    entries, unloadable = [], []
    for row in rows:
        try:
            entries.append(Entry(int(row.seq), float(row.at), codec.loads(row.body)))
        except codec.JournalFormatError as exc:
            unloadable.append((row, str(exc)))
    return entries, unloadable
