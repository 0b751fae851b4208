"""A person's calendar as decisions see it: a timeline of busy blocks, looked up by bisection.

Reading ICS and expanding recurrences (``calendar_read``, within ``calendar_limits``) is done
once per refresh; its window is stored compactly (``window_record``) and a decision rebuilds it
with a sort and a merge (``timeline_of_record``), then asks "what is happening at t?" with one
bisect over merged busy blocks.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from accueil.core.localtime import local_midnight
from accueil.errors import InvalidInput

DEFAULT_OOO_KEYWORDS = (
    "out of office",
    "ooo",
    "absent",
    "absence",
    "congé",
    "congés",
    "vacances",
    "holiday",
    "vacation",
    "leave",
)


class CalendarError(InvalidInput):
    """A calendar could not be read; the reason says why (the last good copy stays in use)."""

    code = "calendar_unreadable"


@dataclass(frozen=True)
class CalendarOptions:
    """How events are read: which words mark out-of-office, how far ahead to expand."""

    ooo_keywords: tuple[str, ...] = DEFAULT_OOO_KEYWORDS
    behind: timedelta = timedelta(days=1)
    ahead: timedelta = timedelta(days=62)


@dataclass(frozen=True)
class CalendarEvent:
    """One occurrence, in UTC. ``busy`` follows TRANSP; ``out_of_office`` the category or words."""

    start: datetime
    end: datetime
    summary: str
    busy: bool = True
    out_of_office: bool = False
    all_day: bool = False
    uid: str = ""


@dataclass(frozen=True)
class BusyBlock:
    """A maximal stretch of overlapping or touching busy events."""

    start: datetime
    end: datetime
    events: tuple[CalendarEvent, ...]

    def covering(self, instant: datetime) -> tuple[CalendarEvent, ...]:
        return tuple(e for e in self.events if e.start <= instant < e.end)


@dataclass(frozen=True)
class Timeline:
    """Busy blocks of a calendar, sorted, for instants in [window_start, window_end)."""

    window_start: datetime
    window_end: datetime
    blocks: tuple[BusyBlock, ...] = ()
    events: int = 0  # occurrences read in the window, busy or not
    _starts: tuple[datetime, ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def of(cls, start: datetime, end: datetime, events: Iterable[CalendarEvent]) -> Timeline:
        occurrences = sorted(events, key=lambda e: (e.start, e.end))
        blocks = tuple(_merge(e for e in occurrences if e.busy))
        return cls(start, end, blocks, len(occurrences), tuple(b.start for b in blocks))

    def covers(self, instant: datetime) -> bool:
        return self.window_start <= instant < self.window_end

    def next_busy(self, instant: datetime) -> datetime | None:
        """When the next busy block after ``instant`` starts (within the window), or None."""
        i = bisect.bisect_right(self._starts, instant)
        return self._starts[i] if i < len(self._starts) else None

    def block_at(self, instant: datetime) -> BusyBlock | None:
        """The busy block around ``instant``, or None when the person is free then."""
        i = bisect.bisect_right(self._starts, instant) - 1
        if i >= 0 and instant < self.blocks[i].end:
            return self.blocks[i]
        return None


def _merge(events: Iterable[CalendarEvent]) -> Iterable[BusyBlock]:
    current: list[CalendarEvent] = []
    end: datetime | None = None
    for event in events:
        if end is not None and event.start > end:
            yield BusyBlock(current[0].start, end, tuple(current))
            current, end = [], None
        current.append(event)
        end = event.end if end is None else max(end, event.end)
    if current and end is not None:
        yield BusyBlock(current[0].start, end, tuple(current))


def event_of(component: Any, tz: ZoneInfo, options: CalendarOptions) -> CalendarEvent | None:
    """One expanded occurrence in UTC; None when cancelled. Raises when its times are unusable."""
    if str(component.get("STATUS", "")).upper() == "CANCELLED":
        return None
    raw_start, raw_end = component.start, component.end
    all_day = not isinstance(raw_start, datetime)
    start, end = _instant(raw_start, tz), _instant(raw_end, tz)
    if end <= start:
        end = start + (timedelta(days=1) if all_day else timedelta(0))
    summary = str(component.get("SUMMARY", "")).strip()
    ooo = _is_out_of_office(component, summary, options)
    busy = ooo or _busy(component)
    uid = str(component.get("UID", ""))
    return CalendarEvent(start, end, summary, busy, ooo, all_day, uid)


# The window as stored at refresh time: busy occurrences only, compact, in UTC seconds.
_BUSY, _OOO, _ALL_DAY = 1, 2, 4


def window_record(timeline: Timeline) -> dict[str, Any]:
    """The timeline as JSON-ready data (what a refresh stores; a decision reads it back)."""
    events = [e for b in timeline.blocks for e in b.events]
    return {
        "v": 1,
        "read": timeline.events,
        "busy": [
            [
                int(e.start.timestamp()),
                int(e.end.timestamp()),
                e.summary[:200],
                (_BUSY if e.busy else 0)
                | (_OOO if e.out_of_office else 0)
                | (_ALL_DAY if e.all_day else 0),
                e.uid[:200],
            ]
            for e in events
        ],
    }


def timeline_of_record(start: datetime, end: datetime, record: dict[str, Any]) -> Timeline:
    """Rebuild a stored window: a sort and a merge of its busy events, no calendar parsing."""
    events = (
        CalendarEvent(
            datetime.fromtimestamp(s, UTC),
            datetime.fromtimestamp(e, UTC),
            summary,
            bool(flags & _BUSY),
            bool(flags & _OOO),
            bool(flags & _ALL_DAY),
            uid,
        )
        for s, e, summary, flags, uid in record.get("busy", [])
    )
    timeline = Timeline.of(start, end, events)
    return replace(timeline, events=int(record.get("read", timeline.events)))


def _instant(value: date | datetime, tz: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        return local_midnight(value, tz)  # all-day events follow the account's days
    if value.tzinfo is None:  # floating time: the account's wall clock
        return value.replace(tzinfo=tz).astimezone(UTC)
    return value.astimezone(UTC)


def _busy(component: Any) -> bool:
    cdo = str(component.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper()
    if cdo == "FREE":
        return False
    return str(component.get("TRANSP", "OPAQUE")).upper() != "TRANSPARENT"


def _is_out_of_office(component: Any, summary: str, options: CalendarOptions) -> bool:
    if str(component.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() == "OOF":
        return True
    words = [c.lower() for c in _categories(component)]
    words.append(summary.lower())
    keywords = [k.lower() for k in options.ooo_keywords]
    return any(_mentions(text, k) for text in words for k in keywords)


def _mentions(text: str, keyword: str) -> bool:
    # whole words only: "leave" must not match "cleaver", "ooo" not "cooool"
    padded = f" {''.join(c if c.isalnum() else ' ' for c in text)} "
    return f" {keyword} " in padded


def _categories(component: Any) -> list[str]:
    try:
        return [str(c) for c in component.categories]
    except Exception:
        return []
