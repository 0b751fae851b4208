"""Calendar feeds over a real loopback HTTP server: good, then malformed, then unreachable.

A failing feed keeps its last good copy, is flagged, and never breaks a decision.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from calendar_helpers import ics, paris
from sqlalchemy.orm import Session, sessionmaker

from accueil.core.availability import Source, State
from accueil.core.calendar import CalendarError
from accueil.core.decision import Call
from accueil.errors import InvalidInput
from accueil.feeds import fetch_ics, refresh_due
from accueil.services.availability import availability_of
from accueil.services.calendars import (
    feed_state,
    refresh_feed,
    set_feed,
    upload_calendar,
)
from accueil.services.decisions import decide_for
from accueil.services.onboarding import load_directory
from accueil.store.db import transaction

NOW = paris(2026, 11, 30, 10)
GOOD = ics(
    "UID:b\nDTSTART;TZID=Europe/Paris:20261130T093000\nDTEND;TZID=Europe/Paris:20261130T110000\n"
    "SUMMARY:Comité de direction\nRRULE:FREQ=WEEKLY;COUNT=4"
)
DIRECTORY = {
    "accounts": [{"key": "martin", "name": "Cabinet Martin", "country": "FR"}],
    "people": [{"account": "martin", "key": "claire", "first_name": "Claire", "last_name": "M"}],
}


class FeedServer:
    """A real HTTP server on 127.0.0.1 whose answer the test changes between refreshes."""

    def __init__(self) -> None:
        self.status, self.body, self.hits = 200, GOOD, 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits += 1
                self.send_response(outer.status)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/claire.ics"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    server.thread.start()
    yield server
    server.stop()


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        load_directory(s, DIRECTORY, source="test", now=NOW)
    return sessions


def _availability(sessions: sessionmaker[Session], now: object = NOW) -> object:
    with sessions() as s:
        return availability_of(s, "martin", "claire", now=now)  # type: ignore[arg-type]


def test_good_then_malformed_then_unreachable_feed_keeps_the_last_good_copy(
    seeded: sessionmaker[Session], feed_server: FeedServer
) -> None:
    with transaction(seeded) as s:
        set_feed(s, "martin", "claire", feed_server.url, now=NOW)

    good = refresh_feed(seeded, "martin", "claire", now=NOW, fetch=fetch_ics)
    assert not good.failing and good.fetched_at == NOW
    found = _availability(seeded)
    assert (found.state, found.note) == (State.MEETING, "Comité de direction")  # type: ignore[attr-defined]

    feed_server.body = b"<html>maintenance</html>"
    later = NOW + timedelta(minutes=20)
    malformed = refresh_feed(seeded, "martin", "claire", now=later, fetch=fetch_ics)
    assert malformed.failing and "iCalendar" in malformed.last_error
    assert malformed.fetched_at == NOW and malformed.failures == 1

    feed_server.status, feed_server.body = 503, b"down"
    unavailable = refresh_feed(
        seeded, "martin", "claire", now=later + timedelta(minutes=20), fetch=fetch_ics
    )
    assert "HTTP 503" in unavailable.last_error and unavailable.failures == 2

    feed_server.stop()
    gone = refresh_feed(
        seeded, "martin", "claire", now=later + timedelta(minutes=40), fetch=fetch_ics
    )
    assert "could not be reached" in gone.last_error and gone.failures == 3

    found = _availability(seeded)
    assert found.state is State.MEETING and found.source is Source.CALENDAR  # type: ignore[attr-defined]
    assert any("could not be reached" in w for w in found.warnings)  # type: ignore[attr-defined]
    with seeded() as s:
        decision = decide_for(s, "martin", "claire", Call("+33612345678", "+33140000000"), now=NOW)
    assert "in a meeting" in decision.explanation


def test_a_feed_that_recovers_clears_its_flag(
    seeded: sessionmaker[Session], feed_server: FeedServer
) -> None:
    with transaction(seeded) as s:
        set_feed(s, "martin", "claire", feed_server.url, now=NOW)
    feed_server.body = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"
    assert refresh_feed(seeded, "martin", "claire", now=NOW, fetch=fetch_ics).failing
    assert _availability(seeded).source is Source.HOURS  # type: ignore[attr-defined]
    feed_server.body = GOOD
    recovered = refresh_feed(
        seeded, "martin", "claire", now=NOW + timedelta(minutes=1), fetch=fetch_ics
    )
    assert not recovered.failing and recovered.failures == 0


def test_the_schedule_refreshes_only_feeds_that_are_due(
    seeded: sessionmaker[Session], feed_server: FeedServer
) -> None:
    with transaction(seeded) as s:
        set_feed(s, "martin", "claire", feed_server.url, now=NOW)
    every = timedelta(minutes=15)
    assert len(refresh_due(seeded, now=NOW, fetch=fetch_ics, every=every)) == 1
    assert refresh_due(seeded, now=NOW + timedelta(minutes=5), fetch=fetch_ics, every=every) == []
    assert (
        len(refresh_due(seeded, now=NOW + timedelta(minutes=15), fetch=fetch_ics, every=every)) == 1
    )
    assert feed_server.hits == 2
    assert (
        refresh_due(
            seeded, now=NOW + timedelta(hours=1), fetch=fetch_ics, every=every, account="other"
        )
        == []
    )


def test_an_uploaded_file_is_checked_before_it_replaces_the_calendar(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        upload_calendar(s, "martin", "claire", GOOD, now=NOW)
    with pytest.raises(CalendarError), transaction(seeded) as s:
        upload_calendar(s, "martin", "claire", b"not a calendar", now=NOW)
    with seeded() as s:
        state = feed_state(s, "martin", "claire")
    assert state is not None and state.url == "" and state.fetched_at == NOW
    assert _availability(seeded).state is State.MEETING  # type: ignore[attr-defined]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://x/y.ics", "claire.ics"])
def test_only_http_feeds_are_accepted(seeded: sessionmaker[Session], url: str) -> None:
    with pytest.raises(InvalidInput), transaction(seeded) as s:
        set_feed(s, "martin", "claire", url, now=NOW)


def test_refreshing_a_person_without_a_feed_says_so_and_writes_nothing(
    seeded: sessionmaker[Session],
) -> None:
    with pytest.raises(InvalidInput, match="no calendar feed URL"):
        refresh_feed(seeded, "martin", "claire", now=NOW, fetch=fetch_ics)
    with seeded() as s:
        assert feed_state(s, "martin", "claire") is None


def test_webcal_links_are_fetched_over_https(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        state = set_feed(
            s, "martin", "claire", " webcal://calendar.example/claire.ics?k=1 ", now=NOW
        )
    assert state.url == "https://calendar.example/claire.ics?k=1"
