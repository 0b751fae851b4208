"""A person's calendar: an ICS feed (fetched through the network edge it is handed) or an
uploaded file. Each copy is read within caps; a good one is kept with its expanded window
(``calendar_windows``), a bad one flags the feed and the last good copy stays in use. A failing
feed never breaks a decision: the availability carries a warning.

Fetching happens outside any transaction; each outcome is then written in one transaction.
Refreshing and uploading emit their events (``docs/events.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from accueil.core.calendar import CalendarError
from accueil.core.calendar_read import CalendarRead
from accueil.core.feed_url import parse_feed_url
from accueil.errors import AccueilError, InvalidInput, NotFound, at_field, says
from accueil.services.calendar_windows import LIMITS, keep_window, read_copy
from accueil.services.directory import account_row
from accueil.services.events import (
    CalendarFeedSet,
    CalendarRefreshed,
    CalendarRemoved,
    CalendarUploaded,
)
from accueil.services.outbox import emit
from accueil.store.db import transaction
from accueil.store.tables import AccountRow, PersonRow
from accueil.store.tables_availability import CalendarFeedRow

MAX_BYTES = LIMITS.max_bytes  # a feed or an uploaded file; larger is refused
Fetch = Callable[[str], bytes]
"""The network edge (``accueil.feeds``) passed in: URL -> ICS bytes, or FeedUnreachable."""


class FeedUnreachable(AccueilError):
    """The feed's server could not be reached or answered with an error."""

    code = "calendar_feed_unreachable"
    status = 502


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


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
    skipped: int = 0  # events of the kept copy that could not be read
    notice: str = ""  # which, and why

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
        row.failures or 0,
        row.skipped or 0,
        row.notice or "",
    )


def _person(session: Session, acc: AccountRow, person: str) -> PersonRow:
    row = session.scalar(
        select(PersonRow).where(PersonRow.account_id == acc.id, PersonRow.key == person)
    )
    if row is None:
        raise NotFound(
            says("no person %(person)r in account %(account)r", person=person, account=acc.key),
            person=person,
        )
    return row


def _current(session: Session, acc: AccountRow, prow: PersonRow) -> CalendarFeedRow | None:
    # the person's calendar in use; the ones removed stay beside it
    return session.scalar(
        select(CalendarFeedRow).where(
            CalendarFeedRow.account_id == acc.id,
            CalendarFeedRow.person_id == prow.id,
            CalendarFeedRow.removed_at.is_(None),
        )
    )


def _feed(session: Session, acc: AccountRow, prow: PersonRow) -> CalendarFeedRow:
    row = _current(session, acc, prow)
    if row is None:
        row = CalendarFeedRow(account_id=acc.id, person_id=prow.id, url="", failures=0)
        session.add(row)
    return row


def set_feed(session: Session, account: str, person: str, url: str, *, now: datetime) -> FeedState:
    """Use this ICS feed URL for the person's calendar (fetched on the next refresh).

    ``webcal://`` links (what Google, Outlook and iCloud hand out) are fetched over https. A URL
    that cannot be read strictly (odd host, bad port, credentials...) is refused here.
    """
    with at_field("url"):
        feed = parse_feed_url(url)
    acc = account_row(session, account)
    row = _feed(session, acc, _person(session, acc, person))
    row.url = str(feed)
    emit(session, CalendarFeedSet(account=acc.key, at=now, person=person))
    session.flush()
    return _state(row, account, person)


def upload_calendar(
    session: Session, account: str, person: str, data: bytes, *, now: datetime
) -> FeedState:
    """Take an uploaded ICS file as the person's calendar; refused whole (CalendarError, nothing
    changed) when it is not a calendar or is over a cap, like a fetched feed."""
    acc = account_row(session, account)
    prow = _person(session, acc, person)
    with at_field("file"):
        read = read_copy(data, acc.timezone, now)
    row = _feed(session, acc, prow)
    row.url, row.last_good, row.fetched_at, row.attempted_at = "", data, now, now
    row.last_error, row.failures = "", 0
    keep_window(row, read)
    emit(session, CalendarUploaded(account=acc.key, at=now, person=person))
    session.flush()
    return _state(row, account, person)


def feed_state(session: Session, account: str, person: str) -> FeedState | None:
    """The person's calendar in use (None: they have none, or it was removed)."""
    acc = account_row(session, account)
    row = _current(session, acc, _person(session, acc, person))
    return _state(row, account, person) if row else None


@dataclass(frozen=True)
class RemovedCalendar:
    """A calendar taken down: what it was, and when and by whom."""

    state: FeedState
    removed_at: datetime
    removed_by: str


def remove_calendar(
    session: Session, account: str, person: str, *, by: str, now: datetime
) -> RemovedCalendar | None:
    """Stop reading the person's calendar from ``now`` (feed or upload): kept with who and when,
    no longer refreshed nor read by availability. None when they have none in use (removing
    twice changes nothing)."""
    acc = account_row(session, account)
    row = _current(session, acc, _person(session, acc, person))
    if row is None:
        return None
    row.removed_at, row.removed_by = now, by[:100]
    emit(session, CalendarRemoved(account=acc.key, at=now, person=person, by=by[:100]))
    session.flush()
    return RemovedCalendar(_state(row, account, person), now, row.removed_by)


@dataclass(frozen=True)
class DueFeed:
    """A feed the refresh job should fetch now."""

    account: str
    person: str
    url: str


def feed_url(factory: sessionmaker[Session], account: str, person: str) -> DueFeed:
    """The person's feed URL; InvalidInput when the calendar is an upload, or there is none."""
    with factory() as session:
        acc = account_row(session, account)
        prow = _person(session, acc, person)
        row = _current(session, acc, prow)
        url = row.url if row else ""
    if not url:
        raise InvalidInput(
            says(
                "%(account)s:%(person)s has no calendar feed URL (an upload, or none)",
                account=account,
                person=person,
            )
        )
    return DueFeed(account, person, url)


def fetched(
    factory: sessionmaker[Session],
    feed: DueFeed,
    *,
    now: datetime,
    data: bytes | None,
    error: str = "",
) -> FeedState:
    """Record one fetch: keep the data and its window if it reads as a calendar within the caps,
    else keep the last good copy and flag the feed with the reason (``error`` when the fetch
    itself failed)."""
    read: CalendarRead | None = None
    if data is not None and not error:
        with factory() as session:
            tz = account_row(session, feed.account).timezone
        try:
            read = read_copy(data, tz, now)
        except CalendarError as exc:
            error = exc.message
    with transaction(factory) as session:
        acc = account_row(session, feed.account)
        found = _current(session, acc, _person(session, acc, feed.person))
        if found is None:  # removed while it was fetched: the copy is not kept
            gone = "the calendar was removed while it was fetched; the copy was not kept"
            return FeedState(feed.account, feed.person, feed.url, None, now, gone, 0)
        row = found
        row.attempted_at = now
        if read is None:
            row.last_error, row.failures = error, (row.failures or 0) + 1
        else:
            row.last_good, row.fetched_at, row.last_error, row.failures = data, now, "", 0
            keep_window(row, read)
        emit(
            session,
            CalendarRefreshed(
                account=acc.key, at=now, person=feed.person, error=error if read is None else ""
            ),
        )
        session.flush()
        return _state(row, feed.account, feed.person)


def refresh_feed(
    factory: sessionmaker[Session], account: str, person: str, *, now: datetime, fetch: Fetch
) -> FeedState:
    """Fetch and check one feed (``fetch`` is the network edge, passed in); a failure of any
    kind is this feed's error, kept on the feed, never raised."""
    feed = feed_url(factory, account, person)
    try:
        return fetched(factory, feed, now=now, data=fetch(feed.url))
    except FeedUnreachable as exc:
        return fetched(factory, feed, now=now, data=None, error=exc.message)
    except Exception as exc:  # a fetcher's bug must not stop the refresh of the other feeds
        return fetched(
            factory, feed, now=now, data=None, error=f"the feed could not be read: {exc}"
        )


def due_feeds(
    factory: sessionmaker[Session],
    *,
    now: datetime,
    every: timedelta = timedelta(minutes=15),
    account: str | None = None,
) -> list[DueFeed]:
    """Feeds not tried within ``every`` (the scheduled job's work list); one account or all."""
    with factory() as session:
        query = (
            select(AccountRow.key, PersonRow.key, CalendarFeedRow.url)
            .join(CalendarFeedRow, CalendarFeedRow.account_id == AccountRow.id)
            .join(PersonRow, CalendarFeedRow.person_id == PersonRow.id)
            .where(
                CalendarFeedRow.url != "",
                CalendarFeedRow.removed_at.is_(None),
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
        return [DueFeed(a, p, u) for a, p, u in session.execute(query)]
