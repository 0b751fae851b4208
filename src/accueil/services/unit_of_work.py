"""One write path: a unit of work is one transaction plus the events it emits.

``Application`` is what an edge (the CLI, the API, the switchboard) builds once: the engine,
the clock, the caches, and the subscribers that hear about changes. ``app.unit_of_work()``
opens one transaction; services write through its session and ``emit`` their events into the
outbox in that same transaction. When it commits, the events are handed to the in-process
subscribers, in order, and then to the relay (by default: mark the outbox rows published).
When it rolls back, nothing is published: the events are gone with the changes they told.

``docs/events.md`` describes the events, the outbox and how to subscribe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, cast

from sqlalchemy import Engine, bindparam, event, inspect, update
from sqlalchemy.orm import Session, sessionmaker

from accueil.services.caching import CACHES, SEARCH
from accueil.services.clock import Clock
from accueil.services.events import DirectoryImported, Event
from accueil.services.outbox import (
    PENDING,
    Envelope,
    committed,
    emit,
    forget_rolled_back,
    unpublished,
)
from accueil.store.tables_outbox import OutboxRow

log = logging.getLogger(__name__)

Subscriber = Callable[[Envelope], None]


class Relay(Protocol):
    """Hands committed events on beyond this process and records that it did."""

    def claim(self, ids: Iterable[int]) -> None:
        """These outbox rows are this process's own (written, not yet committed): a relay
        across processes must not hand them here again. Told at each flush, before the
        commit, so that no listener can read them committed and not yet claimed."""
        ...

    def release(self, ids: Iterable[int]) -> None:
        """Claimed, but rolled back, or a subscriber failed on them (left to be heard again)."""
        ...

    def forward(self, envelopes: Sequence[Envelope]) -> None: ...


_MARK = (  # built once: every transaction that emits runs it
    update(OutboxRow)
    .where(OutboxRow.id.in_(bindparam("ids", expanding=True)))
    .values(published_at=bindparam("at"))
)


class MarkPublished:
    """The relay of a single process: its subscribers have the events; mark the rows published.

    The live service replaces it with one that also crosses processes (PostgreSQL NOTIFY).
    """

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine, self._clock = engine, clock

    def claim(self, ids: Iterable[int]) -> None:
        """One process: nothing else hands events here."""

    def release(self, ids: Iterable[int]) -> None:
        """One process: nothing else hands events here."""

    def forward(self, envelopes: Sequence[Envelope]) -> None:
        if not envelopes:
            return
        ids = [e.id for e in envelopes]
        with self._engine.begin() as connection:
            connection.execute(_MARK, {"ids": ids, "at": self._clock.now()})


@dataclass
class UnitOfWork:
    """One transaction: ``session`` to read and write, ``now`` from the clock, ``emit``."""

    session: Session
    now: datetime

    def emit(self, event: Event) -> None:
        """Write ``event`` to the outbox with the change; subscribers hear of it after commit."""
        emit(self.session, event)


class Caches:
    """The caches an application owns, cleared by the outbox's events.

    Directory search indexes (``search``), calendar timelines (``calendar_windows``) and built
    scripts (``script_layers``), each made the first time a service asks for it
    (``caching.cache_of``). Calendars and scripts are keyed by content, so a change is a new key
    and nothing needs clearing; search indexes are built from the directory and are dropped for
    an account when its directory changes.
    """

    def __init__(self) -> None:
        self.made: dict[str, object] = {}

    def info(self) -> dict[str, object]:
        """What every session of the application carries (see ``caching.cache_of``)."""
        return {CACHES: self.made}

    def on_event(self, envelope: Envelope) -> None:
        """The public invalidation hook: drop what ``envelope``'s change made stale."""
        found = envelope.event
        search = self.made.get(SEARCH)
        if isinstance(found, DirectoryImported) and search is not None:
            # agents ("" account) are in no search index, but an operator-wide import may
            # rename accounts: drop the cross-account index in every case
            cast(Forgets, search).forget(found.account or None)


class Forgets(Protocol):
    def forget(self, account: str | None = None) -> None: ...


class Application:
    """The engine, the clock, the caches and the subscribers of one process."""

    def __init__(self, engine: Engine, clock: Clock, *, relay: Relay | None = None) -> None:
        self.engine, self.clock = engine, clock
        self.caches = Caches()
        self.relay: Relay = relay or MarkPublished(engine, clock)
        self.sessions = sessionmaker(engine, expire_on_commit=False, info=self.caches.info())
        self._subscribers: list[Subscriber] = [self.caches.on_event]
        event.listen(self.sessions, "after_flush", self._claim_written)
        event.listen(self.sessions, "after_commit", self._after_commit)
        event.listen(self.sessions, "after_rollback", forget_rolled_back)
        event.listen(self.sessions, "after_soft_rollback", self._after_rollback)

    def subscribe(self, subscriber: Subscriber) -> None:
        """Call ``subscriber`` with each event committed through this application, in order."""
        self._subscribers.append(subscriber)

    @contextmanager
    def unit_of_work(self, now: datetime | None = None) -> Iterator[UnitOfWork]:
        """One transaction: committed when the block ends (then published), else rolled back.
        Its time is the clock's, or ``now`` when given (a call's instant, decided elsewhere:
        the clock is then not read)."""
        with self.sessions() as session, session.begin():
            yield UnitOfWork(session, self.clock.now() if now is None else now)

    def publish(self, envelopes: Sequence[Envelope]) -> None:
        """Hand committed events to the subscribers, then to the relay.

        A subscriber that fails is logged and its event left unpublished in the outbox, for
        ``catch_up`` to retry; the change itself is committed and stays.
        """
        # this process's own were claimed at their flush (``_claim_written``): its listener,
        # on a thread of its own, leaves them out, even read before this runs
        delivered = self.deliver(envelopes)
        if len(delivered) < len(envelopes):
            taken = {e.id for e in delivered}
            self.relay.release(e.id for e in envelopes if e.id not in taken)
        self.relay.forward(delivered)

    def deliver(self, envelopes: Sequence[Envelope]) -> list[Envelope]:
        """Hand events to this process's subscribers only (those another process committed
        come this way from the relay); the ones every subscriber took."""
        delivered = []
        for envelope in envelopes:
            failed = False
            for subscriber in self._subscribers:
                try:
                    subscriber(envelope)
                except Exception:  # one subscriber must not keep the others from hearing
                    failed = True
                    log.exception("subscriber failed on event %s", envelope.id)
            if not failed:
                delivered.append(envelope)
        return delivered

    def catch_up(self) -> int:
        """Publish what was committed but never handed on; returns how many events."""
        with self.sessions() as session:
            found = unpublished(session)
        self.publish(found)
        return len(found)

    def _claim_written(self, session: Session, _: object) -> None:
        """At each flush (the commit's too, before it), the outbox rows written so far are
        claimed as this process's own: the relay's listener may read them as soon as they are
        committed, before ``_after_commit`` runs."""
        pending = session.info.get(PENDING)
        if pending:
            self.relay.claim(row.id for row, _ in pending if row.id is not None)

    def _after_rollback(self, session: Session, _: object) -> None:
        """Rows rolled back (a savepoint's, or the transaction's) are no one's: their claims let
        go (ids are never reused on PostgreSQL, but nothing is kept for nothing)."""
        pending = session.info.get(PENDING)
        if pending:
            gone = [row.id for row, _ in pending if not inspect(row).persistent]
            self.relay.release(i for i in gone if i is not None)

    def _after_commit(self, session: Session) -> None:
        if session.in_nested_transaction():
            # a savepoint released (SQLAlchemy tells it as a commit): the transaction is still
            # open and may roll back; its events wait for the real commit
            return
        envelopes = committed(session)
        if not envelopes:
            return
        try:
            self.publish(envelopes)
        except Exception:  # committed is committed: the rows wait in the outbox for catch_up
            log.exception("events %s..%s not published", envelopes[0].id, envelopes[-1].id)
