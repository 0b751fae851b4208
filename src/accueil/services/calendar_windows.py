"""The expanded window of each calendar: computed when a copy is kept, read by decisions.

A decision never parses ICS nor expands a recurrence: it reads the window stored with the feed
(busy occurrences in UTC, a few kilobytes) and rebuilds its timeline with a sort and a merge,
cached in the process by the copy it came from. The refresh job re-reads a kept copy when its
window runs short (an uploaded file, a feed failing for weeks), so no call ever waits for it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker, undefer

from accueil.core.availability import CalendarView
from accueil.core.calendar import (
    CalendarError,
    CalendarOptions,
    Timeline,
    timeline_of_record,
    window_record,
)
from accueil.core.calendar_limits import CalendarLimits
from accueil.core.calendar_read import CalendarRead, read_calendar
from accueil.core.localtime import zone
from accueil.services.caching import TIMELINES, cache_of
from accueil.services.tenancy import on_scoped_input
from accueil.store.db import transaction
from accueil.store.tables import AccountRow
from accueil.store.tables_availability import CalendarFeedRow

OPTIONS = CalendarOptions()
LIMITS = CalendarLimits()


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def read_copy(data: bytes, timezone: str, now: datetime) -> CalendarRead:
    """Read a copy within the caps over the window around ``now``; CalendarError says why not."""
    return read_calendar(data, zone(timezone), now, OPTIONS, LIMITS)


def keep_window(row: CalendarFeedRow, read: CalendarRead) -> None:
    """Store a copy's window on its feed row (in the caller's transaction)."""
    row.window_start = read.timeline.window_start
    row.window_end = read.timeline.window_end
    row.window = window_record(read.timeline)
    row.skipped, row.notice = read.skipped, read.notice


def rewindow_due(
    factory: sessionmaker[Session], *, now: datetime, margin: timedelta | None = None
) -> int:
    """Re-read kept copies whose window has none or ends within ``margin`` (half the window
    ahead by default); the refresh job runs this so no decision has to. How many were re-read.
    A copy that no longer reads (a cap lowered, a library upgraded) flags its feed."""
    margin = margin if margin is not None else OPTIONS.ahead / 2
    with factory() as session:
        due = list(
            session.scalars(
                select(CalendarFeedRow.id).where(
                    CalendarFeedRow.fetched_at.is_not(None),
                    CalendarFeedRow.removed_at.is_(None),
                    or_(
                        CalendarFeedRow.window_end.is_(None),
                        CalendarFeedRow.window_end < now + margin,
                    ),
                )
            )
        )
    for feed_id in due:
        _rewindow(factory, feed_id, now)
    return len(due)


def _rewindow(factory: sessionmaker[Session], feed_id: int, now: datetime) -> None:
    with transaction(factory) as session:
        row = session.get(CalendarFeedRow, feed_id, options=[undefer(CalendarFeedRow.last_good)])
        if row is None or row.last_good is None:
            return
        timezone = session.scalars(
            select(AccountRow.timezone).where(AccountRow.id == row.account_id)
        ).one()
        try:
            keep_window(row, read_copy(row.last_good, timezone, now))
        except CalendarError as exc:
            row.last_error = f"the kept copy can no longer be read: {exc.message}"


class TimelineCache:
    """Timelines rebuilt from stored windows, by the copy they came from (LRU, thread-safe)."""

    def __init__(self, size: int = 2048) -> None:
        self._items: OrderedDict[tuple[int, datetime, datetime], Timeline] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()  # the API serves calls from several threads

    def timeline(
        self, key: tuple[int, datetime, datetime], build: Callable[[], Timeline]
    ) -> Timeline:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        found = build()
        with self._lock:
            self._items[key] = found
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return found

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


@on_scoped_input
def timelines_of(session: Session) -> TimelineCache:
    """The timeline cache of the application that opened ``session`` (see ``caching``)."""
    return cache_of(session, TIMELINES, TimelineCache)


class FeedCopy(Protocol):
    """What a calendar view is made of: a feed row, or the same columns read with others."""

    @property
    def id(self) -> int: ...
    @property
    def url(self) -> str | None: ...
    @property
    def fetched_at(self) -> datetime | None: ...
    @property
    def last_error(self) -> str | None: ...
    @property
    def skipped(self) -> int | None: ...
    @property
    def window_start(self) -> datetime | None: ...
    @property
    def window_end(self) -> datetime | None: ...
    @property
    def window(self) -> dict[str, Any] | None: ...


@on_scoped_input
def view_of_feed(session: Session, row: FeedCopy | None, now: datetime) -> CalendarView | None:
    """The calendar kept in a feed row already read (with the person's status, or a batch): its
    stored window, never its ICS. No window yet (a database from before windows were stored):
    an empty timeline, and availability warns "refresh the feed"."""
    if row is None or row.fetched_at is None:
        return None
    fetched_at = _utc(row.fetched_at)
    if row.window is None or row.window_start is None or row.window_end is None:
        timeline = Timeline(fetched_at, fetched_at)
    else:
        start, end, record = _utc(row.window_start), _utc(row.window_end), row.window
        timeline = timelines_of(session).timeline(
            (row.id, fetched_at, start), lambda: timeline_of_record(start, end, record)
        )
    return CalendarView(
        timeline,
        fetched_at,
        row.last_error or "",
        refreshed=bool(row.url),
        skipped=row.skipped or 0,
    )
