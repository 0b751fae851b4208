"""The directory: accounts, their groups, people and numbers; the operator's agents."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Response

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import Page, PageQuery, paginate, scoped, with_etag
from accueil.api.routing import OneHop
from accueil.api.schemas import AccountOut, AgentOut, GroupOut, NumberOut, PersonOut
from accueil.core.access import Scope, visible_accounts
from accueil.services import directory

router = APIRouter(tags=["directory"], route_class=OneHop)
ACCOUNT = scoped(Scope.ACCOUNT)
PERSON = scoped(Scope.PERSON)


@router.get("/accounts", openapi_extra=scoped(Scope.OPERATOR))
def list_accounts(
    page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[AccountOut]:
    """The accounts the caller sees: all for the operator's staff, their own for a client."""
    with caller.unit() as session:
        found = directory.list_accounts(session)
    seen = set(visible_accounts(caller.principal, [a.key for a in found]))
    return paginate([AccountOut.of(a) for a in found if a.key in seen], lambda a: a.key, page)


@router.get("/accounts/{account}", openapi_extra=ACCOUNT)
def get_account(
    account: str, response: Response, caller: Caller = Depends(authenticated)
) -> AccountOut:
    """The account's card (its ETag goes with If-Match when the operator changes it)."""
    auth.account_card(caller, account)
    with caller.unit() as session:
        out = AccountOut.of(directory.get_account(session, account))
    with_etag(response, out)
    return out


@router.get("/accounts/{account}/groups", openapi_extra=ACCOUNT)
def list_groups(
    account: str, page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[GroupOut]:
    auth.account(caller, account)
    with caller.unit() as session:
        found = [GroupOut.of(g) for g in directory.list_groups(session, account)]
    return paginate(found, lambda g: g.key, page)


@router.get("/accounts/{account}/people", openapi_extra=ACCOUNT)
def list_people(
    account: str,
    page: PageQuery = Depends(),
    group: str | None = Query(None, description="only the people of this group"),
    archived: bool = Query(False, description="include people who left"),
    caller: Caller = Depends(authenticated),
) -> Page[PersonOut]:
    auth.account(caller, account)
    with caller.unit() as session:
        found = directory.list_people(session, account, archived=archived)
    chosen = [PersonOut.of(p) for p in found if group is None or p.group == group]
    return paginate(chosen, lambda p: p.key, page)


@router.get("/accounts/{account}/people/{person}", openapi_extra=PERSON)
def get_person(
    account: str, person: str, response: Response, caller: Caller = Depends(authenticated)
) -> PersonOut:
    """A person (their ETag goes with If-Match when they leave, come back or change team)."""
    auth.person(caller, account, person)
    with caller.unit() as session:
        out = PersonOut.of(directory.get_person(session, account, person))
    with_etag(response, out)
    return out


@router.get("/accounts/{account}/numbers", openapi_extra=ACCOUNT)
def list_numbers(
    account: str, page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[NumberOut]:
    auth.account(caller, account)
    with caller.unit() as session:
        found = [NumberOut.of(n) for n in directory.list_numbers(session, account)]
    return paginate(found, lambda n: n.e164, page)


@router.get("/agents", openapi_extra=scoped(Scope.OPERATOR))
def list_agents(
    page: PageQuery = Depends(),
    site: str | None = Query(None, description="only the agents of this site"),
    caller: Caller = Depends(authenticated),
) -> Page[AgentOut]:
    """The operator's pool with each agent's languages, site and trainings."""
    auth.operator(caller)
    with caller.unit() as session:
        found = [AgentOut.of(a) for a in directory.list_agents(session)]
    return paginate([a for a in found if site is None or a.site == site], lambda a: a.key, page)
