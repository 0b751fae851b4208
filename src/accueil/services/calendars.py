"""Calendar feeds at the edge: fetch ICS over HTTP (or take an uploaded file), keep the last
good copy, flag failures. A failing feed never breaks a decision: the last good copy is used
and the availability carries a warning.

Fetching happens outside any transaction; each outcome is then written in one transaction.
Expanded timelines are cached by content in the application's ``TimelineCache`` (see
``caching``), so a decision is a bisect.
"""

from __future__ import annotations

import hashlib
import threading
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from accueil.core.availability import CalendarView
from accueil.core.calendar import CalendarError, CalendarOptions, Timeline, timeline_from_ics
from accueil.core.localtime import zone
from accueil.errors import AccueilError, InvalidInput, NotFound
from accueil.services.caching import TIMELINES, cache_of
from accueil.services.directory import account_row
from accueil.services.events import CalendarFeedSet, CalendarRefreshed, CalendarUploaded
from accueil.services.feed_guard import PrivateHost, check_public, opener
from accueil.services.outbox import emit
from accueil.store.db import transaction
from accueil.store.tables import AccountRow, PersonRow
from accueil.store.tables_availability import CalendarFeedRow

MAX_BYTES = 5 * 1024 * 1024
Fetch = Callable[[str], bytes]


class FeedUnreachable(AccueilError):
    """The feed's server could not be reached or answered with an error."""

    code = "calendar_feed_unreachable"
    status = 502


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def fetch_ics(url: str, timeout: float = 10.0) -> bytes:
    """GET the feed; FeedUnreachable says why it could not be read."""
    request = urllib.request.Request(url, headers={"User-Agent": "accueil-calendar/1"})
    try:
        check_public(url)
        with opener().open(request, timeout=timeout) as response:
            data: bytes = response.read(MAX_BYTES + 1)
    except PrivateHost as exc:
        raise FeedUnreachable(f"the feed was not read: {exc}") from None
    except urllib.error.HTTPError as exc:
        raise FeedUnreachable(f"the feed answered HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FeedUnreachable(f"the feed could not be reached: {reason}") from None
    if len(data) > MAX_BYTES:
        raise FeedUnreachable(f"the feed is larger than {MAX_BYTES // 1024 // 1024} MB")
    return data


@dataclass(frozen=True)
class FeedState:
    """Where a person's calendar comes from and how its last refresh went."""

    account: str
    person: str
    url: str
    fetched_at: datetime | None
    attempted_at: datetime | None
    last_error: str
    failures: int

    @property
    def failing(self) -> bool:
        return bool(self.last_error)


def _state(row: CalendarFeedRow, account: str, person: str) -> FeedState:
    return FeedState(
        account,
        person,
        row.url,
        _utc(row.fetched_at) if row.fetched_at else None,
        _utc(row.attempted_at) if row.attempted_at else None,
        row.last_error,
        row.failures,
    )


def _person(session: Session, acc: AccountRow, person: str) -> PersonRow:
    row = session.scalar(
        select(PersonRow).where(PersonRow.account_id == acc.id, PersonRow.key == person)
    )
    if row is None:
        raise NotFound(f"no person {person!r} in account {acc.key!r}", person=person)
    return row


def _feed(session: Session, acc: AccountRow, prow: PersonRow) -> CalendarFeedRow:
    row = session.scalar(
        select(CalendarFeedRow).where(
            CalendarFeedRow.account_id == acc.id, CalendarFeedRow.person_id == prow.id
        )
    )
    if row is None:
        row = CalendarFeedRow(account_id=acc.id, person_id=prow.id, url="", failures=0)
        session.add(row)
    return row


def set_feed(session: Session, account: str, person: str, url: str, *, now: datetime) -> FeedState:
    """Use this ICS feed URL for the person's calendar (fetched on the next refresh).

    ``webcal://`` links (what Google, Outlook and iCloud hand out) are fetched over https.
    """
    parsed = urlparse(url.strip())
    if parsed.scheme in {"webcal", "webcals"}:
        parsed = parsed._replace(scheme="https")
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise InvalidInput(
            f"{url!r}: a calendar feed is an http://, https:// or webcal:// URL", url=url
        )
    acc = account_row(session, account)
    row = _feed(session, acc, _person(session, acc, person))
    row.url = parsed.geturl()
    emit(session, CalendarFeedSet(account=acc.key, at=now, person=person))
    session.flush()
    return _state(row, account, person)


def upload_calendar(
    session: Session, account: str, person: str, data: bytes, *, now: datetime
) -> FeedState:
    """Take an uploaded ICS file as the person's calendar; refused whole if unreadable."""
    acc = account_row(session, account)
    timelines = timelines_of(session)
    timeline = timeline_from_ics(data, zone(acc.timezone), now, timelines.options)
    timelines.keep(data, acc.timezone, timeline)  # raised CalendarError above: nothing changed
    row = _feed(session, acc, _person(session, acc, person))
    row.url, row.last_good, row.fetched_at, row.attempted_at = "", data, now, now
    row.last_error, row.failures = "", 0
    emit(session, CalendarUploaded(account=acc.key, at=now, person=person))
    session.flush()
    return _state(row, account, person)


def feed_state(session: Session, account: str, person: str) -> FeedState | None:
    acc = account_row(session, account)
    prow = _person(session, acc, person)
    row = session.scalar(
        select(CalendarFeedRow).where(
            CalendarFeedRow.account_id == acc.id, CalendarFeedRow.person_id == prow.id
        )
    )
    return _state(row, account, person) if row else None


def refresh_feed(
    factory: sessionmaker[Session],
    account: str,
    person: str,
    *,
    now: datetime,
    fetch: Fetch = fetch_ics,
) -> FeedState:
    """Fetch and check the feed; keep it if good, else keep the last good copy and flag it."""
    with factory() as session:
        acc = account_row(session, account)
        prow = _person(session, acc, person)
        found = session.scalar(
            select(CalendarFeedRow.url).where(
                CalendarFeedRow.account_id == acc.id, CalendarFeedRow.person_id == prow.id
            )
        )
        url, tz = found or "", acc.timezone
        timelines = timelines_of(session)
    if not url:
        raise InvalidInput(f"{account}:{person} has no calendar feed URL (an upload, or none)")
    data, error = None, ""
    try:
        data = fetch(url)
        timelines.keep(data, tz, timeline_from_ics(data, zone(tz), now, timelines.options))
    except (FeedUnreachable, CalendarError) as exc:
        error = exc.message
    with transaction(factory) as session:
        acc = account_row(session, account)
        row = _feed(session, acc, _person(session, acc, person))
        row.attempted_at = now
        if error:
            row.last_error, row.failures = error, row.failures + 1
        else:
            row.last_good, row.fetched_at, row.last_error, row.failures = data, now, "", 0
        emit(session, CalendarRefreshed(account=acc.key, at=now, person=person, error=error))
        session.flush()
        return _state(row, account, person)


def refresh_due(
    factory: sessionmaker[Session],
    *,
    now: datetime,
    every: timedelta = timedelta(minutes=15),
    account: str | None = None,
    fetch: Fetch = fetch_ics,
) -> list[FeedState]:
    """Refresh every feed not tried within ``every`` (the scheduled job); one account or all."""
    with factory() as session:
        query = (
            select(AccountRow.key, PersonRow.key)
            .join(CalendarFeedRow, CalendarFeedRow.account_id == AccountRow.id)
            .join(PersonRow, CalendarFeedRow.person_id == PersonRow.id)
            .where(
                CalendarFeedRow.url != "",
                PersonRow.account_id == AccountRow.id,
                or_(
                    CalendarFeedRow.attempted_at.is_(None),
                    CalendarFeedRow.attempted_at <= now - every,
                ),
            )
            .order_by(AccountRow.key, PersonRow.key)
        )
        if account is not None:
            query = query.where(AccountRow.key == account)
        due = list(session.execute(query))
    return [refresh_feed(factory, a, p, now=now, fetch=fetch) for a, p in due]


class TimelineCache:
    """Expanded timelines by feed content and zone; re-expanded when ``now`` leaves the window."""

    def __init__(self, size: int = 2048, options: CalendarOptions = CalendarOptions()) -> None:
        self._items: OrderedDict[tuple[str, str], Timeline] = OrderedDict()
        self._size, self.options = size, options
        self._lock = threading.Lock()  # the API serves calls from several threads

    def timeline(self, data: bytes, timezone: str, now: datetime) -> Timeline:
        key = (hashlib.sha256(data).hexdigest(), timezone)
        with self._lock:
            found = self._items.get(key)
        if found is None or not found.covers(now):
            found = timeline_from_ics(data, zone(timezone), now, self.options)
            self.keep(data, timezone, found)
        return found

    def keep(self, data: bytes, timezone: str, timeline: Timeline) -> None:
        """Remember a timeline just expanded (a refresh does this so no call waits for it)."""
        key = (hashlib.sha256(data).hexdigest(), timezone)
        with self._lock:
            self._items[key] = timeline
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def timelines_of(session: Session) -> TimelineCache:
    """The expanded-timeline cache of the application that opened ``session``."""
    return cache_of(session, TIMELINES, TimelineCache)


def calendar_view(
    session: Session, account: AccountRow, person: PersonRow, now: datetime
) -> CalendarView | None:
    """The person's calendar from its last good copy, or None when there is none."""
    row = session.scalar(
        select(CalendarFeedRow).where(
            CalendarFeedRow.account_id == account.id, CalendarFeedRow.person_id == person.id
        )
    )
    return view_of_feed(session, row, account, now)


def view_of_feed(
    session: Session, row: CalendarFeedRow | None, account: AccountRow, now: datetime
) -> CalendarView | None:
    """The calendar kept in a feed row already read (by ``calendar_view`` or a batch)."""
    if row is None or row.last_good is None or row.fetched_at is None:
        return None
    try:
        timeline = timelines_of(session).timeline(row.last_good, account.timezone, now)
    except CalendarError:
        return None  # checked when stored; a library upgrade must still not break a call
    return CalendarView(timeline, _utc(row.fetched_at), row.last_error, refreshed=bool(row.url))
