"""A person's calendar: an ICS feed URL or an uploaded ICS file, its refresh, and how it goes."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, File, Request, Response, UploadFile
from pydantic import Field

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import check_if_match, scoped, with_etag
from accueil.api.routing import OneHop
from accueil.api.schemas import In, Out
from accueil.core.access import Action, Scope
from accueil.errors import InvalidInput, says
from accueil.feeds import fetch_ics
from accueil.services import calendars as service
from accueil.services.calendars import MAX_BYTES
from accueil.services.directory import get_person

router = APIRouter(tags=["calendars"], route_class=OneHop)
PERSON = scoped(Scope.PERSON)
CALENDAR = "/accounts/{account}/people/{person}/calendar"


class CalendarOut(Out):
    source: str = Field(description="'feed' (a URL refreshed on a schedule), 'upload' or 'none'")
    url: str
    fetched_at: datetime | None = Field(description="when the last good copy was taken")
    attempted_at: datetime | None
    failing: bool
    last_error: str
    failures: int

    @classmethod
    def of(cls, s: service.FeedState | None) -> CalendarOut:
        if s is None:
            return cls(
                source="none",
                url="",
                fetched_at=None,
                attempted_at=None,
                failing=False,
                last_error="",
                failures=0,
            )
        return cls(
            source="feed" if s.url else "upload",
            url=s.url,
            fetched_at=s.fetched_at,
            attempted_at=s.attempted_at,
            failing=s.failing,
            last_error=s.last_error,
            failures=s.failures,
        )


class FeedIn(In):
    url: str = Field(min_length=1, max_length=2000, description="http(s):// or webcal://")


def _state(caller: Caller, account: str, person: str) -> CalendarOut:
    with caller.unit() as session:
        return CalendarOut.of(service.feed_state(session, account, person))


@router.get(CALENDAR, openapi_extra=PERSON)
def get_calendar(
    account: str, person: str, response: Response, caller: Caller = Depends(authenticated)
) -> CalendarOut:
    """Where the person's calendar comes from and how its last refresh went."""
    auth.person(caller, account, person)
    out = _state(caller, account, person)
    with_etag(response, out)
    return out


@router.put(CALENDAR + "/feed", openapi_extra=PERSON)
def set_feed(
    account: str,
    person: str,
    body: FeedIn,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> CalendarOut:
    """Use this ICS feed for the person's calendar (read on the next refresh)."""
    auth.person(caller, account, person, Action.WRITE)
    with caller.unit() as session:
        check_if_match(request, CalendarOut.of(service.feed_state(session, account, person)))
        out = CalendarOut.of(
            service.set_feed(session, account, person, body.url, now=caller.runtime.now())
        )
    with_etag(response, out)
    return out


@router.put(CALENDAR + "/file", openapi_extra=PERSON)
def upload_calendar(
    account: str,
    person: str,
    request: Request,
    response: Response,
    file: UploadFile = File(description="an .ics file"),
    caller: Caller = Depends(authenticated),
) -> CalendarOut:
    """Use an ICS file as the person's calendar: checked whole first, refused with the reason."""
    auth.person(caller, account, person, Action.WRITE)
    data = file.file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            says("an ICS file is at most %(mb)s MB", mb=MAX_BYTES // 1024 // 1024), field="file"
        )
    with caller.unit() as session:
        check_if_match(request, CalendarOut.of(service.feed_state(session, account, person)))
        state = service.upload_calendar(session, account, person, data, now=caller.runtime.now())
        out = CalendarOut.of(state)
    with_etag(response, out)
    return out


@router.delete(CALENDAR, openapi_extra=PERSON)
def remove_calendar(
    account: str,
    person: str,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> CalendarOut:
    """Stop reading the person's calendar (feed or file) at once: it is kept with who and when,
    and the answer is the calendar now (``none``). 412 on a stale If-Match; with no calendar
    in use it changes nothing."""
    auth.person(caller, account, person, Action.WRITE)
    with caller.unit() as session:
        check_if_match(request, CalendarOut.of(service.feed_state(session, account, person)))
        service.remove_calendar(
            session, account, person, by=caller.principal.user, now=caller.runtime.now()
        )
        out = CalendarOut.of(service.feed_state(session, account, person))
    with_etag(response, out)
    return out


@router.post(CALENDAR + "/refresh", openapi_extra=PERSON)
def refresh(
    account: str, person: str, response: Response, caller: Caller = Depends(authenticated)
) -> CalendarOut:
    """Fetch the feed now: a good copy is kept; a failure keeps the last good one, flagged."""
    auth.person(caller, account, person, Action.WRITE)
    rt = caller.runtime
    with rt.unit() as session:
        get_person(session, account, person)
    # the refresh writes in its own transactions (no database work waits on the network)
    state = service.refresh_feed(rt.app.sessions, account, person, now=rt.now(), fetch=fetch_ics)
    with caller.unit():
        pass  # the audit row of the refresh
    out = CalendarOut.of(state)
    with_etag(response, out)
    return out
