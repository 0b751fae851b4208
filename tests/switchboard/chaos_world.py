"""The world of the chaos test: two ``accueil serve`` processes on one PostgreSQL database, a
simulated telephony in this process behind a socket (it outlives the servers, as Kamailio
would), and agents' desks over WebSocket that follow the leader, drop their connections at
random and keep every message they receive by cursor."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets
from board_world import MESSAGE_ANSWERS

STREAM = "/api/v1/agent/stream"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(url: str, port: int, telephony: int, speed: float, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ACCUEIL_DATABASE_URL": url,
        "ACCUEIL_TELEPHONY": "remote",
        "ACCUEIL_TELEPHONY_ADDRESS": f"127.0.0.1:{telephony}",
        "ACCUEIL_TELEPHONY_SPEED": str(speed),
        "ACCUEIL_AGENT_SILENCE_SECONDS": "600",
        "ACCUEIL_AGENT_GRACE_SECONDS": "3600",
    }
    command = [sys.executable, "-m", "accueil", "serve", "--port", str(port)]
    with log.open("ab") as out:  # what each server said, for a failure's reader
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_healthy(port: int, server: subprocess.Popen[bytes]) -> None:
    for _ in range(600):  # a loaded machine may take a while to start it
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
            return
        except OSError:
            assert server.poll() is None, "accueil serve stopped"
            time.sleep(0.1)
    raise AssertionError("accueil serve did not start")


@dataclass
class Desk:
    """One agent's desk: every message by cursor, what it saw go wrong."""

    agent: str
    token: str
    ports: list[int]
    drop: float  # the chance to drop the connection on an offer, instead of accepting
    rng: random.Random
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    last: int = 0
    gaps: list[str] = field(default_factory=list)
    double_offers: list[str] = field(default_factory=list)
    holding: tuple[str, int] | None = None  # the offer held now (call, token)
    connections: int = 0
    logged_in_at: list[float] = field(default_factory=list)  # wall time of each login
    stop: bool = False

    async def run(self) -> None:
        while not self.stop:
            for port in self.ports:
                if self.stop:
                    return
                # the server died or refused: the next one
                with contextlib.suppress(OSError, websockets.WebSocketException, TimeoutError):
                    await self._session(port)
                await asyncio.sleep(0.05)

    async def _session(self, port: int) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        uri = f"ws://127.0.0.1:{port}{STREAM}"
        async with websockets.connect(uri, additional_headers=headers, open_timeout=5) as ws:
            # always with the last cursor (0: none yet), so nothing sent before the socket
            # was attached is missed
            login = {"type": "login", "cursor": self.last}
            await ws.send(json.dumps(login))
            first = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if first["type"] != "logged_in":
                await asyncio.sleep(0.2)  # a standby (it names the leader), or not serving yet
                return
            if not first.get("replay_whole", True):
                self.gaps.append(f"replay not whole after {self.last}")
            self.connections += 1
            self.logged_in_at.append(time.monotonic())
            await ws.send(json.dumps({"type": "ready"}))
            while not self.stop:
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                if await self._heard(ws, json.loads(raw)) == "drop":
                    return  # closed at random, as a home connection drops

    async def _heard(self, ws: Any, message: dict[str, Any]) -> str:
        cursor = message.get("cursor")
        if cursor is None or message["type"] == "logged_in":
            return ""
        if cursor <= self.last:
            return ""  # replayed twice: seen already
        if cursor != self.last + 1:
            self.gaps.append(f"{self.agent}: cursor {cursor} after {self.last}")
        self.last = cursor
        self.messages[cursor] = message
        kind = message["type"]
        if kind == "offer":
            if self.holding is not None:
                self.double_offers.append(f"{self.agent}: {message['call']} over {self.holding}")
            self.holding = (message["call"], message["token"])
            if self.rng.random() < self.drop:
                return "drop"
            await ws.send(
                json.dumps({"type": "accept", "call": message["call"], "token": message["token"]})
            )
        elif kind in ("revoked", "connected"):
            self.holding = None
        elif kind == "wrapup":
            finish = {"type": "finish", "call": message["call"], "answers": MESSAGE_ANSWERS}
            await ws.send(json.dumps(finish))
            await ws.send(json.dumps({"type": "wrapup_done"}))
        elif kind == "paused":
            await ws.send(json.dumps({"type": "ready"}))
        return ""

    def offers(self) -> list[tuple[str, int]]:
        return [(m["call"], m["token"]) for m in self.messages.values() if m["type"] == "offer"]
