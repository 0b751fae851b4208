"""The supervisor's view of the live switchboard: the snapshot (who waits since when, agents by
state), the pool's figures of today and of this hour from the call records (the twin's
definitions), and the settled events of the outbox by cursor (the last one read)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx2 as httpx
from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import LARGEST_ID, scoped
from accueil.api.routing import OneHop
from accueil.api.runtime import Runtime
from accueil.api.schemas import Out
from accueil.api.times import Day
from accueil.core.access import Scope
from accueil.errors import AccueilError, says
from accueil.services.outbox import read_outbox
from accueil.services.pool_calls import pool_calls
from accueil.switchboard.figures import MEMORY, PoolFigures, pool_figures
from accueil.switchboard.live import Live

router = APIRouter(tags=["supervisor"], route_class=OneHop)
_FORWARDED = "x-accueil-forwarded"  # asked by another process on a caller's behalf
_PASSED = {"authorization", "cookie"}  # the caller's credentials, checked by the leader too
_HTTP = {"ws": "http", "wss": "https"}
_ASK_SECONDS = 3.0
OPERATOR, ACCOUNT = scoped(Scope.OPERATOR), scoped(Scope.ACCOUNT)


class SwitchboardDown(AccueilError):
    code = "switchboard_unavailable"
    status = 503


class SnapshotOut(Out):
    at: datetime
    waiting: list[dict[str, Any]]
    agents: list[dict[str, Any]]
    calls: list[dict[str, Any]]


class FiguresOut(Out):
    day: date
    today: dict[str, Any]
    this_hour: dict[str, Any]


class EventOut(Out):
    cursor: int
    name: str
    account: str
    payload: dict[str, Any]


class EventsOut(Out):
    items: list[EventOut]
    next_cursor: int = Field(description="pass it as after= to read on; unchanged when none")


@router.get("/supervisor/snapshot", openapi_extra=OPERATOR)
async def snapshot(request: Request, caller: Caller = Depends(authenticated)) -> SnapshotOut:
    """The line now: calls waiting or ringing (first in line first, since when, which ring, whom
    they ring), the agents by state and site, and every call in progress. Any process answers:
    a standby asks the leader (with the caller's own credentials) and gives its answer."""
    # async: read on the event loop, where the switchboard's one task changes this state
    auth.operator(caller)
    live = caller.runtime.live
    if live is not None:
        return SnapshotOut(**line_now(live))
    return SnapshotOut.model_validate(await _from_leader(caller.runtime, request))


async def _from_leader(rt: Runtime, request: Request) -> dict[str, Any]:
    """The leader's snapshot, asked on the caller's behalf (once: a process asked by another
    never asks on)."""
    if rt.leadership is None or request.headers.get(_FORWARDED):
        raise SwitchboardDown(says("the switchboard is not running in this process"))
    leader = await asyncio.to_thread(rt.leadership.leader)
    if leader is None or leader == rt.leadership.address:
        raise SwitchboardDown(says("no process leads the switchboard now: try again shortly"))
    url = snapshot_url(leader)
    headers = {k: v for k, v in request.headers.items() if k.lower() in _PASSED}
    try:
        async with httpx.AsyncClient(timeout=_ASK_SECONDS) as client:
            answer = await client.get(url, headers={**headers, _FORWARDED: "1"})
    except httpx.HTTPError as exc:
        raise SwitchboardDown(
            says("the leader at %(url)s does not answer: %(exc)s", url=url, exc=exc)
        ) from None
    if answer.status_code != 200:
        raise SwitchboardDown(
            says(
                "the leader at %(url)s answered %(status_code)s",
                url=url,
                status_code=answer.status_code,
            )
        )
    return dict(answer.json())


def snapshot_url(agents_address: str) -> str:
    """The leader's snapshot, from the address its agents reach it at (its term's)."""
    scheme, rest = agents_address.split("://", 1)
    base = rest.split("/", 1)[0]
    return f"{_HTTP.get(scheme, scheme)}://{base}/api/v1/supervisor/snapshot"


def line_now(live: Live) -> dict[str, Any]:
    """The line as the switchboard holds it now (read on the event loop, where its one task
    changes it): ``at``, ``waiting``, ``agents``, ``calls``."""
    board = live.board
    taken = board.host.engine.snapshot()
    now, seconds = board.clock.now(), board.clock.seconds()

    def instant(at: float | None) -> str | None:
        return None if at is None else (now - timedelta(seconds=seconds - at)).isoformat()

    waiting = [
        {
            "call": w.call, "account": w.account, "person": w.person,
            "since": instant(w.since), "waited": round(seconds - w.since, 3), "ring": w.ring,
            "widens_at": instant(w.widens_at), "offered_to": w.offered_to,
        }
        for w in taken.waiting
    ]  # fmt: skip
    agents = [
        {
            "agent": a.agent, "status": a.status, "since": instant(a.since), "site": a.site,
            "call": a.call, "reason": a.reason, "answered": a.answered,
        }
        for a in sorted(taken.agents, key=lambda a: (a.status, a.agent))
    ]  # fmt: skip
    return {"at": now, "waiting": waiting, "agents": agents, "calls": board.live_calls()}


@router.get("/supervisor/figures", openapi_extra=OPERATOR)
def figures(
    day: Day | None = Query(None, description="a UTC day, YYYY-MM-DD (default: today)"),
    caller: Caller = Depends(authenticated),
) -> FiguresOut:
    """Service level, abandonment, average wait and affinity, overall and per account, today
    and this hour (UTC), from the call records."""
    auth.operator(caller)
    return _figures(caller, day, None)


@router.get("/accounts/{account}/figures", openapi_extra=ACCOUNT)
def account_figures(
    account: str,
    day: Day | None = Query(None, description="a UTC day, YYYY-MM-DD (default: today)"),
    caller: Caller = Depends(authenticated),
) -> FiguresOut:
    """The same figures for one account."""
    auth.account(caller, account)
    return _figures(caller, day, account)


def _figures(caller: Caller, day: date | None, account: str | None) -> FiguresOut:
    now = caller.runtime.now()
    day = day or now.date()
    start = datetime.combine(day, time(), tzinfo=UTC)
    hour = now.replace(minute=0, second=0, microsecond=0)
    with caller.unit() as session:
        calls = pool_calls(session, start - MEMORY, start + timedelta(days=1), account)
    today = pool_figures(calls, start)
    this_hour = pool_figures([c for c in calls if c.started_at < hour + timedelta(hours=1)], hour)
    return FiguresOut(day=day, today=_shown(*today), this_hour=_shown(*this_hour))


def _shown(overall: PoolFigures, accounts: dict[str, PoolFigures]) -> dict[str, Any]:
    return {"overall": vars(overall), "accounts": {k: vars(v) for k, v in accounts.items()}}


@router.get("/supervisor/events", openapi_extra=OPERATOR)
def events(
    after: int = Query(0, ge=0, le=LARGEST_ID, description="the last cursor read"),
    limit: int = Query(100, ge=1, le=500),
    caller: Caller = Depends(authenticated),
) -> EventsOut:
    """Every committed event after cursor ``after``, oldest first (resume with next_cursor)."""
    auth.operator(caller)
    return _events(caller, after, limit, None)


@router.get("/accounts/{account}/events", openapi_extra=ACCOUNT)
def account_events(
    account: str,
    after: int = Query(0, ge=0, le=LARGEST_ID, description="the last cursor read"),
    limit: int = Query(100, ge=1, le=500),
    caller: Caller = Depends(authenticated),
) -> EventsOut:
    """One account's committed events after cursor ``after`` (never another account's)."""
    auth.account(caller, account)
    return _events(caller, after, limit, account)


def _events(caller: Caller, after: int, limit: int, account: str | None) -> EventsOut:
    with caller.unit() as session:
        found = read_outbox(session, after=after, account=account, limit=limit)
    items = [
        EventOut(cursor=e.id, name=e.event.name, account=e.event.account, payload=e.event.payload())
        for e in found
    ]
    return EventsOut(items=items, next_cursor=items[-1].cursor if items else after)
