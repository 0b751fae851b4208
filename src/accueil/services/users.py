"""Users, passwords and API tokens (operator-level: only operator admins manage them).

Passwords are hashed with argon2id. An API token is ``acc_<prefix>_<secret>``: the prefix finds
its row, the secret (256 random bits) is kept as a SHA-256 digest. A slow hash adds nothing for
a secret that long and would cost every request tens of milliseconds. A token is shown once,
when it is created, and acts with its user's role and account.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from accueil.core.access import Principal, Role, role_needs
from accueil.errors import AccueilError, Conflict, InvalidInput, NotFound, says
from accueil.services.directory import account_row
from accueil.services.tenancy import of_the_user, operator_level
from accueil.store.tables import AccountRow, AgentRow, PersonRow
from accueil.store.tables_users import ApiTokenRow, UserRow

_HASHER = PasswordHasher()
MIN_PASSWORD = 10
LAST_USE_EVERY = timedelta(minutes=1)


class Unauthenticated(AccueilError):
    code = "unauthenticated"
    status = 401


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    account: str | None
    person: str | None
    agent: str | None
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class Token:
    prefix: str
    user: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class NewToken:
    """A token just created: ``secret`` is the whole token, shown this once."""

    token: Token
    secret: str


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise InvalidInput(
            says("%(text)r is not a role; use one of: %(known)s", text=text, known=known),
            field="role",
        ) from None


@operator_level
def add_user(
    session: Session,
    name: str,
    role: Role,
    *,
    account: str | None = None,
    person: str | None = None,
    agent: str | None = None,
    password: str | None = None,
    now: datetime,
) -> User:
    """A new user; an account for client admins and employees, a person for employees."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput(says("a user's name is 1 to 100 characters"), field="name")
    if session.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
        raise Conflict(says("there is already a user named %(name)r", name=name), field="name")
    needs_account, needs_person = role_needs(role)
    acc = _account_for(session, role, account, needs_account)
    if needs_person:
        _require_person(session, acc, person)
    elif person:
        raise InvalidInput(
            says("a %(role)s has no person; leave it out", role=role.value), field="person"
        )
    if role is Role.AGENT and agent:
        _require_agent(session, agent)
    row = UserRow(
        name=name,
        role=role.value,
        account_id=acc.id if acc else None,
        person_key=person or "",
        agent_key=(agent or "") if role is Role.AGENT else "",
        password_hash=hash_password(password) if password else "",
        active=True,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return _user(row, acc.key if acc else None)


def _account_for(
    session: Session, role: Role, account: str | None, needed: bool
) -> AccountRow | None:
    if needed and not account:
        raise InvalidInput(
            says("a %(role)s belongs to one account; name it", role=role.value), field="account"
        )
    if not needed and account:
        raise InvalidInput(
            says("a %(role)s works for the whole operator; leave the account out", role=role.value),
            field="account",
        )
    return account_row(session, account) if account else None


def _require_person(session: Session, acc: AccountRow | None, person: str | None) -> None:
    if not person or acc is None:
        raise InvalidInput(
            says("an employee is one person of the account; name it"), field="person"
        )
    found = session.scalar(
        select(PersonRow.id).where(PersonRow.account_id == acc.id, PersonRow.key == person)
    )
    if found is None:
        raise NotFound(
            says("no person %(person)r in account %(account)r", person=person, account=acc.key),
            field="person",
        )


def _require_agent(session: Session, agent: str) -> None:
    if session.scalar(select(AgentRow.id).where(AgentRow.key == agent)) is None:
        raise NotFound(says("no agent %(agent)r in the pool", agent=agent), field="agent")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            says("a password is at least %(n)s characters", n=MIN_PASSWORD),
            field="password",
        )
    return _HASHER.hash(password)


@operator_level
def set_password(session: Session, name: str, password: str) -> None:
    _user_row(session, name).password_hash = hash_password(password)


@operator_level
def list_users(session: Session) -> list[User]:
    rows = session.execute(
        select(UserRow, AccountRow.key)
        .outerjoin(AccountRow, UserRow.account_id == AccountRow.id)
        .order_by(UserRow.name)
    )
    return [_user(row, key) for row, key in rows]


@operator_level
def get_user(session: Session, name: str) -> User:
    row = _user_row(session, name)
    return _user(row, _account_key(session, row))


@operator_level
def deactivate_user(session: Session, name: str) -> None:
    """The user can no longer sign in; their tokens stop working. Nothing is deleted."""
    _user_row(session, name).active = False


@of_the_user
def check_password(session: Session, name: str, password: str) -> User:
    """The user whose password this is; one error whatever was wrong (no user enumeration)."""
    row = session.scalar(select(UserRow).where(UserRow.name == name))
    stored = row.password_hash if row and row.active else ""
    try:
        ok = bool(stored) and _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or row is None:
        raise Unauthenticated(says("wrong user name or password"))
    if _HASHER.check_needs_rehash(stored):
        row.password_hash = _HASHER.hash(password)
    return _user(row, _account_key(session, row))


@operator_level
def create_token(session: Session, name: str, label: str = "", *, now: datetime) -> NewToken:
    row = _user_row(session, name)
    if not row.active:
        raise InvalidInput(says("the user %(name)r is deactivated", name=name), field="user")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiTokenRow(
        user_id=row.id,
        prefix=prefix,
        digest=_digest(secret),
        label=label.strip()[:100],
        created_at=now,
    )
    session.add(token)
    session.flush()
    return NewToken(_token(token, row.name), f"acc_{prefix}_{secret}")


@operator_level
def revoke_token(session: Session, prefix: str, *, now: datetime) -> Token:
    row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.prefix == prefix))
    if row is None:
        raise NotFound(says("no token %(prefix)r", prefix=prefix), field="prefix")
    if row.revoked_at is None:
        row.revoked_at = now
    user = session.get_one(UserRow, row.user_id)
    return _token(row, user.name)


@operator_level
def get_token(session: Session, prefix: str) -> Token:
    """One token by its prefix, revoked or not (NotFound: no such token)."""
    row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.prefix == prefix))
    if row is None:
        raise NotFound(says("no token %(prefix)r", prefix=prefix), field="prefix")
    return _token(row, session.get_one(UserRow, row.user_id).name)


@operator_level
def list_tokens(session: Session, name: str | None = None) -> list[Token]:
    query = select(ApiTokenRow, UserRow.name).join(UserRow, ApiTokenRow.user_id == UserRow.id)
    if name is not None:
        query = query.where(UserRow.name == name)
    return [_token(t, n) for t, n in session.execute(query.order_by(ApiTokenRow.created_at))]


@of_the_user
def authenticate_token(session: Session, token: str, *, now: datetime) -> tuple[User, Principal]:
    """The user a bearer token acts for; records its last use."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "acc":
        raise Unauthenticated(says("the token is malformed; it looks like acc_<prefix>_<secret>"))
    row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.prefix == parts[1]))
    if row is None or not hmac.compare_digest(row.digest, _digest(parts[2])):
        raise Unauthenticated(says("the token is not known"))
    if row.revoked_at is not None:
        raise Unauthenticated(says("the token was revoked"))
    user_row = session.get_one(UserRow, row.user_id)
    if not user_row.active:
        raise Unauthenticated(says("the token's user is deactivated"))
    # to the minute: a busy integration's every request is not also a write
    if row.last_used_at is None or now - _utc(row.last_used_at) >= LAST_USE_EVERY:
        row.last_used_at = now
    user = _user(user_row, _account_key(session, user_row))
    return user, principal_of(user)


def principal_of(user: User, offered: frozenset[str] = frozenset()) -> Principal:
    """The policy's view of a user. ``offered``: for an agent, the accounts offered to them."""
    return Principal(
        user=user.name,
        role=user.role,
        account=user.account,
        person=user.person,
        agent=user.agent,
        offered=offered,
    )


@of_the_user
def user_id(session: Session, name: str) -> int:
    return _user_row(session, name).id


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _user_row(session: Session, name: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.name == name))
    if row is None:
        raise NotFound(says("no user %(name)r", name=name), field="name")
    return row


def _account_key(session: Session, row: UserRow) -> str | None:
    if row.account_id is None:
        return None
    return session.get_one(AccountRow, row.account_id).key


def _user(row: UserRow, account: str | None) -> User:
    return User(
        name=row.name,
        role=Role(row.role),
        account=account,
        person=row.person_key or None,
        agent=row.agent_key or None,
        active=row.active,
        created_at=_utc(row.created_at),
    )


def _token(row: ApiTokenRow, user: str) -> Token:
    return Token(
        prefix=row.prefix,
        user=user,
        label=row.label,
        created_at=_utc(row.created_at),
        last_used_at=_utc(row.last_used_at) if row.last_used_at else None,
        revoked_at=_utc(row.revoked_at) if row.revoked_at else None,
    )


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
