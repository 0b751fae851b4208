"""Teams (groups) of an account: read one, take it down (kept, with who was in it), put it
back."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import (
    Page,
    PageQuery,
    paginate,
    put_back,
    scoped,
    taken_down,
    with_etag,
)
from accueil.api.routing import OneHop
from accueil.api.schemas import Out
from accueil.core.access import Action, Scope
from accueil.services import groups as service

router = APIRouter(tags=["directory"], route_class=OneHop)
ACCOUNT = scoped(Scope.ACCOUNT)
GROUP = "/accounts/{account}/groups/{group}"


class GroupRecordOut(Out):
    key: str
    name: str
    members: list[str] = Field(
        description="its people (person keys); taken down: the people who were in it then"
    )
    removed_at: datetime | None = Field(None, description="null while in use")
    removed_by: str = Field("", description="the user (or the import) who took it down")

    @classmethod
    def of(cls, g: service.GroupRecord) -> GroupRecordOut:
        return cls(
            key=g.key,
            name=g.name,
            members=list(g.members),
            removed_at=g.removed_at,
            removed_by=g.removed_by,
        )


@router.get(GROUP, openapi_extra=ACCOUNT)
def get_group(
    account: str, group: str, response: Response, caller: Caller = Depends(authenticated)
) -> GroupRecordOut:
    """The team and its people (ETag for If-Match); one taken down is still read, with who
    was in it, when and by whom."""
    auth.account(caller, account)
    with caller.unit() as session:
        out = GroupRecordOut.of(service.group_record(session, account, group))
    with_etag(response, out)
    return out


@router.delete(GROUP, openapi_extra=ACCOUNT)
def remove_group(
    account: str,
    group: str,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> GroupRecordOut:
    """Take the team down: its people leave it at once (kept in ``members``); it is kept with
    who and when. 409 naming each place in force that uses it (its own rules or script layer,
    a script step transferring to it); 412 on a stale If-Match; removing it again answers the
    removal."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        return taken_down(
            request,
            response,
            GroupRecordOut.of(service.group_record(session, account, group)),
            lambda: GroupRecordOut.of(
                service.remove_group(
                    session, account, group, by=caller.principal.user, now=caller.runtime.now()
                )
            ),
        )


@router.post(GROUP + "/restore", openapi_extra=ACCOUNT)
def restore_group(
    account: str,
    group: str,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> GroupRecordOut:
    """Put a team taken down back in use, with the people who were in it (those in no other
    team since); 412 on a stale If-Match; one in use is answered unchanged."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        return put_back(
            request,
            response,
            GroupRecordOut.of(service.group_record(session, account, group)),
            lambda: GroupRecordOut.of(
                service.restore_group(
                    session, account, group, by=caller.principal.user, now=caller.runtime.now()
                )
            ),
        )


@router.get("/accounts/{account}/removed-groups", openapi_extra=ACCOUNT)
def list_removed_groups(
    account: str, page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[GroupRecordOut]:
    """The teams taken down, each with who was in it, who took it down and when."""
    auth.account(caller, account)
    with caller.unit() as session:
        found = [GroupRecordOut.of(g) for g in service.removed_groups(session, account)]
    return paginate(found, lambda g: g.key, page)
