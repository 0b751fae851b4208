"""The relay across processes (PostgreSQL LISTEN/NOTIFY): an event committed by one process
reaches the other processes' subscribers once, and its own subscribers once."""

from __future__ import annotations

import time
from collections.abc import Callable

from board_world import MONDAY_10
from sqlalchemy import Engine

from accueil.services.events import DirectoryImported
from accueil.services.outbox import Envelope
from accueil.services.unit_of_work import Application
from accueil.store.db import make_engine, migrate
from accueil.switchboard.clock import SimulatedClock
from accueil.switchboard.relay import Listener, NotifyRelay


def _process(engine: Engine, clock: SimulatedClock) -> tuple[Application, Listener, list[Envelope]]:
    app = Application(engine, clock)
    relay = NotifyRelay(engine, clock)
    app.relay = relay
    heard: list[Envelope] = []
    app.subscribe(heard.append)
    listener = Listener(engine, relay, app.deliver)
    listener.start()
    return app, listener, heard


def _eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60  # bounded: the listener is told at once, reads every second
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def test_an_event_committed_in_one_process_reaches_the_others_subscribers(
    postgres_url: str,
) -> None:
    engines = [make_engine(postgres_url), make_engine(postgres_url)]
    migrate(engines[0])
    clock = SimulatedClock(MONDAY_10)
    one, one_listens, one_heard = _process(engines[0], clock)
    two, two_listens, two_heard = _process(engines[1], clock)
    try:
        for n in range(3):
            app = one if n % 2 == 0 else two
            with app.unit_of_work() as work:
                work.emit(
                    DirectoryImported(
                        account="martin", at=work.now, source="t", created=n, changed=0, removed=0
                    )
                )
        _eventually(lambda: len(one_heard) == 3 and len(two_heard) == 3, "all heard everywhere")
        time.sleep(0.3)  # nothing more comes: each event once in each process
        assert sorted(e.event.created for e in one_heard) == [0, 1, 2]
        assert sorted(e.event.created for e in two_heard) == [0, 1, 2]
        assert (one_listens.heard, two_listens.heard) == (1, 2)
    finally:
        one_listens.stop()
        two_listens.stop()
        for engine in engines:
            engine.dispose()


def test_a_process_does_not_hear_its_own_event_again_when_its_listener_reads_it_first(
    postgres_url: str,
) -> None:
    """The listener reads on a thread of its own: here it reads the outbox between the commit
    and the hand-on to the relay (as a loaded machine schedules it), and must leave this
    process's own event out (CI saw one process hear its own event twice)."""
    engine = make_engine(postgres_url)
    migrate(engine)
    app, listens, heard = _process(engine, SimulatedClock(MONDAY_10))
    read_in_the_gap: list[int] = []

    def listener_reads_now(_: Envelope) -> None:
        if not read_in_the_gap:
            read_in_the_gap.append(listens.catch_up())

    app.subscribe(listener_reads_now)
    try:
        with app.unit_of_work() as work:
            work.emit(
                DirectoryImported(
                    account="martin", at=work.now, source="t", created=7, changed=0, removed=0
                )
            )
        time.sleep(0.3)  # the listener's own look too: nothing more comes
        assert read_in_the_gap == [0]
        assert [e.event.created for e in heard] == [7]
        assert listens.heard == 0
    finally:
        listens.stop()
        engine.dispose()
