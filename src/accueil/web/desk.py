"""The secretary's desk.

``/desk`` is the live desk: ``static/desk.js`` connects to the agents' stream
(``/api/v1/agent/stream``, signed in with the page's session and CSRF token), shows the state
(ready, pause with a reason, wrap-up), lays out each offer's screen pop from the ``desk.html``
templates, and after *accept* walks the call's script here, one question at a time
(``/desk/calls/{call}/script``, server-rendered, htmx). The outcome is sent as the stream's
``finish``; the desk says "saved" only when the switchboard answers that it is committed.

``/desk/pop?to=&caller=`` lays out the screen pop of a call tried by its numbers, for the
operator's staff; ``/desk/search`` is the directory search as the secretary types.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import PlainTextResponse

from accueil.api import auth
from accueil.core.access import Role
from accueil.core.phone import to_e164
from accueil.errors import InvalidInput, NotFound, Said, says
from accueil.services.directory import resolve_number
from accueil.services.screenpop import screen_pop
from accueil.services.script_preview import preview
from accueil.services.search import search, search_all
from accueil.switchboard.calls import CallInProgress, Stage
from accueil.web.error_words import said
from accueil.web.render import PageRoute, render
from accueil.web.viewer import Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)
DESK_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.OPERATOR_ADMIN})
ON_CALL = (Stage.TALKING, Stage.WRAPUP)
PAUSE_REASONS = ("break", "lunch", "training", "admin")
ANSWER = "a."  # the form field of a script question: a.<step id>


def _desk(who: Viewer) -> None:
    if who.role not in DESK_ROLES:
        raise NotFound(says("no such page"))


@router.get("/desk")
def desk(request: Request, who: Annotated[Viewer, Depends(viewer)]) -> Response:
    _desk(who)
    return render(request, "desk.html", who, reasons=PAUSE_REASONS)


@router.get("/desk/said")
def desk_said(
    who: Annotated[Viewer, Depends(viewer)], words: Annotated[str, Query(max_length=4000)] = ""
) -> Response:
    """An error the agents' stream sent, in the page's language, as plain text: desk.js asks
    with the error's ``words`` (its template and values, JSON) before it shows one."""
    _desk(who)
    try:
        message = Said.from_words(json.loads(words))
    except ValueError:  # JSONDecodeError is one
        raise InvalidInput(says("not the words of a message"), field="words") from None
    return PlainTextResponse(said(message, who._))


@router.get("/desk/pop")
def desk_pop(
    request: Request, who: Annotated[Viewer, Depends(viewer)], to: str = "", caller: str = ""
) -> Response:
    """The screen pop of a call from ``caller`` to ``to``, as the desk shows an offer."""
    _desk(who)
    e164 = to_e164(to, "FR")
    with who.caller.unit(personal=True) as session:  # the caller's history: the read is audited
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


def my_call(who: Viewer, call: str) -> CallInProgress:
    """The call ``call`` if this secretary is on it now; else it does not exist for them."""
    _desk(who)
    live = who.caller.runtime.live
    state = live.board.calls.get(call) if live is not None else None
    if state is None or not who.user.agent or state.agent != who.user.agent:
        raise NotFound(says("you are on no call %(call)r", call=call), field="call")
    if state.stage not in ON_CALL:
        raise NotFound(says("call %(call)r is not answered yet", call=call), field="call")
    return state


async def _answers(request: Request) -> dict[str, str]:
    form = await request.form()
    return {
        key.removeprefix(ANSWER): value
        for key, value in form.items()
        if key.startswith(ANSWER) and isinstance(value, str)
    }


@router.api_route("/desk/calls/{call}/script", methods=["GET", "POST"])
async def desk_script(
    request: Request, call: str, who: Annotated[Viewer, Depends(viewer)]
) -> Response:
    """The call's script walked with the answers given so far, up to the next question."""
    state = my_call(who, call)
    answers = await _answers(request) if request.method == "POST" else {}
    with who.caller.unit() as session:
        walked = preview(
            session, state.account.key, state.person or None, now=who.caller.runtime.now(),
            caller=state.caller, answers=answers,
        )  # fmt: skip
    return render(
        request, "desk_script.html", who, call=call, walked=walked, answers=answers,
        timezone=state.account.timezone, field_name=ANSWER,
    )  # fmt: skip


@router.get("/desk/search")
def desk_search(
    request: Request, who: Annotated[Viewer, Depends(viewer)], q: str = "", call: str = ""
) -> Response:
    """Who the caller may want, as the secretary types: in the account of the call they are
    on; the operator's staff, without a call, across every account."""
    _desk(who)
    if not call and who.role is Role.AGENT:
        raise NotFound(says("search the account of the call you are on"), field="call")
    state = my_call(who, call) if call else None
    text = q.strip()[:100]
    hits = []
    if text:
        now = who.caller.runtime.now()
        with who.caller.unit() as session:
            if state is not None:
                hits = search(session, state.account.key, text, now=now, limit=8)
            else:
                hits = search_all(session, text, now=now, limit=8)
    return render(request, "desk_search.html", who, hits=hits, text=text)
