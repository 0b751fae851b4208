"""Issue 9, holes 4 and 5: malformed feed URLs are refused at ``calendar set`` with a clear error
and nothing stored; in a refresh, one feed's failure (slow, malformed, a fetcher's bug) is that
feed's error and the other feeds are refreshed all the same."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from calendar_servers import ICS, Server, drip
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accueil.cli import app
from accueil.core.feed_url import BadFeedUrl, parse_feed_url
from accueil.errors import InvalidInput
from accueil.feeds import FeedFetcher, refresh_due
from accueil.services.calendars import feed_state, set_feed
from accueil.services.onboarding import load_directory
from accueil.store.db import transaction
from accueil.store.tables_availability import CalendarFeedRow
from cli_support import cli_database

NOW = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
PEOPLE = ("anne", "bruno", "claire")
DIRECTORY = {
    "accounts": [{"key": "martin", "name": "Cabinet Martin", "country": "FR"}],
    "people": [
        {"account": "martin", "key": k, "first_name": k.title(), "last_name": "M"} for k in PEOPLE
    ],
}
MALFORMED = [
    ("http://a.example:80\\@example.com/x.ics", "backslash"),
    ("http://[::1:8765/x.ics", "brackets"),
    ("http://example.com:99999/x.ics", "port is not a number"),
    ("http://example.com:8o/x.ics", "port is not a number"),
    ("http://example.com:0/x.ics", "port is not a number"),
    ("http://exa mple.com/x.ics", "space"),
    ("http:///x.ics", "no host"),
    ("http://user:secret@example.com/x.ics", "credentials"),
    ("http://example..com/x.ics", "not a valid name"),
    ("http://ex_ample-.com/x.ics", "not a valid name"),
    ("http://127.0.0.%31:8765/x.ics", "percent-encoded"),
    ("https://[fe80::1%25eth0]/x.ics", "percent-encoded"),
    ("javascript:alert(1)", "http://, https:// or webcal://"),
    ("http://\u0000example.com/", "control character"),
]


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        load_directory(s, DIRECTORY, source="test", now=NOW)
    return sessions


@pytest.mark.parametrize(("url", "why"), MALFORMED)
def test_a_malformed_feed_url_is_refused_at_set_time_and_nothing_is_stored(
    seeded: sessionmaker[Session], url: str, why: str
) -> None:
    with pytest.raises(InvalidInput, match=why), transaction(seeded) as s:
        set_feed(s, "martin", "claire", url, now=NOW)
    with seeded() as s:
        assert feed_state(s, "martin", "claire") is None


@pytest.mark.parametrize(
    ("url", "stored"),
    [
        ("webcal://p01-caldav.icloud.com/published/2/MTIz", "https://p01-caldav.icloud.com/published/2/MTIz"),
        ("HTTPS://Calendar.Google.com/calendar/ical/x%40group/basic.ics", "https://calendar.google.com/calendar/ical/x%40group/basic.ics"),
        ("https://outlook.office365.com:443/owa/calendar/a/b/reachcalendar.ics", "https://outlook.office365.com/owa/calendar/a/b/reachcalendar.ics"),
        ("http://cloud.example.fr:8080/remote.php/dav/public-calendars/K?export", "http://cloud.example.fr:8080/remote.php/dav/public-calendars/K?export"),
        ("https://[2001:db8::1]/cal.ics", "https://[2001:db8::1]/cal.ics"),
        ("https://bücher.example/cal.ics", "https://xn--bcher-kva.example/cal.ics"),
    ],
)  # fmt: skip
def test_real_feed_urls_are_kept_in_one_canonical_spelling(url: str, stored: str) -> None:
    assert str(parse_feed_url(url)) == stored


def test_the_cli_refuses_a_malformed_url_in_one_line_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in cli_database(tmp_path, monkeypatch, DIRECTORY):
        for url, _why in MALFORMED:
            result = CliRunner().invoke(app, ["calendar", "set", "martin:claire", url])
            assert result.exit_code == 1, result.output
            assert isinstance(result.exception, SystemExit)  # no exception escaped
            assert "not a usable calendar feed URL" in result.output
        shown = CliRunner().invoke(app, ["calendar", "show", "martin:claire"])
        assert "no calendar" in shown.output


def test_one_slow_feed_does_not_hold_up_the_others(seeded: sessionmaker[Session]) -> None:
    slow, good, stop = Server(), Server(), threading.Event()
    slow.answer = drip(0.2, stop)
    try:
        with transaction(seeded) as s:
            set_feed(s, "martin", "anne", slow.url(), now=NOW)
            set_feed(s, "martin", "bruno", good.url("/bruno.ics"), now=NOW)
            set_feed(s, "martin", "claire", good.url("/claire.ics"), now=NOW)
        fetch = FeedFetcher(allow_private=True, deadline=2.0)
        states = refresh_due(seeded, now=NOW, fetch=fetch)
    finally:
        stop.set()
        slow.stop()
        good.stop()
    # finished in the order they came back: both good feeds before the slow one's deadline
    assert [(s.person, s.failing) for s in states][-1] == ("anne", True)
    assert {(s.person, s.failing) for s in states[:2]} == {("bruno", False), ("claire", False)}
    assert "took longer than 2 s" in states[-1].last_error


def test_a_stored_malformed_url_or_a_fetchers_bug_is_that_feeds_error_only(
    seeded: sessionmaker[Session],
) -> None:
    good = Server()
    try:
        with transaction(seeded) as s:
            for person in PEOPLE:
                set_feed(s, "martin", person, good.url(f"/{person}.ics"), now=NOW)
            # a URL stored before set_feed checked strictly (an older version, a hand edit)
            s.execute(
                update(CalendarFeedRow)
                .where(CalendarFeedRow.person_id == _person_id(s, "anne"))
                .values(url="http://a.example:80\\@example.com/x.ics")
            )

        def fetch(url: str) -> bytes:
            if "bruno" in url:
                raise RuntimeError("a bug in the fetcher")
            return FeedFetcher(allow_private=True)(url)

        states = {s.person: s for s in refresh_due(seeded, now=NOW, fetch=fetch)}
    finally:
        good.stop()
    assert "not a usable calendar feed URL" in states["anne"].last_error
    assert "RuntimeError: a bug in the fetcher" in states["bruno"].last_error
    assert not states["claire"].failing and states["claire"].fetched_at == NOW
    with seeded() as s:
        assert feed_state(s, "martin", "claire").fetched_at == NOW  # type: ignore[union-attr]


def _person_id(session: Session, key: str) -> int:
    from accueil.store.tables import PersonRow

    return session.query(PersonRow.id).filter(PersonRow.key == key).scalar()  # type: ignore[no-any-return]


def test_the_refresh_job_fetches_each_due_feed_once(seeded: sessionmaker[Session]) -> None:
    good = Server()
    try:
        with transaction(seeded) as s:
            for person in PEOPLE:
                set_feed(s, "martin", person, good.url(f"/{person}.ics"), now=NOW)
        fetch = FeedFetcher(allow_private=True)
        first = refresh_due(seeded, now=NOW, fetch=fetch)
        again = refresh_due(seeded, now=NOW + timedelta(minutes=1), fetch=fetch)
    finally:
        good.stop()
    assert sorted(s.person for s in first) == list(PEOPLE) and again == []
    assert good.hits == 3 and all(not s.failing for s in first)


def test_bad_feed_url_is_an_invalid_input() -> None:
    assert issubclass(BadFeedUrl, InvalidInput)
    assert ICS.startswith(b"BEGIN:VCALENDAR")
