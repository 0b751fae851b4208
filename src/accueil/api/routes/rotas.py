"""On-call rotas of an account: versioned, taken down but kept."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import (
    Page,
    PageQuery,
    RowId,
    check_if_match,
    paginate,
    put_back,
    scoped,
    taken_down,
    versions_page,
    with_etag,
)
from accueil.api.routing import OneHop
from accueil.core.access import Action, Scope
from accueil.core.rota import Rota
from accueil.errors import NotFound
from accueil.services import rotas as service

router = APIRouter(tags=["caller lists and rotas"], route_class=OneHop)
ACCOUNT = scoped(Scope.ACCOUNT)
ROTA = "/accounts/{account}/rotas/{key}"


class RotaOut(Rota):
    version: int = Field(0, description="each save is a new version; the earlier ones are kept")
    saved_at: datetime | None = None
    saved_by: str = Field("", description="the user who saved this version")
    removed_at: datetime | None = Field(None, description="null while in use")
    removed_by: str = Field("", description="the user who took it down")

    @classmethod
    def of(cls, r: service.RotaRecord) -> RotaOut:
        return cls(
            **r.rota.model_dump(),
            version=r.version,
            saved_at=r.saved_at,
            saved_by=r.saved_by,
            removed_at=r.removed_at,
            removed_by=r.removed_by,
        )


@router.get("/accounts/{account}/rotas", openapi_extra=ACCOUNT)
def list_rotas(
    account: str, page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[Rota]:
    """The rotas in use, each in its version in force."""
    auth.account(caller, account)
    with caller.unit() as session:
        found = list(service.account_rotas(session, account).values())
    return paginate(found, lambda r: r.key, page)


@router.get("/accounts/{account}/removed-rotas", openapi_extra=ACCOUNT)
def list_removed_rotas(
    account: str, page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[RotaOut]:
    """The rotas taken down, each as it was, with who and when."""
    auth.account(caller, account)
    with caller.unit() as session:
        found = [RotaOut.of(r) for r in service.removed_rotas(session, account)]
    return paginate(found, lambda r: r.key, page)


@router.get(ROTA, openapi_extra=ACCOUNT)
def get_rota(
    account: str, key: str, response: Response, caller: Caller = Depends(authenticated)
) -> RotaOut:
    """The rota's version in force (ETag for If-Match); one taken down is still read, with when
    and by whom."""
    auth.account(caller, account)
    with caller.unit() as session:
        out = RotaOut.of(service.rota_record(session, account, key))
    with_etag(response, out)
    return out


@router.delete(ROTA, openapi_extra=ACCOUNT)
def remove_rota(
    account: str,
    key: str,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> RotaOut:
    """Take the rota down: no call or escalation reaches it at once; it is kept, every version
    with it, with who and when. 409 naming each place in force that uses it (rules, script
    steps, delivery preferences, escalations under way); 412 on a stale If-Match; removing it
    again answers the removal."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        return taken_down(
            request,
            response,
            RotaOut.of(service.rota_record(session, account, key)),
            lambda: RotaOut.of(
                service.remove_rota(
                    session, account, key, by=caller.principal.user, now=caller.runtime.now()
                )
            ),
        )


@router.post(ROTA + "/restore", openapi_extra=ACCOUNT)
def restore_rota(
    account: str,
    key: str,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> RotaOut:
    """Put a rota taken down back in use as it was: saved again, by the caller, as its next
    version (every version kept); 412 on a stale If-Match; one in use is answered unchanged."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        return put_back(
            request,
            response,
            RotaOut.of(service.rota_record(session, account, key)),
            lambda: RotaOut.of(
                service.restore_rota(
                    session, account, key, by=caller.principal.user, now=caller.runtime.now()
                )
            ),
        )


@router.put(ROTA, openapi_extra=ACCOUNT)
def set_rota(
    account: str,
    key: str,
    body: dict[str, Any],
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> RotaOut:
    """Save the rota as its next version (the key comes from the path; the earlier versions
    are kept); one taken down is in use again. 412 on a stale If-Match."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        with suppress(NotFound):  # none yet: nothing to be stale against
            check_if_match(request, RotaOut.of(service.rota_record(session, account, key)))
        service.set_rota(
            session,
            account,
            {**body, "key": key},
            now=caller.runtime.now(),
            saved_by=caller.principal.user,
        )
        out = RotaOut.of(service.rota_record(session, account, key))
    with_etag(response, out)
    return out


@router.get(ROTA + "/versions", openapi_extra=ACCOUNT)
def rota_versions(
    account: str,
    key: str,
    page: PageQuery = Depends(),
    caller: Caller = Depends(authenticated),
) -> Page[RotaOut]:
    """Every saved version of the rota, newest first, in cursor pages."""
    auth.account(caller, account)
    with caller.unit() as session:
        found = [RotaOut.of(v) for v in service.rota_versions(session, account, key)]
    return versions_page(found, page, newest_first=True)


@router.get(ROTA + "/versions/{version}", openapi_extra=ACCOUNT)
def rota_version(
    account: str, key: str, version: RowId, caller: Caller = Depends(authenticated)
) -> RotaOut:
    """One saved version of the rota, as it was."""
    auth.account(caller, account)
    with caller.unit() as session:
        return RotaOut.of(service.rota_version(session, account, key, version))
