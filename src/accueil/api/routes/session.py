"""Signing in: a password gives an API token (``/login``) or a browser session in a cookie
(``/session``, with its CSRF token); reading who one is; signing out."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field

from accueil.api.auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Caller,
    authenticated,
    check_csrf,
    runtime,
)
from accueil.api.conventions import scoped
from accueil.api.problems import TooManyRequests
from accueil.api.routes.users import NewTokenOut, UserOut
from accueil.api.routing import OneHop
from accueil.api.runtime import Runtime
from accueil.api.schemas import In, Out
from accueil.core.access import Scope
from accueil.errors import says
from accueil.services import browser_sessions, users
from accueil.services.users import Unauthenticated

router = APIRouter(tags=["session"], route_class=OneHop)


class LoginIn(In):
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)
    label: str = Field("login", max_length=100)


class SignInIn(In):
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class SessionOut(Out):
    user: UserOut
    csrf_token: str = Field(description="send it as X-CSRF-Token with every change")
    expires_at: datetime


def _checked(request: Request, name: str, password: str) -> users.User:
    """The user whose password this is, at most N attempts per name and address a minute."""
    rt = runtime(request)
    host = request.client.host if request.client else "?"
    if not (rt.limiter.allow(f"name:{name}") and rt.limiter.allow(f"host:{host}")):
        raise TooManyRequests(says("too many sign-in attempts; wait a minute and try again"))
    with rt.unit() as session:
        return users.check_password(session, name, password)


@router.post("/login", status_code=201, openapi_extra=scoped(Scope.PUBLIC))
def login(body: LoginIn, request: Request) -> NewTokenOut:
    """A new API token for a user name and password (shown once; revoke it to sign out)."""
    rt = runtime(request)
    user = _checked(request, body.name, body.password)
    with rt.unit() as session:
        made = users.create_token(session, user.name, body.label, now=rt.now())
    return NewTokenOut.of(made)


@router.post("/session", status_code=201, openapi_extra=scoped(Scope.PUBLIC))
def sign_in(body: SignInIn, request: Request, response: Response) -> SessionOut:
    """Sign a browser in: an HttpOnly session cookie, and the CSRF token every change must
    send back in X-CSRF-Token (also in the readable accueil_csrf cookie)."""
    rt = runtime(request)
    user = _checked(request, body.name, body.password)
    lifetime = timedelta(hours=rt.settings.session_hours)
    with rt.unit() as session:
        made = browser_sessions.open_session(session, user.name, now=rt.now(), lifetime=lifetime)
    _set_cookies(response, rt, made.secret, made.csrf, int(lifetime.total_seconds()))
    return SessionOut(user=UserOut.of(made.user), csrf_token=made.csrf, expires_at=made.expires_at)


@router.get("/session", openapi_extra=scoped(Scope.SELF))
def current_session(request: Request, caller: Caller = Depends(authenticated)) -> SessionOut:
    """The browser's session: who, until when, and its CSRF token (for a page just loaded)."""
    secret = request.cookies.get(SESSION_COOKIE)
    if caller.via != "session" or secret is None:
        raise Unauthenticated(says("no browser session: this request came with an API token"))
    rt = caller.runtime
    idle = timedelta(minutes=rt.settings.session_idle_minutes)
    with rt.unit() as session:
        signed = browser_sessions.authenticate_session(session, secret, now=rt.now(), idle=idle)
    return SessionOut(
        user=UserOut.of(signed.user), csrf_token=signed.csrf, expires_at=signed.expires_at
    )


@router.delete("/session", status_code=204, openapi_extra=scoped(Scope.SELF))
def sign_out(request: Request) -> Response:
    """Sign the browser out: its session ends now and its cookies are cleared (an expired
    session too). A cookie sent needs its CSRF token, so no other site can sign you out."""
    rt = runtime(request)
    answer = Response(status_code=204)
    secret = request.cookies.get(SESSION_COOKIE)
    if secret is not None:
        check_csrf(request, secret)
        with rt.unit() as session:
            browser_sessions.close_session(session, secret, now=rt.now())
    _set_cookies(answer, rt, "", "", 0)
    return answer


@router.get("/me", openapi_extra=scoped(Scope.SELF))
def me(caller: Caller = Depends(authenticated)) -> UserOut:
    """The signed-in user: name, role, account, person."""
    with caller.unit() as session:
        return UserOut.of(users.get_user(session, caller.principal.user))


def _set_cookies(response: Response, rt: Runtime, secret: str, csrf: str, max_age: int) -> None:
    secure = rt.settings.cookie_secure
    for name, value, http_only in ((SESSION_COOKIE, secret, True), (CSRF_COOKIE, csrf, False)):
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            secure=secure,
            httponly=http_only,
            samesite="lax",
        )
