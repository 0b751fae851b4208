"""The relay across processes: committed events reach every ``accueil serve`` process's
subscribers (caches, the leader's screen pops), whichever process committed them.

On PostgreSQL each process marks the rows it committed published and ``NOTIFY``s the channel;
each process ``LISTEN``s on a connection of its own (a thread) and, when told, reads the outbox
after its cursor — settled events only, in the order clients get them (``read_settled``) — and
hands them all to the process's event streams, and those it did not commit itself to its
subscribers, in order. A notification lost (the listener reconnecting) costs nothing: the next
one, or the periodic read, takes up from the cursor. On SQLite there is one process:
``MarkPublished`` is enough, and the streams hear the events at commit.

Clients read events by cursor from the outbox (``/supervisor/events``), so a client never
depends on which process it asks; the streams hand out the same order, so a cursor got live
resumes as well as one got by reading.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from accueil.services.clock import Clock
from accueil.services.outbox import Envelope, latest_cursor, read_settled
from accueil.services.unit_of_work import MarkPublished

log = logging.getLogger(__name__)
CHANNEL = "accueil_outbox"
HELD_SECONDS = 0.05
Deliver = Callable[[Sequence[Envelope]], object]
Feed = Callable[[Envelope], object]


class NotifyRelay(MarkPublished):
    """Marks the rows published and tells the other processes (PostgreSQL ``NOTIFY``)."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        super().__init__(engine, clock)
        self.engine = engine
        # ids written here, which the listener leaves out: claimed at their flush (before
        # the commit, so the listener never reads one unclaimed), let go when it reads them
        self.mine: set[int] = set()
        self._lock = threading.Lock()

    def claim(self, ids: Iterable[int]) -> None:
        with self._lock:
            self.mine.update(ids)

    def release(self, ids: Iterable[int]) -> None:
        with self._lock:
            self.mine.difference_update(ids)

    def forward(self, envelopes: Sequence[Envelope]) -> None:
        if not envelopes:
            return
        super().forward(envelopes)
        with self.engine.begin() as connection:
            connection.execute(
                text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": str(envelopes[-1].id)}
            )

    def is_mine(self, envelope_id: int) -> bool:
        """Read by the listener, once: a claim is let go as it is found."""
        with self._lock:
            if envelope_id in self.mine:
                self.mine.discard(envelope_id)
                return True
            return False


class Listener:
    """Hears the committed events of every process, settled, in the order clients get them
    (``read_settled``): hands them all to ``feed`` (this process's event streams) and those
    another process committed to this process's subscribers (``deliver``)."""

    def __init__(
        self, engine: Engine, relay: NotifyRelay, deliver: Deliver, feed: Feed | None = None
    ) -> None:
        self.engine, self.relay, self.deliver, self.feed = engine, relay, deliver, feed
        self.cursor = 0  # the id of the last event read: its place in the settled order
        self.held = False  # committed events wait behind a transaction still running
        self.heard = 0  # events of other processes delivered here
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-listener", daemon=True)

    def start(self) -> None:
        with Session(self.engine) as session:
            self.cursor = latest_cursor(session)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            try:  # wake the thread now rather than at its next look
                with self.engine.begin() as connection:
                    connection.execute(text("SELECT pg_notify(:c, '')"), {"c": CHANNEL})
            except Exception:  # the database away: it wakes within its wait
                log.debug("could not wake the outbox listener", exc_info=True)
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
                # events held behind a transaction still running: look again soon (that
                # transaction may have emitted nothing, so no notification would come)
                wait = HELD_SECONDS if self.held else 1.0
                for _ in raw.notifies(timeout=wait, stop_after=1):
                    break

    def catch_up(self) -> int:
        """Read every settled event after the cursor: all to ``feed``, those another process
        committed to ``deliver``. Returns how many of the latter."""
        delivered = 0
        with Session(self.engine) as session:
            while found := (page := read_settled(session, after=self.cursor)).envelopes:
                self.cursor = found[-1].id
                if self.feed is not None:
                    for envelope in found:
                        self.feed(envelope)
                theirs = [e for e in found if not self.relay.is_mine(e.id)]
                if theirs:
                    self.deliver(theirs)
                    delivered += len(theirs)
                session.rollback()  # a fresh snapshot for the next page
            self.held = page.held
        self.heard += delivered
        return delivered
