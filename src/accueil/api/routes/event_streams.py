"""The event streams, WebSockets: ``/api/v1/supervisor/stream`` (the operator's staff: the line
as it changes, and every committed event) and ``/api/v1/events/stream`` (any user: the
committed events they may see — a client admin their account's, an employee their own).

The client signs in with an API token (the ``Authorization`` header, or ``token`` in the first
message) or, from a page, the browser session's cookie with its CSRF token as ``csrf`` in the
first message (a socket opened from another site carries the cookie, never the token). It sends
``subscribe`` first, with ``cursor``: the last event cursor it received (the outbox id) to
resume from. The server answers ``subscribed``,
sends every event after that cursor, then each event as it is committed; on the supervisor
stream also ``line`` (the snapshot of ``GET /supervisor/snapshot``) at once and whenever it
changes. A client that falls too far behind is sent ``error`` (code ``closed``) and closed, and
resumes with its last cursor. ``heartbeat`` is answered with a ``reply``.

Events are served by every ``accueil serve`` process (the relay brings each process every
process's events); the line only by the one that runs the switchboard: a standby answers the
supervisor stream with ``not_leader`` and the leader's address, as the agents' stream does.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.encoders import jsonable_encoder
from pydantic import Field, TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from accueil.api.auth import SESSION_COOKIE
from accueil.api.conventions import LARGEST_ID
from accueil.api.routes.agent_stream import (
    POLICY_VIOLATION,
    _browser,
    _error,
    _invalid,
    _not_here,
    stopped,
)
from accueil.api.routes.supervisor import line_now
from accueil.api.routing import OneHop
from accueil.api.runtime import Runtime
from accueil.api.schemas import In
from accueil.core.access import Action, Principal, Role, may_account
from accueil.errors import AccueilError
from accueil.services import users
from accueil.services.outbox import Envelope, read_outbox
from accueil.switchboard.hub import event_message
from accueil.switchboard.stream import Connection

router = APIRouter(tags=["event streams"], route_class=OneHop)
PAGE = 500  # events read from the outbox at a time while catching up


class Subscribe(In):
    type: Literal["subscribe"]
    token: str = Field("", max_length=200)
    cursor: int = Field(
        0, ge=0, le=LARGEST_ID, description="the last event cursor received (0: from the start)"
    )
    csrf: str = Field("", max_length=64, description="with a browser session: its CSRF token")
    id: str | int | None = None


class Heartbeat(In):
    type: Literal["heartbeat"]
    id: str | int | None = None


_SUBSCRIBE = TypeAdapter(Subscribe)
_HEARTBEAT = TypeAdapter(Heartbeat)


class Refusal(Exception):
    def __init__(self, close: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("message", ""))
        self.close, self.body = close, body


@router.websocket("/supervisor/stream")
async def supervisor_stream(websocket: WebSocket) -> None:
    """The operator's staff: the line as it changes, and every committed event."""
    await _stream(websocket, supervisor=True)


@router.websocket("/events/stream")
async def events_stream(websocket: WebSocket) -> None:
    """The committed events the signed-in user may see, as they are committed."""
    await _stream(websocket, supervisor=False)


async def _stream(websocket: WebSocket, *, supervisor: bool) -> None:
    rt: Runtime = websocket.app.state.runtime
    await websocket.accept()
    if supervisor and rt.live is None:  # the line is the leader's: name it (events are anywhere)
        await _not_here(websocket, rt)
        return
    try:
        first, principal = await _sign_in(websocket, rt)
        if supervisor and not principal.operator:
            message = "this stream is for the operator's staff"
            raise Refusal(POLICY_VIOLATION, _error(first.id, "forbidden", message))
    except Refusal as refusal:
        await websocket.send_json(refusal.body)
        await websocket.close(refusal.close)
        return
    sees = visible_to(principal)
    # a tenant's user catches up on their account's rows only (an agent's "": none they see)
    account = None if principal.operator else (principal.account or "")
    connection = rt.hub.join(principal.user, sees)
    try:
        await _serve(websocket, rt, connection, first, (sees, account), supervisor)
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client left
    finally:
        rt.hub.leave(connection)
        with contextlib.suppress(Exception):
            await websocket.close()


def visible_to(principal: Principal) -> Callable[[Envelope], bool]:
    """Which events a principal may see: the operator's staff all, an employee the events of
    their account about them, others (a client admin) their account's."""
    if principal.operator:
        return lambda envelope: True
    if principal.role is Role.EMPLOYEE:
        return lambda envelope: (
            envelope.event.account == principal.account
            and getattr(envelope.event, "person", None) == principal.person
        )
    return lambda envelope: (
        bool(envelope.event.account) and may_account(principal, envelope.event.account, Action.READ)
    )


async def _sign_in(websocket: WebSocket, rt: Runtime) -> tuple[Subscribe, Principal]:
    try:
        raw = await asyncio.wait_for(websocket.receive_json(), rt.settings.agent_silence_seconds)
        first = _SUBSCRIBE.validate_python(raw)
    except ValidationError as exc:
        raise Refusal(POLICY_VIOLATION, _invalid(exc, "the first message is subscribe")) from exc
    except (TimeoutError, ValueError) as exc:
        body = _error(None, "invalid_input", "send a subscribe message first")
        raise Refusal(POLICY_VIOLATION, body) from exc
    header = websocket.headers.get("authorization", "")
    token = header.removeprefix("Bearer ").strip() if header else first.token
    cookie = websocket.cookies.get(SESSION_COOKIE, "")

    def check() -> Principal:
        with rt.unit() as session:
            if token:
                return users.authenticate_token(session, token, now=rt.now())[1]
            return _browser(session, rt, cookie, first.csrf)

    if not token and not (cookie and first.csrf):
        body = _error(first.id, "unauthenticated", "send an API token, or sign in (with csrf)")
        raise Refusal(POLICY_VIOLATION, body)
    try:
        return first, await run_in_threadpool(check)
    except AccueilError as exc:
        raise Refusal(POLICY_VIOLATION, _error(first.id, exc.code, exc.message)) from exc


async def _serve(
    websocket: WebSocket,
    rt: Runtime,
    connection: Connection,
    first: Subscribe,
    scope: tuple[Callable[[Envelope], bool], str | None],
    supervisor: bool,
) -> None:
    sees, account = scope
    replayed = await _catch_up(websocket, rt, first, sees, account)
    watcher = asyncio.ensure_future(_watch_line(connection, rt)) if supervisor else None
    sender = asyncio.ensure_future(_send(websocket, connection, replayed))
    try:
        await _receive(websocket, connection)
        if connection.closed.is_set():  # too slow: say why once the sender stopped
            await stopped(sender)
            await websocket.send_json(_error(None, "closed", connection.why))
    finally:
        sender.cancel()
        if watcher is not None:
            watcher.cancel()


async def _catch_up(
    websocket: WebSocket,
    rt: Runtime,
    first: Subscribe,
    sees: Callable[[Envelope], bool],
    account: str | None,
) -> set[int]:
    """Send ``subscribed``, then every event after the client's cursor it may see; the ids sent
    (the live events queued meanwhile skip them)."""

    def read(after: int) -> list[Envelope]:
        with rt.unit() as session:
            return read_outbox(session, after=after, account=account, limit=PAGE)

    await websocket.send_json({"type": "subscribed", "id": first.id, "cursor": first.cursor})
    sent: set[int] = set()
    after = first.cursor
    while True:
        page = await run_in_threadpool(read, after)
        for envelope in page:
            if sees(envelope):
                await websocket.send_json(jsonable_encoder(event_message(envelope)))
                sent.add(envelope.id)
        if len(page) < PAGE:
            return sent
        after = page[-1].id


async def _send(websocket: WebSocket, connection: Connection, replayed: set[int]) -> None:
    while True:
        message = await connection.queue.get()
        if message.get("type") == "event" and message.get("cursor") in replayed:
            continue
        await websocket.send_json(jsonable_encoder(message))


async def _watch_line(connection: Connection, rt: Runtime) -> None:
    """Push the line at once, then each time it changed (looked at every tick)."""
    last: Any = None
    while True:
        live = rt.live
        if live is None:  # this process stopped leading: the client goes to the new leader
            connection.close("this process no longer runs the switchboard: reconnect")
            return
        line = line_now(live)
        shape = _shape(line)
        if shape != last:
            connection.push({"type": "line", **line})
            last = shape
        await asyncio.sleep(rt.settings.supervisor_tick_seconds)


def _shape(line: dict[str, Any]) -> Any:
    # the waits grow every second: a change is someone arriving, leaving or moving
    def still(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in row.items() if k != "waited"} for row in rows]

    return still(line["waiting"]), line["agents"], still(line["calls"])


async def _receive(websocket: WebSocket, connection: Connection) -> None:
    closed = asyncio.ensure_future(connection.closed.wait())
    try:
        while True:
            receiving = asyncio.ensure_future(websocket.receive_json())
            done, _ = await asyncio.wait({receiving, closed}, return_when=asyncio.FIRST_COMPLETED)
            if receiving not in done:
                receiving.cancel()
                return
            try:
                beat = _HEARTBEAT.validate_python(receiving.result())
            except ValidationError as exc:
                await websocket.send_json(_invalid(exc, "this stream takes heartbeats only"))
                continue
            await websocket.send_json({"type": "reply", "did": "heartbeat", "id": beat.id})
    finally:
        closed.cancel()
