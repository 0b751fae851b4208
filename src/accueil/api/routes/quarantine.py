"""The switchboard's quarantined journal rows (docs/live.md): rows a take-over could not load,
moved aside whole with the reason. Operator admins only; in journal order, with a cursor."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends

from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import Page, PageQuery, decode_int_cursor, encode_cursor, scoped
from accueil.api.problems import Forbidden
from accueil.api.routing import OneHop
from accueil.api.schemas import Out
from accueil.core.access import Role, Scope
from accueil.errors import says
from accueil.services.quarantine import Quarantined, read_quarantine

router = APIRouter(tags=["switchboard"], route_class=OneHop)


class QuarantinedOut(Out):
    seq: int
    term: int
    at: float
    kind: str
    reason: str
    moved_at: datetime
    body: str
    body_hex: str

    @classmethod
    def of(cls, q: Quarantined) -> QuarantinedOut:
        return cls(
            seq=q.seq, term=q.term, at=q.at, kind=q.kind, reason=q.reason,
            moved_at=q.moved_at, body=q.body, body_hex=q.body_hex,
        )  # fmt: skip


@router.get("/switchboard/quarantine", openapi_extra=scoped(Scope.OPERATOR))
def quarantined_rows(
    page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[QuarantinedOut]:
    """The journal rows a take-over could not load, in journal order: each row's place (`seq`),
    term and time, what it was (`kind`), why it did not load, and its body as it was (`body`,
    or `body_hex` when it is not UTF-8): operator admins only."""
    if caller.principal.role is not Role.OPERATOR_ADMIN:
        raise Forbidden(says("the switchboard's quarantined journal rows are for operator admins"))
    with caller.runtime.unit() as session:
        found = read_quarantine(session, after=decode_int_cursor(page.cursor), limit=page.limit + 1)
    chunk = found[: page.limit]
    more = len(found) > page.limit
    cursor = encode_cursor(str(chunk[-1].seq)) if more and chunk else None
    return Page[QuarantinedOut](items=[QuarantinedOut.of(q) for q in chunk], next_cursor=cursor)
