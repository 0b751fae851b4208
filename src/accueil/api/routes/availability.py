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
    RowId,
    check_if_match,
    decode_cursor,
    encode_cursor,
    etag_of,
    paginate,
    remember,
    replayed,
    scoped,
    taken_down,
    with_etag,
)
from accueil.api.routing import OneHop
from accueil.api.schemas import AvailabilityOut, In, Key, Out
from accueil.api.times import Instant, aware
from accueil.core.access import Action, Scope
from accueil.core.availability import State
from accueil.errors import InvalidInput, says
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
    until: Instant | None = Field(
        None, description="when the status ends (ISO 8601; without offset: the account's zone)"
    )
    note: str = Field("", max_length=500)


class ClosureIn(In):
    start: Instant
    end: Instant
    reason: str = Field("", max_length=500)


class Removal(Out):
    """When and by whom a row was taken down (null and "": it is in use)."""

    removed_at: datetime | None = Field(None, description="null while in use")
    removed_by: str = Field("", description="the user who took it down")


class ClosureOut(Removal):
    id: int
    start: datetime
    end: datetime
    reason: str

    @classmethod
    def of(cls, r: avail.ClosureRecord) -> ClosureOut:
        c = r.closure
        return cls(
            id=r.id,
            start=c.start,
            end=c.end,
            reason=c.reason,
            removed_at=r.removed_at,
            removed_by=r.removed_by,
        )


class DelegationIn(In):
    delegate: Key = Field(min_length=1, max_length=64)
    start: Instant
    end: Instant | None = None
    note: str = Field("", max_length=500)


class DelegationOut(Removal):
    id: int
    delegate: str
    delegate_name: str
    start: datetime
    end: datetime | None
    note: str

    @classmethod
    def of(cls, r: avail.DelegationRecord) -> DelegationOut:
        d = r.delegation
        return cls(
            id=r.id,
            delegate=d.delegate,
            delegate_name=d.delegate_name,
            start=d.start,
            end=d.end,
            note=d.note,
            removed_at=r.removed_at,
            removed_by=r.removed_by,
        )


def _zone(session: Session, account: str) -> str:
    return get_account(session, account).timezone


def _current(session: Session, account: str, person: str) -> StatusOut:
    history = avail.status_history(session, account, person, limit=1)
    return StatusOut.of(history[0] if history else None)


@router.get(PERSON_PATH + "/availability", openapi_extra=PERSON)
def availability(
    account: str,
    person: str,
    at: Instant | None = Query(None, description="when (default: now); naive: account's zone"),
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
        raise InvalidInput(says("the cursor is not one this API gave"), field="query.cursor")
    return int(key)


@router.get("/accounts/{account}/closures", openapi_extra=ACCOUNT)
def list_closures(
    account: str, page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[ClosureOut]:
    """The account's closures in use, in the order they start (removed ones are kept, not
    listed)."""
    auth.account(caller, account)
    with caller.unit() as session:
        out = [ClosureOut.of(r) for r in avail.closure_records(session, account)]
    return paginate(out, lambda c: f"{c.start.isoformat()}|{c.id:012d}", page)


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
        avail.add_closure(
            session,
            account,
            start=_need(aware(body.start, tz)),
            end=_need(aware(body.end, tz)),
            reason=body.reason,
            now=caller.runtime.now(),
        )
        out = ClosureOut.of(avail.closure_records(session, account, newest=True)[0])
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
        avail.add_delegation(
            session,
            account,
            person,
            body.delegate,
            start=_need(aware(body.start, tz)),
            end=aware(body.end, tz),
            note=body.note,
            now=caller.runtime.now(),
        )
        out = DelegationOut.of(avail.person_delegations(session, account, person)[0])
        remember(session, request, caller.user_id, body, out, 201, caller.runtime.now())
    return JSONResponse(out.model_dump(mode="json"), status_code=201, headers=_etag(out))


@router.get(PERSON_PATH + "/delegations", openapi_extra=PERSON)
def list_delegations(
    account: str,
    person: str,
    page: PageQuery = Depends(),
    caller: Caller = Depends(authenticated),
) -> Page[DelegationOut]:
    """Who covers for the person: their delegations in use, newest first."""
    auth.person(caller, account, person)
    with caller.unit() as session:
        out = [DelegationOut.of(r) for r in avail.person_delegations(session, account, person)]
    return paginate(out, lambda d: f"{10**12 - d.id:012d}", page)


@router.get(PERSON_PATH + "/delegations/{delegation}", openapi_extra=PERSON)
def get_delegation(
    account: str,
    person: str,
    delegation: RowId,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> DelegationOut:
    """One delegation of the person, in use or removed; its ETag goes with If-Match."""
    auth.person(caller, account, person)
    with caller.unit() as session:
        out = DelegationOut.of(avail.get_delegation(session, account, person, delegation))
    with_etag(response, out)
    return out


@router.delete(PERSON_PATH + "/delegations/{delegation}", openapi_extra=PERSON)
def remove_delegation(
    account: str,
    person: str,
    delegation: RowId,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> DelegationOut:
    """Take the delegation down: it covers no longer, and is kept with who and when. 412 on a
    stale If-Match; removing it again answers the removal, changing nothing."""
    auth.person(caller, account, person, Action.WRITE)
    with caller.unit() as session:
        return taken_down(
            request,
            response,
            DelegationOut.of(avail.get_delegation(session, account, person, delegation)),
            lambda: DelegationOut.of(
                avail.remove_delegation(
                    session,
                    account,
                    person,
                    delegation,
                    by=caller.principal.user,
                    now=caller.runtime.now(),
                )
            ),
        )


@router.get("/accounts/{account}/closures/{closure}", openapi_extra=ACCOUNT)
def get_closure(
    account: str, closure: RowId, response: Response, caller: Caller = Depends(authenticated)
) -> ClosureOut:
    """One closure of the account, in use or removed; its ETag goes with If-Match."""
    auth.account(caller, account)
    with caller.unit() as session:
        out = ClosureOut.of(avail.get_closure(session, account, closure))
    with_etag(response, out)
    return out


@router.delete("/accounts/{account}/closures/{closure}", openapi_extra=ACCOUNT)
def remove_closure(
    account: str,
    closure: RowId,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> ClosureOut:
    """Take the closure down: the account's hours decide again at once; the closure is kept
    with who and when. 412 on a stale If-Match; removing it again answers the removal."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        return taken_down(
            request,
            response,
            ClosureOut.of(avail.get_closure(session, account, closure)),
            lambda: ClosureOut.of(
                avail.remove_closure(
                    session, account, closure, by=caller.principal.user, now=caller.runtime.now()
                )
            ),
        )


def _need(value: datetime | None) -> datetime:
    assert value is not None  # aware() keeps a given time given
    return value


def _etag(out: Out) -> dict[str, str]:
    return {"ETag": etag_of(out)}
