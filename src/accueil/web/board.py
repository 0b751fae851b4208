"""The supervisor's board: the accounts, the pool, and the day's and this hour's figures per
account and overall from the call records, with the supervisor API's definitions
(``switchboard.figures``, the twin's; ``/board/figures``); and the line now (``/board/now``):
the calls waiting and for how long, the secretaries by state and site, read from the live
switchboard. ``static/board.js`` listens to the supervisor stream and has htmx fetch the line
when the stream says it changed, the figures and the chart when a call was recorded."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from accueil.api.conventions import BigRowId
from accueil.api.times import within_years
from accueil.core.access import Action, may_operator
from accueil.core.localtime import zone
from accueil.errors import InvalidInput, NotFound, said_of, says
from accueil.services import deliveries
from accueil.services.directory import get_account, list_accounts, list_agents, list_people
from accueil.services.outbox import latest_cursor
from accueil.switchboard.figures import figures_of_day_and_hour
from accueil.web.render import PageRoute, render
from accueil.web.viewer import Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)
# The day of the board starts at midnight here (the operator's zone; accounts keep their own).
BOARD_ZONE = "Europe/Paris"


def staff(who: Viewer) -> None:
    if not may_operator(who.caller.principal, Action.READ):
        raise NotFound(says("no such page"))


@router.get("/board/now")
async def board_now(request: Request, who: Annotated[Viewer, Depends(viewer)]) -> Response:
    """The line now. Async: read on the event loop, where the switchboard's task changes it."""
    staff(who)
    live = who.caller.runtime.live
    if live is None:
        return render(request, "board_now.html", who, running=False)
    taken = live.board.host.engine.snapshot()
    seconds = live.board.clock.seconds()
    waiting = sorted(taken.waiting, key=lambda w: w.since)
    agents = sorted(taken.agents, key=lambda a: (a.site, a.status, a.agent))
    states = Counter(a.status for a in taken.agents)
    sites = sorted({a.site for a in taken.agents})
    by_site = {s: Counter(a.status for a in taken.agents if a.site == s) for s in sites}
    names = await run_in_threadpool(_names_of, who, waiting)
    return render(
        request, "board_now.html", who, running=True, now=seconds, waiting=waiting,
        agents=agents, states=states, by_site=by_site, names=names,
    )  # fmt: skip


def _names_of(who: Viewer, waiting: list[Any]) -> dict[str, str]:
    """The names of the accounts (``key``) and people (``account:key``) of the calls waiting."""
    names: dict[str, str] = {}
    with who.caller.unit() as session:
        for account in {w.account for w in waiting}:
            names[account] = get_account(session, account).name
            names |= {
                f"{account}:{p.key}": p.full_name
                for p in list_people(session, account, archived=True)
                if any(w.account == account and w.person == p.key for w in waiting)
            }
    return names


@router.get("/board")
def board(request: Request, who: Annotated[Viewer, Depends(viewer)], day: str = "") -> Response:
    """For the operator's staff; for anyone else the page does not exist (404)."""
    staff(who)
    now = who.caller.runtime.now()
    with who.caller.unit() as session:
        shown = figures_shown(session, day, now)
        accounts = list_accounts(session)
        agents = list_agents(session)
        dead = [(a, d) for a in accounts for d in deliveries.dead_letters(session, a.key)]
        cursor = latest_cursor(session)  # the stream goes on from here: no replay of the past
    return render(
        request, "board.html", who, accounts=accounts, agents=agents, dead=dead, cursor=cursor,
        **shown,
    )  # fmt: skip


@router.get("/board/figures")
def board_figures(
    request: Request, who: Annotated[Viewer, Depends(viewer)], day: str = ""
) -> Response:
    """The day's figures (today: and this hour's), overall and per account: the board's fragment
    fetched again when the stream says a call was recorded."""
    staff(who)
    with who.caller.unit() as session:
        shown = figures_shown(session, day, who.caller.runtime.now())
    return render(request, "board_figures.html", who, **shown)


def figures_shown(session: Session, day: str, now: datetime) -> dict[str, Any]:
    """What the figures' fragment shows: the day, today's date, the day's figures overall and
    per account (accounts by name), and for today this hour's."""
    tz = zone(BOARD_ZONE)
    shown, today = the_day(day, now), now.astimezone(tz).date()
    since = datetime.combine(shown, time(0), tzinfo=tz)
    until = datetime.combine(shown + timedelta(days=1), time(0), tzinfo=tz)
    hour = now.astimezone(tz).replace(minute=0, second=0, microsecond=0) if shown == today else None
    (total, figures), this_hour = figures_of_day_and_hour(session, since, until, hour)
    names = {a.key: a for a in list_accounts(session)}
    per_account = sorted(
        ((names[key], f) for key, f in figures.items() if key in names), key=lambda r: r[0].name
    )
    return {
        "day": shown, "today": today, "total": total, "per_account": per_account,
        "hour": hour, "hour_total": this_hour[0] if this_hour else None,
        "hour_by_account": this_hour[1] if this_hour else {},
    }  # fmt: skip


@router.post("/board/dead/{account}/{delivery}/retry")
def retry_dead_letter(
    request: Request, account: str, delivery: BigRowId, who: Annotated[Viewer, Depends(viewer)]
) -> Response:
    """Retry now: a delivery that gave up goes back in the dispatcher's queue, due at once."""
    if not may_operator(who.caller.principal, Action.WRITE):
        raise NotFound(says("no such page"))
    with who.caller.unit() as session:
        deliveries.retry_now(
            session, account, delivery, now=who.caller.runtime.now(), by=who.user.name
        )
    return render(request, "dead_letter_retried.html", who, delivery=delivery)


def the_day(text: str, now: datetime) -> date:
    if not text:
        return now.astimezone(zone(BOARD_ZONE)).date()
    try:
        found = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            says("%(text)r is not a day; write it as 2026-12-24", text=text), field="day"
        ) from None
    try:
        return within_years(found)  # the day after 9999-12-31 is past what a date holds
    except ValueError as exc:
        raise InvalidInput(said_of(exc), field="day") from None
