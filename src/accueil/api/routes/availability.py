"""Availability: a person's status (with its expiry and history), merged availability, closures
and delegations."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy.orm import Session

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import (
    Page,
    PageQuery,
    check_if_match,
    decode_cursor,
    encode_cursor,
    etag_of,
    paginate,
    remember,
    replayed,
    scoped,
    with_etag,
)
from accueil.api.routing import OneHop
from accueil.api.schemas import AvailabilityOut, In, Out
from accueil.api.times import aware
from accueil.core.access import Action, Scope
from accueil.core.availability import State
from accueil.errors import InvalidInput
from accueil.services import availability as avail
from accueil.services.directory import get_account

router = APIRouter(tags=["availability"], route_class=OneHop)
ACCOUNT = scoped(Scope.ACCOUNT)
PERSON = scoped(Scope.PERSON)
PERSON_PATH = "/accounts/{account}/people/{person}"


class StatusOut(Out):
    state: str = Field(description="a state, or 'auto': calendar and hours decide")
    set_at: datetime | None
    until: datetime | None
    note: str
    origin: str

    @classmethod
    def of(cls, r: avail.StatusRecord | None) -> StatusOut:
        if r is None:
            return cls(state=avail.CLEARED, set_at=None, until=None, note="", origin="")
        return cls(state=r.state, set_at=r.set_at, until=r.until, note=r.note, origin=r.origin)


class StatusIn(In):
    state: State
    until: datetime | None = Field(
        None, description="when the status ends (ISO 8601; without offset: the account's zone)"
    )
    note: str = Field("", max_length=500)


class ClosureIn(In):
    start: datetime
    end: datetime
    reason: str = Field("", max_length=500)


class ClosureOut(Out):
    start: datetime
    end: datetime
    reason: str


class DelegationIn(In):
    delegate: str = Field(min_length=1, max_length=64)
    start: datetime
    end: datetime | None = None
    note: str = Field("", max_length=500)


class DelegationOut(Out):
    delegate: str
    delegate_name: str
    start: datetime
    end: datetime | None
    note: str


def _zone(session: Session, account: str) -> str:
    return get_account(session, account).timezone


def _current(session: Session, account: str, person: str) -> StatusOut:
    history = avail.status_history(session, account, person, limit=1)
    return StatusOut.of(history[0] if history else None)


@router.get(PERSON_PATH + "/availability", openapi_extra=PERSON)
def availability(
    account: str,
    person: str,
    at: datetime | None = Query(None, description="when (default: now); naive: account's zone"),
    caller: Caller = Depends(authenticated),
) -> AvailabilityOut:
    """What the person is doing at ``at``, until when, from which source, and how fresh."""
    auth.person(caller, account, person)
    with caller.unit() as session:
        when = aware(at, _zone(session, account)) or caller.runtime.now()
        return AvailabilityOut.of(avail.availability_of(session, account, person, now=when))


@router.get(PERSON_PATH + "/status", openapi_extra=PERSON)
def get_status(
    account: str, person: str, response: Response, caller: Caller = Depends(authenticated)
) -> StatusOut:
    """The person's own status (its ETag goes with If-Match on PUT)."""
    auth.person(caller, account, person)
    with caller.unit() as session:
        out = _current(session, account, person)
    with_etag(response, out)
    return out


@router.put(PERSON_PATH + "/status", openapi_extra=PERSON)
def set_status(
    account: str,
    person: str,
    body: StatusIn,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> StatusOut:
    """Say what the person is doing, until when (412 when If-Match is stale)."""
    auth.person(caller, account, person, Action.WRITE)
    with caller.unit() as session:
        check_if_match(request, _current(session, account, person))
        until = aware(body.until, _zone(session, account))
        avail.set_status(
            session,
            account,
            person,
            body.state,
            until=until,
            note=body.note,
            origin="api",
            now=caller.runtime.now(),
        )
        out = _current(session, account, person)
    with_etag(response, out)
    return out


@router.delete(PERSON_PATH + "/status", openapi_extra=PERSON)
def clear_status(
    account: str,
    person: str,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> StatusOut:
    """Hand back to calendar and hours (the status stays in the history)."""
    auth.person(caller, account, person, Action.WRITE)
    with caller.unit() as session:
        check_if_match(request, _current(session, account, person))
        avail.clear_status(session, account, person, now=caller.runtime.now())
        out = _current(session, account, person)
    with_etag(response, out)
    return out


@router.get(PERSON_PATH + "/status/history", openapi_extra=PERSON)
def status_history(
    account: str,
    person: str,
    page: PageQuery = Depends(),
    caller: Caller = Depends(authenticated),
) -> Page[StatusOut]:
    """The person's statuses, newest first, in cursor pages."""
    auth.person(caller, account, person)
    before = _entry(decode_cursor(page.cursor)) if page.cursor is not None else None
    with caller.unit() as session:
        found = avail.status_history(session, account, person, page.limit + 1, before=before)
    chunk = found[: page.limit]
    cursor = encode_cursor(str(chunk[-1].id)) if len(found) > page.limit else None
    return Page[StatusOut](items=[StatusOut.of(r) for r in chunk], next_cursor=cursor)


def _entry(key: str) -> int:
    if not key.isdigit():
        raise InvalidInput("the cursor is not one this API gave", field="query.cursor")
    return int(key)


@router.get("/accounts/{account}/closures", openapi_extra=ACCOUNT)
def list_closures(
    account: str, page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[ClosureOut]:
    auth.account(caller, account)
    with caller.unit() as session:
        found = avail.account_closures(session, account)
    out = [ClosureOut(start=c.start, end=c.end, reason=c.reason) for c in found]
    return paginate(out, lambda c: c.start.isoformat(), page)


@router.post(
    "/accounts/{account}/closures",
    status_code=201,
    response_model=ClosureOut,
    openapi_extra=ACCOUNT,
)
def add_closure(
    account: str, body: ClosureIn, request: Request, caller: Caller = Depends(authenticated)
) -> Response:
    """The account is closed over [start, end) (Idempotency-Key honoured)."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        if (again := replayed(session, request, caller.user_id, body)) is not None:
            return again
        tz = _zone(session, account)
        made = avail.add_closure(
            session,
            account,
            start=_need(aware(body.start, tz)),
            end=_need(aware(body.end, tz)),
            reason=body.reason,
            now=caller.runtime.now(),
        )
        out = ClosureOut(start=made.start, end=made.end, reason=made.reason)
        remember(session, request, caller.user_id, body, out, 201, caller.runtime.now())
    return JSONResponse(out.model_dump(mode="json"), status_code=201, headers=_etag(out))


@router.post(
    PERSON_PATH + "/delegations",
    status_code=201,
    response_model=DelegationOut,
    openapi_extra=PERSON,
)
def add_delegation(
    account: str,
    person: str,
    body: DelegationIn,
    request: Request,
    caller: Caller = Depends(authenticated),
) -> Response:
    """While the person is away, a colleague covers for them (Idempotency-Key honoured)."""
    auth.person(caller, account, person, Action.WRITE)
    with caller.unit() as session:
        if (again := replayed(session, request, caller.user_id, body)) is not None:
            return again
        tz = _zone(session, account)
        made = avail.add_delegation(
            session,
            account,
            person,
            body.delegate,
            start=_need(aware(body.start, tz)),
            end=aware(body.end, tz),
            note=body.note,
            now=caller.runtime.now(),
        )
        out = DelegationOut(
            delegate=made.delegate,
            delegate_name=made.delegate_name,
            start=made.start,
            end=made.end,
            note=made.note,
        )
        remember(session, request, caller.user_id, body, out, 201, caller.runtime.now())
    return JSONResponse(out.model_dump(mode="json"), status_code=201, headers=_etag(out))


def _need(value: datetime | None) -> datetime:
    assert value is not None  # aware() keeps a given time given
    return value


def _etag(out: Out) -> dict[str, str]:
    return {"ETag": etag_of(out)}
