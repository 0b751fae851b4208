"""The API's conventions: cursor pages, ETags and If-Match, Idempotency-Key on creates."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, Protocol, TypeVar

from fastapi import Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from accueil.api.problems import PreconditionFailed
from accueil.core.access import Scope
from accueil.core.storable import BIGINT_MAX, INTEGER_MAX, unstorable
from accueil.errors import Conflict, InvalidInput, says
from accueil.store.tables_users import IdempotentAnswerRow

T = TypeVar("T")
SCOPE_KEY = "x-accueil-scope"
# The largest event cursor the store can hold (the outbox's BIGINT; SQLite's INTEGER): a larger
# one is refused as input instead of failing in the driver.
LARGEST_ID = BIGINT_MAX


def scoped(scope: Scope) -> dict[str, Any]:
    """The ``openapi_extra`` marking an operation's tenant scope (the isolation tests read it)."""
    return {SCOPE_KEY: scope.value}


# Whole numbers a request gives (path, query or body): bounded by the column they are looked up
# in or stored to, so that one too large is a 422 naming its field, not a 500 from the driver.
# One type per column kind; a route adds its own tighter bounds with Query/Field as usual.
RowId = Annotated[int, Field(ge=1, le=INTEGER_MAX)]
"""An id or a version kept in an INTEGER column (1 up)."""
BigRowId = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
"""An id kept in a BIGINT column (messages, deliveries)."""


def checked_parameters(request: HTTPConnection) -> None:
    """Refuse, as a 422 naming it, a path or query parameter holding text no store can keep (a
    NUL: PostgreSQL fails on it even in a lookup; the bodies' ``In`` does the same), and a
    query parameter given twice (each takes one value: which one would count is a guess)."""
    for name, value in request.path_params.items():
        if (bad := unstorable(value)) is not None:
            raise InvalidInput(bad[1], field=f"path.{name}")
    seen: set[str] = set()
    for name, value in request.query_params.multi_items():
        if name in seen:
            raise InvalidInput(
                says("%(name)s is given more than once: give it once", name=name),
                field=f"query.{name}",
            )
        seen.add(name)
        if (bad := unstorable(value)) is not None:
            raise InvalidInput(bad[1], field=f"query.{name}")


class Page(BaseModel, Generic[T]):
    """One page of a list; pass ``next_cursor`` as ``cursor`` for the next page (null: the end)."""

    items: list[T]
    next_cursor: str | None = None


class PageQuery:
    """``cursor`` and ``limit`` query parameters."""

    def __init__(
        self,
        cursor: str | None = Query(None, description="from a previous page's next_cursor"),
        limit: int = Query(50, ge=1, le=500, description="items per page"),
    ) -> None:
        self.cursor = cursor
        self.limit = limit


def encode_cursor(key: str) -> str:
    """An opaque cursor for ``key`` (the position of a page's last item)."""
    return base64.urlsafe_b64encode(json.dumps([key]).encode()).decode().rstrip("=")


def decode_int_cursor(cursor: str | None) -> int | None:
    """The number inside a cursor this API gave for a page of rows keyed by id (None: the
    first page); 422 on anything else."""
    if cursor is None:
        return None
    try:
        found = int(decode_cursor(cursor))
    except ValueError:
        found = -1
    if not 0 <= found <= LARGEST_ID:
        raise InvalidInput(says("the cursor is not one this API gave"), field="query.cursor")
    return found


def decode_cursor(cursor: str) -> str:
    """The key inside a cursor this API gave; 422 on anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        value = None
    if not (isinstance(value, list) and len(value) == 1 and isinstance(value[0], str)):
        raise InvalidInput(says("the cursor is not one this API gave"), field="query.cursor")
    return value[0]


def paginate(items: Sequence[T], key: Callable[[T], str], page: PageQuery) -> Page[T]:
    """Items ordered by ``key``, after the cursor, at most ``limit`` of them."""
    ordered = sorted(items, key=key)
    if page.cursor is not None:
        after = decode_cursor(page.cursor)
        ordered = [item for item in ordered if key(item) > after]
    chunk = ordered[: page.limit]
    more = len(ordered) > page.limit
    return Page[T](items=list(chunk), next_cursor=encode_cursor(key(chunk[-1])) if more else None)


class Versioned(Protocol):
    @property
    def version(self) -> int: ...


V = TypeVar("V", bound=Versioned)


def versions_page(items: Sequence[V], page: PageQuery, *, newest_first: bool) -> Page[V]:
    """A history's page: versions in order (newest or oldest first), after the cursor's."""
    if newest_first:  # paginate orders by its key, ascending: the newest has the smallest
        return paginate(items, lambda v: f"{10**12 - v.version:012d}", page)
    return paginate(items, lambda v: f"{v.version:012d}", page)


def etag_of(value: Any) -> str:
    """A strong ETag of a representation (its canonical JSON, hashed)."""
    text = json.dumps(jsonable_encoder(value), sort_keys=True, separators=(",", ":"))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:20] + '"'


def with_etag(response: Response, value: Any) -> None:
    response.headers["ETag"] = etag_of(value)


class Kept(Protocol):
    """A representation of something taken down, never deleted."""

    @property
    def removed_at(self) -> datetime | None: ...


K = TypeVar("K", bound=Kept)


def taken_down(request: Request, response: Response, current: K, remove: Callable[[], K]) -> K:
    """A DELETE of something kept: ``If-Match`` checked against ``current`` while it is in use
    (412 when stale; removing it again answers the removal, changing nothing), then
    ``remove()``'s representation, with its ETag."""
    if current.removed_at is None:
        check_if_match(request, current)
    out = remove()
    with_etag(response, out)
    return out


def put_back(request: Request, response: Response, current: K, restore: Callable[[], K]) -> K:
    """A restore of something kept (the counterpart of ``taken_down``): ``If-Match`` checked
    against ``current`` (412 when stale), then ``restore()``'s representation, with its ETag."""
    check_if_match(request, current)
    out = restore()
    with_etag(response, out)
    return out


def check_if_match(request: Request, current: Any) -> None:
    """Refuse an edit whose ``If-Match`` is not the current version (412, with the current)."""
    sent = request.headers.get("if-match")
    if sent is None or sent.strip() == "*":
        return
    now = etag_of(current)
    tags = [t.strip().removeprefix("W/") for t in sent.split(",")]
    if now not in tags:
        raise PreconditionFailed(
            says("someone changed this since you read it; read it again and redo your change"),
            field="header.If-Match",
            current_etag=now,
        )


def _fingerprint(request: Request, body: BaseModel | None) -> str:
    text = f"{request.method} {request.url.path} {body.model_dump_json() if body else ''}"
    return hashlib.sha256(text.encode()).hexdigest()


def replayed(
    session: Session, request: Request, user_id: int, body: BaseModel | None
) -> JSONResponse | None:
    """The answer kept for this ``Idempotency-Key``, if the create was already done."""
    key = request.headers.get("idempotency-key")
    if not key:
        return None
    if len(key) > 200:
        raise InvalidInput(
            says("an Idempotency-Key is at most 200 characters"), field="header.Idempotency-Key"
        )
    row = session.scalar(
        select(IdempotentAnswerRow).where(
            IdempotentAnswerRow.user_id == user_id, IdempotentAnswerRow.key == key
        )
    )
    if row is None:
        return None
    if row.fingerprint != _fingerprint(request, body):
        raise Conflict(
            says("this Idempotency-Key was used for a different request; use a new key"),
            field="header.Idempotency-Key",
        )
    headers = {"Idempotent-Replayed": "true"}
    return JSONResponse(json.loads(row.body), status_code=row.status, headers=headers)


def remember(
    session: Session,
    request: Request,
    user_id: int,
    body: BaseModel | None,
    answer: Any,
    status: int,
    now: Any,
) -> None:
    """Keep the answer of a create made with an ``Idempotency-Key`` (same transaction)."""
    key = request.headers.get("idempotency-key")
    if not key:
        return
    session.add(
        IdempotentAnswerRow(
            user_id=user_id,
            key=key,
            fingerprint=_fingerprint(request, body),
            status=status,
            body=json.dumps(jsonable_encoder(answer)),
            created_at=now,
        )
    )
