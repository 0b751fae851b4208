"""The secretary's desk: the screen pop laid out for a call (``services/screenpop``), the answer
phrase first. Today a call is tried by its numbers (``/desk/pop?to=&caller=``); the live
switchboard's agent stream will push the same panel when a call is offered."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from accueil.api import auth
from accueil.core.access import Role
from accueil.core.phone import to_e164
from accueil.errors import NotFound
from accueil.services.directory import resolve_number
from accueil.services.screenpop import screen_pop
from accueil.web.render import PageRoute, render
from accueil.web.viewer import Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)
DESK_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.OPERATOR_ADMIN})


def _desk(who: Viewer) -> None:
    if who.role not in DESK_ROLES:
        raise NotFound("no such page")


@router.get("/desk")
def desk(request: Request, who: Annotated[Viewer, Depends(viewer)]) -> Response:
    _desk(who)
    return render(request, "desk.html", who)


@router.get("/desk/pop")
def desk_pop(
    request: Request, who: Annotated[Viewer, Depends(viewer)], to: str = "", caller: str = ""
) -> Response:
    """The screen pop of a call from ``caller`` to ``to``, as the desk shows an offer."""
    _desk(who)
    e164 = to_e164(to, "FR")
    with who.caller.unit() as session:
        found = resolve_number(session, e164)
        person = found.person.key if found.person else None
        auth.reach(who.caller, e164, found.account.key, person)
        pop = screen_pop(
            session,
            e164,
            caller,
            now=who.caller.runtime.now(),
            agent=who.user.agent or "",
            lang=who.lang,
        )
    return render(request, "desk_pop.html", who, pop=pop, timezone=found.account.timezone)
