"""The audit log, newest first with a cursor: all of it for operator admins, one account's
rows for that account's client admins."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import Page, PageQuery, decode_int_cursor, encode_cursor, scoped
from accueil.api.problems import Forbidden
from accueil.api.routing import OneHop
from accueil.api.schemas import Out
from accueil.core.access import Scope, may_read_audit
from accueil.errors import says
from accueil.services import audit

router = APIRouter(tags=["audit"], route_class=OneHop)


class AuditOut(Out):
    id: int
    at: datetime
    account: str
    user: str
    role: str
    operation: str
    target: str
    request_id: str
    client: str

    @classmethod
    def of(cls, e: audit.AuditEntry) -> AuditOut:
        return cls(
            id=e.id,
            at=e.at,
            account=e.account,
            user=e.user,
            role=e.role,
            operation=e.operation,
            target=e.target,
            request_id=e.request_id,
            client=e.client,
        )


def _page(caller: Caller, account: str | None, user: str | None, page: PageQuery) -> Page[AuditOut]:
    with caller.runtime.unit() as session:
        found = audit.read_audit(
            session, account, user=user, before=decode_int_cursor(page.cursor), limit=page.limit + 1
        )
    chunk = found[: page.limit]
    more = len(found) > page.limit
    cursor = encode_cursor(str(chunk[-1].id)) if more and chunk else None
    return Page[AuditOut](items=[AuditOut.of(e) for e in chunk], next_cursor=cursor)


USER = Query(None, min_length=1, max_length=100, description="only what this user did")


@router.get("/audit", openapi_extra=scoped(Scope.OPERATOR))
def operator_audit(
    account: str | None = Query(
        None, min_length=1, max_length=64, description="only this account's rows"
    ),
    user: str | None = USER,
    page: PageQuery = Depends(),
    caller: Caller = Depends(authenticated),
) -> Page[AuditOut]:
    """Every audited change and read of personal data: operator admins only."""
    if not may_read_audit(caller.principal, None):
        raise Forbidden(says("the whole audit log is for operator admins"))
    return _page(caller, account, user, page)


@router.get("/accounts/{account}/audit", openapi_extra=scoped(Scope.ACCOUNT))
def account_audit(
    account: str,
    user: str | None = USER,
    page: PageQuery = Depends(),
    caller: Caller = Depends(authenticated),
) -> Page[AuditOut]:
    """The account's audit rows: its client admins and operator admins."""
    auth.account(caller, account)
    if not may_read_audit(caller.principal, account):
        raise Forbidden(says("an account's audit log is for its client admins and operator admins"))
    return _page(caller, account, user, page)
