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

import asyncio
import functools
import logging
import pickle
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, text

from accueil.store.tables_switchboard import JournalRow, QuarantinedRow, SnapshotRow, TermRow
from accueil.switchboard import codec

log = logging.getLogger(__name__)
Connect = Callable[[], AbstractContextManager[Connection]]
# A new term waits for the appends in flight (PostgreSQL): a transaction lock, the schema's
# (its two keys: this one and the schema's hash), as the leader's lock is, so that databases
# side by side in their own schemas of one server (the tests) never wait for each other's.
TERM_LOCK = 0x61636375
TAKE_TERM_LOCK = text(f"SELECT pg_advisory_xact_lock({TERM_LOCK}, hashtext(current_schema()))")


# built once: every batch of inputs runs them (building them cost about a third of an append)
_APPEND = insert(JournalRow).returning(JournalRow.seq, sort_by_parameter_order=True)
LATEST_TERM = select(func.max(TermRow.term))
_TERM_LOCK_SHARED = text(
    f"SELECT pg_advisory_xact_lock_shared({TERM_LOCK}, hashtext(current_schema()))"
)


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
        return self.append_many([(at, entry)])

    def append_many(self, entries: Sequence[tuple[float, object]]) -> int:
        """Write ``entries`` (time, input) in order in **one transaction** (committed when
        this returns); the last one's ``seq``. ``Deposed`` as ``append``."""
        if not entries:
            return self.last_seq
        rows = [
            {"term": self.term, "at": at, "kind": type(entry).__name__, "body": codec.dumps(entry)}
            for at, entry in entries
        ]
        with (self._connect or self.engine.begin)() as connection:
            self._fence(connection)
            seqs = connection.execute(_APPEND, rows).scalars().all()
        self.appended += len(rows)
        self.last_seq = int(seqs[-1])
        return self.last_seq

    def _fence(self, connection: Connection) -> None:
        """Refuse to write for a term that is over. On PostgreSQL a shared transaction lock
        makes a new term wait for the appends in flight, so it loads them all."""
        if not self.term:
            return
        if connection.dialect.name == "postgresql":
            connection.execute(_TERM_LOCK_SHARED)
        latest = connection.execute(LATEST_TERM).scalar()
        if latest != self.term:
            raise Deposed(f"term {self.term} is over: term {latest} leads the switchboard")

    def snapshot(self, state: object, made_at: datetime) -> None:
        """Save ``state``, which includes every input appended so far. The ``keep`` latest
        snapshots are kept, and every input after the oldest of them: when the latest does
        not load, the one before it and the inputs since rebuild the same state."""
        self.snapshot_body(codec.dumps(state), made_at)

    def snapshot_body(self, body: bytes, made_at: datetime) -> None:
        """``snapshot`` of a state already made into its document (``codec.dumps``)."""
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


class JournalWriter:
    """The journal's one thread: appends (a batch of inputs in one transaction) and snapshots,
    in order, off the event loop. One write at a time; a write the database does not answer
    in time goes on in its thread, and later batches wait in memory behind it (said once)."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="journal")
        self._busy: asyncio.Future[Any] | None = None  # the append in flight
        self._hung = False  # an append outlived its wait: batches do not wait on it again
        self.deposed = False
        self.transactions = 0  # appends committed (figures for the bench)

    async def drain(
        self,
        journal: Journal,
        backlog: deque[tuple[float, Any]],
        bound: float,
        read: Callable[[], Any] | None = None,
    ) -> tuple[bool, Any]:
        """Append everything in ``backlog`` (removed as it is committed) and then run
        ``read`` (what the batch's effects need read: the screen pops), in one hop to this
        thread, waiting at most ``bound`` seconds. Whether it is all written, and what
        ``read`` gave (None when it was not run: the database away or too slow).
        ``Deposed`` sets ``deposed``."""
        if self.deposed or (not backlog and read is None):
            return not backlog, None
        if self._busy is not None:  # the last one still hangs: the batch waits in memory
            return False, None
        loop = asyncio.get_running_loop()
        batch = list(backlog)
        busy = self._busy = loop.run_in_executor(self._thread, _append_then, journal, batch, read)
        busy.add_done_callback(functools.partial(self._written, backlog, batch))
        await asyncio.wait({busy}, timeout=bound)
        if not busy.done():
            self._hung = True
            log.error(
                "the journal's database has not answered in %.1f s: %d inputs wait in memory, "
                "in order, and calls go on from it", bound, len(backlog),
            )  # fmt: skip
            return False, None
        if busy.cancelled() or busy.exception() is not None:
            return False, None
        return not backlog, busy.result()

    def _written(
        self, backlog: deque[tuple[float, Any]], batch: list[Any], done: asyncio.Future[Any]
    ) -> None:
        self._busy = None
        if self._hung:
            self._hung = False
            log.warning("the journal's database answers again")
        error = done.exception() if not done.cancelled() else None
        if isinstance(error, Deposed):
            self.deposed = True
            log.error("the journal refuses this term: %s", error)
        elif error is not None or done.cancelled():
            log.error("journal unavailable (%s): %d inputs wait in memory", error, len(backlog))
        else:
            self.transactions += 1
            for _ in batch:  # the oldest first: what was written
                backlog.popleft()

    def snapshot(self, journal: Journal, state: object, made_at: datetime) -> None:
        """A snapshot of ``state``, written in the journal's thread after the appends before
        it. The state moves on meanwhile, so it is copied here, on the loop, with pickle (in
        memory only, never stored: C speed, about an eighth of the journal's encoding, which
        grows with the desks' kept messages and held the loop for 100 ms and more a snapshot
        under load); the copy is made into its document in the thread."""
        try:
            copy: bytes | None = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
            body = b""
        except Exception:  # not picklable (a journal type pickle cannot copy): encoded here
            copy, body = None, codec.dumps(state)

        def document() -> bytes:
            return codec.dumps(pickle.loads(copy)) if copy is not None else body

        def write() -> None:
            try:
                journal.snapshot_body(document(), made_at)
            except Exception:  # the journal still holds every input: a later one will do
                log.exception("switchboard snapshot not saved")

        self._thread.submit(write)

    def close(self) -> None:
        """No more writes; one in flight ends in its thread (never waited for here)."""
        self._thread.shutdown(wait=False)


def _append_then(
    journal: Journal, batch: list[tuple[float, Any]], read: Callable[[], Any] | None
) -> Any:
    if batch:
        journal.append_many(batch)
    return read() if read is not None else None


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
