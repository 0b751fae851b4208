"""Users and API tokens (operator admins only)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import (
    Page,
    PageQuery,
    check_if_match,
    etag_of,
    paginate,
    remember,
    replayed,
    scoped,
    with_etag,
)
from accueil.api.routing import OneHop
from accueil.api.schemas import In, Out
from accueil.core.access import Role, Scope
from accueil.services import users

router = APIRouter(tags=["users"], route_class=OneHop)
OPERATOR = scoped(Scope.OPERATOR)


class UserOut(Out):
    name: str
    role: Role
    account: str | None
    person: str | None
    agent: str | None
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, u: users.User) -> UserOut:
        return cls(
            name=u.name,
            role=u.role,
            account=u.account,
            person=u.person,
            agent=u.agent,
            active=u.active,
            created_at=u.created_at,
        )


class UserIn(In):
    name: str = Field(min_length=1, max_length=100)
    role: Role
    account: str | None = Field(None, max_length=64)
    person: str | None = Field(None, max_length=64)
    agent: str | None = Field(None, max_length=64)
    password: str | None = Field(None, min_length=10, max_length=1000)


class TokenOut(Out):
    prefix: str
    user: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, t: users.Token) -> TokenOut:
        return cls(
            prefix=t.prefix,
            user=t.user,
            label=t.label,
            created_at=t.created_at,
            last_used_at=t.last_used_at,
            revoked_at=t.revoked_at,
        )


class NewTokenOut(Out):
    token: str = Field(description="the whole token; shown this once, keep it secret")
    info: TokenOut

    @classmethod
    def of(cls, made: users.NewToken) -> NewTokenOut:
        return cls(token=made.secret, info=TokenOut.of(made.token))


class TokenIn(In):
    label: str = Field("", max_length=100)


@router.get("/users", openapi_extra=OPERATOR)
def list_users(
    page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[UserOut]:
    auth.user_admin(caller)
    with caller.unit() as session:
        found = [UserOut.of(u) for u in users.list_users(session)]
    return paginate(found, lambda u: u.name, page)


@router.post("/users", status_code=201, response_model=UserOut, openapi_extra=OPERATOR)
def add_user(body: UserIn, request: Request, caller: Caller = Depends(authenticated)) -> Response:
    """A new user (Idempotency-Key honoured)."""
    auth.user_admin(caller)
    with caller.unit() as session:
        if (again := replayed(session, request, caller.user_id, body)) is not None:
            return again
        made = users.add_user(
            session,
            body.name,
            body.role,
            account=body.account,
            person=body.person,
            agent=body.agent,
            password=body.password,
            now=caller.runtime.now(),
        )
        out = UserOut.of(made)
        remember(session, request, caller.user_id, body, out, 201, caller.runtime.now())
    return JSONResponse(out.model_dump(mode="json"), status_code=201)


@router.get("/users/{name}", openapi_extra=OPERATOR)
def get_user(name: str, response: Response, caller: Caller = Depends(authenticated)) -> UserOut:
    """One user; its ETag goes with If-Match on DELETE."""
    auth.user_admin(caller)
    with caller.unit() as session:
        out = UserOut.of(users.get_user(session, name))
    with_etag(response, out)
    return out


@router.delete("/users/{name}", status_code=204, openapi_extra=OPERATOR)
def deactivate_user(name: str, request: Request, caller: Caller = Depends(authenticated)) -> None:
    """The user can no longer sign in and their tokens stop working (nothing is deleted).
    ``If-Match`` (optional): the ETag of ``GET /users/{name}``, 412 when stale (a role or an
    account changed since it was read); a user already deactivated stays so, 204 again."""
    auth.user_admin(caller)
    with caller.unit() as session:
        current = UserOut.of(users.get_user(session, name))
        if current.active:
            check_if_match(request, current)
        users.deactivate_user(session, name)
    caller.runtime.tokens.forget(user=name)


@router.get("/tokens", openapi_extra=OPERATOR)
def list_tokens(
    page: PageQuery = Depends(), user: str | None = None, caller: Caller = Depends(authenticated)
) -> Page[TokenOut]:
    auth.user_admin(caller)
    with caller.unit() as session:
        found = [TokenOut.of(t) for t in users.list_tokens(session, user)]
    return paginate(found, lambda t: t.prefix, page)


@router.post("/users/{name}/tokens", status_code=201, openapi_extra=OPERATOR)
def create_token(name: str, body: TokenIn, caller: Caller = Depends(authenticated)) -> NewTokenOut:
    """A new API token for the user, shown this once.

    Not replayed by Idempotency-Key: the secret is never stored, so it cannot be shown again.
    """
    auth.user_admin(caller)
    with caller.unit() as session:
        return NewTokenOut.of(
            users.create_token(session, name, body.label, now=caller.runtime.now())
        )


def _token_version(out: TokenOut) -> TokenOut:
    # a token's ETag does not move with its use (last_used_at): only with what an edit changes
    return out.model_copy(update={"last_used_at": None})


@router.get("/tokens/{prefix}", openapi_extra=OPERATOR)
def get_token(prefix: str, response: Response, caller: Caller = Depends(authenticated)) -> TokenOut:
    """One token, revoked or not; its ETag (which its use does not change) goes with If-Match
    on DELETE."""
    auth.user_admin(caller)
    with caller.unit() as session:
        out = TokenOut.of(users.get_token(session, prefix))
    response.headers["ETag"] = etag_of(_token_version(out))
    return out


@router.delete("/tokens/{prefix}", openapi_extra=OPERATOR)
def revoke_token(
    prefix: str, request: Request, response: Response, caller: Caller = Depends(authenticated)
) -> TokenOut:
    """The token stops working at once; its row stays, with when it was revoked.
    ``If-Match`` (optional): the ETag of ``GET /tokens/{prefix}``, 412 when stale; revoking it
    again answers it as revoked, changing nothing."""
    auth.user_admin(caller)
    with caller.unit() as session:
        current = TokenOut.of(users.get_token(session, prefix))
        if current.revoked_at is None:
            check_if_match(request, _token_version(current))
        revoked = users.revoke_token(session, prefix, now=caller.runtime.now())
    caller.runtime.tokens.forget(prefix=revoked.prefix)
    out = TokenOut.of(revoked)
    response.headers["ETag"] = etag_of(_token_version(out))
    return out
