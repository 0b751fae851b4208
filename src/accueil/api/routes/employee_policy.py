"""The account's employee policy: what employees may do in their own rules and greeting. Its
client admins and the operator's staff read and save it; employees are held to it."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import (
    Page,
    PageQuery,
    check_if_match,
    scoped,
    versions_page,
    with_etag,
)
from accueil.api.routing import OneHop
from accueil.api.schemas import Out
from accueil.core.access import Action, Scope
from accueil.core.employee_policy import EmployeePolicy
from accueil.services import employee_policy as service

router = APIRouter(tags=["employee policy"], route_class=OneHop)
ACCOUNT = scoped(Scope.ACCOUNT)
PERSON = scoped(Scope.PERSON)
PATH = "/accounts/{account}/employee-policy"


class PolicyOut(Out):
    account: str
    version: int = Field(description="0: none saved yet (everything allowed)")
    saved_at: datetime | None
    saved_by: str
    treatments: list[str]
    mobile: bool
    max_ring_seconds: int | None
    block: bool
    greeting: bool

    @classmethod
    def of(cls, v: service.PolicyVersion) -> PolicyOut:
        return cls(
            account=v.account,
            version=v.version,
            saved_at=v.saved_at,
            saved_by=v.saved_by,
            **v.policy.model_dump(mode="json"),
        )


@router.get(PATH, openapi_extra=ACCOUNT)
def get_policy(
    account: str, response: Response, caller: Caller = Depends(authenticated)
) -> PolicyOut:
    """The policy in force (ETag for If-Match)."""
    auth.account(caller, account)
    with caller.unit() as session:
        out = PolicyOut.of(service.get_policy(session, account))
    with_etag(response, out)
    return out


@router.put(PATH, openapi_extra=ACCOUNT)
def set_policy(
    account: str,
    body: EmployeePolicy,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> PolicyOut:
    """Save a new version (422 names each bad field; 412 on a stale If-Match). Rules already
    saved keep deciding calls; employees' next saves are held to it."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        check_if_match(request, PolicyOut.of(service.get_policy(session, account)))
        saved = service.set_policy(
            session,
            account,
            body.model_dump(),
            now=caller.runtime.now(),
            saved_by=caller.principal.user,
        )
        out = PolicyOut.of(saved)
    with_etag(response, out)
    return out


@router.get(PATH + "/versions", openapi_extra=ACCOUNT)
def policy_versions(
    account: str, page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[PolicyOut]:
    """Every saved version, newest first, in cursor pages."""
    auth.account(caller, account)
    with caller.unit() as session:
        found = [PolicyOut.of(v) for v in service.policy_versions(session, account)]
    return versions_page(found, page, newest_first=True)


@router.get("/accounts/{account}/people/{person}/employee-policy", openapi_extra=PERSON)
def policy_for_person(
    account: str, person: str, caller: Caller = Depends(authenticated)
) -> PolicyOut:
    """What this person may do in their own rules and greeting: the employee reads what they
    are held to (the account's policy in force)."""
    auth.person(caller, account, person)
    with caller.unit() as session:
        return PolicyOut.of(service.get_policy(session, account))
