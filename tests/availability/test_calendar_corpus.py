"""Issue 9, hole 12: calendars as real software writes them are read, one odd event never blanks
a whole calendar. A corpus of our own (tests/fixtures/calendars: Google, Outlook/Exchange,
Apple, Thunderbird and Nextcloud styles, time zones, recurrences with exceptions), then the
calendars icalendar keeps in its own test suite, when the installed package ships them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from accueil.core.calendar import CalendarError
from accueil.core.calendar_read import read_calendar

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
CORPUS = Path(__file__).parent.parent / "fixtures" / "calendars"


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# (file, events skipped, [(instant in UTC, the busy event's title there or None when free)])
EXPECTED = [
    ("google.ics", 0, [
        (utc(11, 30, 8, 45), "Point d'équipe"),  # Monday 09:30 Paris
        (utc(12, 2, 8, 45), None),  # Wednesday's EXDATE
        (utc(12, 4, 8, 45), None),  # Friday's moved away...
        (utc(12, 4, 10, 15), "Point d'équipe (décalé)"),  # ...to 11:00 Paris
        (utc(12, 1, 13, 30), None),  # transparent: free
        (utc(12, 22, 10), "Congés"),  # transparent, but words of leave: out of office
    ]),
    ("outlook.ics", 1, [
        (utc(11, 30, 13, 30), "Comité de direction"),  # Romance Standard Time = Paris
        (utc(12, 7, 13, 30), None),  # EXDATE
        (utc(12, 14, 13, 30), "Comité de direction"),
        (utc(12, 10, 10), "Déplacement Lyon"),  # OOF all day
        (utc(12, 1, 15, 30), None),  # BUSYSTATUS FREE
    ]),
    ("apple.ics", 0, [  # a byte-order mark; the time zone defined after the event using it
        (utc(12, 1, 16, 30), "Call New York office"),  # 11:00 in New York
        (utc(12, 1, 7, 45), None),  # two EXDATE lines
        (utc(12, 8, 7, 45), None),
        (utc(12, 5, 7, 45), "Sport"),  # two RDATE lines
        (utc(12, 6, 7, 45), "Sport"),
        (utc(12, 15, 7, 45), "Sport"),
    ]),
    ("thunderbird.ics", 0, [
        (utc(12, 1, 14, 15), "Rendez-vous client Dupont"),
        (utc(12, 1, 15, 30), None),  # cancelled
        (utc(12, 14, 10), "Absent"),
    ]),
    ("nextcloud.ics", 1, [  # two VCALENDARs, a forward time-zone reference, a broken rule
        (utc(12, 2, 7, 30), "Dentiste"),  # 08:00 in Berlin
        (utc(12, 2, 9, 30), None),  # the event with the unreadable rule is skipped
        (utc(12, 3, 10), "Audience tribunal"),
    ]),
]  # fmt: skip


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(("name", "skipped", "moments"), EXPECTED)
def test_real_world_calendars_are_read_event_by_event(
    name: str, skipped: int, moments: list[tuple[datetime, str | None]]
) -> None:
    read = read_calendar((CORPUS / name).read_bytes(), PARIS, NOW)
    assert read.skipped == skipped, read.notice
    for instant, title in moments:
        block = read.timeline.block_at(instant)
        found = [e.summary for e in block.covering(instant)] if block else []
        assert found == ([title] if title else []), (name, instant)
    if skipped:
        assert "could not be read and were skipped" in read.notice


def test_every_calendar_of_the_corpus_has_its_producer() -> None:
    producers = {p.read_bytes().split(b"PRODID:")[1].split(b"\r\n")[0] for p in CORPUS.iterdir()}
    assert any(b"Google" in p for p in producers) and any(b"Microsoft" in p for p in producers)
    assert any(b"Apple" in p for p in producers) and any(b"Mozilla" in p for p in producers)
    assert any(b"Sabre" in p for p in producers)  # Nextcloud's


def test_out_of_office_and_a_skipped_event_are_told_apart() -> None:
    read = read_calendar((CORPUS / "outlook.ics").read_bytes(), PARIS, NOW)
    block = read.timeline.block_at(utc(12, 10, 10))
    assert block is not None and block.events[0].out_of_office
    assert "'Invitation sans date (export abîmé)' has no start" in read.notice


ICALENDAR_SUITE = Path(icalendar.__file__).parent / "tests" / "calendars"


def _readable_by_icalendar() -> list[Path]:
    found = []
    for path in sorted(ICALENDAR_SUITE.glob("*.ics")):
        try:
            if icalendar.Calendar.from_ical(path.read_bytes(), multiple=True):
                found.append(path)
        except Exception:
            continue
    return found


@pytest.mark.filterwarnings("ignore")
def test_icalendars_own_test_calendars_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    if not ICALENDAR_SUITE.is_dir():
        pytest.skip("the installed icalendar does not ship its test calendars")
    readable, refused = _readable_by_icalendar(), {}
    for path in readable:
        try:
            read_calendar(path.read_bytes(), PARIS, NOW)
        except CalendarError as exc:  # a refusal is a reason, never an internal error
            refused[path.name] = exc.message
    accepted = len(readable) - len(refused)
    with capsys.disabled():
        print(f"\nicalendar's test calendars: {accepted} of {len(readable)} accepted")
    # Only files that hold no calendar at all (a custom top-level component) are refused.
    assert all("not an iCalendar file" in why for why in refused.values()), refused
    assert accepted >= len(readable) - 2
