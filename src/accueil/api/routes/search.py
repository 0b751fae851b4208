"""Finding anyone as heard on the phone: in one account, or (the operator's staff) in all.

Thin on purpose: the ranking lives in ``services.search``; this only checks access and shapes
the hits.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import scoped
from accueil.api.routing import OneHop
from accueil.api.schemas import Out
from accueil.api.times import Instant, aware
from accueil.core.access import Scope
from accueil.core.search import Hit
from accueil.services import search as service
from accueil.services.directory import get_account

router = APIRouter(tags=["search"], route_class=OneHop)

SAID = Query(min_length=1, max_length=200, description="what the caller said: 'Mme Lefèvre compta'")
LIMIT = Query(10, ge=1, le=100)
AT = Query(None, description="when, for the availability shown (default: now)")


class HitOut(Out):
    kind: str  # person, group or account
    account: str
    key: str
    label: str
    score: int
    available: bool | None

    @classmethod
    def of(cls, h: Hit) -> HitOut:
        return cls(
            kind=h.kind.value,
            account=h.account,
            key=h.key,
            label=h.label,
            score=h.score,
            available=h.available,
        )


@router.get("/accounts/{account}/search", openapi_extra=scoped(Scope.ACCOUNT))
def search_account(
    account: str,
    q: str = SAID,
    limit: int = LIMIT,
    at: Instant | None = AT,
    caller: Caller = Depends(authenticated),
) -> list[HitOut]:
    """The account's people and groups that best match ``q``, available people first."""
    auth.account(caller, account)
    with caller.unit() as session:
        when = aware(at, get_account(session, account).timezone) or caller.runtime.now()
        hits = service.search(session, account, q, now=when, limit=limit)
    return [HitOut.of(h) for h in hits]


@router.get("/search", openapi_extra=scoped(Scope.OPERATOR))
def search_all(
    q: str = SAID,
    limit: int = LIMIT,
    at: Instant | None = AT,
    caller: Caller = Depends(authenticated),
) -> list[HitOut]:
    """Across every account ("which client is this?"): the operator's staff only."""
    auth.operator(caller)
    with caller.unit() as session:
        when = aware(at, "UTC") or caller.runtime.now()
        hits = service.search_all(session, q, now=when, limit=limit)
    return [HitOut.of(h) for h in hits]
