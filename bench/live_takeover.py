"""The takeover after SIGKILL, for ``make bench BENCH=live``.

Two ``accueil serve`` on a fresh PostgreSQL schema (``BENCH_POSTGRES_URL``, default the local
``test`` database), the simulated telephony in this process behind a socket (it outlives the
servers, as Kamailio would) ringing one of the accounts every second, ``TAKEOVER_AGENTS`` agents
over WebSocket who follow the leader (a standby names it) and accept every offer. After a
steady spell the leader is killed with SIGKILL; measured from the kill: the first agent logged
in on the new leader, and the first offer it makes. The new leader's own log gives the inputs
it replayed and how long its take-over took once it held the lock.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import websockets
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from accueil.store.db import make_engine
from accueil.store.tables_switchboard import TermRow
from accueil.switchboard.clock import RealClock
from accueil.telephony.remote import TelephonyServer
from accueil.telephony.simulated import SimulatedCall, SimulatedTelephony

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
AGENTS = int(os.environ.get("TAKEOVER_AGENTS", "40"))
STEADY = 8.0  # seconds of calls before the kill


def measure(seed: Any, serve: Any, free_port: Any, wait: Any) -> dict[str, float]:
    """Kill the leader once; the figures. ``seed``, ``serve``… are bench_live's helpers."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    try:
        return asyncio.run(_run(rendered, seed, serve, free_port, wait))
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


async def _run(url: str, seed: Any, serve: Any, free_port: Any, wait: Any) -> dict[str, float]:
    tokens: dict[str, str] = seed(url, AGENTS)
    calls = [
        SimulatedCall(f"t{n:04d}", n * 1.0, f"+3361{n:07d}", f"+3315000{n % 50:04d}", 600.0, 20.0)
        for n in range(600)
    ]
    world = SimulatedTelephony(RealClock(), calls)
    telephony = TelephonyServer(world)
    telephony_port = await telephony.start()
    ports = [free_port(), free_port()]
    with tempfile.TemporaryDirectory() as tmp:
        logs = [Path(tmp) / f"serve-{p}.log" for p in ports]
        servers = [
            serve(url, p, {"ACCUEIL_TELEPHONY": "remote",
                           "ACCUEIL_TELEPHONY_ADDRESS": f"127.0.0.1:{telephony_port}",
                           "ACCUEIL_LOG_FORMAT": "json"}, log)
            for p, log in zip(ports, logs, strict=True)
        ]  # fmt: skip
        desks: dict[str, list[tuple[float, str, int]]] = {a: [] for a in tokens}
        tasks: list[asyncio.Task[None]] = []
        try:
            for port in ports:
                await asyncio.to_thread(wait, port)
            tasks = [asyncio.create_task(_desk(t, ports, desks[a])) for a, t in tokens.items()]
            world.start()
            await asyncio.sleep(STEADY)
            leader = _leader_port(url)
            killed = ports.index(leader)
            servers[killed].send_signal(signal.SIGKILL)
            at, survivor = time.monotonic(), ports[1 - killed]
            # what the new leader does (an offer the killed one sent just before is not it)
            for _ in range(600):
                if any(k == "offer" for _, k in _after(desks, at, survivor)):
                    break
                await asyncio.sleep(0.05)
            said = logs[1 - killed].read_text(encoding="utf-8", errors="replace")
        finally:
            for task in tasks:
                task.cancel()
            await world.stop()
            await telephony.stop()
            for server in servers:
                if server.poll() is None:
                    server.terminate()
                server.wait(timeout=30)
    later = _after(desks, at, survivor)
    replayed = re.search(r'"replayed": (\d+)', said)
    seconds = re.search(r'"seconds": ([0-9.]+)', said)
    return {
        "login": next((t - at for t, k in later if k == "login"), float("nan")),
        "offer": next((t - at for t, k in later if k == "offer"), float("nan")),
        "replayed": float(replayed.group(1)) if replayed else float("nan"),
        "took": float(seconds.group(1)) if seconds else float("nan"),
    }


def _after(
    desks: dict[str, list[tuple[float, str, int]]], at: float, port: int
) -> list[tuple[float, str]]:
    """What the desks saw from the server on ``port`` after ``at``, in time order."""
    return sorted((t, k) for seen in desks.values() for t, k, p in seen if t > at and p == port)


async def _desk(token: str, ports: list[int], seen: list[tuple[float, str, int]]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    cursor = 0
    while True:
        for port in ports:
            try:
                uri = f"ws://127.0.0.1:{port}/api/v1/agent/stream"
                async with websockets.connect(uri, additional_headers=headers) as ws:
                    await ws.send(json.dumps({"type": "login", "cursor": cursor}))
                    if json.loads(await ws.recv())["type"] != "logged_in":
                        continue  # a standby: it names the leader; try the other
                    seen.append((time.monotonic(), "login", port))
                    await ws.send(json.dumps({"type": "ready"}))
                    async for raw in ws:
                        message = json.loads(raw)
                        cursor = max(cursor, int(message.get("cursor") or 0))
                        if message["type"] == "offer":
                            seen.append((time.monotonic(), "offer", port))
                            accept = {"type": "accept", "call": message["call"],
                                      "token": message["token"]}  # fmt: skip
                            await ws.send(json.dumps(accept))
                        elif message["type"] == "wrapup":
                            await ws.send(json.dumps({"type": "wrapup_done"}))
                        elif message["type"] == "paused":
                            await ws.send(json.dumps({"type": "ready"}))
            except (OSError, websockets.WebSocketException):
                pass
            await asyncio.sleep(0.05)


def _leader_port(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        address = connection.execute(
            select(TermRow.address).order_by(TermRow.term.desc()).limit(1)
        ).scalar_one()
    engine.dispose()
    return int(address.rsplit(":", 1)[1].split("/")[0])


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run it through make bench BENCH=live")
