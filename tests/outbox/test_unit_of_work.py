"""The unit of work: a change and its event commit together, and are heard only after commit."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from outbox_helpers import NOW, Heard
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accueil.core.availability import State
from accueil.errors import NotFound
from accueil.services.availability import clear_status, set_status
from accueil.services.clock import FixedClock
from accueil.services.events import StatusCleared, StatusSet
from accueil.services.outbox import Envelope
from accueil.services.unit_of_work import Application, MarkPublished
from accueil.store.db import session_factory, transaction
from accueil.store.tables_availability import ManualStatusRow
from accueil.store.tables_outbox import OutboxRow
from settled import settled
from statements import sent


def _count(app: Application, table: type[OutboxRow] | type[ManualStatusRow]) -> int:
    """Committed rows (another connection sees nothing else); for the outbox, statuses' only
    (the directory loaded by the fixture told of itself too)."""
    query = select(func.count()).select_from(table)
    if table is OutboxRow:
        query = query.where(OutboxRow.name.like("status.%"))
    with Session(app.engine) as other:
        return other.scalar(query) or 0


def _last(app: Application) -> int:
    with Session(app.engine) as other:
        return other.scalar(select(func.max(OutboxRow.id))) or 0


def test_an_event_is_heard_only_after_its_change_commits(app: Application, heard: Heard) -> None:
    with app.unit_of_work() as work:
        set_status(work.session, "martin", "claire", State.MEETING, now=work.now, note="board")
        work.session.flush()
        assert heard.envelopes == []  # written, not yet committed: nobody heard of it
        assert _count(app, OutboxRow) == 0
    assert heard.names == ["status.set"]
    found = heard.envelopes[0].event
    assert isinstance(found, StatusSet)
    assert (found.account, found.person, found.state, found.note) == (
        "martin",
        "claire",
        "meeting",
        "board",
    )
    assert found.at == NOW


def test_the_outbox_row_commits_with_the_change_and_is_marked_published(
    app: Application, heard: Heard
) -> None:
    before = _last(app)
    with app.unit_of_work() as work:
        set_status(work.session, "martin", "claire", State.AWAY, now=work.now)
    assert _count(app, ManualStatusRow) == _count(app, OutboxRow) == 1
    with app.sessions() as s:
        row = s.scalars(select(OutboxRow).where(OutboxRow.id > before)).one()
    assert (row.account, row.name, row.published_at) == ("martin", "status.set", NOW)
    assert heard.envelopes[0].id == row.id


def test_a_rollback_publishes_nothing_and_writes_no_outbox_row(
    app: Application, heard: Heard
) -> None:
    with pytest.raises(NotFound), app.unit_of_work() as work:
        set_status(work.session, "martin", "claire", State.AWAY, now=work.now)
        set_status(work.session, "martin", "nobody", State.AWAY, now=work.now)
    assert heard.envelopes == []
    assert _count(app, OutboxRow) == _count(app, ManualStatusRow) == 0
    with app.unit_of_work() as work:  # the next unit of work does not carry the lost event
        clear_status(work.session, "martin", "paul", now=work.now)
    assert heard.names == ["status.cleared"]


def test_a_rolled_back_savepoint_takes_its_event_with_it(app: Application, heard: Heard) -> None:
    with app.unit_of_work() as work:
        set_status(work.session, "martin", "claire", State.AWAY, now=work.now)
        nested = work.session.begin_nested()
        clear_status(work.session, "martin", "paul", now=work.now)
        nested.rollback()
    assert heard.names == ["status.set"]
    assert _count(app, OutboxRow) == 1


def test_events_are_heard_in_the_order_they_were_emitted(app: Application, heard: Heard) -> None:
    before = _last(app)
    with app.unit_of_work() as work:
        set_status(work.session, "martin", "claire", State.AWAY, now=work.now)
        clear_status(work.session, "martin", "claire", now=work.now + timedelta(minutes=1))
        set_status(work.session, "durand", "zoe", State.BUSY, now=work.now)
    assert heard.names == ["status.set", "status.cleared", "status.set"]
    ids = [e.id for e in heard.envelopes]
    assert ids == sorted(ids)
    assert [e.event for e in settled(app.sessions, after=before)] == [
        e.event for e in heard.envelopes
    ]
    durand = settled(app.sessions, after=before, account="durand")
    assert [e.event.account for e in durand] == ["durand"]
    assert [e.id for e in settled(app.sessions, after=ids[0])] == ids[1:]


def test_a_failing_subscriber_keeps_neither_the_change_nor_the_others_from_happening(
    app: Application, heard: Heard
) -> None:
    def broken(_: Envelope) -> None:
        raise RuntimeError("a subscriber with a bug")

    app.subscribe(broken)
    later = Heard()
    app.subscribe(later)
    with app.unit_of_work() as work:
        set_status(work.session, "martin", "claire", State.AWAY, now=work.now)
    assert heard.names == later.names == ["status.set"]
    assert _count(app, ManualStatusRow) == 1
    with app.sessions() as s:  # not published: catch_up will hand it on again
        status = select(OutboxRow.published_at).where(OutboxRow.name == "status.set")
        assert s.scalars(status).one() is None


def test_catch_up_publishes_what_a_plain_session_committed(app: Application, heard: Heard) -> None:
    with transaction(session_factory(app.engine)) as s:  # no application: written, unheard
        set_status(s, "martin", "claire", State.AWAY, now=NOW)
        clear_status(s, "martin", "claire", now=NOW + timedelta(minutes=1))
    assert heard.envelopes == []
    assert app.catch_up() == 2
    assert heard.names == ["status.set", "status.cleared"]
    assert isinstance(heard.envelopes[1].event, StatusCleared)
    assert app.catch_up() == 0  # published once


def test_a_savepoint_released_publishes_nothing_before_the_transaction_commits(
    app: Application, heard: Heard
) -> None:
    class Stop(Exception):
        pass

    with pytest.raises(Stop), app.unit_of_work() as work:
        set_status(work.session, "martin", "claire", State.MEETING, now=work.now)
        with work.session.begin_nested():  # SQLAlchemy tells a released savepoint as a commit
            work.session.flush()
        assert heard.envelopes == []
        raise Stop
    assert heard.envelopes == [] and _count(app, OutboxRow) == 0
    with app.unit_of_work() as work:  # committed: heard once, after the commit
        set_status(work.session, "martin", "claire", State.MEETING, now=work.now)
        with work.session.begin_nested():
            work.session.flush()
        assert heard.envelopes == []
    assert heard.names == ["status.set"]


class _NoClock:
    def now(self) -> datetime:
        raise AssertionError("a unit of work given its instant reads no clock")


def test_a_unit_of_work_at_a_given_instant_is_the_same_transaction_without_the_clock(
    app: Application, heard: Heard
) -> None:
    at = NOW + timedelta(minutes=5)
    with sent(app.engine) as by_clock, app.unit_of_work() as work:
        set_status(work.session, "martin", "claire", State.MEETING, now=work.now)
    given = Application(app.engine, _NoClock(), relay=MarkPublished(app.engine, FixedClock(NOW)))
    given.subscribe(heard)
    with sent(app.engine) as by_instant, given.unit_of_work(at) as work:
        assert work.now == at
        set_status(work.session, "martin", "paul", State.MEETING, now=work.now)
    assert by_instant == by_clock  # the same statements: the change, its event, marked sent
    assert [e.event.at for e in heard.envelopes] == [NOW, at]  # heard after commit, as any
    with pytest.raises(NotFound), given.unit_of_work(at) as work:
        set_status(work.session, "martin", "paul", State.AWAY, now=work.now)
        set_status(work.session, "martin", "nobody", State.AWAY, now=work.now)
    assert len(heard.envelopes) == 2  # rolled back: nothing heard
