"""Events that commit out of their ids' order (PostgreSQL gives ids at insert): a client that
resumes from the last cursor it got still receives every event, once, in order."""

from __future__ import annotations

import time
from collections.abc import Callable

from outbox_helpers import NOW
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from accueil.services.clock import FixedClock
from accueil.services.events import DirectoryImported
from accueil.services.outbox import Envelope, emit, latest_cursor, read_outbox, read_settled
from accueil.services.unit_of_work import Application
from accueil.switchboard.relay import Listener, NotifyRelay


def _event(n: int) -> DirectoryImported:
    return DirectoryImported(
        account="martin", at=NOW, source="test", created=n, changed=0, removed=0
    )


def _until(found: Callable[[], list[Envelope]], count: int) -> list[Envelope]:
    """Read until ``count`` events came (bounded: other transactions on the server, say another
    test's, may hold them back, up to the tests' 15 s statement time-out; never a timed
    assert)."""
    got: list[Envelope] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        got += found()
        if len(got) >= count:
            return got
        time.sleep(0.025)
    raise AssertionError(f"{len(got)} events of {count}")


def _read(engine: Engine, after: int) -> list[Envelope]:
    with Session(engine) as session:
        return read_outbox(session, after=after)


def test_a_lower_id_committed_after_a_higher_one_reaches_a_resuming_client_once_in_order(
    postgres_engine: Engine,
) -> None:
    app = Application(postgres_engine, FixedClock(NOW))
    with Session(postgres_engine) as session:
        start = latest_cursor(session)
    # closed in a finally: a failure must not leave the transaction running on the server,
    # where it would hold back every other test's events
    with app.sessions() as slow:
        slow.begin()
        emit(slow, _event(11))
        slow.flush()  # its id is given now; it commits later
        with app.unit_of_work() as work:
            work.emit(_event(12))
        with Session(postgres_engine) as session:
            early = read_settled(session, after=start)
        # the higher id is committed, but the lower one may still come: it is not handed out
        assert early.envelopes == [] and early.held
        slow.commit()
    cursor = start

    def resumed() -> list[Envelope]:
        # a client resumes from the last cursor it got (another test's transaction on the
        # server may hold 12 back after 11 came: the next read starts after 11)
        nonlocal cursor
        more = _read(postgres_engine, cursor)
        if more:
            cursor = more[-1].id
        return more

    got = _until(resumed, 2)
    assert [e.event.created for e in got] == [11, 12]  # type: ignore[attr-defined]
    assert got[0].id < got[1].id
    # resuming from either cursor: exactly what comes after it, nothing twice
    assert [e.id for e in _read(postgres_engine, got[0].id)] == [got[1].id]
    assert _read(postgres_engine, got[1].id) == []


def test_a_client_held_back_by_another_transaction_resumes_after_what_it_got(
    postgres_engine: Engine,
) -> None:
    """Another writer on the server, older than 12's transaction and still running when 11
    commits, holds 12 back: the client gets 11, then 12 from 11's cursor, never 11 twice."""
    app = Application(postgres_engine, FixedClock(NOW))
    with Session(postgres_engine) as session:
        start = latest_cursor(session)
    slow = app.sessions()
    other = app.sessions()
    try:
        slow.begin()
        emit(slow, _event(11))
        slow.flush()
        other.begin()
        emit(other, _event(99))
        other.flush()  # its transaction has an id now, older than 12's
        with app.unit_of_work() as work:
            work.emit(_event(12))
        slow.commit()
        first = _until(lambda: _read(postgres_engine, start), 1)
        assert [e.event.created for e in first] == [11]  # type: ignore[attr-defined]
        assert _read(postgres_engine, first[-1].id) == []  # 12 waits for the other one
        other.rollback()
        rest = _until(lambda: _read(postgres_engine, first[-1].id), 1)
        assert [e.event.created for e in rest] == [12]  # type: ignore[attr-defined]
    finally:
        other.close()
        slow.close()


def test_the_streams_hear_events_settled_in_the_order_a_client_resumes_by(
    postgres_engine: Engine,
) -> None:
    app = Application(postgres_engine, FixedClock(NOW))
    relay = NotifyRelay(postgres_engine, app.clock)
    app.relay = relay
    fed: list[Envelope] = []
    listener = Listener(postgres_engine, relay, app.deliver, feed=fed.append)  # read by hand below
    with Session(postgres_engine) as session:
        listener.cursor = start = latest_cursor(session)
    with app.sessions() as slow:  # closed in a finally, as above
        slow.begin()
        emit(slow, _event(11))
        slow.flush()
        with app.unit_of_work() as work:
            work.emit(_event(12))
        listener.catch_up()
        assert fed == [] and listener.held  # 12 waits for 11, which may still commit
        slow.commit()

    def heard() -> list[Envelope]:
        before = len(fed)
        listener.catch_up()
        return fed[before:]

    _until(heard, 2)
    listener.catch_up()
    assert [e.event.created for e in fed] == [11, 12]  # type: ignore[attr-defined]
    # a client that got both live and resumes from the last cursor misses nothing, gets
    # nothing twice; one that got the first only gets the second
    assert _read(postgres_engine, fed[-1].id) == []
    assert [e.id for e in _read(postgres_engine, fed[0].id)] == [fed[1].id]
    assert [e.id for e in _read(postgres_engine, start)] == [e.id for e in fed]
