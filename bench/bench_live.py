"""The live switchboard over WebSocket: agents' desks on loopback against ``accueil serve``.

Workload: a fresh SQLite operator of 50 accounts (5 people each, one switchboard number) and
``BENCH_LIVE_AGENTS`` agents (default 200); ``accueil serve`` in its own process with the simulated
telephony playing W1's day from 10:00 (its morning peak), scaled to the pool's size as
``accueil simulate --from-db`` does, at real speed; asyncio clients (the ``websockets`` library)
log every agent in, accept each offer at once and end wrap-up when told. After every agent is
ready, ``BENCH_LIVE_SECONDS`` (default 60) are measured.

Figures: offer latency — the call entering the line (the offer's ``enqueued_at``, stamped by the
server) to the offer received on the agent's socket, same machine clock — p50/p99/max; messages
per second on all sockets; the server's CPU seconds per wall second. Baseline in the same run:
the routing engine in-process, ``handle(CallEnqueued)`` to its ``Offer``, on as many agents and
calls. Then the takeover after SIGKILL of the leader (``bench/live_takeover.py``).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import websockets

from accueil.core.access import Role
from accueil.core.routing import Engine, EngineConfig, events
from accueil.services import users
from accueil.services.onboarding import load_directory
from accueil.services.unit_of_work import Application
from accueil.store.db import make_engine, migrate
from accueil.wallclock import WallClock
from bench import live_takeover

AGENTS = int(os.environ.get("BENCH_LIVE_AGENTS", "200"))
SECONDS = float(os.environ.get("BENCH_LIVE_SECONDS", "60"))
ACCOUNTS = 50


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'live.db'}"
        tokens = _seed(url)
        port = _free_port()
        server = _serve(url, port)
        try:
            _wait_healthy(port)
            started_cpu = _cpu_seconds(server.pid)
            measured = asyncio.run(_agents(port, tokens))
            cpu = _cpu_seconds(server.pid) - started_cpu
        finally:
            server.terminate()
            server.wait(timeout=30)
    latencies, messages, wall, offers = measured
    print(
        f"workload: {AGENTS} agents over WebSocket on loopback, {ACCOUNTS} accounts, the simulated "
        f"telephony playing W1 from 10:00 at real speed (scaled to {AGENTS} agents), "
        f"{wall:.0f} s measured after every agent was ready"
    )
    print(f"  offers received: {offers} ({offers / wall:.2f} calls/s offered)")
    _print_latency("offer latency over WebSocket (enqueued -> received)", latencies)
    print(f"  messages on all sockets: {messages / wall:,.0f}/s")
    print(f"  server CPU: {cpu:.1f} s for {wall:.0f} s ({100 * cpu / wall:.0f}% of one core)")
    _print_latency("baseline: engine in-process (handle(CallEnqueued) -> Offer)", _engine_only())
    print("  target: p99 < 100 ms")
    took = live_takeover.measure(_seed, _serve, _free_port, _wait_healthy)
    print(
        f"takeover after SIGKILL of the leader (two accueil serve on PostgreSQL, "
        f"{live_takeover.AGENTS} agents following the leader, a call a second): first agent "
        f"back {took['login']:.2f} s, first offer {took['offer']:.2f} s after the kill; the new "
        f"leader replayed {took['replayed']:.0f} inputs, {took['took']:.3f} s from lock to "
        f"serving; target < 5 s"
    )


def _print_latency(what: str, values: list[float]) -> None:
    if not values:
        print(f"  {what}: no sample")
        return
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    print(
        f"  {what}: p50 {1000 * statistics.median(ordered):.2f} ms, p99 {1000 * p99:.2f} ms, "
        f"max {1000 * ordered[-1]:.2f} ms ({len(ordered)} offers)"
    )


def _seed(url: str, agents: int = AGENTS) -> dict[str, str]:
    engine = make_engine(url)
    migrate(engine)
    directory: dict[str, Any] = {
        "accounts": [
            {"key": f"a{i:02d}", "name": f"Client {i}", "business_hours": "mon-sun 00:00-24:00"}
            for i in range(ACCOUNTS)
        ],
        "people": [
            {"account": f"a{i:02d}", "key": f"p{j}", "first_name": f"P{j}", "last_name": f"A{i}"}
            for i in range(ACCOUNTS)
            for j in range(5)
        ],
        "numbers": [
            {"number": f"+3315000{i:04d}", "account": f"a{i:02d}"} for i in range(ACCOUNTS)
        ],
        "agents": [
            {"key": f"g{k:03d}", "name": f"Agent {k}", "site": "lyon", "languages": ["fr", "en"]}
            for k in range(agents)
        ],
    }
    tokens = {}
    with Application(engine, WallClock()).unit_of_work() as work:
        load_directory(work.session, directory, now=work.now, source="bench")
        for k in range(agents):
            name = f"g{k:03d}"
            users.add_user(work.session, f"u{name}", Role.AGENT, agent=name, now=work.now)
            tokens[name] = users.create_token(
                work.session, f"u{name}", "bench", now=work.now
            ).secret
    engine.dispose()
    return tokens


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _serve(
    url: str, port: int, settings: dict[str, str] | None = None, log: Path | None = None
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ACCUEIL_DATABASE_URL": url,
        "ACCUEIL_AGENT_SILENCE_SECONDS": "600",
        **(settings or _SIMULATED_W1),
    }
    command = [sys.executable, "-m", "accueil", "serve", "--port", str(port)]
    if log is None:
        return subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


_SIMULATED_W1 = {
    "ACCUEIL_TELEPHONY": "simulated",
    "ACCUEIL_TELEPHONY_WORKLOAD": "w1",
    "ACCUEIL_TELEPHONY_FROM_HOUR": "10",
}


def _wait_healthy(port: int) -> None:
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("accueil serve did not start")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.messages = 0
        self.offers = 0
        self.measuring_from: datetime | None = None
        self.until = 0.0


async def _agents(port: int, tokens: dict[str, str]) -> tuple[list[float], int, float, int]:
    tally = _Tally()
    ready = asyncio.Event()
    count = [0]
    tasks = [
        asyncio.create_task(_agent(port, agent, token, tally, ready, count))
        for agent, token in tokens.items()
    ]
    await ready.wait()
    tally.measuring_from = datetime.now(UTC)
    started = time.monotonic()
    tally.until = started + SECONDS
    await asyncio.sleep(SECONDS)
    wall = time.monotonic() - started
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return tally.latencies, tally.messages, wall, tally.offers


async def _agent(
    port: int, agent: str, token: str, tally: _Tally, ready: asyncio.Event, count: list[int]
) -> None:
    uri = f"ws://127.0.0.1:{port}/api/v1/agent/stream"
    async with websockets.connect(
        uri, additional_headers={"Authorization": f"Bearer {token}"}
    ) as ws:
        await ws.send(json.dumps({"type": "login"}))
        await ws.recv()
        await ws.send(json.dumps({"type": "ready"}))
        count[0] += 1
        if count[0] == AGENTS:
            ready.set()
        async for raw in ws:
            received = datetime.now(UTC)
            message = json.loads(raw)
            measuring = tally.measuring_from is not None and time.monotonic() < tally.until
            tally.messages += measuring
            if message["type"] == "offer":
                enqueued = datetime.fromisoformat(message["enqueued_at"])
                if (
                    measuring
                    and tally.measuring_from is not None
                    and enqueued >= tally.measuring_from
                ):
                    tally.offers += 1
                    tally.latencies.append((received - enqueued).total_seconds())
                answer = {"type": "accept", "call": message["call"], "token": message["token"]}
                await ws.send(json.dumps(answer))
            elif message["type"] == "wrapup":
                await ws.send(json.dumps({"type": "wrapup_done"}))


def _engine_only() -> list[float]:
    """The engine alone, on as many agents: enqueue → offer → accept → end, call after call."""
    engine = Engine(EngineConfig(wrapup_seconds=0.0, max_wait=None))
    for k in range(AGENTS):
        engine.handle(events.AgentLoggedIn(0.0, f"g{k:03d}", ("fr", "en"), site="lyon"))
        engine.handle(events.AgentReady(0.0, f"g{k:03d}"))
    timings = []
    at = 1.0
    for n in range(5_000):
        at += 0.4
        call = f"c{n}"
        started = time.perf_counter()
        commands = engine.handle(events.CallEnqueued(at, call, f"a{n % ACCOUNTS:02d}"))
        timings.append(time.perf_counter() - started)
        for offer in (c for c in commands if isinstance(c, events.Offer)):
            engine.handle(events.OfferAccepted(at, call, offer.agent, offer.token))
            engine.handle(events.CallEnded(at + 0.1, call, offer.agent, offer.token))
    return timings
