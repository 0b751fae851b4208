"""Who is calling: a bearer token becomes a ``Caller``; guards turn the policy into answers.

A guard that refuses tenant data raises NotFound: for the caller, what they may not see does not
exist. Operator-level refusals are 403, which reveals nothing about any tenant.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from accueil.api.observe import route_template
from accueil.api.problems import Forbidden
from accueil.api.routing import waited
from accueil.api.runtime import Runtime
from accueil.api.signed import Checked, offered_accounts
from accueil.core.access import (
    Action,
    Principal,
    Role,
    may_account,
    may_account_card,
    may_manage_users,
    may_operator,
    may_person,
    may_reach,
    may_read_usage,
)
from accueil.errors import NotFound, says
from accueil.services import audit, browser_sessions, users
from accueil.services.users import Unauthenticated

SESSION_COOKIE = "accueil_session"
CSRF_COOKIE = "accueil_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(auto_error=False, description="an API token: acc_<prefix>_<secret>")
_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description=f"a browser session (POST /api/v1/session); writes also need {CSRF_HEADER}",
)


class CsrfFailed(Forbidden):
    code = "csrf_failed"


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


@dataclass
class Audited:
    """What the audit row of one request says besides who: set from the request, the account
    filled in by a route that finds it on the way (a dialled number)."""

    method: str
    operation: str
    target: str
    account: str
    request_id: str
    client: str
    written: bool = False

    @classmethod
    def of(cls, request: Request) -> Audited:
        template = route_template(request.scope)
        return cls(
            method=request.method,
            operation=f"{request.method} {template}",
            target=request.url.path,
            account=str(request.path_params.get("account", "")),
            request_id=str(getattr(request.state, "request_id", "")),
            client=request.client.host if request.client else "",
        )


@dataclass(frozen=True)
class Caller:
    """The signed-in user of one request, with the runtime to open units of work."""

    principal: Principal
    user_id: int
    runtime: Runtime
    via: str = "token"  # or "session": a browser's cookie
    audited: Audited | None = None

    @contextmanager
    def unit(self, *, personal: bool = False) -> Iterator[Session]:
        """One unit of work. A change (any method but GET, HEAD, OPTIONS) or a read of personal
        data (``personal``) leaves its audit row in this same transaction, once per request."""
        with self.runtime.unit() as session:
            yield session
            self._audit(session, personal)

    def _audit(self, session: Session, personal: bool) -> None:
        a = self.audited
        if a is None or a.written or (a.method in SAFE_METHODS and not personal):
            return
        entry = audit.AuditEntry(
            at=self.runtime.now(),
            account=a.account,
            user=self.principal.user,
            role=self.principal.role.value,
            operation=a.operation,
            target=a.target,
            request_id=a.request_id,
            client=a.client,
        )
        audit.record(session, entry)
        a.written = True


async def authenticated(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    cookie: str | None = Depends(_cookie),
) -> Caller:
    """A bearer token (integrations) or a session cookie (browsers; writes need the CSRF
    token in the X-CSRF-Token header).

    Async on purpose: a token checked in the last seconds is answered here, on the event loop,
    without a hop to the thread pool (FastAPI runs a sync dependency there, a second hop besides
    the route's); only a check that reads the database goes to a thread."""
    rt = runtime(request)
    wait = rt.settings.request_wait_seconds
    if credentials is not None:
        token = credentials.credentials

        async def check(generation: int) -> Checked:
            return await waited(wait, _bearer_checked, rt, token, generation)

        checked = await rt.tokens.once(token, check)
        request.state.user = checked.user.name
        principal = principal_for(rt, checked.user)
        return Caller(principal, checked.user_id, rt, audited=Audited.of(request))
    if cookie is None:
        raise Unauthenticated(says("send an API token (Authorization: Bearer acc_…) or sign in"))
    signed, uid = await waited(wait, _session_user, rt, cookie)
    if request.method not in SAFE_METHODS:
        check_csrf(request, cookie)
    request.state.user = signed.user.name
    principal = principal_for(rt, signed.user)
    return Caller(principal, uid, rt, via="session", audited=Audited.of(request))


def _session_user(rt: Runtime, cookie: str) -> tuple[browser_sessions.SignedIn, int]:
    idle = timedelta(minutes=rt.settings.session_idle_minutes)
    with rt.unit() as session:
        signed = browser_sessions.authenticate_session(session, cookie, now=rt.now(), idle=idle)
        return signed, users.user_id(session, signed.user.name)


def _bearer_checked(rt: Runtime, token: str, generation: int) -> Checked:
    """Check ``token`` in the database now and keep the answer (``generation``: the cache's,
    read before the check began, so a revocation made meanwhile is not undone)."""
    with rt.unit() as session:
        user, _ = users.authenticate_token(session, token, now=rt.now())
        checked = Checked(user, users.user_id(session, user.name), token.split("_", 2)[1])
    rt.tokens.put(token, checked, generation)
    return checked


def principal_for(rt: Runtime, user: users.User) -> Principal:
    """The policy's view of ``user`` now: an agent sees the accounts of the calls they hold."""
    if user.role is not Role.AGENT:
        return users.principal_of(user)
    return users.principal_of(user, offered_accounts(rt.live, user.agent))


def check_csrf(request: Request, cookie: str) -> None:
    """A write made with a session cookie carries the session's CSRF token in a header, which
    only a page of our origin can read (from the accueil_csrf cookie or the sign-in answer)."""
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent.encode(), browser_sessions.csrf_token(cookie).encode()):
        raise CsrfFailed(
            says(
                "a change made from a browser needs the %(header)s header (the "
                "%(cookie)s cookie's value)",
                header=CSRF_HEADER,
                cookie=CSRF_COOKIE,
            ),
            field=f"header.{CSRF_HEADER}",
        )


def _absent(account: str, person: str | None = None) -> NotFound:
    if person is None:
        return NotFound(says("no account %(account)r", account=account), field="account")
    return NotFound(
        says("no person %(person)r in account %(account)r", person=person, account=account),
        field="person",
    )


def account_card(caller: Caller, account: str) -> None:
    if not may_account_card(caller.principal, account):
        raise _absent(account)


def account(caller: Caller, account: str, action: Action = Action.READ) -> None:
    if not may_account(caller.principal, account, action):
        raise _absent(account)


def usage(caller: Caller, account: str) -> None:
    """The account's usage (billing): its client admins and the operator's staff; for anyone
    else the account does not exist."""
    if not may_read_usage(caller.principal, account):
        raise _absent(account)


def person(caller: Caller, account: str, person: str, action: Action = Action.READ) -> None:
    if not may_person(caller.principal, account, person, action):
        if may_account_card(caller.principal, account):
            raise _absent(account, person)
        raise _absent(account)


def reach(caller: Caller, number: str, account: str, person: str | None) -> None:
    """A dialled number leads somewhere this caller may not see: for them it leads nowhere."""
    if not may_reach(caller.principal, account, person):
        raise NotFound(says("the number %(number)s leads to no account", number=number), field="to")
    if caller.audited is not None:
        caller.audited.account = account


def operator(caller: Caller, action: Action = Action.READ) -> None:
    if not may_operator(caller.principal, action):
        raise Forbidden(says("this is for the operator's staff (operator admin or supervisor)"))


def user_admin(caller: Caller) -> None:
    if not may_manage_users(caller.principal):
        raise Forbidden(says("only an operator admin manages users and tokens"))
