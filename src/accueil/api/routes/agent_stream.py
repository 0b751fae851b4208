"""The agents' stream: ``/api/v1/agent/stream``, a WebSocket.

An agent's softphone desk connects, signs in with an API token (the ``Authorization`` header,
or ``token`` in the first message; or, from the desk's page, the browser session's cookie with
its CSRF token as ``csrf`` in the login), and sends ``login`` (with its last ``cursor`` to resume).
Then it sends ``ready``, ``pause`` (with a ``reason``), ``heartbeat``, ``accept`` and ``decline``
(an offer's ``call`` and ``token``), ``finish`` (the script's ``answers``), ``wrapup_done`` and
``logout``; each may carry an ``id``, echoed in the ``reply`` or ``error`` that answers it.
The switchboard pushes ``offer`` (with the screen pop), ``revoked``, ``connected``, ``wrapup``
and ``paused``, each with the agent's monotonic ``cursor``.

A connection closed, or silent for longer than ``ACCUEIL_AGENT_SILENCE_SECONDS``, makes the
agent unavailable at once (their offer goes back, the call keeps its place); a login within
``ACCUEIL_AGENT_GRACE_SECONDS`` with the last cursor resumes and replays what was missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import Field, TypeAdapter, ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from accueil import tasks
from accueil.api.auth import SESSION_COOKIE
from accueil.api.routing import OneHop
from accueil.api.runtime import Runtime
from accueil.api.schemas import In
from accueil.core.access import Principal, Role
from accueil.errors import AccueilError, Said, says
from accueil.services import browser_sessions, users
from accueil.switchboard.live import Live
from accueil.switchboard.stream import Connection

router = APIRouter(tags=["agents"], route_class=OneHop)
POLICY_VIOLATION, TRY_AGAIN = 1008, 1013


class Login(In):
    type: Literal["login"]
    token: str = Field("", max_length=200)
    csrf: str = Field("", max_length=64, description="a browser session's CSRF token")
    cursor: int | None = Field(None, ge=0, description="the last cursor received, to resume")
    id: str | int | None = None


class Ready(In):
    type: Literal["ready", "heartbeat", "wrapup_done", "logout"]
    id: str | int | None = None


class Pause(In):
    type: Literal["pause"]
    reason: str = Field(min_length=1, max_length=100)
    id: str | int | None = None


class OfferAnswer(In):
    type: Literal["accept", "decline"]
    call: str = Field(min_length=1, max_length=64)
    token: int
    id: str | int | None = None


class Finish(In):
    type: Literal["finish"]
    call: str = Field(min_length=1, max_length=64)
    answers: dict[str, str] = Field(default_factory=dict)
    id: str | int | None = None


ClientMessage = Annotated[Ready | Pause | OfferAnswer | Finish, Field(discriminator="type")]
_CLIENT = TypeAdapter(ClientMessage)
_LOGIN = TypeAdapter(Login)


class StreamError(Exception):
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body.get("message", ""))
        self.body = body


@router.websocket("/agent/stream")
async def agent_stream(websocket: WebSocket) -> None:
    """One agent's desk: actions in, offers and screen pops out (see the module's text)."""
    rt: Runtime = websocket.app.state.runtime
    await websocket.accept()
    live = rt.live
    if live is None:
        await _not_here(websocket, rt)
        return
    try:
        agent, cursor = await _sign_in(websocket, rt)
        greeting = await live.board.login(agent)
    except StreamError as exc:
        await websocket.send_json(exc.body)
        await websocket.close(POLICY_VIOLATION)
        return
    except AccueilError as exc:
        await _refuse(websocket, POLICY_VIOLATION, exc.code, exc.message)
        return
    connection, missed, whole = live.desks.connect(agent, cursor)
    live.presence.back(agent)
    hello = {**greeting, "cursor": live.desks.cursor(agent), "replay_whole": whole}
    await _serve(websocket, live, connection, rt.settings.agent_silence_seconds, [hello, *missed])


async def _sign_in(websocket: WebSocket, rt: Runtime) -> tuple[str, int | None]:
    silence = rt.settings.agent_silence_seconds
    try:
        raw = await asyncio.wait_for(websocket.receive_json(), silence)
        first = _LOGIN.validate_python(raw)
    except ValidationError as exc:
        raise StreamError(_invalid(exc, "the first message is a login")) from exc
    except (TimeoutError, ValueError) as exc:
        raise StreamError(_error(None, "invalid_input", "send a login message first")) from exc
    header = websocket.headers.get("authorization", "")
    token = header.removeprefix("Bearer ").strip() if header else first.token
    cookie = websocket.cookies.get(SESSION_COOKIE, "")
    if not token and not (cookie and first.csrf):
        raise StreamError(_error(first.id, "unauthenticated", "send an API token"))

    def check() -> tuple[Role, str | None]:
        with rt.unit() as session:
            if token:
                _, principal = users.authenticate_token(session, token, now=rt.now())
            else:
                principal = _browser(session, rt, cookie, first.csrf)
        return principal.role, principal.agent

    role, agent = await run_in_threadpool(check)
    if role is not Role.AGENT or not agent:
        raise StreamError(_error(first.id, "forbidden", "this stream is for agents only"))
    return agent, first.cursor


def _browser(session: Session, rt: Runtime, cookie: str, csrf: str) -> Principal:
    """The desk's page: its session cookie, and the CSRF token only a page of this site can
    read (a socket opened from another site carries the cookie, never the token)."""
    idle = timedelta(minutes=rt.settings.session_idle_minutes)
    signed = browser_sessions.authenticate_session(session, cookie, now=rt.now(), idle=idle)
    if not hmac.compare_digest(csrf.encode(), signed.csrf.encode()):
        raise users.Unauthenticated(says("the login's csrf is not this session's CSRF token"))
    return signed.principal


async def _serve(
    websocket: WebSocket, live: Live, connection: Connection, silence: float, replay: list[Any]
) -> None:
    sender: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    try:
        # the greeting and the replay go straight out: what was missed may be more than the
        # live queue holds, and what comes meanwhile waits in that queue, after them
        for message in replay:
            await websocket.send_json(message)
        sender = asyncio.ensure_future(_send(websocket, connection))
        await _receive(websocket, live, connection, silence)
        if connection.closed.is_set():  # too slow, or replaced: say why once the sender stopped
            await stopped(sender)
            await websocket.send_json(_error(None, "closed", connection.why))
    except (WebSocketDisconnect, TimeoutError, RuntimeError):
        pass  # closed or silent: the agent is unavailable (below)
    finally:
        sender.cancel()
        live.desks.disconnect(connection)
        if not live.desks.connected(connection.agent):
            await live.presence.lost(connection.agent)
        with contextlib.suppress(Exception):
            await websocket.close()


async def stopped(task: asyncio.Future[Any]) -> None:
    """Cancel ``task`` and wait until it has stopped (whatever it was doing)."""
    await tasks.stopped(task, errors=False)


async def _send(websocket: WebSocket, connection: Connection) -> None:
    while True:
        await websocket.send_json(await connection.queue.get())


async def _receive(
    websocket: WebSocket, live: Live, connection: Connection, silence: float
) -> None:
    closed = asyncio.ensure_future(connection.closed.wait())
    try:
        while True:
            receiving = asyncio.ensure_future(websocket.receive_json())
            done, _ = await asyncio.wait(
                {receiving, closed}, timeout=silence, return_when=asyncio.FIRST_COMPLETED
            )
            if receiving not in done:
                receiving.cancel()
                if closed in done:
                    return
                raise TimeoutError
            reply = await _handle(live, connection.agent, receiving.result())
            connection.push(reply)
            if reply.get("did") == "logout":
                return
    finally:
        closed.cancel()


async def _handle(live: Live, agent: str, raw: Any) -> dict[str, Any]:
    try:
        message = _CLIENT.validate_python(raw)
    except ValidationError as exc:
        return _invalid(exc, "not a message this stream knows")
    board = live.board
    try:
        if isinstance(message, Pause):
            result = await board.pause(agent, message.reason)
        elif isinstance(message, OfferAnswer):
            act = board.accept if message.type == "accept" else board.decline
            result = await act(agent, message.call, message.token)
        elif isinstance(message, Finish):
            result = await board.finish(agent, message.call, message.answers)
        else:
            result = await _simple(live, agent, message.type)
    except AccueilError as exc:
        return _error(message.id, exc.code, exc.message, exc.details)
    return {**result, "type": "reply", "did": result.get("type", message.type), "id": message.id}


async def _simple(live: Live, agent: str, kind: str) -> dict[str, Any]:
    board = live.board
    actions = {
        "ready": board.ready,
        "heartbeat": board.heartbeat,
        "wrapup_done": board.wrapup_done,
        "logout": board.logout,
    }
    result = await actions[kind](agent)
    return {**result, "type": kind}


def _invalid(exc: ValidationError, what: str) -> dict[str, Any]:
    problems = [
        {"path": ".".join(["message", *(str(p) for p in e["loc"])]), "reason": e["msg"]}
        for e in exc.errors()
    ]
    return {**_error(None, "invalid_input", what), "errors": problems}


def _error(
    request: Any, code: str, message: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    said = {"words": message.words()} if isinstance(message, Said) else {}
    return {
        "type": "error",
        "id": request,
        "code": code,
        "message": message,
        **said,
        **(details or {}),
    }


async def _not_here(websocket: WebSocket, rt: Runtime) -> None:
    """No switchboard in this process: a standby names the leader to reconnect to."""
    leadership = rt.leadership
    leader = await run_in_threadpool(leadership.leader) if leadership is not None else None
    if leader is None:
        await _refuse(websocket, TRY_AGAIN, "unavailable", "the switchboard is not running")
        return
    message = "this process stands by: connect to the leader's switchboard (retry if it fails)"
    await websocket.send_json({**_error(None, "not_leader", message), "leader": leader})
    await websocket.close(TRY_AGAIN)


async def _refuse(websocket: WebSocket, code: int, kind: str, message: str) -> None:
    await websocket.send_json(_error(None, kind, message))
    await websocket.close(code)
