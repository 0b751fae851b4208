"""Signing in and out, the language switch, and the front page that leads each role home."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from accueil.api.auth import SESSION_COOKIE, runtime
from accueil.api.routes.session import _checked, _set_cookies
from accueil.core.access import Role
from accueil.errors import AccueilError
from accueil.services import browser_sessions
from accueil.web.i18n import LANGUAGES
from accueil.web.render import PageRoute, render
from accueil.web.viewer import LANG_COOKIE, Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)
YEAR = 365 * 24 * 3600


def home_of(user: Viewer) -> str:
    """Where a user starts: their own page, their account, the board, the desk."""
    u = user.user
    if u.role is Role.EMPLOYEE:
        return f"/accounts/{u.account}/people/{u.person}"
    if u.role is Role.CLIENT_ADMIN:
        return f"/accounts/{u.account}"
    if u.role is Role.AGENT:
        return "/desk"
    return "/board"


def local(target: str | None) -> str:
    """A page of this site to go back to (never another site: no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/")
def front(who: Annotated[Viewer, Depends(viewer)]) -> Response:
    return RedirectResponse(home_of(who), status_code=303)


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = "/") -> Response:
    return render(request, "sign_in.html", next=local(next), name="", error=None)


@router.post("/sign-in")
def sign_in(
    request: Request,
    name: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """The same check and session as ``POST /api/v1/session``; the error said on the form."""
    rt = runtime(request)
    try:
        user = _checked(request, name.strip(), password)
    except AccueilError as exc:
        return render(
            request, "sign_in.html", status=exc.status, next=local(next), name=name, error=exc
        )
    lifetime = timedelta(hours=rt.settings.session_hours)
    with rt.unit() as session:
        made = browser_sessions.open_session(session, user.name, now=rt.now(), lifetime=lifetime)
    answer = RedirectResponse(local(next), status_code=303)
    _set_cookies(answer, rt, made.secret, made.csrf, int(lifetime.total_seconds()))
    return answer


@router.post("/sign-out")
def sign_out(request: Request, who: Annotated[Viewer, Depends(viewer)]) -> Response:
    rt = runtime(request)
    secret = request.cookies.get(SESSION_COOKIE, "")
    with rt.unit() as session:
        browser_sessions.close_session(session, secret, now=rt.now())
    answer = RedirectResponse("/sign-in", status_code=303)
    _set_cookies(answer, rt, "", "", 0)
    return answer


@router.post("/language")
def choose_language(
    lang: Annotated[str, Form(max_length=5)], next: Annotated[str, Form(max_length=2000)] = "/"
) -> Response:
    """The language of the pages on this browser (a cookie; no session needed)."""
    answer = RedirectResponse(local(next), status_code=303)
    if lang in LANGUAGES:
        answer.set_cookie(LANG_COOKIE, lang, max_age=YEAR, path="/", samesite="lax")
    return answer
