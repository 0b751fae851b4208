"""Who hosts the engine: one process leads, the others serve the API and stand by.

On PostgreSQL the leader is the process that holds an advisory lock (``pg_try_advisory_lock``)
on a connection of its own, kept open for as long as it leads: when the process dies, even by
SIGKILL, the server drops the connection and the lock with it, and a standby that retries
takes it. Each leadership is a **term**, a row of ``switchboard_terms`` with the address agents
reach the leader at; the journal refuses appends from any term but the latest (``Deposed``),
so a leader that lost its lock without knowing cannot write past its successor.

On SQLite there is one process: it leads, always (its journal lets a restart resume).

The lock's key is made from the database's schema, so tests that run side by side in their own
schemas of one server do not elect each other.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert, select, text

from accueil.store.tables_switchboard import TermRow
from accueil.switchboard.journal import LATEST_TERM, TAKE_TERM_LOCK

log = logging.getLogger(__name__)
LEADER_LOCK = 0x61636375_0000
# the server ends the lock's session about 3 s after this process's host stops answering (a
# cut network), not after the system's default two hours: a standby can take over (TCP only)
KEEPALIVES = ("tcp_keepalives_idle", 1), ("tcp_keepalives_interval", 1), ("tcp_keepalives_count", 2)


@dataclass(frozen=True)
class Term:
    """One process's leadership: its number and the engine's time line it runs on."""

    number: int
    origin: datetime
    speed: float


class Leadership:
    """Tries to lead, tells whether it still does, begins a term, lets go."""

    def __init__(self, engine: Engine, address: str) -> None:
        self.engine, self.address = engine, address
        self.shared = engine.dialect.name == "postgresql"
        self._held: Connection | None = None
        self._session: int | None = None  # the server's pid of the session that holds the lock
        self._lost: int | None = None  # the session of a lock connection this process lost
        self._guard = threading.Lock()  # ``_held`` and ``_checking``, across threads
        self._checking: Connection | None = None  # the lock connection a check is using
        self.confirmed_at = 0.0  # ``time.monotonic()`` after which the lock was last known held
        self._key = LEADER_LOCK
        if self.shared:
            with engine.connect() as connection:
                schema = str(connection.execute(text("SELECT current_schema()")).scalar())
            self._key = LEADER_LOCK + zlib.crc32(schema.encode())

    def try_lead(self) -> bool:
        """Take the lead if nobody holds it (blocking: run it in a thread)."""
        if not self.shared:
            return True
        if self._held is not None:
            return True
        started = time.monotonic()
        connection, session = self.engine.connect(), 0
        try:
            won = self._lock(connection)
            if not won and self._lost is not None:
                won = self._end_lost_session(connection) and self._lock(connection)
            if won:  # the server drops this session soon after this process is cut off
                for name, value in KEEPALIVES:
                    connection.execute(text(f"SET {name} = {value}"))
                session = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
            connection.commit()
        except Exception:  # never back to the pool: its session may hold the lock
            connection.invalidate()
            connection.close()
            raise
        if not won:
            connection.close()
            return False
        log.info("this process holds the switchboard's lock")
        self._held, self._session, self._lost = connection, session, None
        self.confirmed_at = started
        return True

    def _lock(self, connection: Connection) -> bool:
        return bool(
            connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._key}).scalar()
        )

    def _end_lost_session(self, connection: Connection) -> bool:
        """The lock is held by the session of the lock connection this process lost (the
        server has not yet seen that it is gone: a cut network, a proxy): end it, so this
        process takes its own lock back now rather than when the server's keepalive gives
        up. Only that session, and only while it still holds this key."""
        lost, self._lost = self._lost, None
        holder = connection.execute(
            text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid::bigint = :hi AND objid::bigint = :lo AND objsubid = 1 AND pid = :pid"
            ),
            {"hi": self._key >> 32, "lo": self._key & 0xFFFFFFFF, "pid": lost},
        ).scalar()
        if holder is None:
            return False
        ended = bool(
            connection.execute(text("SELECT pg_terminate_backend(:p, 2000)"), {"p": lost}).scalar()
        )
        log.warning(
            "the switchboard's lock was still held by this process's lost session (pid %s): %s",
            lost,
            "ended" if ended else "could not be ended",
        )
        return ended

    def holds(self) -> bool:
        """Whether the lock's connection is still alive (blocking)."""
        if not self.shared:
            return True
        with self._guard:
            held = self._checking = self._held
        if held is None:
            return False
        started = time.monotonic()
        try:
            held.execute(text("SELECT 1")).scalar()
            held.commit()
            answered = True
        except Exception:
            log.exception("the leader's lock connection is lost")
            answered = False
        finally:
            with self._guard:
                self._checking = None
                given_up = self._held is not held  # released while this check hung
        if given_up:
            _close(held)
            return False
        if not answered:
            self.release()
            return False
        self.confirmed_at = started  # the session, so the lock, lived after this instant
        return True

    def begin_term(self, origin: datetime, speed: float) -> Term:
        """A new term, on the time line of the last one (the journal's), else from ``origin``."""
        with self.engine.begin() as connection:
            if self.shared:  # wait for the appends of the last term still in flight
                connection.execute(TAKE_TERM_LOCK)
            last = connection.execute(
                select(TermRow.origin, TermRow.speed).order_by(TermRow.term.desc()).limit(1)
            ).first()
            if last is not None:
                origin, speed = last.origin, last.speed
            number = connection.execute(
                insert(TermRow)
                .values(
                    address=self.address, started_at=datetime.now(UTC), origin=origin, speed=speed
                )
                .returning(TermRow.term)
            ).scalar_one()
        log.info("switchboard term %s begins: this process leads (%s)", number, self.address)
        return Term(int(number), origin, float(speed))

    def latest_term(self) -> int | None:
        """The number of the latest term (None: nobody led yet)."""
        with self.engine.connect() as connection:
            found = connection.execute(LATEST_TERM).scalar()
        return int(found) if found is not None else None

    def leader(self) -> str | None:
        """Where the latest leader said agents reach it (None: nobody led yet)."""
        with self.engine.connect() as connection:
            found = connection.execute(
                select(TermRow.address).where(TermRow.term == LATEST_TERM.scalar_subquery())
            ).scalar()
        return str(found) if found is not None else None

    def release(self) -> None:
        """Let go of the lock's connection. A check that hangs on it (a database that does
        not answer) closes it when it returns: never closed under a thread that uses it."""
        with self._guard:
            held, self._held = self._held, None
            self._lost, self._session = self._session, None
            in_use = held is not None and held is self._checking
        if held is not None and not in_use:
            _close(held)


def _close(held: Connection) -> None:
    try:  # closed for good (not back to the pool, where the lock would stay held)
        held.invalidate()
        held.close()
    except Exception:  # already broken: the server dropped it, and the lock
        log.debug("lock connection already closed", exc_info=True)
