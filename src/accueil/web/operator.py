"""The operator admin's page: the pool's secretaries (sites, languages, trainings), the accounts,
the users and their API tokens, and the audit log's latest rows. Read-only for now: changes go
through the CLI and the API. For anyone but an operator admin the page does not exist (404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from accueil.core.access import Role
from accueil.errors import NotFound
from accueil.services import users
from accueil.services.audit import read_audit
from accueil.services.directory import list_accounts, list_agents
from accueil.web.render import PageRoute, render
from accueil.web.viewer import Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)
AUDIT_ROWS = 50


@router.get("/operator")
def operator(request: Request, who: Annotated[Viewer, Depends(viewer)]) -> Response:
    if who.role is not Role.OPERATOR_ADMIN:
        raise NotFound("no such page")
    with who.caller.unit() as session:
        agents = list_agents(session)
        accounts = list_accounts(session)
        people = users.list_users(session)
        tokens = users.list_tokens(session)
        audit = read_audit(session, None, limit=AUDIT_ROWS)
    by_user: dict[str, list[users.Token]] = {}
    for token in tokens:
        by_user.setdefault(token.user, []).append(token)
    names = {a.key: a.name for a in accounts}
    return render(
        request, "operator.html", who, agents=agents, accounts=accounts, users=people,
        tokens=by_user, audit=audit, names=names,
    )  # fmt: skip
