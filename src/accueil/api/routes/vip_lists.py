"""A person's own VIP list: the employee themself (and their client admin, the operator's
staff) read and replace it; a colleague or another account finds nothing (404)."""

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
from accueil.api.schemas import In, Out
from accueil.core.access import Action, Scope
from accueil.services import vip_lists as service

router = APIRouter(tags=["vip lists"], route_class=OneHop)
PERSON = scoped(Scope.PERSON)
PATH = "/accounts/{account}/people/{person}/vip"


class VipContactIn(In):
    number: str = Field(min_length=1, max_length=64, description="as typed; stored in E.164")
    name: str = Field("", max_length=200, description="who it is: 'Maman', 'M. Leroy (Dupont SA)'")


class VipListIn(In):
    contacts: list[VipContactIn] = Field(max_length=service.MAX_CONTACTS)


class VipContactOut(Out):
    number: str = Field(description="E.164")
    name: str


class VipListOut(Out):
    account: str
    person: str
    version: int = Field(description="0: nothing saved yet")
    saved_at: datetime | None
    saved_by: str
    contacts: list[VipContactOut]

    @classmethod
    def of(cls, v: service.VipList) -> VipListOut:
        return cls(
            account=v.account,
            person=v.person,
            version=v.version,
            saved_at=v.saved_at,
            saved_by=v.saved_by,
            contacts=[VipContactOut(number=c.number, name=c.name) for c in v.contacts],
        )


@router.get(PATH, openapi_extra=PERSON)
def get_vip_list(
    account: str, person: str, response: Response, caller: Caller = Depends(authenticated)
) -> VipListOut:
    """The person's own VIP list in force (ETag for If-Match); rules see it as
    ``personal_vip``."""
    auth.person(caller, account, person)
    with caller.unit() as session:
        out = VipListOut.of(service.get_vip_list(session, account, person))
    with_etag(response, out)
    return out


@router.put(PATH, openapi_extra=PERSON)
def set_vip_list(
    account: str,
    person: str,
    body: VipListIn,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> VipListOut:
    """Replace the list (a new version); every bad number is named (``contacts[2].number``)
    and nothing changes; 412 on a stale If-Match."""
    auth.person(caller, account, person, Action.WRITE)
    with caller.unit() as session:
        check_if_match(request, VipListOut.of(service.get_vip_list(session, account, person)))
        saved = service.set_vip_list(
            session,
            account,
            person,
            [(c.number, c.name) for c in body.contacts],
            now=caller.runtime.now(),
            saved_by=caller.principal.user,
        )
        out = VipListOut.of(saved)
    with_etag(response, out)
    return out


@router.get(PATH + "/versions", openapi_extra=PERSON)
def vip_list_versions(
    account: str,
    person: str,
    page: PageQuery = Depends(),
    caller: Caller = Depends(authenticated),
) -> Page[VipListOut]:
    """Every saved version, newest first, in cursor pages."""
    auth.person(caller, account, person)
    with caller.unit() as session:
        found = [VipListOut.of(v) for v in service.vip_versions(session, account, person)]
    return versions_page(found, page, newest_first=True)
