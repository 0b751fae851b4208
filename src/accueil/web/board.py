"""The supervisor's board: the accounts, the pool, and today's figures per account and overall
from the call records, with the supervisor API's definitions (``switchboard.figures``, the twin's);
and the line now (``/board/now``, refreshed by htmx every 2 s): the calls waiting and for how
long, the secretaries by state and site, read from the live switchboard."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from accueil.core.access import Action, may_operator
from accueil.core.localtime import zone
from accueil.errors import InvalidInput, NotFound
from accueil.services import deliveries
from accueil.services.directory import list_accounts, list_agents
from accueil.switchboard.figures import figures_between
from accueil.web.render import PageRoute, render
from accueil.web.viewer import Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)
# The day of the board starts at midnight here (the operator's zone; accounts keep their own).
BOARD_ZONE = "Europe/Paris"


def staff(who: Viewer) -> None:
    if not may_operator(who.caller.principal, Action.READ):
        raise NotFound("no such page")


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
    return render(
        request, "board_now.html", who, running=True, now=seconds, waiting=waiting,
        agents=agents, states=states, by_site=by_site,
    )  # fmt: skip


@router.get("/board")
def board(request: Request, who: Annotated[Viewer, Depends(viewer)], day: str = "") -> Response:
    """For the operator's staff; for anyone else the page does not exist (404)."""
    staff(who)
    now = who.caller.runtime.now()
    shown = the_day(day, now)
    since = datetime.combine(shown, time(0), tzinfo=zone(BOARD_ZONE))
    until = datetime.combine(shown + timedelta(days=1), time(0), tzinfo=zone(BOARD_ZONE))
    with who.caller.unit() as session:
        total, figures = figures_between(session, since, until)
        accounts = list_accounts(session)
        agents = list_agents(session)
        dead = [(a, d) for a in accounts for d in deliveries.dead_letters(session, a.key)]
    per_account = sorted(
        ((a, figures[a.key]) for a in accounts if a.key in figures), key=lambda row: row[0].name
    )
    return render(
        request,
        "board.html",
        who,
        day=shown,
        today=now.astimezone(zone(BOARD_ZONE)).date(),
        per_account=per_account,
        total=total,
        accounts=accounts,
        agents=agents,
        dead=dead,
    )


@router.post("/board/dead/{account}/{delivery}/retry")
def retry_dead_letter(
    request: Request, account: str, delivery: int, who: Annotated[Viewer, Depends(viewer)]
) -> Response:
    """Retry now: a delivery that gave up goes back in the dispatcher's queue, due at once."""
    if not may_operator(who.caller.principal, Action.WRITE):
        raise NotFound("no such page")
    with who.caller.unit() as session:
        deliveries.retry_now(
            session, account, delivery, now=who.caller.runtime.now(), by=who.user.name
        )
    return render(request, "dead_letter_retried.html", who, delivery=delivery)


def the_day(text: str, now: datetime) -> date:
    if not text:
        return now.astimezone(zone(BOARD_ZONE)).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a day; write it as 2026-12-24", field="day") from None
