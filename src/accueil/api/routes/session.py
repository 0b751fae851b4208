"""Signing in with a password (rate-limited) and reading who one is."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from accueil.api.auth import Caller, authenticated, runtime
from accueil.api.conventions import scoped
from accueil.api.problems import TooManyRequests
from accueil.api.routes.users import NewTokenOut, UserOut
from accueil.api.schemas import In
from accueil.core.access import Scope
from accueil.services import users

router = APIRouter(tags=["session"])


class LoginIn(In):
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)
    label: str = Field("login", max_length=100)


@router.post("/login", status_code=201, openapi_extra=scoped(Scope.PUBLIC))
def login(body: LoginIn, request: Request) -> NewTokenOut:
    """A new API token for a user name and password (shown once; revoke it to sign out)."""
    rt = runtime(request)
    host = request.client.host if request.client else "?"
    if not (rt.limiter.allow(f"name:{body.name}") and rt.limiter.allow(f"host:{host}")):
        raise TooManyRequests("too many sign-in attempts; wait a minute and try again")
    with rt.unit() as session:
        user = users.check_password(session, body.name, body.password)
    with rt.unit() as session:
        made = users.create_token(session, user.name, body.label, now=rt.now())
    return NewTokenOut.of(made)


@router.get("/me", openapi_extra=scoped(Scope.SELF))
def me(caller: Caller = Depends(authenticated)) -> UserOut:
    """The signed-in user: name, role, account, person."""
    with caller.unit() as session:
        return UserOut.of(users.get_user(session, caller.principal.user))
