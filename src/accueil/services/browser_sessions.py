"""Browser sessions: a password sign-in that lives in a cookie, for the pages.

The cookie holds a 256-bit random secret; only its SHA-256 digest is stored. A session ends at
sign-out, after ``idle`` without a request, or at its ``expires_at`` whatever the activity.
Its CSRF token is derived from the secret (``csrf_token``): a page that can read it proves it
runs on our origin, and a stolen CSRF token alone opens nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accueil.core.access import Principal
from accueil.errors import says
from accueil.services.tenancy import of_the_user
from accueil.services.users import Unauthenticated, User, get_user, principal_of, user_id
from accueil.store.tables_users import BrowserSessionRow, UserRow

# last_seen_at is written at most this often: a page's burst of requests is not a burst of writes
SEEN_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class NewSession:
    """A session just opened: ``secret`` goes in the cookie, shown this once."""

    secret: str
    csrf: str
    expires_at: datetime
    user: User


@dataclass(frozen=True)
class SignedIn:
    """The user behind a session cookie."""

    user: User
    principal: Principal
    csrf: str
    expires_at: datetime


def csrf_token(secret: str) -> str:
    """The CSRF token of the session whose cookie holds ``secret``."""
    return hashlib.sha256(b"accueil-csrf:" + secret.encode()).hexdigest()[:32]


@of_the_user
def open_session(session: Session, name: str, *, now: datetime, lifetime: timedelta) -> NewSession:
    """A new session for ``name`` (password just checked), ending at ``now + lifetime``."""
    secret = secrets.token_urlsafe(32)
    row = BrowserSessionRow(
        user_id=user_id(session, name),
        digest=_digest(secret),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    session.flush()
    return NewSession(secret, csrf_token(secret), row.expires_at, get_user(session, name))


@of_the_user
def authenticate_session(
    session: Session, secret: str, *, now: datetime, idle: timedelta
) -> SignedIn:
    """The user of a live session; 401 when it is unknown, ended, idle too long or expired."""
    row = _row(session, secret)
    if row is None or row.ended_at is not None:
        raise Unauthenticated(says("you are signed out; sign in again"))
    if now >= row.expires_at or now - row.last_seen_at >= idle:
        raise Unauthenticated(says("your session expired; sign in again"))
    user_row = session.get_one(UserRow, row.user_id)
    if not user_row.active:
        raise Unauthenticated(says("this user is deactivated"))
    if now - row.last_seen_at >= SEEN_EVERY:
        row.last_seen_at = now
    user = get_user(session, user_row.name)
    return SignedIn(user, principal_of(user), csrf_token(secret), row.expires_at)


@of_the_user
def close_session(session: Session, secret: str, *, now: datetime) -> None:
    """Sign out: the cookie's session ends now (an unknown or ended one: nothing to do)."""
    row = _row(session, secret)
    if row is not None and row.ended_at is None:
        row.ended_at = now


@of_the_user
def close_sessions_of(session: Session, name: str, *, now: datetime, keep: str = "") -> int:
    """End every live session of user ``name`` (their password changed), but the one of
    ``keep`` (the secret of the browser that changed it); how many were ended."""
    rows = session.scalars(
        select(BrowserSessionRow).where(
            BrowserSessionRow.user_id == user_id(session, name),
            BrowserSessionRow.ended_at.is_(None),
        )
    )
    kept = _digest(keep) if keep else ""
    ended = [row for row in rows if row.digest != kept]
    for row in ended:
        row.ended_at = now
    return len(ended)


def _row(session: Session, secret: str) -> BrowserSessionRow | None:
    row = session.scalar(
        select(BrowserSessionRow).where(BrowserSessionRow.digest == _digest(secret))
    )
    if row is not None and not hmac.compare_digest(row.digest, _digest(secret)):
        return None
    return row


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
