"""The refresh job: fetch every due feed in parallel, each under its own deadline.

Fetches run in a bounded pool of threads (network waits, not CPU); each result is checked and
recorded by the calendar service on this thread as it arrives, so one slow or hostile feed holds
one worker for at most its deadline and never the other feeds. Any failure of one feed is that
feed's error: the run goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from accueil.services import calendar_windows, calendars
from accueil.services.calendars import DueFeed, FeedState, FeedUnreachable, Fetch

WORKERS = 8


def refresh_due(
    factory: sessionmaker[Session],
    *,
    now: datetime,
    fetch: Fetch,
    every: timedelta = timedelta(minutes=15),
    account: str | None = None,
    workers: int = WORKERS,
) -> list[FeedState]:
    """Refresh the feeds not tried within ``every`` (the states in the order they finished),
    then re-read the kept copies whose window runs short (uploads, feeds failing for long)."""
    due = calendars.due_feeds(factory, now=now, every=every, account=account)
    states = list(refresh_each(factory, due, now=now, fetch=fetch, workers=workers))
    calendar_windows.rewindow_due(factory, now=now)
    return states


def refresh_each(
    factory: sessionmaker[Session],
    due: list[DueFeed],
    *,
    now: datetime,
    fetch: Fetch,
    workers: int = WORKERS,
) -> Iterator[FeedState]:
    """Fetch these feeds in parallel and record each as it comes back."""
    if not due:
        return
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(due)))) as pool:
        pending: dict[Future[bytes], DueFeed] = {pool.submit(fetch, f.url): f for f in due}
        for future in as_completed(pending):
            yield _record(factory, pending[future], future.result, now)


def _record(
    factory: sessionmaker[Session], feed: DueFeed, result: Callable[[], bytes], now: datetime
) -> FeedState:
    try:
        data = result()
    except FeedUnreachable as exc:
        return calendars.fetched(factory, feed, now=now, data=None, error=exc.message)
    except Exception as exc:  # a fetcher's bug is this feed's error, not the run's end
        error = f"the feed could not be read: {type(exc).__name__}: {exc}"
        return calendars.fetched(factory, feed, now=now, data=None, error=error)
    return calendars.fetched(factory, feed, now=now, data=data)
