"""Retention, erasure of one caller's data, and one person's export (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from messages_helpers import NOW, kinds, new_message, take
from sqlalchemy import func, select

from accueil.dispatch.dispatcher import Dispatcher
from accueil.errors import InvalidInput, ValidationFailed
from accueil.services import calls, messages, privacy
from accueil.services.clock import FixedClock
from accueil.services.delivery_preferences import set_preferences
from accueil.services.unit_of_work import Application
from accueil.store.tables_messages import DeliveryRow, MessageEventRow, MessageRow
from accueil.store.tables_scripts import CallRecordRow


def _count(app: Application, table: type) -> int:
    with app.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def _record(app: Application, caller: str, days_ago: int, account: str = "martin") -> None:
    with app.unit_of_work() as work:
        record = calls.CallRecord(caller, "+33140000001", NOW - timedelta(days=days_ago))
        calls.record_call(work.session, account, record)


def test_retention_deletes_what_is_older_than_the_accounts_days_only(app: Application) -> None:
    with app.unit_of_work() as work:
        set_preferences(work.session, "martin", "", {"retention_days": 30}, now=work.now)
        old = NOW - timedelta(days=31)
        first = messages.take_message(work.session, "martin", new_message(), now=old)
        messages.correct_message(work.session, "martin", first.uid, new_message(), now=old)
        messages.take_message(work.session, "durand", new_message("zoe"), now=old)
    recent = take(app)
    _record(app, "+33612345678", 40)
    _record(app, "+33612345678", 2)
    heard: list[str] = []
    app.subscribe(lambda e: heard.append(e.event.name))
    with app.unit_of_work() as work:
        done = privacy.purge(work.session, now=work.now)
    assert done == {"martin": (1, 1)} and heard == [
        "data.purged"
    ]  # the correction went with its first
    with app.sessions() as s:
        assert [m.uid for m in messages.list_messages(s, "martin")] == [recent]
        assert len(messages.list_messages(s, "durand")) == 1  # no retention set: kept
    assert _count(app, CallRecordRow) == 1
    with app.unit_of_work() as work:
        assert privacy.purge(work.session, now=work.now) == {}  # nothing more


def test_the_dispatcher_runs_the_purge_once_a_day_as_its_scheduled_job(app: Application) -> None:
    with app.unit_of_work() as work:
        set_preferences(work.session, "martin", "", {"retention_days": 30}, now=work.now)
        messages.take_message(work.session, "martin", new_message(), now=NOW - timedelta(days=31))
    kept = take(app)
    dispatcher = Dispatcher(app, {})
    assert asyncio.run(dispatcher.housekeep())  # at start
    assert _count(app, MessageRow) == 1
    with app.unit_of_work() as work:  # 30 days and a minute old by tomorrow's purge
        messages.take_message(work.session, "martin", new_message(), now=NOW - timedelta(days=30))
    assert not asyncio.run(dispatcher.housekeep())  # not again the same day
    assert isinstance(app.clock, FixedClock)
    app.clock.advance(timedelta(hours=23, minutes=59))
    assert not asyncio.run(dispatcher.housekeep())
    app.clock.advance(timedelta(minutes=1))
    assert asyncio.run(dispatcher.housekeep())
    with app.sessions() as s:
        assert [m.uid for m in messages.list_messages(s, "martin")] == [kept]
    assert not asyncio.run(Dispatcher(app, {}, purge_every=None).housekeep())


def test_a_person_cannot_set_the_retention(app: Application) -> None:
    with pytest.raises(ValidationFailed, match="1 problem"), app.unit_of_work() as work:
        set_preferences(work.session, "martin", "claire", {"retention_days": 1}, now=work.now)


def test_erasing_a_caller_removes_their_messages_and_calls_in_that_account_only(
    app: Application,
) -> None:
    theirs, other = take(app), None
    with app.unit_of_work() as work:
        other = messages.take_message(
            work.session,
            "martin",
            messages.NewMessage(person="paul", caller_number="+33699999999"),
            now=work.now,
        ).uid
        messages.take_message(work.session, "durand", new_message("zoe"), now=work.now)
    _record(app, "06 12 34 56 78", 1)
    _record(app, "+33699999999", 1)
    heard: list[str] = []
    app.subscribe(lambda e: heard.append(e.event.name))
    with app.unit_of_work() as work:
        done = privacy.erase_caller(work.session, "martin", "06 12 34 56 78", now=NOW, by="dpo")
    assert done == (1, 1) and heard == ["caller.erased"]
    with app.sessions() as s:
        assert [m.uid for m in messages.list_messages(s, "martin")] == [other]
        assert len(messages.list_messages(s, "durand")) == 1  # another account's: untouched
        left = s.scalar(select(func.count()).select_from(MessageEventRow).join(
            MessageRow, MessageRow.id == MessageEventRow.message_id).where(
            MessageRow.uid == theirs))  # fmt: skip
        assert left == 0
    assert _count(app, CallRecordRow) == 1
    assert _count(app, DeliveryRow) == 2
    with pytest.raises(InvalidInput, match="is not a phone number"), app.unit_of_work() as work:
        privacy.erase_caller(work.session, "martin", "nobody", now=NOW, by="dpo")


def test_a_persons_export_holds_their_messages_with_history_and_preferences(
    app: Application,
) -> None:
    uid = take(app)
    take(app, person="paul")
    with app.unit_of_work() as work:
        set_preferences(work.session, "martin", "claire", {"quiet_hours": "22:00-07:00"},
                        now=work.now)  # fmt: skip
        messages.read_message(work.session, "martin", uid, reader="claire", now=work.now)
    with app.sessions() as s:
        found = privacy.export_person(s, "martin", "claire")
    assert found["preferences"] == {"quiet_hours": "22:00-07:00"}
    (message,) = found["messages"]
    assert message["id"] == uid
    assert [h["kind"] for h in message["history"]] == kinds(app, "martin", uid)
    assert message["history"][-1]["actor"] == "claire"
