"""Who is calling: a bearer token becomes a ``Caller``; guards turn the policy into answers.

A guard that refuses tenant data raises NotFound: for the caller, what they may not see does not
exist. Operator-level refusals are 403, which reveals nothing about any tenant.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from accueil.api.problems import Forbidden
from accueil.api.runtime import Runtime
from accueil.core.access import (
    Action,
    Principal,
    may_account,
    may_account_card,
    may_manage_users,
    may_operator,
    may_person,
    may_reach,
)
from accueil.errors import NotFound
from accueil.services import users
from accueil.services.users import Unauthenticated

_bearer = HTTPBearer(auto_error=False, description="an API token: acc_<prefix>_<secret>")


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


@dataclass(frozen=True)
class Caller:
    """The signed-in user of one request, with the runtime to open units of work."""

    principal: Principal
    user_id: int
    runtime: Runtime

    @contextmanager
    def unit(self) -> Iterator[Session]:
        with self.runtime.unit() as session:
            yield session


def authenticated(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> Caller:
    if credentials is None:
        raise Unauthenticated("send an API token: Authorization: Bearer acc_…")
    rt = runtime(request)
    with rt.unit() as session:
        user, principal = users.authenticate_token(session, credentials.credentials, now=rt.now())
        uid = users.user_id(session, user.name)
    request.state.user = user.name
    return Caller(principal, uid, rt)


def _absent(account: str, person: str | None = None) -> NotFound:
    if person is None:
        return NotFound(f"no account {account!r}", field="account")
    return NotFound(f"no person {person!r} in account {account!r}", field="person")


def account_card(caller: Caller, account: str) -> None:
    if not may_account_card(caller.principal, account):
        raise _absent(account)


def account(caller: Caller, account: str, action: Action = Action.READ) -> None:
    if not may_account(caller.principal, account, action):
        raise _absent(account)


def person(caller: Caller, account: str, person: str, action: Action = Action.READ) -> None:
    if not may_person(caller.principal, account, person, action):
        if may_account_card(caller.principal, account):
            raise _absent(account, person)
        raise _absent(account)


def reach(caller: Caller, number: str, account: str, person: str | None) -> None:
    """A dialled number leads somewhere this caller may not see: for them it leads nowhere."""
    if not may_reach(caller.principal, account, person):
        raise NotFound(f"the number {number} leads to no account", field="to")


def operator(caller: Caller, action: Action = Action.READ) -> None:
    if not may_operator(caller.principal, action):
        raise Forbidden("this is for the operator's staff (operator admin or supervisor)")


def user_admin(caller: Caller) -> None:
    if not may_manage_users(caller.principal):
        raise Forbidden("only an operator admin manages users and tokens")
