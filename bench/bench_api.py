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

Then over real sockets (``bench/loopback.py``, a light asyncio HTTP/1.1 client: httpx cost
more CPU than the server's HTTP layer and, on 2 CPUs, set the rate): ``LOOPBACK_CLIENTS``
clients (one keep-alive connection each) for ``LOOPBACK_SECONDS`` a row, against
- two reference points on the same uvicorn (``bench/reference_apps.py``): a bare ASGI app and
  FastAPI with one sync route, in a closed loop;
- ``accueil serve`` on the same file, with ``LOOPBACK_WORKERS`` worker processes (one: as it
  runs by default; more: the switchboard off, as ``--workers`` requires), asking for screen
  pops and decisions: a closed loop (every client asks again as soon as it has its answer: the
  capacity; latency is then the queue, clients ÷ rate by Little's law), then an open loop (each
  client at a steady pace, together half that capacity: what the p99 target is about), the
  in-process rate measured just before.
With the CPU ms per request of the server (all its processes, from /proc) and of the clients.
``BENCH_API_PARTS=loopback`` (or ``asgi``) runs one part.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from httpx2 import ASGITransport, AsyncClient
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
from accueil.services.decisions import decide_in, decision_json
from accueil.services.directory import list_people
from accueil.store.db import make_engine, migrate, session_factory, transaction
from accueil.store.tables import AccountRow, NumberRow, PersonRow
from bench import loopback

SEED, TARGETS, REQUESTS, CONCURRENCY = 7, 100, 300, 16
LOOPBACK_CLIENTS, LOOPBACK_SECONDS, LOOPBACK_WORKERS = 200, 10.0, (1, 2)
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

    def decide(t: Target) -> object:  # on the slices the runtime keeps, as the route is
        with rt.unit() as s:
            kept = rt.slices.slice_of(s, t.e164)
            found = kept.destination
            person = found.person.key if found.person else None
            call = Call(CALLER, found.number.e164)
            decision = decide_in(s, kept.pop.call, call, NOW)
            return decision_json(decision, found.account.key, person)

    def pop(t: Target) -> object:
        with rt.unit() as s:
            return rt.pops(s).screen_pop(s, t.e164, CALLER, now=NOW, lang="en", country="FR")

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


async def _measure(rt: Runtime, token: str, targets: list[Target]) -> None:
    app = create_app(rt)
    transport = ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"}
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
        parts = os.environ.get("BENCH_API_PARTS", "asgi,loopback").split(",")
        if "asgi" in parts:
            asyncio.run(_measure(rt, token, targets))
        if "loopback" in parts:
            _loopback(url, token, targets, _operations(rt))
        rt.engine.dispose()


def _loopback(
    url: str,
    token: str,
    targets: list[Target],
    operations: dict[str, tuple[Callable[[Target], object], Request]],
) -> None:
    print(
        f"\nover loopback: {LOOPBACK_CLIENTS} asyncio clients (one keep-alive connection each, "
        f"bench/loopback.py), {LOOPBACK_SECONDS:.0f} s per row; CPU ms per request of the "
        "server (all its processes) and of the clients; in-process: the same calls measured "
        f"just before; load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'':<30} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'srv CPU':>8} {'cli CPU':>8} ×rate")
    root = Path(__file__).parent.parent
    uvicorn = [sys.executable, "-m", "uvicorn", "--port", "{port}", "--log-level", "warning"]
    for app, label in (("bare", "bare ASGI app"), ("hello", "bare FastAPI, a sync route")):
        with loopback.serving([*uvicorn, f"bench.reference_apps:{app}"], {}, root, "/readyz") as s:
            ran = _run(s, {}, _asker(targets, "/api/v1/screen-pop"), None)
            print(_served_row(f"{label} (reference)", ran))
    headers = {"Authorization": f"Bearer {token}"}
    for workers in LOOPBACK_WORKERS:
        # one worker: accueil serve as it runs by default (its idle switchboard too); more: with
        # the switchboard off, as --workers requires. Logs at info: a JSON line per request.
        env = {"ACCUEIL_DATABASE_URL": url, "ACCUEIL_LOG_LEVEL": "info"}
        if workers > 1:
            env["ACCUEIL_SWITCHBOARD"] = "false"
        serve = [sys.executable, "-m", "accueil", "serve", "--port", "{port}"]
        with loopback.serving([*serve, "--workers", str(workers)], env, root, "/readyz") as s:
            print(f"accueil serve --workers {workers}:")
            for name, path in (("screen pop", "/api/v1/screen-pop"), ("decide", "/api/v1/decide")):
                base = _in_process(operations[name][0], targets)
                ask = _asker(targets, path)
                closed = _run(s, headers, ask, None)
                pace = LOOPBACK_CLIENTS / max(1.0, closed.rate / 2)
                opened = _run(s, headers, ask, pace)
                print(f"  {name}: in-process {base.rps:.0f} req/s, {base.cpu:.2f} CPU ms")
                print(_served_row("    closed loop", closed, base))
                print(_served_row(f"    open, 1 per {pace:.1f} s", opened))
                ok = "met" if opened.load.percentile(0.99) < 50 else "NOT met"
                third = "met" if closed.rate >= base.rps / 3 else "NOT met"
                print(
                    f"    targets: p99 < 50 ms (open loop) {ok}; HTTP ≥ 1/3 of in-process "
                    f"{third}; load average {os.getloadavg()[0]:.1f}",
                    flush=True,
                )


@dataclass(frozen=True)
class Ran:
    """A loopback run: what the clients saw and what the server spent."""

    load: loopback.Load
    server_cpu: float

    @property
    def rate(self) -> float:
        return self.load.rate


def _run(s: loopback.Server, headers: dict[str, str], ask: loopback.Ask, pace: float | None) -> Ran:
    cpu = s.cpu()
    ran = asyncio.run(
        loopback.load(
            s.port, headers, ask, clients=LOOPBACK_CLIENTS, seconds=LOOPBACK_SECONDS, pace=pace
        )
    )
    return Ran(ran, s.cpu() - cpu)


def _asker(targets: list[Target], path: str) -> loopback.Ask:
    async def ask(c: loopback.Connection, i: int) -> int:
        t = targets[i % len(targets)]
        return await c.request("POST", path, {"to": t.e164, "caller": CALLER, "at": AT})

    return ask


def _served_row(name: str, ran: Ran, base: Figures | None = None) -> str:
    n = max(1, len(ran.load.latencies))
    server, client = ran.server_cpu / n * 1000, ran.load.client_cpu / n * 1000
    ratio = f"{ran.rate / base.rps:6.2f}" if base else "     -"
    failed = f"  ({ran.load.failed} failed)" if ran.load.failed else ""
    return (
        f"{name:<30} {ran.rate:7.0f} {ran.load.percentile(0.5):8.1f} "
        f"{ran.load.percentile(0.99):8.1f} {server:8.2f} {client:8.2f} {ratio}{failed}"
    )
