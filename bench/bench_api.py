"""The HTTP API against its own services: what the API costs on top of the work it asks for.

Workload: the demo operator (40 accounts, 1,500 people, 30 agents, seed 7) in a SQLite file,
one person in five in a meeting; an operator admin's API token. Four operations, each on
targets drawn from the direct lines (seed 11):
- availability: ``GET …/people/{person}/availability?at=``;
- decide: ``POST /api/v1/decide`` (a dry run for a caller and a time);
- screen pop: ``POST /api/v1/screen-pop``;
- list page: ``GET /api/v1/accounts/{account}/people?limit=50``.

Figures, same process, same database, same targets:
- in-process: the service functions the route calls, each in its own unit of work, one after
  the other (the baseline: no HTTP, no token check, no JSON);
- ASGI sequential: the app through httpx's ASGITransport, one request at a time (latency);
- ASGI concurrent: ``CONCURRENCY`` requests in flight on one event loop (throughput; sync
  routes run in the thread pool, as under uvicorn).
Requests per second, p50/p99 latency in ms, and this process's CPU ms per request (all
threads; what the machine's other load moves least); the issue's targets: p99 < 50 ms and the HTTP
path at least 1/3 of the in-process rate.

Then over real sockets: ``accueil serve`` (uvicorn, one process) started on a free loopback port
on the same file, and ``LOOPBACK_CLIENTS`` asyncio clients (one connection each) asking for
screen pops and decisions for ``LOOPBACK_SECONDS`` each:
- closed loop: every client asks again as soon as it has its answer (the server's capacity;
  latency is then mostly the queue, by Little's law clients ÷ rate);
- open loop: the same clients each asking at a steady pace, together half the capacity just
  measured (what a desk of agents asking from time to time sees).
With the server process's own CPU ms per request, read from /proc.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from httpx2 import ASGITransport, AsyncClient, Limits
from sqlalchemy import select

from accueil.api import create_app
from accueil.api.runtime import Runtime
from accueil.api.settings import ApiSettings
from accueil.core.access import Role
from accueil.core.availability import State
from accueil.core.decision import Call
from accueil.demo.directory import generate_demo
from accueil.services import users
from accueil.services.availability import availability_of, set_status
from accueil.services.clock import FixedClock
from accueil.services.decisions import decide_for, decision_json
from accueil.services.directory import list_people, resolve_number
from accueil.services.screenpop import screen_pop
from accueil.store.db import make_engine, migrate, session_factory, transaction
from accueil.store.tables import AccountRow, NumberRow, PersonRow

SEED, TARGETS, REQUESTS, CONCURRENCY = 7, 100, 300, 16
LOOPBACK_CLIENTS, LOOPBACK_SECONDS = 200, 10.0
NOW = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
AT = NOW.isoformat()
CALLER = "+33612345678"


@dataclass(frozen=True)
class Target:
    account: str
    person: str
    e164: str


@dataclass(frozen=True)
class Figures:
    rps: float
    p50: float
    p99: float
    cpu: float  # ms of this process's CPU (every thread) per request: steadier under load


def _seed(url: str) -> tuple[list[Target], str]:
    engine = make_engine(url)
    migrate(engine)
    with transaction(session_factory(engine)) as session:
        generate_demo(session, accounts=40, people=1500, agents=30, seed=SEED, now=NOW)
        direct = session.execute(
            select(NumberRow.e164, AccountRow.key, PersonRow.key)
            .join(AccountRow, NumberRow.account_id == AccountRow.id)
            .join(PersonRow, NumberRow.person_id == PersonRow.id)
            .order_by(NumberRow.e164)
        ).all()
        for i, (_, account, person) in enumerate(direct):
            if i % 5 == 0:
                until = NOW + timedelta(hours=1)
                set_status(session, account, person, State.MEETING, until=until, now=NOW)
        users.add_user(session, "bench", Role.OPERATOR_ADMIN, now=NOW)
        token = users.create_token(session, "bench", "bench", now=NOW).secret
    engine.dispose()
    rng = random.Random(11)
    chosen = rng.sample(direct, min(TARGETS, len(direct)))
    return [Target(a, p, e) for e, a, p in chosen], token


def _figures(latencies: list[float], wall: float, cpu: float) -> Figures:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    n = len(ordered)
    return Figures(n / wall, statistics.median(ordered) * 1000, p99 * 1000, cpu / n * 1000)


def _in_process(call: Callable[[Target], object], targets: list[Target]) -> Figures:
    latencies = []
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(REQUESTS):
        t0 = time.perf_counter()
        call(targets[i % len(targets)])
        latencies.append(time.perf_counter() - t0)
    return _figures(latencies, time.perf_counter() - started, time.process_time() - cpu)


Request = Callable[[AsyncClient, Target], Awaitable[int]]


async def _over_http(client: AsyncClient, ask: Request, targets: list[Target], n: int) -> Figures:
    latencies: list[float] = []
    queue = iter(range(REQUESTS))

    async def worker() -> None:
        for i in queue:
            t0 = time.perf_counter()
            status = await ask(client, targets[i % len(targets)])
            latencies.append(time.perf_counter() - t0)
            assert status == 200, status

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(n)))
    return _figures(latencies, time.perf_counter() - started, time.process_time() - cpu)


def _operations(rt: Runtime) -> dict[str, tuple[Callable[[Target], object], Request]]:
    def availability(t: Target) -> object:
        with rt.unit() as s:
            return availability_of(s, t.account, t.person, now=NOW)

    def decide(t: Target) -> object:
        with rt.unit() as s:
            found = resolve_number(s, t.e164)
            person = found.person.key if found.person else None
            call = Call(CALLER, found.number.e164)
            decision = decide_for(s, found.account.key, person, call, now=NOW)
            return decision_json(decision, found.account.key, person)

    def pop(t: Target) -> object:
        with rt.unit() as s:
            return screen_pop(s, t.e164, CALLER, agent="", now=NOW, lang="en", country="FR")

    def page(t: Target) -> object:
        with rt.unit() as s:
            return list_people(s, t.account)[:50]

    async def get_availability(c: AsyncClient, t: Target) -> int:
        url = f"/api/v1/accounts/{t.account}/people/{t.person}/availability"
        return (await c.get(url, params={"at": AT})).status_code

    async def post_decide(c: AsyncClient, t: Target) -> int:
        body = {"to": t.e164, "caller": CALLER, "at": AT}
        return (await c.post("/api/v1/decide", json=body)).status_code

    async def post_pop(c: AsyncClient, t: Target) -> int:
        body = {"to": t.e164, "caller": CALLER, "at": AT}
        return (await c.post("/api/v1/screen-pop", json=body)).status_code

    async def get_page(c: AsyncClient, t: Target) -> int:
        return (await c.get(f"/api/v1/accounts/{t.account}/people?limit=50")).status_code

    return {
        "availability": (availability, get_availability),
        "decide": (decide, post_decide),
        "screen pop": (pop, post_pop),
        "list page": (page, get_page),
    }


def _row(name: str, f: Figures, base: Figures | None = None) -> str:
    ratio = f"{f.rps / base.rps:6.2f}" if base else "     -"
    return f"  {name:<18} {f.rps:8.0f} {f.p50:8.2f} {f.p99:8.2f} {f.cpu:8.2f} {ratio}"


async def _measure(rt: Runtime, token: str, targets: list[Target]) -> dict[str, Figures]:
    app = create_app(rt)
    transport = ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"}
    bases: dict[str, Figures] = {}
    async with AsyncClient(transport=transport, base_url="http://bench", headers=headers) as c:
        for name, (direct, ask) in _operations(rt).items():
            for t in targets[:10]:  # warm caches and the thread pool on both paths
                direct(t)
                await ask(c, t)
            base = _in_process(direct, targets)
            seq = await _over_http(c, ask, targets, 1)
            conc = await _over_http(c, ask, targets, CONCURRENCY)
            print(f"{name + ':':<20} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms':>8} ×rate")
            print(_row("in-process", base))
            print(_row("ASGI sequential", seq, base))
            print(_row(f"ASGI {CONCURRENCY} in flight", conc, base))
            best = max(seq.rps, conc.rps) / base.rps
            p99_ok = "met" if seq.p99 < 50 else "NOT met"
            third = "met" if best >= 1 / 3 else "NOT met"
            print(f"  targets: p99 < 50 ms {p99_ok}; HTTP ≥ 1/3 of in-process {third}", flush=True)
            bases[name] = base
    return bases


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        started = time.perf_counter()
        targets, token = _seed(url)
        print(
            f"workload: demo operator (40 accounts, 1,500 people, 30 agents, seed {SEED}), "
            f"SQLite file; {len(targets)} direct lines (seed 11), {REQUESTS} requests per "
            f"operation and path, at {AT}; seeded in {time.perf_counter() - started:.1f}s; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        rt = Runtime(make_engine(url), ApiSettings(), clock=FixedClock(NOW))
        bases = asyncio.run(_measure(rt, token, targets))
        asyncio.run(_loopback(url, token, targets, _operations(rt), bases))
        rt.engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _clients(
    c: AsyncClient, ask: Request, targets: list[Target], pace: float | None
) -> tuple[Figures, int]:
    """``LOOPBACK_CLIENTS`` clients for ``LOOPBACK_SECONDS``; ``pace``: seconds between one
    client's requests (None: at once, a closed loop). The figures, and how many failed."""
    latencies: list[float] = []
    failed = [0]
    rng = random.Random(5)
    end = time.perf_counter() + LOOPBACK_SECONDS

    async def client(n: int) -> None:
        if pace is not None:
            await asyncio.sleep(rng.uniform(0, pace))  # spread the first requests
        i = n
        while (now := time.perf_counter()) < end:
            try:
                status = await ask(c, targets[i % len(targets)])
            except Exception:  # a refused or dropped connection is a failure, counted
                status = 0
            latencies.append(time.perf_counter() - now)
            failed[0] += status != 200
            i += LOOPBACK_CLIENTS
            if pace is not None:
                await asyncio.sleep(max(0.0, pace - (time.perf_counter() - now)))

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(LOOPBACK_CLIENTS)))
    return _figures(latencies, time.perf_counter() - started, 0.0), failed[0]


async def _loopback(
    url: str,
    token: str,
    targets: list[Target],
    operations: dict[str, tuple[Callable[[Target], object], Request]],
    bases: dict[str, Figures],
) -> None:
    port = _free_port()
    env = {**os.environ, "ACCUEIL_DATABASE_URL": url, "ACCUEIL_LOG_LEVEL": "warning"}
    command = [sys.executable, "-m", "accueil", "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    limits = Limits(max_connections=LOOPBACK_CLIENTS, max_keepalive_connections=LOOPBACK_CLIENTS)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers=headers, limits=limits, timeout=60.0
        ) as c:
            await _ready(c, server)
            print(
                f"\nover loopback: accueil serve (uvicorn, one process), {LOOPBACK_CLIENTS} "
                f"clients, {LOOPBACK_SECONDS:.0f} s per row"
            )
            print(f"{'':<20} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'srv CPU':>8} ×rate")
            for name in ("screen pop", "decide"):
                ask = operations[name][1]
                base = bases[name]
                for t in targets[:20]:
                    await ask(c, t)
                cpu = _cpu_seconds(server.pid)
                closed, bad = await _clients(c, ask, targets, None)
                served = closed.rps * LOOPBACK_SECONDS
                per = (_cpu_seconds(server.pid) - cpu) / max(1.0, served) * 1000
                closed = Figures(closed.rps, closed.p50, closed.p99, per)
                print(f"{name}: in-process {base.rps:.0f} req/s")
                print(_row("closed loop", closed, base) + (f"  ({bad} failed)" if bad else ""))
                pace = LOOPBACK_CLIENTS / max(1.0, closed.rps / 2)
                cpu = _cpu_seconds(server.pid)
                opened, bad = await _clients(c, ask, targets, pace)
                served = opened.rps * LOOPBACK_SECONDS
                per = (_cpu_seconds(server.pid) - cpu) / max(1.0, served) * 1000
                opened = Figures(opened.rps, opened.p50, opened.p99, per)
                print(
                    _row(f"open, 1 per {pace:.1f} s", opened, base)
                    + (f"  ({bad} failed)" if bad else "")
                )
                ok = "met" if opened.p99 < 50 else "NOT met"
                third = "met" if closed.rps >= base.rps / 3 else "NOT met"
                print(f"  targets: p99 < 50 ms (open loop) {ok}; HTTP ≥ 1/3 of in-process {third}")
    finally:
        server.terminate()
        server.wait(timeout=20)


async def _ready(c: AsyncClient, server: subprocess.Popen[bytes]) -> None:
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"accueil serve exited ({server.returncode})")
        try:
            if (await c.get("/readyz")).status_code == 200:
                return
        except Exception:  # not listening yet
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("accueil serve did not become ready within 60 s")
