"""Calendar feeds under attack (issue 9, holes 1, 2, 4, 5): the exact reproductions of the issue,
each timed and its peak Python memory taken (tracemalloc, in a second run), against the target
of 2 s and 100 MB per refusal; then a cold decision on a 10,000-event calendar, read from its
stored window, against the baseline of parsing and expanding the calendar at decision time (what
a cache miss cost before windows were stored), in the same process.

Workload: a SQLite file with one account and one person; feeds served by an HTTP server on
127.0.0.1 (the private-hosts setting on, as an operator's own network, except for the SSRF case
which runs with it off); uploads through the calendar service.
"""

from __future__ import annotations

import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accueil.core.calendar_read import timeline_from_ics
from accueil.errors import AccueilError
from accueil.feeds import FeedFetcher
from accueil.services.availability import availability_of
from accueil.services.calendars import refresh_feed, set_feed, upload_calendar
from accueil.services.onboarding import load_directory
from accueil.store.db import make_engine, migrate, session_factory, transaction
from accueil.store.tables_availability import CalendarFeedRow

NOW = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
DIRECTORY = {
    "accounts": [{"key": "martin", "name": "Cabinet Martin", "country": "FR"}],
    "people": [{"account": "martin", "key": "claire", "first_name": "Claire", "last_name": "M"}],
}
HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
MINUTELY = (
    f"{HEAD}BEGIN:VEVENT\r\nUID:bomb\r\nDTSTART:20200101T000000Z\r\nDURATION:PT1S\r\n"
    "RRULE:FREQ=MINUTELY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()
SECONDLY = MINUTELY.replace(b"MINUTELY", b"SECONDLY")
EVENTS_100K = (
    HEAD + "BEGIN:VEVENT\r\nDTSTART:20261201\r\nEND:VEVENT\r\n" * 100_000 + "END:VCALENDAR\r\n"
).encode()
OVERSIZED = (HEAD + "X-PAD:" + "x" * (6 * 1024 * 1024) + "\r\nEND:VCALENDAR\r\n").encode()


def _events(n: int) -> bytes:
    """n one-hour meetings spread over the window, each with its own UID and Paris time."""
    rows = []
    for i in range(n):
        day = NOW + timedelta(days=i % 60, hours=i % 9)
        start = day.astimezone(PARIS).strftime("%Y%m%dT%H%M00")
        rows.append(
            f"BEGIN:VEVENT\r\nUID:m{i}@bench\r\nDTSTAMP:20261101T000000Z\r\n"
            f"DTSTART;TZID=Europe/Paris:{start}\r\nDURATION:PT1H\r\nSUMMARY:Meeting {i}\r\n"
            "END:VEVENT\r\n"
        )
    return (HEAD + "".join(rows) + "END:VCALENDAR\r\n").encode()


class _Server:
    def __init__(self) -> None:
        self.body, self.drip = b"", False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", str(len(outer.body) or 100_000))
                self.end_headers()
                try:
                    if outer.drip:  # a line every 2 s, for ever (the slow server)
                        while outer.drip:
                            self.wfile.write(b"X-A: b\r\n")
                            self.wfile.flush()
                            time.sleep(2)
                    else:
                        self.wfile.write(outer.body)
                except OSError:
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/x.ics"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()


@contextmanager
def _store() -> Iterator[sessionmaker[Session]]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        migrate(engine)
        factory = session_factory(engine)
        with transaction(factory) as s:
            load_directory(s, DIRECTORY, source="bench", now=NOW)
        yield factory
        engine.dispose()


def _measure(case: Callable[[], str]) -> tuple[float, float, str]:
    """Seconds (plain run) and peak MiB of Python allocations (second run, tracemalloc)."""
    began = time.perf_counter()
    outcome = case()
    took = time.perf_counter() - began
    tracemalloc.start()
    case()
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    return took, peak, outcome


def _row(name: str, case: Callable[[], str]) -> None:
    took, peak, outcome = _measure(case)
    verdict = "within" if took < 2 and peak < 100 else "OVER"
    print(f"  {name:<44} {took * 1000:8.0f} ms {peak:7.1f} MiB  {verdict}  -> {outcome[:90]}")


def _refused(action: Callable[[], object]) -> str:
    try:
        action()
    except AccueilError as exc:
        return f"refused: {exc.message}"
    return "accepted"


def run() -> None:
    print(f"{'case':<46} {'time':>11} {'peak':>11}  target: < 2 s and < 100 MiB")
    server = _Server()
    with _store() as factory:
        with transaction(factory) as s:
            set_feed(s, "martin", "claire", server.url, now=NOW)
        fetch = FeedFetcher(allow_private=True)

        def refreshed(body: bytes) -> Callable[[], str]:
            def case() -> str:
                server.body = body
                state = refresh_feed(factory, "martin", "claire", now=NOW, fetch=fetch)
                return f"refused: {state.last_error}" if state.failing else "accepted"

            return case

        def uploaded(body: bytes) -> Callable[[], str]:
            def case() -> str:
                with factory() as s:
                    return _refused(lambda: upload_calendar(s, "martin", "claire", body, now=NOW))

            return case

        _row(f"feed FREQ=MINUTELY, no UNTIL ({len(MINUTELY)} B)", refreshed(MINUTELY))
        _row(f"feed FREQ=SECONDLY, no UNTIL ({len(SECONDLY)} B)", refreshed(SECONDLY))
        _row(f"feed of 100,000 events ({len(EVENTS_100K) >> 20} MiB)", refreshed(EVENTS_100K))
        _row("upload FREQ=MINUTELY", uploaded(MINUTELY))
        _row(f"upload of {len(OVERSIZED) >> 20} MiB", uploaded(OVERSIZED))
        strict = FeedFetcher(allow_private=False)
        for url in ("http://127.0.0.%31:8765/x.ics", "http://%6c%6f%63%61%6c%68%6f%73%74/x.ics"):
            _row(f"fetch {url[:36]}", lambda url=url: _refused(lambda: strict(url)))
        for url in ("http://a.example:80\\@example.com/x.ics", "http://[::1:8765/x.ics"):

            def set_bad(url: str = url) -> str:
                with factory() as s:
                    return _refused(lambda: set_feed(s, "martin", "claire", url, now=NOW))

            _row(f"calendar set {url[:31]}", set_bad)
        _slow(server)
    _cold_decision()


def _slow(server: _Server) -> None:
    """A server dripping a header line every 2 s: dropped at the fetch's total deadline."""
    server.drip = True
    fetcher = FeedFetcher(allow_private=True, deadline=5.0)
    began = time.perf_counter()
    outcome = _refused(lambda: fetcher(server.url))
    took = time.perf_counter() - began
    server.drip = False
    print(f"  slow server, deadline 5 s: dropped after {took:.1f} s -> {outcome}")
    print("  (the default deadline is 20 s, ACCUEIL_CALENDAR_FETCH_DEADLINE_SECONDS)")


def _cold_decision() -> None:
    data = _events(10_000)
    print(f"\ncold decision, 10,000-event calendar ({len(data) >> 10} KiB), SQLite, cache empty")
    with _store() as factory:
        began = time.perf_counter()
        with transaction(factory) as s:
            upload_calendar(s, "martin", "claire", data, now=NOW)
        print(f"  upload = read + expand + store the window: {time.perf_counter() - began:.1f} s")
        at = NOW + timedelta(days=1, hours=1, minutes=30)  # "Meeting 1"

        def decide() -> str:
            with factory() as s:
                found = availability_of(s, "martin", "claire", now=at)
            return f"{found.state.value} ({found.note})"

        took, peak, outcome = _measure(decide)
        print(f"  accueil, first call of the process (SQL compiled too): {took * 1000:.0f} ms")
        took, peak, outcome = _measure(decide)
        print(f"  accueil (stored window): {took * 1000:.0f} ms, {peak:.1f} MiB -> {outcome}")

        def baseline() -> str:
            with factory() as s:
                kept = s.scalars(select(CalendarFeedRow.last_good)).one()
            assert kept is not None
            timeline = timeline_from_ics(kept, PARIS, at)
            return f"{timeline.events} occurrences expanded"

        took_b, peak_b, outcome_b = _measure(baseline)
        print(
            f"  baseline (parse + expand at decision time): {took_b * 1000:.0f} ms, "
            f"{peak_b:.1f} MiB -> {outcome_b}"
        )
        print(f"  the stored window is {took_b / max(took, 1e-9):.0f}x faster when cold")
