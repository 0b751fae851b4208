"""Caller lists (VIP, blocked…), known contacts and on-call rotas of an account."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import (
    Page,
    PageQuery,
    check_if_match,
    paginate,
    remember,
    replayed,
    scoped,
    with_etag,
)
from accueil.api.routing import OneHop
from accueil.api.schemas import In, Out
from accueil.core.access import Action, Scope
from accueil.core.callers import CallerList
from accueil.core.rota import Rota
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
    entries: list[EntryOut]

    @classmethod
    def of(cls, c: CallerList) -> CallerListOut:
        entries = [EntryOut(pattern=e.pattern, label=e.label) for e in c.entries]
        return cls(key=c.key, name=c.name, entries=entries)


class ContactIn(In):
    number: str = Field(min_length=1, max_length=64, description="as typed; stored in E.164")
    name: str = Field(min_length=1, max_length=200)


class ContactOut(Out):
    e164: str
    name: str


@router.get("/accounts/{account}/caller-lists", openapi_extra=ACCOUNT)
def list_caller_lists(
    account: str, page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[CallerListOut]:
    auth.account(caller, account)
    with caller.unit() as session:
        found = [CallerListOut.of(c) for c in service.caller_lists(session, account).values()]
    return paginate(found, lambda c: c.key, page)


@router.get("/accounts/{account}/caller-lists/{key}", openapi_extra=ACCOUNT)
def get_caller_list(
    account: str, key: str, response: Response, caller: Caller = Depends(authenticated)
) -> CallerListOut:
    auth.account(caller, account)
    with caller.unit() as session:
        out = CallerListOut.of(service.caller_list(session, account, key))
    with_etag(response, out)
    return out


@router.put("/accounts/{account}/caller-lists/{key}", openapi_extra=ACCOUNT)
def set_caller_list(
    account: str,
    key: str,
    body: CallerListIn,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> CallerListOut:
    """Create or replace a list; every bad entry is named (``entries[3]``), nothing changes."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        current = service.caller_lists(session, account).get(key)
        if current is not None:
            check_if_match(request, CallerListOut.of(current))
        entries = [(e.number, e.label) for e in body.entries]
        made = service.set_caller_list(
            session, account, key, entries, name=body.name, now=caller.runtime.now()
        )
        out = CallerListOut.of(made)
    with_etag(response, out)
    return out


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
        out = ContactOut(e164=e164, name=body.name)
        remember(session, request, caller.user_id, body, out, 201, caller.runtime.now())
    return JSONResponse(out.model_dump(mode="json"), status_code=201)


@router.get("/accounts/{account}/rotas", openapi_extra=ACCOUNT)
def list_rotas(
    account: str, page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[Rota]:
    auth.account(caller, account)
    with caller.unit() as session:
        found = list(service.account_rotas(session, account).values())
    return paginate(found, lambda r: r.key, page)


@router.get("/accounts/{account}/rotas/{key}", openapi_extra=ACCOUNT)
def get_rota(
    account: str, key: str, response: Response, caller: Caller = Depends(authenticated)
) -> Rota:
    auth.account(caller, account)
    with caller.unit() as session:
        out = service.get_rota(session, account, key)
    with_etag(response, out)
    return out


@router.put("/accounts/{account}/rotas/{key}", openapi_extra=ACCOUNT)
def set_rota(
    account: str,
    key: str,
    body: dict[str, Any],
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> Rota:
    """Create or replace an on-call rota (the key comes from the path)."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        current = service.account_rotas(session, account).get(key)
        if current is not None:
            check_if_match(request, current)
        out = service.set_rota(session, account, {**body, "key": key}, now=caller.runtime.now())
    with_etag(response, out)
    return out
