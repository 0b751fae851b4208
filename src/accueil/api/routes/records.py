"""Call records: an account's calls (or one person's), newest first, with filters and a cursor;
one record by id."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import (
    Page,
    PageQuery,
    RowId,
    decode_cursor,
    encode_cursor,
    scoped,
)
from accueil.api.routing import OneHop
from accueil.api.schemas import Out
from accueil.api.times import Instant, aware
from accueil.core.access import Scope
from accueil.errors import InvalidInput, says
from accueil.services import call_log
from accueil.services.directory import get_account, get_person

router = APIRouter(tags=["call records"], route_class=OneHop)


class MessageFieldOut(Out):
    field: str
    label: str
    value: str


class CallOut(Out):
    id: int
    call_id: str
    started_at: datetime
    caller: str
    caller_name: str
    dialled: str
    person: str
    person_name: str
    agent: str
    script_ref: str
    outcome: str
    urgency: str
    message: list[MessageFieldOut]

    @classmethod
    def of(cls, c: call_log.CallView) -> CallOut:
        return cls(
            id=c.id,
            call_id=c.call_id,
            started_at=c.started_at,
            caller=c.caller,
            caller_name=c.caller_name,
            dialled=c.dialled,
            person=c.person,
            person_name=c.person_name,
            agent=c.agent,
            script_ref=c.script_ref,
            outcome=c.outcome,
            urgency=c.urgency,
            message=[
                MessageFieldOut(field=f.field, label=f.label, value=f.value) for f in c.message
            ],
        )


class CallQuery:
    """The filters of a list of calls."""

    def __init__(
        self,
        caller: str | None = Query(None, max_length=64, description="the caller, as typed"),
        agent: str | None = Query(None, max_length=64, description="answered by this agent"),
        outcome: str | None = Query(None, max_length=20, description="take_message, transfer…"),
        since: Instant | None = Query(None, description="started at or after (ISO 8601)"),
        until: Instant | None = Query(None, description="started before (ISO 8601)"),
    ) -> None:
        self.caller, self.agent, self.outcome = caller, agent, outcome
        self.since, self.until = since, until

    def filter(self, session: Session, account: str, person: str | None) -> call_log.CallFilter:
        tz = get_account(session, account).timezone
        return call_log.CallFilter(
            person=person,
            caller=self.caller,
            agent=self.agent,
            outcome=self.outcome,
            since=aware(self.since, tz),
            until=aware(self.until, tz),
        )


def _position(cursor: str | None) -> call_log.Position | None:
    if cursor is None:
        return None
    at, _, last = decode_cursor(cursor).partition("|")
    try:
        return datetime.fromisoformat(at), int(last)
    except ValueError:
        raise InvalidInput(
            says("the cursor is not one this API gave"), field="query.cursor"
        ) from None


def _page(found: list[call_log.CallView], limit: int) -> Page[CallOut]:
    chunk = found[:limit]
    more = len(found) > limit
    last = chunk[-1] if chunk else None
    cursor = encode_cursor(f"{last.started_at.isoformat()}|{last.id}") if more and last else None
    return Page[CallOut](items=[CallOut.of(c) for c in chunk], next_cursor=cursor)


def _list(
    caller: Caller, account: str, person: str | None, query: CallQuery, page: PageQuery
) -> Page[CallOut]:
    after = _position(page.cursor)
    with caller.unit(personal=True) as session:
        if person is not None:
            get_person(session, account, person)  # a person never known is 404, not a page
        where = query.filter(session, account, person)
        found = call_log.list_calls(session, account, where, after=after, limit=page.limit + 1)
    return _page(found, page.limit)


@router.get("/accounts/{account}/calls", openapi_extra=scoped(Scope.ACCOUNT))
def list_calls(
    account: str,
    person: str | None = Query(None, max_length=64, description="only calls for this person"),
    query: CallQuery = Depends(),
    page: PageQuery = Depends(),
    caller: Caller = Depends(authenticated),
) -> Page[CallOut]:
    """The account's calls, newest first (a message taken is personal data: client admins and
    the operator's staff only)."""
    auth.account(caller, account)
    return _list(caller, account, person, query, page)


@router.get("/accounts/{account}/calls/{call}", openapi_extra=scoped(Scope.ACCOUNT))
def get_call(account: str, call: RowId, caller: Caller = Depends(authenticated)) -> CallOut:
    """One call record, with the message taken (a person deleted since reads as "")."""
    auth.account(caller, account)
    with caller.unit(personal=True) as session:
        return CallOut.of(call_log.get_call(session, account, call))


@router.get("/accounts/{account}/people/{person}/calls", openapi_extra=scoped(Scope.PERSON))
def list_person_calls(
    account: str,
    person: str,
    query: CallQuery = Depends(),
    page: PageQuery = Depends(),
    caller: Caller = Depends(authenticated),
) -> Page[CallOut]:
    """The calls for one person, newest first (an employee: their own)."""
    auth.person(caller, account, person)
    return _list(caller, account, person, query, page)
