"""One time line (issue 9, hole 8): every time is stored as the instant it names, whatever zone
it was given in, and one moment typed on the command line gives one answer everywhere.

Before: a status set at 10:00 Europe/Paris was stored on SQLite as 10:00 UTC, invisible to
decisions for an hour; ``screenpop --at`` and ``script run --at`` read a naive time as UTC
while ``decide --at`` and ``status --at`` read it in the account's zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from accueil.core.availability import State
from accueil.core.rules import Scope
from accueil.services.availability import (
    add_closure,
    add_delegation,
    availability_of,
    closures,
    set_status,
    status_history,
)
from accueil.services.calendars import feed_state, upload_calendar
from accueil.services.calls import CallRecord, recent_calls, record_call
from accueil.services.clock import FixedClock
from accueil.services.directory import account_row
from accueil.services.onboarding import load_directory
from accueil.services.rules import get_rules, save_rules
from accueil.services.scripts import Owner, get_version, save_script
from accueil.services.unit_of_work import Application
from accueil.settings import get_settings
from accueil.store.db import make_engine, migrate
from cli_support import run_cli
from example_rotas import add_example_rotas

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scripts"
PARIS = ZoneInfo("Europe/Paris")
INSTANT = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday 08:00 in Paris
ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Pacific/Kiritimati"]
DIRECTORY = {
    "accounts": [
        {"key": "martin", "name": "Cabinet Martin", "answer_name": "Cabinet Martin",
         "business_hours": "mon-fri 09:00-18:00", "languages": ["fr"]},
    ],
    "people": [
        {"account": "martin", "key": "dupont", "first_name": "Claire", "last_name": "Dupont",
         "title": "Maître"},
        {"account": "martin", "key": "roy", "first_name": "Paul", "last_name": "Roy"},
    ],
    "numbers": [{"number": "01 40 00 00 01", "account": "martin", "person": "dupont"}],
}  # fmt: skip
MEETING_RULE = {
    "name": "in a meeting",
    "when": {"availability": ["meeting"]},
    "then": {"type": "message"},
}
RULES = {"account": "martin", "person": "dupont", "rules": [MEETING_RULE]}
ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a\r\n"
    b"DTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\n"
    b"END:VCALENDAR\r\n"
)


@pytest.fixture
def app(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Application]:
    """The application and the ``accueil`` command on one database (SQLite, PostgreSQL)."""
    monkeypatch.setenv("ACCUEIL_DATABASE_URL", db_url)
    get_settings.cache_clear()
    engine = make_engine(db_url)
    migrate(engine)
    found = Application(engine, FixedClock(INSTANT))
    with found.unit_of_work() as work:
        load_directory(work.session, DIRECTORY, source="test", now=INSTANT)
        add_example_rotas(work.session, "martin")  # the example script dispatches to it
    yield found
    engine.dispose()
    get_settings.cache_clear()


@pytest.mark.parametrize("zone", ZONES)
def test_every_write_keeps_the_instant_it_was_given_whatever_its_zone(
    app: Application, zone: str
) -> None:
    here = INSTANT.astimezone(ZoneInfo(zone))  # the same instant, on another wall clock
    end = (INSTANT + timedelta(hours=1)).astimezone(ZoneInfo(zone))
    with app.unit_of_work() as work:
        s = work.session
        set_status(s, "martin", "dupont", State.MEETING, until=end, now=here)
        add_delegation(s, "martin", "dupont", "roy", start=here, end=end, now=INSTANT)
        add_closure(
            s, "martin", start=here + timedelta(days=2), end=end + timedelta(days=2), now=INSTANT
        )
        save_rules(s, "martin", RULES, now=here)
        firm = (EXAMPLES / "cabinet-martin.yaml").read_text(encoding="utf-8")
        save_script(s, "martin", Owner("account"), firm, now=here)
        upload_calendar(s, "martin", "roy", ICS, now=here)
        record_call(s, "martin", CallRecord("+33612345678", "+33140000001", here, "dupont"))
    with app.sessions() as s:
        just_after = availability_of(s, "martin", "dupont", now=INSTANT + timedelta(minutes=1))
        just_before = availability_of(s, "martin", "dupont", now=INSTANT - timedelta(minutes=1))
        assert just_after.state is State.MEETING and just_after.until == INSTANT + timedelta(
            hours=1
        )
        assert just_before.state is not State.MEETING  # not set yet at that instant
        assert status_history(s, "martin", "dupont")[0].set_at == INSTANT
        assert closures(s, account_row(s, "martin").id)[0].start == INSTANT + timedelta(days=2)
        assert get_rules(s, "martin", Scope.PERSON, "dupont").saved_at == INSTANT
        assert get_version(s, "martin", Owner("account")).saved_at == INSTANT
        assert (feed := feed_state(s, "martin", "roy")) is not None and feed.fetched_at == INSTANT
        assert recent_calls(s, "martin", "+33612345678")[0].at == INSTANT
        if s.bind is not None and s.bind.dialect.name == "sqlite":  # on disk: UTC wall times
            raw = s.execute(text("SELECT set_at FROM manual_statuses")).scalar_one()
            assert str(raw).startswith("2026-11-30 07:00")


def test_a_status_set_in_paris_is_seen_at_once_by_decisions(app: Application) -> None:
    """The reported case: set at 10:00 Paris, it must hold at 10:01 Paris, not an hour later."""
    ten = datetime(2026, 11, 30, 10, 0, tzinfo=PARIS)
    with app.unit_of_work() as work:
        set_status(work.session, "martin", "dupont", State.MEETING, now=ten)
    with app.sessions() as s:
        found = availability_of(s, "martin", "dupont", now=ten + timedelta(minutes=1))
    assert found.state is State.MEETING
    assert found.as_of == ten and not found.stale


def _answers(at: str) -> dict[str, str]:
    return {
        "decide": run_cli("decide", "--to", "01 40 00 00 01", "--at", at),
        # the availability sentence, not the history (which lists the meeting whenever asked)
        "status": run_cli("status", "martin:dupont", "--at", at).split("recent statuses")[0],
        "screenpop": run_cli("screenpop", "--to", "01 40 00 00 01", "--at", at),
        "script run": run_cli("script", "run", "martin:dupont", "--at", at),
    }


def test_one_moment_typed_on_the_command_line_gives_one_answer_everywhere(
    app: Application,
) -> None:
    """In a meeting until 09:00 Paris, office opens at 09:00: at 08:30 Paris every command says
    so, whether the time is typed naive (the account's zone) or with an offset."""
    with app.unit_of_work() as work:
        nine = datetime(2026, 11, 30, 9, 0, tzinfo=PARIS)
        set_status(work.session, "martin", "dupont", State.MEETING, until=nine, now=work.now)
        save_rules(work.session, "martin", RULES, now=work.now)
        firm = (EXAMPLES / "cabinet-martin.yaml").read_text(encoding="utf-8")
        save_script(work.session, "martin", Owner("account"), firm, now=work.now)
    naive, offset, later = (
        _answers("2026-11-30 08:30"),
        _answers("2026-11-30T07:30Z"),
        _answers("2026-11-30 09:30"),
    )
    for command in ("decide", "status", "screenpop"):
        assert "meeting" in naive[command].lower(), (command, naive[command])
        assert "meeting" not in later[command].lower(), (command, later[command])
    assert "fermé" in naive["script run"] and "fermé" not in later["script run"]
    assert naive == offset
