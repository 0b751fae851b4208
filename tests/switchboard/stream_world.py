"""The API with a live switchboard on a simulated clock, for the agents' stream tests."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from board_world import MONDAY_10
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from starlette.testclient import WebSocketTestSession

from accueil.api import create_app
from accueil.api.runtime import Runtime
from accueil.api.settings import ApiSettings
from accueil.core.access import Role
from accueil.services import users
from accueil.services.unit_of_work import Application
from accueil.switchboard.clock import SimulatedClock
from accueil.switchboard.live import Live, build_live
from accueil.telephony.memory import MemoryTelephony

STREAM = "/api/v1/agent/stream"
USERS = {
    "alice_user": (Role.AGENT, None, None, "alice"),
    "bob_user": (Role.AGENT, None, None, "bob"),
    "martin_admin": (Role.CLIENT_ADMIN, "martin", None, None),
    "claire_user": (Role.EMPLOYEE, "martin", "claire", None),
    "pdurand_user": (Role.EMPLOYEE, "martin", "pdurand", None),  # claire's colleague
    "sup": (Role.SUPERVISOR, None, None, None),
}


class Server:
    """A running app (lifespan started) and handles on its switchboard."""

    def __init__(self, client: TestClient, runtime: Runtime, tokens: dict[str, str]) -> None:
        self.client, self.runtime, self.tokens = client, runtime, tokens
        self.sockets: list[WebSocketTestSession] = []
        assert runtime.live is not None
        self.live: Live = runtime.live
        self.clock = runtime.clock
        assert isinstance(self.clock, SimulatedClock)

    @property
    def telephony(self) -> MemoryTelephony:
        assert isinstance(self.live.telephony, MemoryTelephony)
        return self.live.telephony

    def on_loop(self, action: Callable[[], Any]) -> Any:
        """Run ``action`` on the server's event loop, then let the switchboard settle."""

        async def run() -> Any:
            result = action()
            await self.live.board.runner.settle()
            return result

        assert self.client.portal is not None
        return self.client.portal.call(run)

    def advance(self, seconds: float) -> None:
        assert isinstance(self.clock, SimulatedClock)
        clock = self.clock
        self.on_loop(lambda: clock.advance(seconds))

    def wait_for(self, check: Callable[[], bool], what: str) -> None:
        """Poll the server until ``check`` holds: for what a closed socket sets off. Bounded
        by a deadline, not a count of polls (each waits on the loop: a loaded machine's are
        slow), far above the time it takes."""
        deadline = time.monotonic() + 30
        while True:
            self.on_loop(lambda: None)
            if check():
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"never happened within 30 s: {what}")
            time.sleep(0.01)

    def connect(
        self, user: str, cursor: int | None = None
    ) -> tuple[WebSocketTestSession, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        ws = self.client.websocket_connect(STREAM, headers=headers).__enter__()
        self.sockets.append(ws)
        ws.send_json({"type": "login", "cursor": cursor})
        return ws, ws.receive_json()


def next_of(
    ws: WebSocketTestSession, kind: str, seen: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Read until a message of ``kind`` (bounded), keeping the others in ``seen``."""
    for _ in range(50):
        message = ws.receive_json()
        if message["type"] == kind:
            return message
        if seen is not None:
            seen.append(message)
    raise AssertionError(f"no {kind!r} message")


@contextmanager
def serving(engine: Engine, silence: float = 30.0, grace: float = 30.0) -> Iterator[Server]:
    clock = SimulatedClock(MONDAY_10)
    with Application(engine, clock).unit_of_work() as work:
        tokens = {}
        for name, (role, account, person, agent) in USERS.items():
            users.add_user(
                work.session, name, role, account=account, person=person, agent=agent,
                now=work.now,
            )  # fmt: skip
            tokens[name] = users.create_token(work.session, name, "test", now=work.now).secret
    settings = ApiSettings(agent_silence_seconds=silence, agent_grace_seconds=grace)
    runtime = Runtime(engine, settings, clock=clock)
    runtime.live = build_live(runtime.app, clock, MemoryTelephony(), grace_seconds=grace)
    with TestClient(create_app(runtime)) as client:
        server = Server(client, runtime, tokens)
        try:
            yield server
        finally:
            for ws in server.sockets:  # each session's task ends before the app stops
                with contextlib.suppress(Exception):
                    ws.__exit__(None, None, None)
