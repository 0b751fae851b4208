"""Issue 9, hole 2: calendars that ask for unbounded work are refused by their caps, with the
reason, before the work is done; the last good copy and its window stay in use; and a decision
reads the stored window, never the calendar's text. (How fast the refusals are is measured by
``make bench BENCH=calendar``, not here.)"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from calendar_servers import Server, body
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accueil.cli import app
from accueil.core.availability import State
from accueil.core.calendar import CalendarError
from accueil.feeds import FeedFetcher
from accueil.services.availability import availability_of
from accueil.services.calendar_windows import rewindow_due
from accueil.services.calendars import feed_state, refresh_feed, set_feed, upload_calendar
from accueil.services.onboarding import load_directory
from accueil.store.db import transaction
from accueil.store.tables_availability import CalendarFeedRow
from cli_support import cli_database

NOW = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
DIRECTORY = {
    "accounts": [{"key": "martin", "name": "Cabinet Martin", "country": "FR"}],
    "people": [{"account": "martin", "key": "claire", "first_name": "Claire", "last_name": "M"}],
}
GOOD = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:board\r\n"
    b"DTSTART:20261130T090000Z\r\nDTEND:20261130T100000Z\r\nSUMMARY:Board\r\nEND:VEVENT\r\n"
    b"END:VCALENDAR\r\n"
)


def _one(rule: str, start: str = "20260101T000000Z", extra: str = "") -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:bomb\r\n"
        f"DTSTART:{start}\r\nDURATION:PT1S\r\nSUMMARY:tick\r\n{rule}{extra}END:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ).encode()


def _many(n: int) -> bytes:
    # as short as an event gets, so that 100,000 of them fit under the size cap
    events = "BEGIN:VEVENT\r\nDTSTART:20261201\r\nEND:VEVENT\r\n" * n
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n{events}END:VCALENDAR\r\n".encode()


MINUTELY = _one("RRULE:FREQ=MINUTELY\r\n")
RDATES = "".join(  # one event on 4,032 dates of the window
    f"RDATE:202612{d:02d}T{h:02d}{m:02d}00Z\r\n"
    for d in range(1, 29)
    for h in range(24)
    for m in range(0, 60, 10)
)
BOMBS = [
    pytest.param(MINUTELY, "repeats minutely", id="minutely-209-bytes"),
    pytest.param(_one("RRULE:FREQ=SECONDLY\r\n"), "repeats secondly", id="secondly"),
    pytest.param(_many(100_000), "holds 100,000 events", id="100k-events"),
    pytest.param(
        _one("RRULE:FREQ=HOURLY\r\n", start="19700101T000000Z"), "steps", id="hourly-since-1970"
    ),
    pytest.param(
        _one("RRULE:FREQ=DAILY;BYHOUR=" + ",".join(map(str, range(24))) + ";BYMINUTE=0,30\r\n"),
        "repeats daily",
        id="daily-expanded-by-hours",
    ),
    pytest.param(
        _one("RRULE:FREQ=SECONDLY;COUNT=5;BYMONTH=2;BYMONTHDAY=30\r\n"),
        "secondly since 2026-01-01",
        id="count-that-never-fills",
    ),
    pytest.param(_one("", extra=RDATES), "happens 4,032 times", id="rdate-flood"),
    pytest.param(
        _many(10_001).replace(b"BEGIN:VEVENT", b"BEGIN:VEV\r\n ENT"),
        "holds 10,001 events",
        id="folded-to-hide-the-count",
    ),
]


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        load_directory(s, DIRECTORY, source="test", now=NOW)
        upload_calendar(s, "martin", "claire", GOOD, now=NOW)
    return sessions


@pytest.fixture
def server() -> Iterator[Server]:
    found = Server()
    yield found
    found.stop()


def _claire(sessions: sessionmaker[Session]) -> tuple[State, str]:
    with sessions() as s:
        found = availability_of(s, "martin", "claire", now=NOW)
    return found.state, found.note


@pytest.mark.parametrize(("data", "why"), BOMBS)
def test_a_calendar_bomb_fetched_is_refused_and_the_last_good_copy_kept(
    seeded: sessionmaker[Session], server: Server, data: bytes, why: str
) -> None:
    with transaction(seeded) as s:
        set_feed(s, "martin", "claire", server.url(), now=NOW)
    server.answer = body(data)
    state = refresh_feed(seeded, "martin", "claire", now=NOW, fetch=FeedFetcher(allow_private=True))
    assert state.failing and why in state.last_error and "refused" in state.last_error
    assert state.fetched_at == NOW  # the upload's copy, still in use
    assert _claire(seeded) == (State.MEETING, "Board")


@pytest.mark.parametrize(("data", "why"), BOMBS)
def test_a_calendar_bomb_uploaded_is_refused_and_nothing_changes(
    seeded: sessionmaker[Session], data: bytes, why: str
) -> None:
    with pytest.raises(CalendarError, match=why), transaction(seeded) as s:
        upload_calendar(s, "martin", "claire", data, now=NOW + timedelta(hours=1))
    with seeded() as s:
        state = feed_state(s, "martin", "claire")
    assert state is not None and state.fetched_at == NOW and not state.failing
    assert _claire(seeded) == (State.MEETING, "Board")


def test_an_upload_larger_than_a_feed_may_be_is_refused_before_it_is_read(
    seeded: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = GOOD.replace(b"SUMMARY:Board", b"SUMMARY:" + b"x" * (6 * 1024 * 1024))
    with pytest.raises(CalendarError, match="larger than 5 MB"), transaction(seeded) as s:
        upload_calendar(s, "martin", "claire", big, now=NOW)
    for _ in cli_database(tmp_path, monkeypatch, DIRECTORY):
        path = tmp_path / "big.ics"
        path.write_bytes(big)
        result = CliRunner().invoke(app, ["calendar", "upload", "martin:claire", str(path)])
        assert result.exit_code == 1 and "larger than 5 MB" in result.output
        assert isinstance(result.exception, SystemExit)


def test_a_decision_reads_the_stored_window_not_the_calendar_text(
    seeded: sessionmaker[Session],
) -> None:
    # Spoil the kept ICS behind the service's back: a decision that parsed it would fail.
    with transaction(seeded) as s:
        s.execute(update(CalendarFeedRow).values(last_good=b"\x00 not a calendar"))
    # cold: a new session of no application caches nothing yet
    assert _claire(seeded) == (State.MEETING, "Board")


def test_the_refresh_job_moves_an_uploaded_calendars_window_forward(
    seeded: sessionmaker[Session],
) -> None:
    later = NOW + timedelta(days=40)  # the upload's window ends 62 days after NOW
    assert rewindow_due(seeded, now=NOW) == 0
    assert rewindow_due(seeded, now=later) == 1
    with seeded() as s:
        row = s.query(CalendarFeedRow).one()
        assert row.window_end is not None
        assert row.window_end.replace(tzinfo=UTC) == later + timedelta(days=62)
