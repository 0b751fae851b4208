"""The operator admin's page: the pool's secretaries (sites, languages, trainings) and the
accounts, each changed in place; the users with their API tokens (a new token shown once,
revoked in one click); and the audit log, per account and page by page. For anyone but an
operator admin the page does not exist (404)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from accueil.core.access import Role
from accueil.core.directory import Tier
from accueil.errors import NotFound, says
from accueil.services import users
from accueil.services.audit import read_audit
from accueil.services.directory import list_accounts, list_agents
from accueil.web.render import PageRoute, render
from accueil.web.stale import version_of
from accueil.web.viewer import Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Who = Annotated[Viewer, Depends(viewer)]
AUDIT_ROWS = 50


def operator_admin(who: Viewer) -> None:
    if who.role is not Role.OPERATOR_ADMIN:
        raise NotFound(says("no such page"))


def operator_page(request: Request, who: Viewer, **said: Any) -> Response:
    """The page as it is now; ``said``: what was just done (``done``), a new token (``token``)."""
    with who.caller.unit() as session:
        agents = [a for a in list_agents(session) if a.active]
        accounts = list_accounts(session)
        people = users.list_users(session)
        tokens = users.list_tokens(session)
    by_user: dict[str, list[users.Token]] = {}
    for token in tokens:
        by_user.setdefault(token.user, []).append(token)
    versions = {f"agent:{a.key}": version_of(a) for a in agents}
    versions |= {f"account:{a.key}": version_of(a) for a in accounts}
    versions |= {f"user:{u.name}": version_of(u) for u in people}
    return render(
        request, "operator.html", who, agents=agents, accounts=accounts, users=people,
        tokens=by_user, names={a.key: a.name for a in accounts}, versions=versions,
        tiers=list(Tier), roles=list(Role), done=said.get("done"), token=said.get("token"),
    )  # fmt: skip


@router.get("/operator")
def operator(request: Request, who: Who) -> Response:
    operator_admin(who)
    return operator_page(request, who)


@router.get("/operator/audit")
def audit_log(
    request: Request,
    who: Who,
    account: Annotated[str, Query(max_length=64)] = "",
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """The audit log newest first, one account's rows or all ('-': the operator's own), 50 a
    page; *Older* goes on from the last row shown."""
    operator_admin(who)
    with who.caller.unit() as session:
        rows = read_audit(session, _scope(account), before=before, limit=AUDIT_ROWS + 1)
        accounts = list_accounts(session)
    more = len(rows) > AUDIT_ROWS
    shown = rows[:AUDIT_ROWS]
    return render(
        request, "operator_audit.html", who, audit=shown, accounts=accounts, account=account,
        names={a.key: a.name for a in accounts}, older=shown[-1].id if more and shown else None,
        paged=before is not None,
    )  # fmt: skip


def _scope(account: str) -> str | None:
    """The filter: "" every row, "-" the operator's own (no account), else one account's."""
    if account == "-":
        return ""
    return account or None
