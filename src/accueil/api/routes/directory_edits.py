"""Changes to an account's directory, one at a time (``services/directory_edits.py``, the same
write path and checks as an import): a person arrives, leaves, comes back or changes team; a
team is added; a number is added or released. And the operator's: a secretary of the pool and a
client account, added or changed.

A person who leaves is archived, never deleted: the calls and messages of before still name
them. Edits of a person take ``If-Match`` (the ETag of ``GET …/people/{person}``); creates take
``Idempotency-Key``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import (
    Page,
    PageQuery,
    check_if_match,
    etag_of,
    paginate,
    remember,
    replayed,
    scoped,
    with_etag,
)
from accueil.api.routing import OneHop
from accueil.api.schemas import AccountOut, AgentOut, GroupOut, In, Key, NumberOut, PersonOut
from accueil.core.access import Action, Scope
from accueil.core.phone import InvalidNumber, to_e164
from accueil.errors import NotFound
from accueil.services import directory, numbers
from accueil.services import directory_edits as edits

router = APIRouter(tags=["directory"], route_class=OneHop)
ACCOUNT = scoped(Scope.ACCOUNT)
OPERATOR = scoped(Scope.OPERATOR)
PERSON = "/accounts/{account}/people/{person}"
TEXT = Field("", max_length=200)


class PersonIn(In):
    first_name: str = TEXT
    last_name: str = TEXT
    key: Key = Field("", max_length=40, description="default: made of the name")
    title: str = TEXT
    group: Key = Field("", max_length=40, description="a team of the account")
    languages: list[str] = Field(default_factory=list, max_length=10)
    email: str = TEXT
    mobile: str = Field("", max_length=64, description="as typed; stored in E.164")


class TeamIn(In):
    group: Key = Field(max_length=40, description="a team of the account; empty: none")


class GroupIn(In):
    name: str = Field(min_length=1, max_length=200, description="its key is made of it")


class NumberIn(In):
    number: str = Field(min_length=1, max_length=64, description="as typed")
    person: Key = Field("", max_length=40, description="whose direct line; empty: the account's")
    label: str = Field("", max_length=200)


class AgentIn(In):
    name: str | None = Field(None, max_length=200)
    site: str | None = Field(None, max_length=100)
    languages: list[str] | None = Field(None, max_length=20)
    trainings: dict[str, Annotated[int, Field(ge=1, le=3)]] | None = Field(
        None, description="account key → level (1-3)"
    )
    sip_uri: str | None = Field(None, max_length=200, description="empty: no softphone")
    active: bool | None = None


class AccountIn(In):
    name: str | None = Field(None, max_length=200)
    answer_name: str | None = Field(None, max_length=200)
    timezone: str | None = Field(None, max_length=64)
    country: str | None = Field(None, min_length=2, max_length=2)
    languages: list[str] | None = Field(None, max_length=10)
    business_hours: str | None = Field(None, max_length=500)
    subdivision: str | None = Field(
        None, max_length=16, description="for public holidays ('57', 'ENG'); empty: none"
    )
    notes: str | None = Field(None, max_length=5000, description="for the secretaries")


def _created(
    session: Session, request: Request, caller: Caller, body: BaseModel, out: BaseModel
) -> JSONResponse:
    remember(session, request, caller.user_id, body, out, 201, caller.runtime.now())
    return JSONResponse(out.model_dump(mode="json"), status_code=201)


def _edited(out: PersonOut) -> JSONResponse:
    return JSONResponse(out.model_dump(mode="json"), headers={"ETag": etag_of(out)})


@router.post(
    "/accounts/{account}/people", status_code=201, response_model=PersonOut, openapi_extra=ACCOUNT
)
def arrive(
    account: str, body: PersonIn, request: Request, caller: Caller = Depends(authenticated)
) -> Response:
    """Someone arrives: a new person of the account, reachable at once (a key already used,
    even by someone who left, is a 409)."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        if (again := replayed(session, request, caller.user_id, body)) is not None:
            return again
        fields = body.model_dump(exclude_defaults=True)
        made = edits.arrive(session, account, fields, now=caller.runtime.now())
        return _created(session, request, caller, body, PersonOut.of(made))


def _change_person(
    caller: Caller, request: Request, account: str, person: str, change: str, group: str = ""
) -> Response:
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        check_if_match(request, PersonOut.of(directory.get_person(session, account, person)))
        now = caller.runtime.now()
        if change == "leave":
            changed = edits.leave(session, account, person, now=now)
        elif change == "come back":
            changed = edits.come_back(session, account, person, now=now)
        else:
            changed = edits.move(session, account, person, group, now=now)
        return _edited(PersonOut.of(changed))


@router.post(PERSON + "/leave", response_model=PersonOut, openapi_extra=ACCOUNT)
def leave(
    account: str, person: str, request: Request, caller: Caller = Depends(authenticated)
) -> Response:
    """The person leaves: archived (``active`` false), never deleted."""
    return _change_person(caller, request, account, person, "leave")


@router.post(PERSON + "/come-back", response_model=PersonOut, openapi_extra=ACCOUNT)
def come_back(
    account: str, person: str, request: Request, caller: Caller = Depends(authenticated)
) -> Response:
    """Someone who left is current again, with what they had (409 if they had not left)."""
    return _change_person(caller, request, account, person, "come back")


@router.put(PERSON + "/group", response_model=PersonOut, openapi_extra=ACCOUNT)
def move(
    account: str,
    person: str,
    body: TeamIn,
    request: Request,
    caller: Caller = Depends(authenticated),
) -> Response:
    """The person changes team (empty: none)."""
    return _change_person(caller, request, account, person, "move", body.group)


@router.post(
    "/accounts/{account}/groups", status_code=201, response_model=GroupOut, openapi_extra=ACCOUNT
)
def add_group(
    account: str, body: GroupIn, request: Request, caller: Caller = Depends(authenticated)
) -> Response:
    """A new team, its key made of its name (409 when the account has it already)."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        if (again := replayed(session, request, caller.user_id, body)) is not None:
            return again
        key = edits.add_group(session, account, body.name, now=caller.runtime.now())
        return _created(session, request, caller, body, GroupOut(key=key, name=body.name.strip()))


@router.post(
    "/accounts/{account}/numbers", status_code=201, response_model=NumberOut, openapi_extra=ACCOUNT
)
def add_number(
    account: str, body: NumberIn, request: Request, caller: Caller = Depends(authenticated)
) -> Response:
    """A number now leads to the account's switchboard or to one person (409 when it leads
    somewhere already, without saying where)."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        if (again := replayed(session, request, caller.user_id, body)) is not None:
            return again
        now = caller.runtime.now()
        e164 = edits.add_number(session, account, body.number, body.person, body.label, now=now)
        out = NumberOut(e164=e164, account=account, person=body.person, label=body.label)
        return _created(session, request, caller, body, out)


class NumberReleaseOut(NumberOut):
    removed_at: datetime = Field(description="when it was released")
    removed_by: str = Field(description="the user (or the import) who released it")

    @classmethod
    def kept(cls, n: numbers.NumberRelease) -> NumberReleaseOut:
        return cls(
            e164=n.e164,
            account=n.account,
            person=n.person,
            label=n.label,
            removed_at=n.removed_at,
            removed_by=n.removed_by,
        )


@router.delete("/accounts/{account}/numbers/{number}", openapi_extra=ACCOUNT)
def release_number(
    account: str, number: str, caller: Caller = Depends(authenticated)
) -> NumberReleaseOut:
    """The number no longer leads to the account: kept with what it led to, who and when
    (``GET …/removed-numbers``), and free to be given again; calls made to it keep it as
    dialled, and a call to it now is one to a number nobody has. Releasing it again answers
    the last release, changing nothing."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        e164 = to_e164(number, directory.get_account(session, account).country)
        released = numbers.release_number(
            session, account, e164, by=caller.principal.user, now=caller.runtime.now()
        )
        return NumberReleaseOut.kept(released)


@router.get("/accounts/{account}/removed-numbers", openapi_extra=ACCOUNT)
def list_released_numbers(
    account: str,
    number: str = Query("", max_length=64, description="only this number's releases"),
    page: PageQuery = Depends(),
    caller: Caller = Depends(authenticated),
) -> Page[NumberReleaseOut]:
    """The numbers released from the account, each with what it led to, who released it and
    when, in the order they were released (a number released twice is there twice)."""
    auth.account(caller, account)
    with caller.unit() as session:
        e164 = _asked_number(number, directory.get_account(session, account).country)
        found = paginate(numbers.released_numbers(session, account, e164), _in_order, page)
    return Page[NumberReleaseOut](
        items=[NumberReleaseOut.kept(r) for r in found.items], next_cursor=found.next_cursor
    )


def _asked_number(number: str, country: str) -> str:
    """The ``number`` asked for, in E.164 ("" when none); a wrong one is said as the query's."""
    try:
        return to_e164(number, country) if number else ""
    except InvalidNumber as exc:
        raise InvalidNumber(exc.message, field="query.number") from exc


def _in_order(release: numbers.NumberRelease) -> str:
    """A cursor key one per release, sorting as they were made."""
    return f"{release.removed_at:%Y%m%dT%H%M%S%f}/{release.serial:012d}"


def _current(read: Callable[[], BaseModel]) -> BaseModel | None:
    try:
        return read()
    except NotFound:
        return None


@router.put("/agents/{agent}", openapi_extra=OPERATOR)
def save_agent(
    agent: str,
    body: AgentIn,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> AgentOut:
    """A secretary of the pool added (a new key: give a name) or changed (only the fields
    sent; an empty ``sip_uri`` takes the softphone away); 412 on a stale ``If-Match`` (the
    ETag of the last answer)."""
    auth.operator(caller, Action.WRITE)
    fields = body.model_dump(exclude_none=True)
    with caller.unit() as session:
        before = _current(lambda: AgentOut.of(directory.get_agent(session, agent)))
        if before is not None:
            check_if_match(request, before)
        edits.save_agent(session, agent, fields, now=caller.runtime.now())
        out = AgentOut.of(directory.get_agent(session, agent))
    with_etag(response, out)
    return out


@router.put("/accounts/{account}", openapi_extra=OPERATOR)
def save_account(
    account: str,
    body: AccountIn,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> AccountOut:
    """A client account added (a new key: give a name) or changed (only the fields sent); 412
    on a stale ``If-Match`` (the ETag of ``GET /accounts/{account}``)."""
    auth.operator(caller, Action.WRITE)
    fields = body.model_dump(exclude_none=True)
    with caller.unit() as session:
        before = _current(lambda: AccountOut.of(directory.get_account(session, account)))
        if before is not None:
            check_if_match(request, before)
        edits.save_account(session, account, fields, now=caller.runtime.now())
        out = AccountOut.of(directory.get_account(session, account))
    with_etag(response, out)
    return out
