"""The relay across processes (PostgreSQL LISTEN/NOTIFY): an event committed by one process
reaches the other processes' subscribers once, and its own subscribers once."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from board_world import MONDAY_10
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from accueil.services.events import DirectoryImported
from accueil.services.outbox import Envelope
from accueil.services.unit_of_work import Application
from accueil.store.db import make_engine, migrate
from accueil.switchboard.clock import SimulatedClock
from accueil.switchboard.relay import Listener, NotifyRelay


def _process(
    engine: Engine, clock: SimulatedClock, *, listening: bool = True
) -> tuple[Application, Listener, list[Envelope]]:
    app = Application(engine, clock)
    relay = NotifyRelay(engine, clock)
    app.relay = relay
    heard: list[Envelope] = []
    app.subscribe(heard.append)
    listener = Listener(engine, relay, app.deliver)
    if listening:
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


def _read_now(listens: Listener) -> Callable[[Session], None]:
    """The listener's look, taken at once (as a loaded machine may schedule its thread)."""
    looks: list[int] = []

    def look(_: Session) -> None:
        if looks:
            return
        start, delivered = listens.cursor, 0
        # until it has read the event: another test's transaction on the server may hold it
        # back a while (a statement up to 15 s, a transaction of many longer), so bounded far
        # above by a deadline, not by a count of looks (each slow on a loaded machine)
        deadline = time.monotonic() + 60
        while listens.cursor == start and time.monotonic() < deadline:
            delivered += listens.catch_up()
            if listens.cursor == start:
                time.sleep(0.01)
        assert listens.cursor > start, "the listener never read the event"
        looks.append(delivered)

    look.looks = looks  # type: ignore[attr-defined]
    return look


@pytest.mark.parametrize("gap", ["before the hand-on", "right after the commit"])
def test_a_process_does_not_hear_its_own_event_again_when_its_listener_reads_it_first(
    postgres_url: str, gap: str
) -> None:
    """The listener reads on a thread of its own: here it reads the outbox as soon as the event
    is committed — before the application's own after-commit runs, or as its subscribers hear
    it — and must leave this process's own event out (CI saw a process hear its own event
    twice). Nothing is kept for it once read past."""
    engine = make_engine(postgres_url)
    migrate(engine)
    # the listener's looks are the test's: its own thread would race the test's for the cursor
    app, listens, heard = _process(engine, SimulatedClock(MONDAY_10), listening=False)
    look = _read_now(listens)
    if gap == "right after the commit":
        event.listen(app.sessions, "after_commit", look, insert=True)  # before the app's own
    else:
        app.subscribe(lambda _: look(None))  # type: ignore[arg-type]
    try:
        with app.unit_of_work() as work:
            work.emit(
                DirectoryImported(
                    account="martin", at=work.now, source="t", created=7, changed=0, removed=0
                )
            )
        assert look.looks == [0]  # type: ignore[attr-defined]
        assert listens.catch_up() == 0  # a later look: nothing more comes
        assert [e.event.created for e in heard] == [7]
        assert listens.heard == 0
        assert isinstance(app.relay, NotifyRelay) and not app.relay.mine  # let go once read
    finally:
        listens.stop()
        engine.dispose()


def test_a_rolled_back_write_leaves_no_claim(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    migrate(engine)
    app, listens, heard = _process(engine, SimulatedClock(MONDAY_10))
    try:
        with pytest.raises(RuntimeError), app.unit_of_work() as work:
            work.emit(
                DirectoryImported(
                    account="martin", at=work.now, source="t", created=1, changed=0, removed=0
                )
            )
            work.session.flush()
            assert isinstance(app.relay, NotifyRelay) and app.relay.mine  # claimed at the flush
            raise RuntimeError("the change fails")
        assert isinstance(app.relay, NotifyRelay) and not app.relay.mine
        assert heard == []
    finally:
        listens.stop()
        engine.dispose()
