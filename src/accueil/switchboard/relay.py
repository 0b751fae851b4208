"""The relay across processes: committed events reach every ``accueil serve`` process's
subscribers (caches, the leader's screen pops), whichever process committed them.

On PostgreSQL each process marks the rows it committed published and ``NOTIFY``s the channel;
each process ``LISTEN``s on a connection of its own (a thread) and, when told, reads the outbox
after its cursor and hands the events it did not commit itself to its subscribers, in order. A
notification lost (the listener reconnecting) costs nothing: the next one, or the periodic
read, takes up from the cursor. On SQLite there is one process: ``MarkPublished`` is enough.

Clients read events by cursor from the outbox (``/supervisor/events``), so a client never
depends on which process it asks.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from accueil.services.clock import Clock
from accueil.services.outbox import Envelope, read_outbox
from accueil.services.unit_of_work import MarkPublished
from accueil.store.tables_outbox import OutboxRow

log = logging.getLogger(__name__)
CHANNEL = "accueil_outbox"
HOLE_SECONDS = 10.0
Deliver = Callable[[Sequence[Envelope]], object]


class NotifyRelay(MarkPublished):
    """Marks the rows published and tells the other processes (PostgreSQL ``NOTIFY``)."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        super().__init__(engine, clock)
        self.engine = engine
        self.mine: set[int] = set()  # ids committed here, which the listener leaves out
        self._lock = threading.Lock()

    def forward(self, envelopes: Sequence[Envelope]) -> None:
        if not envelopes:
            return
        with self._lock:
            self.mine.update(e.id for e in envelopes)
        super().forward(envelopes)
        with self.engine.begin() as connection:
            connection.execute(
                text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": str(envelopes[-1].id)}
            )

    def is_mine(self, envelope_id: int) -> bool:
        with self._lock:
            if envelope_id in self.mine:
                self.mine.discard(envelope_id)
                return True
            return False


class Listener:
    """Hears the other processes' events and hands them to this process's subscribers."""

    def __init__(self, engine: Engine, relay: NotifyRelay, deliver: Deliver) -> None:
        self.engine, self.relay, self.deliver = engine, relay, deliver
        self.cursor = 0
        self.seen: set[int] = set()  # delivered above the cursor
        self.holes: dict[int, float] = {}  # ids not committed (yet), since when
        self.heard = 0  # events of other processes delivered here
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-listener", daemon=True)

    def start(self) -> None:
        with self.engine.connect() as connection:
            self.cursor = int(connection.execute(select(func.max(OutboxRow.id))).scalar() or 0)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception:  # the database is away: catch up from the cursor once back
                log.exception("outbox listener lost its connection: retrying")
                self._stop.wait(1.0)

    def _listen(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text(f"LISTEN {CHANNEL}"))
            connection.commit()
            raw = connection.connection.driver_connection
            assert raw is not None
            while not self._stop.is_set():
                self.catch_up()
                for _ in raw.notifies(timeout=1.0, stop_after=1):
                    break

    def catch_up(self) -> int:
        """Deliver every event after the cursor that another process committed.

        Outbox ids are given at insert and committed in any order, so an id missing below the
        newest one read may still come (a transaction in flight): it is read again until it
        does, or for ``HOLE_SECONDS`` (a rolled-back transaction leaves its id unused)."""
        delivered = 0
        with Session(self.engine) as session:
            while found := [
                e for e in read_outbox(session, after=self.cursor) if e.id not in self.seen
            ]:
                self._account(found)
                theirs = [e for e in found if not self.relay.is_mine(e.id)]
                if theirs:
                    self.deliver(theirs)
                    delivered += len(theirs)
        self.heard += delivered
        return delivered

    def _account(self, found: list[Envelope]) -> None:
        now = time.monotonic()
        ids = {e.id for e in found}
        self.seen.update(ids)
        for hole in [h for h in self.holes if h in ids or now - self.holes[h] > HOLE_SECONDS]:
            del self.holes[hole]
        newest = max(ids)
        for missing in range(self.cursor + 1, newest):
            if missing not in self.seen and missing not in self.holes:
                self.holes[missing] = now
        self.cursor = min(self.holes) - 1 if self.holes else newest
        self.seen = {i for i in self.seen if i > self.cursor}
