"""Caller lists (VIP, blocked…) and known contacts of an account (rotas: ``rotas.py``)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request, Response
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
    paginate,
    put_back,
    remember,
    replayed,
    scoped,
    taken_down,
    versions_page,
    with_etag,
)
from accueil.api.routing import OneHop
from accueil.api.schemas import In, Out
from accueil.core.access import Action, Scope
from accueil.errors import NotFound
from accueil.services import caller_lists as lists
from accueil.services import callers as service

router = APIRouter(tags=["caller lists and rotas"], route_class=OneHop)
ACCOUNT = scoped(Scope.ACCOUNT)


class EntryIn(In):
    number: str = Field(
        min_length=1, max_length=64, description="as typed, or '+prefix*'; stored in E.164"
    )
    label: str = Field("", max_length=200)


class CallerListIn(In):
    name: str = Field("", max_length=200)
    entries: list[EntryIn] = Field(max_length=10_000)


class EntryOut(Out):
    pattern: str
    label: str


class CallerListOut(Out):
    key: str
    name: str
    version: int = Field(description="each save is a new version; the earlier ones are kept")
    saved_at: datetime | None
    saved_by: str = Field(description="the user who saved this version")
    entries: list[EntryOut]
    removed_at: datetime | None = Field(None, description="null while in use")
    removed_by: str = Field("", description="the user who took it down")

    @classmethod
    def of(cls, c: lists.SavedCallerList) -> CallerListOut:
        entries = [EntryOut(pattern=e.pattern, label=e.label) for e in c.entries]
        return cls(
            key=c.key,
            name=c.name,
            version=c.version,
            saved_at=c.saved_at,
            saved_by=c.saved_by,
            entries=entries,
            removed_at=c.removed_at,
            removed_by=c.removed_by,
        )


class ContactIn(In):
    number: str = Field(min_length=1, max_length=64, description="as typed; stored in E.164")
    name: str = Field(min_length=1, max_length=200)


class ContactOut(Out):
    e164: str
    name: str
    removed_at: datetime | None = Field(None, description="null while in use")
    removed_by: str = Field("", description="the user who took it down")

    @classmethod
    def of(cls, c: service.ContactRecord) -> ContactOut:
        return cls(e164=c.e164, name=c.name, removed_at=c.removed_at, removed_by=c.removed_by)


LIST = "/accounts/{account}/caller-lists/{key}"


@router.get("/accounts/{account}/caller-lists", openapi_extra=ACCOUNT)
def list_caller_lists(
    account: str, page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[CallerListOut]:
    """Every list of the account, each in its version in force."""
    auth.account(caller, account)
    with caller.unit() as session:
        keys = list(lists.caller_lists(session, account))
        found = [CallerListOut.of(lists.get_caller_list(session, account, k)) for k in keys]
    return paginate(found, lambda c: c.key, page)


@router.get(LIST, openapi_extra=ACCOUNT)
def get_caller_list(
    account: str, key: str, response: Response, caller: Caller = Depends(authenticated)
) -> CallerListOut:
    """The list's version in force (ETag for If-Match); a list taken down is still read, with
    when and by whom."""
    auth.account(caller, account)
    with caller.unit() as session:
        out = CallerListOut.of(lists.get_caller_list(session, account, key))
    with_etag(response, out)
    return out


@router.put(LIST, openapi_extra=ACCOUNT)
def set_caller_list(
    account: str,
    key: str,
    body: CallerListIn,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> CallerListOut:
    """Save the list as its next version (the earlier ones are kept); every bad entry is named
    (``entries[3]``) and nothing changes; 412 on a stale If-Match."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        if (current := _current_list(session, account, key)) is not None:
            check_if_match(request, current)
        entries = [(e.number, e.label) for e in body.entries]
        made = lists.save_caller_list(
            session,
            account,
            key,
            entries,
            name=body.name,
            now=caller.runtime.now(),
            saved_by=caller.principal.user,
        )
        out = CallerListOut.of(made)
    with_etag(response, out)
    return out


def _current_list(session: Session, account: str, key: str) -> CallerListOut | None:
    try:
        return CallerListOut.of(lists.get_caller_list(session, account, key))
    except NotFound:
        return None


@router.delete(LIST, openapi_extra=ACCOUNT)
def remove_caller_list(
    account: str,
    key: str,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> CallerListOut:
    """Take the list down: calls no longer match it at once; it is kept, every version with it,
    with who and when. 409 naming each rule in force that uses it (change those first); 412 on
    a stale If-Match; removing it again answers the removal."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        return taken_down(
            request,
            response,
            CallerListOut.of(lists.get_caller_list(session, account, key)),
            lambda: CallerListOut.of(
                lists.remove_caller_list(
                    session, account, key, by=caller.principal.user, now=caller.runtime.now()
                )
            ),
        )


@router.post(LIST + "/restore", openapi_extra=ACCOUNT)
def restore_caller_list(
    account: str,
    key: str,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> CallerListOut:
    """Put a list taken down back in use as it was: its entries saved again, by the caller, as
    its next version (every version kept); 412 on a stale If-Match; one in use is answered
    unchanged."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        return put_back(
            request,
            response,
            CallerListOut.of(lists.get_caller_list(session, account, key)),
            lambda: CallerListOut.of(
                lists.restore_caller_list(
                    session, account, key, by=caller.principal.user, now=caller.runtime.now()
                )
            ),
        )


@router.get(LIST + "/versions", openapi_extra=ACCOUNT)
def caller_list_versions(
    account: str,
    key: str,
    page: PageQuery = Depends(),
    caller: Caller = Depends(authenticated),
) -> Page[CallerListOut]:
    """Every saved version of the list, newest first, in cursor pages."""
    auth.account(caller, account)
    with caller.unit() as session:
        found = [CallerListOut.of(v) for v in lists.caller_list_versions(session, account, key)]
    return versions_page(found, page, newest_first=True)


@router.get(LIST + "/versions/{version}", openapi_extra=ACCOUNT)
def caller_list_version(
    account: str, key: str, version: RowId, caller: Caller = Depends(authenticated)
) -> CallerListOut:
    """One saved version of the list, as it was."""
    auth.account(caller, account)
    with caller.unit() as session:
        return CallerListOut.of(lists.caller_list_version(session, account, key, version))


@router.get("/accounts/{account}/contacts", openapi_extra=ACCOUNT)
def list_contacts(
    account: str, page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[ContactOut]:
    auth.account(caller, account)
    with caller.unit() as session:
        found = service.account_contacts(session, account)
    out = [ContactOut(e164=n, name=name) for n, name in found.names.items()]
    return paginate(out, lambda c: c.e164, page)


@router.post(
    "/accounts/{account}/contacts",
    status_code=201,
    response_model=ContactOut,
    openapi_extra=ACCOUNT,
)
def add_contact(
    account: str, body: ContactIn, request: Request, caller: Caller = Depends(authenticated)
) -> Response:
    """Remember a known contact (its name updated when the number is known already)."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        if (again := replayed(session, request, caller.user_id, body)) is not None:
            return again
        e164 = service.add_contact(
            session, account, body.number, body.name, now=caller.runtime.now()
        )
        out = ContactOut.of(service.get_contact(session, account, e164))
        remember(session, request, caller.user_id, body, out, 201, caller.runtime.now())
    return JSONResponse(out.model_dump(mode="json"), status_code=201)


@router.get("/accounts/{account}/contacts/{number}", openapi_extra=ACCOUNT)
def get_contact(
    account: str, number: str, response: Response, caller: Caller = Depends(authenticated)
) -> ContactOut:
    """The account's contact for this number (as typed): the one in use, else the last one
    removed; its ETag goes with If-Match."""
    auth.account(caller, account)
    with caller.unit() as session:
        out = ContactOut.of(service.get_contact(session, account, number))
    with_etag(response, out)
    return out


@router.delete("/accounts/{account}/contacts/{number}", openapi_extra=ACCOUNT)
def remove_contact(
    account: str,
    number: str,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> ContactOut:
    """Take the contact down: calls from the number are unknown again at once; the contact is
    kept with who and when. 412 on a stale If-Match; removing it again answers the removal."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        return taken_down(
            request,
            response,
            ContactOut.of(service.get_contact(session, account, number)),
            lambda: ContactOut.of(
                service.remove_contact(
                    session, account, number, by=caller.principal.user, now=caller.runtime.now()
                )
            ),
        )
