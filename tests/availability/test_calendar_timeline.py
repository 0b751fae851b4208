"""ICS → timeline: recurring events with exceptions, all-day events, free/busy, out of office."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from calendar_helpers import PARIS, ics, paris
from hypothesis import given, settings
from hypothesis import strategies as st

from accueil.core.calendar import CalendarError, CalendarEvent, CalendarOptions, Timeline
from accueil.core.calendar_read import timeline_from_ics

NOW = paris(2026, 11, 29, 12)

WEEKLY_BOARD = """
UID:board
DTSTART;TZID=Europe/Paris:20261130T140000
DTEND;TZID=Europe/Paris:20261130T150000
RRULE:FREQ=WEEKLY;COUNT=6
EXDATE;TZID=Europe/Paris:20261207T140000
SUMMARY:Comité de direction
"""
MOVED_BOARD = """
UID:board
RECURRENCE-ID;TZID=Europe/Paris:20261214T140000
DTSTART;TZID=Europe/Paris:20261214T160000
DTEND;TZID=Europe/Paris:20261214T170000
SUMMARY:Comité de direction (moved)
"""


def _summary_at(timeline: Timeline, instant: datetime) -> str | None:
    block = timeline.block_at(instant)
    return None if block is None else block.covering(instant)[0].summary


def test_weekly_meeting_recurs_except_on_its_exdate() -> None:
    timeline = timeline_from_ics(ics(WEEKLY_BOARD), PARIS, NOW)
    assert _summary_at(timeline, paris(2026, 11, 30, 14, 30)) == "Comité de direction"
    assert _summary_at(timeline, paris(2026, 12, 7, 14, 30)) is None  # EXDATE
    assert _summary_at(timeline, paris(2026, 12, 21, 14, 30)) == "Comité de direction"
    assert _summary_at(timeline, paris(2027, 1, 11, 14, 30)) is None  # COUNT=6 is over


def test_a_moved_occurrence_replaces_the_original_one() -> None:
    timeline = timeline_from_ics(ics(WEEKLY_BOARD, MOVED_BOARD), PARIS, NOW)
    assert _summary_at(timeline, paris(2026, 12, 14, 14, 30)) is None
    assert _summary_at(timeline, paris(2026, 12, 14, 16, 30)) == "Comité de direction (moved)"


def test_all_day_events_follow_the_accounts_days() -> None:
    data = ics("UID:x\nDTSTART;VALUE=DATE:20261202\nDTEND;VALUE=DATE:20261204\nSUMMARY:Salon")
    timeline = timeline_from_ics(data, PARIS, NOW)
    block = timeline.block_at(paris(2026, 12, 2, 0, 0))
    assert block is not None and block.events[0].all_day
    assert block.start == paris(2026, 12, 2) and block.end == paris(2026, 12, 4)
    assert timeline.block_at(paris(2026, 12, 1, 23, 59)) is None


def test_transparent_events_leave_the_person_free() -> None:
    data = ics(
        "UID:t\nDTSTART:20261201T090000Z\nDTEND:20261201T100000Z\nSUMMARY:FYI\nTRANSP:TRANSPARENT",
        "UID:f\nDTSTART:20261201T110000Z\nDTEND:20261201T120000Z\nSUMMARY:Free\n"
        "X-MICROSOFT-CDO-BUSYSTATUS:FREE",
    )
    timeline = timeline_from_ics(data, PARIS, NOW)
    assert timeline.events == 2 and timeline.blocks == ()


@pytest.mark.parametrize(
    "lines",
    [
        "SUMMARY:Séminaire\nCATEGORIES:Out of office",
        "SUMMARY:Congés d'hiver",
        "SUMMARY:Away\nX-MICROSOFT-CDO-BUSYSTATUS:OOF",
        "SUMMARY:Vacation\nTRANSP:TRANSPARENT",
    ],
)
def test_out_of_office_comes_from_categories_words_or_outlook(lines: str) -> None:
    data = ics(f"UID:o\nDTSTART:20261201T090000Z\nDTEND:20261201T170000Z\n{lines}")
    block = timeline_from_ics(data, PARIS, NOW).block_at(datetime(2026, 12, 1, 10, tzinfo=UTC))
    assert block is not None and block.events[0].out_of_office


def test_out_of_office_words_are_configurable_and_whole_words() -> None:
    data = ics("UID:o\nDTSTART:20261201T090000Z\nDTEND:20261201T170000Z\nSUMMARY:Cleaver demo")
    options = CalendarOptions(ooo_keywords=("leave",))
    block = timeline_from_ics(data, PARIS, NOW, options).block_at(paris(2026, 12, 1, 11))
    assert block is not None and not block.events[0].out_of_office
    options = CalendarOptions(ooo_keywords=("demo",))
    block = timeline_from_ics(data, PARIS, NOW, options).block_at(paris(2026, 12, 1, 11))
    assert block is not None and block.events[0].out_of_office


def test_cancelled_events_and_floating_times() -> None:
    data = ics(
        "UID:c\nDTSTART:20261201T090000Z\nDTEND:20261201T100000Z\nSUMMARY:Off\nSTATUS:CANCELLED",
        "UID:f\nDTSTART:20261201T150000\nDURATION:PT30M\nSUMMARY:Floating",
    )
    timeline = timeline_from_ics(data, PARIS, NOW)
    assert _summary_at(timeline, datetime(2026, 12, 1, 9, 30, tzinfo=UTC)) is None
    assert _summary_at(timeline, paris(2026, 12, 1, 15, 10)) == "Floating"  # Paris wall clock


def test_overlapping_events_merge_into_one_block_until_the_last_ends() -> None:
    data = ics(
        "UID:a\nDTSTART:20261201T090000Z\nDTEND:20261201T100000Z\nSUMMARY:A",
        "UID:b\nDTSTART:20261201T093000Z\nDTEND:20261201T110000Z\nSUMMARY:B",
        "UID:c\nDTSTART:20261201T110000Z\nDTEND:20261201T113000Z\nSUMMARY:C",
    )
    block = timeline_from_ics(data, PARIS, NOW).block_at(datetime(2026, 12, 1, 9, 45, tzinfo=UTC))
    assert block is not None
    assert block.end == datetime(2026, 12, 1, 11, 30, tzinfo=UTC)
    assert [e.summary for e in block.covering(datetime(2026, 12, 1, 9, 45, tzinfo=UTC))] == [
        "A",
        "B",
    ]


@pytest.mark.parametrize(
    "data",
    [b"", b"<html>502 Bad Gateway</html>", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", b"\xff\xfe"],
)
def test_malformed_calendars_are_refused_with_a_reason(data: bytes) -> None:
    with pytest.raises(CalendarError) as caught:
        timeline_from_ics(data, PARIS, NOW)
    assert caught.value.message


_events = st.lists(
    st.tuples(st.integers(0, 60 * 24 * 10), st.integers(1, 60 * 8), st.booleans()), max_size=40
)


@settings(max_examples=150, deadline=None)
@given(_events, st.integers(-60, 60 * 24 * 11))
def test_bisect_lookup_agrees_with_a_scan_of_every_event(
    raw: list[tuple[int, int, bool]], probe: int
) -> None:
    base = datetime(2026, 12, 1, tzinfo=UTC)
    events = [
        CalendarEvent(
            base + timedelta(minutes=s), base + timedelta(minutes=s + d), f"e{i}", busy=busy
        )
        for i, (s, d, busy) in enumerate(raw)
    ]
    timeline = Timeline.of(base - timedelta(days=1), base + timedelta(days=12), events)
    instant = base + timedelta(minutes=probe)
    expected = {e.summary for e in events if e.busy and e.start <= instant < e.end}
    block = timeline.block_at(instant)
    found = {e.summary for e in block.covering(instant)} if block else set()
    assert found == expected
