"""Who is looking at a page: the browser session's user, their language, and the API's guards.

Pages sign in with the API's browser sessions (``services/browser_sessions``: the same
``accueil_session`` cookie and CSRF token as ``POST /api/v1/session``), so a browser signed in on
the pages is signed in on the API and the other way round. A change sent by a page carries the
CSRF token in the ``X-CSRF-Token`` header (htmx sends it on every request) or, for a plain form,
in a ``csrf_token`` field.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request
from sqlalchemy.orm import Session

from accueil.api.auth import (
    CSRF_HEADER,
    SAFE_METHODS,
    SESSION_COOKIE,
    Audited,
    Caller,
    CsrfFailed,
    runtime,
)
from accueil.api.routing import waited
from accueil.api.runtime import Runtime
from accueil.core.access import Role
from accueil.errors import says
from accueil.services import browser_sessions, users
from accueil.services.directory import get_account, get_person
from accueil.services.users import Unauthenticated, User
from accueil.web.i18n import Translate, pick, translator

LANG_COOKIE = "accueil_lang"


class SignInNeeded(Unauthenticated):
    """No live session: the page sends the browser to the sign-in page."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in user of one page, as the API's guards see them (``caller``)."""

    caller: Caller
    user: User
    csrf: str
    lang: str
    _: Translate

    @property
    def role(self) -> Role:
        return self.user.role


async def viewer(request: Request) -> Viewer:
    """The page's viewer; ``SignInNeeded`` when the browser has no live session."""
    rt = runtime(request)
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        raise SignInNeeded(says("sign in to see this page"))
    try:  # in a thread, bounded: a database that hangs never holds the event loop
        signed, uid, own = await waited(rt.settings.request_wait_seconds, _signed_in, rt, secret)
    except Unauthenticated as exc:
        raise SignInNeeded(exc.message) from exc
    if request.method not in SAFE_METHODS:
        await _check_csrf(request, signed.csrf)
    request.state.user = signed.user.name
    lang = language(request, own)
    request.state.lang = lang  # an error page after this point speaks it too
    # a page's change leaves its audit row in its own transaction, as the API's do
    caller = Caller(signed.principal, uid, rt, via="session", audited=Audited.of(request))
    return Viewer(caller, signed.user, signed.csrf, lang, translator(lang))


def _signed_in(rt: Runtime, secret: str) -> tuple[browser_sessions.SignedIn, int, str | None]:
    idle = timedelta(minutes=rt.settings.session_idle_minutes)
    with rt.unit() as session:
        signed = browser_sessions.authenticate_session(session, secret, now=rt.now(), idle=idle)
        return signed, users.user_id(session, signed.user.name), _own_language(session, signed.user)


def language(request: Request, own: str | None = None) -> str:
    return pick(request.cookies.get(LANG_COOKIE), own, request.headers.get("accept-language"))


def _own_language(session: Session, user: User) -> str | None:
    if user.account and user.person:
        return get_person(session, user.account, user.person).languages[0]
    if user.account:
        return get_account(session, user.account).languages[0]
    return None


async def _check_csrf(request: Request, expected: str) -> None:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        field = form.get("csrf_token")
        sent = field if isinstance(field, str) else ""
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfFailed(
            says("this page is out of date or came from another site; reload it and try again"),
            field=f"header.{CSRF_HEADER}",
        )
