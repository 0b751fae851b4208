"""SIP through Kamailio: calls per second with every call decided and routed by the switchboard
(SIPp callers on the trunk, SIPp playing the secretaries' registered softphones), side by side
with Kamailio relaying the same calls statically (no accueil; it goes on to higher rates, to
find its own limit), and the in-memory telephony in the same process (the switchboard's own
pace, no SIP).

Figures: for each rate, the calls that failed; the highest rate with none failed; the call setup
time (INVITE to 200, SIPp's round-trip timer) p50/p99 and the added latency p50/p99 (less the
static relay's setup p50 at the same rate); accueil's decision time (Kamailio's question to
its answer, over evapi) p50/p99; the CPU time accueil's process spent per call set up (all its
threads: the figure that bounds the rate on a given machine, where latencies also measure how
busy the machine is), and how much of it the event loop's thread spent (the engine's task and
evapi: one thread, whatever the cores) against the other threads (decisions, screen pops, call
records); the load average before and after.
Through accueil, 40 calls at 10 calls/s warm it up first (not counted); the switchboard
journals every input as ``accueil serve`` does.
Bounded: each rate runs ``SECONDS`` seconds, every SIPp run under ``timeout``.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import dataclasses
import os
import resource
import socket
import tempfile
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from accueil.core.routing.config import EngineConfig
from accueil.services.callers import set_rota
from accueil.services.onboarding import load_directory
from accueil.services.script_layers import Owner
from accueil.services.scripts import save_script
from accueil.services.unit_of_work import Application
from accueil.sip import scenarios
from accueil.sip.config import SipSettings
from accueil.sip.kamailio import Kamailio, binary, free_port, port_free
from accueil.sip.telephony import SipTelephony
from accueil.store.db import make_engine, migrate
from accueil.switchboard.board import Switchboard
from accueil.switchboard.clock import SimulatedClock
from accueil.switchboard.desks import MemoryDesks
from accueil.switchboard.journal import Journal
from accueil.switchboard.leader import Leadership
from accueil.switchboard.stream import StreamDesks
from accueil.telephony.memory import MemoryTelephony

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RATES = (10, 25, 50, 100, 150, 200)  # calls per second, through the static relay and accueil
# the static relay goes on to these, to find its own limit (the target is half of it)
RELAY_RATES = (400, 800, 1200, 1600)
SECONDS = 4
AGENTS = 40
DOMAIN = "accueil.test"
CLAIRE, CALLER = "+33140000001", "+33612345678"
MONDAY_10 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CONFIG = EngineConfig(wrapup_seconds=0.0, offer_timeout=15.0)
_TICK = os.sysconf("SC_CLK_TCK")
# SIP_WORKERS=2: accueil's calls decided in that many worker processes (off by default, as
# `accueil serve`'s ACCUEIL_SWITCHBOARD_DECISION_WORKERS)
WORKERS = int(os.environ.get("SIP_WORKERS", "0"))
# BENCH_PORTS=22000-22999: the ports this run may take (a machine shared by several people);
# unset, any free port the system hands out
_PORTS = os.environ.get("BENCH_PORTS", "")
_TAKEN: set[int] = set()


def _port(kind: int = socket.SOCK_DGRAM, *, media: bool = False) -> int:
    """A port free now (UDP, or TCP for ``kind``), in ``BENCH_PORTS`` when set, never one
    handed out before in this process. ``media``: for SIPp's ``-mp N``, which binds ``N`` and
    ``N + 2`` (its video RTP socket): both free, both kept. Handing out ``N + 2`` again made a
    SIPp started next (a softphone's registration) take it before the softphones' SIPp had
    bound it; the softphones' SIPp then exited at once ("Unable to bind video RTP socket")
    and every call rang a softphone that was not there (docs/telephony.md, "The stall")."""
    if _PORTS:
        first, last = (int(p) for p in _PORTS.split("-"))
        candidates: Iterable[int] = range(first, last + 1 - (2 if media else 0))
    else:
        candidates = (free_port(kind=kind) for _ in range(100))
    for port in candidates:
        ports = (port, port + 2) if media else (port,)
        if all(p not in _TAKEN and port_free("127.0.0.1", p, kind) for p in ports):
            _TAKEN.update(ports)
            return port
    raise RuntimeError(f"no free port left in BENCH_PORTS={_PORTS}")


@dataclasses.dataclass(frozen=True)
class _Cpu:
    """CPU seconds spent so far: accueil's process (all threads, and the event loop's thread),
    Kamailio's processes, the SIPp softphones (UAS), the SIPp callers that ended (this
    process's waited-for children), the whole machine (every process, anyone's), and
    accueil's decision workers (``SIP_WORKERS``)."""

    accueil: float
    loop: float
    kamailio: float
    softphones: float
    callers: float
    machine: float
    workers: float = 0.0

    @staticmethod
    def now(kamailio: int, softphones: int, workers: Sequence[int] = ()) -> _Cpu:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        with open("/proc/stat", encoding="ascii") as stat:
            jiffies = stat.readline().split()[1:]
        busy = sum(int(j) for j in jiffies) - int(jiffies[3]) - int(jiffies[4])  # idle, iowait
        return _Cpu(
            time.process_time(), time.thread_time(), _group_cpu(kamailio),
            _group_cpu(softphones), children.ru_utime + children.ru_stime, busy / _TICK,
            sum(_process_cpu(pid) for pid in workers),
        )  # fmt: skip

    def __sub__(self, other: _Cpu) -> _Cpu:
        pairs = zip(dataclasses.astuple(self), dataclasses.astuple(other), strict=True)
        return _Cpu(*(a - b for a, b in pairs))


def _group_cpu(group: int) -> float:
    """CPU seconds of the live processes of process group ``group`` (Linux's /proc)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if group and int(fields[2]) == group:  # pgrp; utime, stime in clock ticks
            total += (int(fields[11]) + int(fields[12])) / _TICK
    return total


def _process_cpu(pid: int) -> float:
    """CPU seconds of process ``pid`` (0 once it ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


# each pass and rate: the CPU spent during the rate's round, and the calls set up
CPU_SPENT: dict[tuple[str, int], tuple[_Cpu, int]] = {}


def _agents() -> list[str]:
    return [f"agent{i:02d}" for i in range(AGENTS)]


def _seed(url: str) -> None:
    directory = yaml.safe_load((EXAMPLES / "clients.yaml").read_text(encoding="utf-8"))
    directory["agents"] = [
        {"key": a, "name": f"Agent {a}", "site": "paris", "languages": ["fr"]} for a in _agents()
    ]
    script = (EXAMPLES / "scripts" / "cabinet-martin.yaml").read_text(encoding="utf-8")
    engine = make_engine(url)
    migrate(engine)
    app = Application(engine, SimulatedClock(MONDAY_10))
    with app.unit_of_work() as work:
        load_directory(work.session, directory, now=work.now, source="bench")
        rota = yaml.safe_load((EXAMPLES / "rota.yaml").read_text(encoding="utf-8"))
        set_rota(work.session, "martin", rota, now=work.now)
        save_script(work.session, "martin", Owner("account"), script, now=work.now)
    engine.dispose()


class _Clock:
    """Real seconds on a time line that starts on a Monday at 10:00 in Paris."""

    def __init__(self) -> None:
        self._zero = time.monotonic()

    def seconds(self) -> float:
        return time.monotonic() - self._zero

    def now(self) -> datetime:
        return MONDAY_10 + timedelta(seconds=self.seconds())

    async def sleep_until(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds - self.seconds()))


async def _sipp(folder: Path, name: str, xml: str, target: str, *args: str, seconds: float):
    path = folder / f"{name}.xml"
    path.write_text(xml, encoding="utf-8")
    command = [
        "timeout", "-k", "2", f"{seconds:g}", "sipp", target, "-sf", str(path), "-i",
        "127.0.0.1", "-nostdin", "-mp", str(_port(media=True)), *args,
    ]  # fmt: skip
    return await asyncio.create_subprocess_exec(
        *command, cwd=folder, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL, stdin=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


def _rtts(folder: Path) -> list[float]:
    found: list[float] = []
    for path in folder.glob("caller*_rtt.csv"):
        with path.open(newline="") as handle:
            for row in csv.DictReader(handle, delimiter=";"):
                value = row.get("response_time_ms") or ""
                if value:
                    found.append(float(value))
        path.unlink()
    return found


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _round(
    folder: Path, target: str, caller_port: int, rate: int
) -> tuple[int, int, list[float]]:
    calls = rate * SECONDS
    xml = scenarios.caller(CALLER, CLAIRE, DOMAIN, talk_ms=0, timed=True)
    process = await _sipp(
        folder, f"caller{rate}", xml, target, "-p", str(caller_port), "-r", str(rate),
        "-m", str(calls), "-l", str(rate * 5), "-trace_rtt", "-rtt_freq", "1",
        "-timeout", f"{SECONDS + 10}s", "-trace_stat", "-fd", "1",
        seconds=SECONDS + 15,
    )  # fmt: skip
    await process.wait()
    failed, ok = _stat(folder, f"caller{rate}")
    return ok, failed, _rtts(folder)


def _stat(folder: Path, name: str) -> tuple[int, int]:
    files = sorted(folder.glob(f"{name}_*_.csv"))
    if not files:
        return -1, -1
    with files[-1].open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    last = rows[-1]
    for path in files:
        path.unlink()
    return int(last["FailedCall(C)"]), int(last["SuccessfulCall(C)"])


async def _register(folder: Path, kamailio: Kamailio, contact_port: int) -> int:
    target = f"{kamailio.settings.host}:{kamailio.settings.port}"
    done = 0
    for agent in _agents():
        xml = scenarios.register(agent, DOMAIN, contact_port, expires=600)
        process = await _sipp(
            folder, "register", xml, target, "-m", "1", "-p", str(_port()), "-au", agent,
            "-ap", f"{agent}-secret", seconds=10,
        )  # fmt: skip
        done += (await process.wait()) == 0
    return done


async def _bound(uas: asyncio.subprocess.Process, port: int, within: float = 10.0) -> None:
    """Wait until the softphones' SIPp listens on ``port`` (the contact every registration
    names), before anything registers or calls."""
    deadline = time.monotonic() + within
    while port_free("127.0.0.1", port):
        _alive(uas, 0)
        if time.monotonic() > deadline:
            raise RuntimeError(f"the softphones' SIPp did not bind port {port} in {within:g} s")
        await asyncio.sleep(0.02)


def _alive(uas: asyncio.subprocess.Process, done: int) -> None:
    """The softphones' SIPp must outlive every round: without it each call rings a contact
    nobody listens on until the offer lapses, and the figures measure nothing."""
    if uas.returncode is not None:
        raise RuntimeError(
            f"the softphones' SIPp exited (code {uas.returncode}) after {done} registrations "
            "or calls: its ports (-p, -mp and -mp + 2) must be its own"
        )


async def _through(
    folder: Path, settings: SipSettings, caller_port: int, uas_port: int, board_url: str,
    rates: tuple[int, ...] = RATES, *, journaled: bool = True,
) -> dict[int, tuple[int, int, list[float]]]:  # fmt: skip
    """Each rate through one Kamailio; with accueil deciding when ``board_url`` is given
    (``journaled``: its switchboard journals its inputs, as ``accueil serve``'s does)."""
    kamailio = Kamailio(settings, folder / "kamailio")
    kamailio.start()
    target = f"{settings.host}:{settings.port}"
    uas = await _sipp(
        folder, "agents", scenarios.callee("answer", ring_ms=0), target, "-p", str(uas_port),
        seconds=len(rates) * (SECONDS + 20) + 60,
    )  # fmt: skip
    board = telephony = None
    try:
        await _bound(uas, uas_port)
        if board_url:
            registered = await _register(folder, kamailio, uas_port)
            print(f"  {registered} of {AGENTS} softphones registered with their digest")
            _alive(uas, registered)
            clock = _Clock()
            engine = make_engine(board_url)
            app = Application(engine, clock)
            telephony = SipTelephony(settings.evapi_host, settings.evapi_port, domain=DOMAIN)
            # the desks as `accueil serve`'s (each agent's last 1,000 messages kept, in its
            # snapshots)
            board = Switchboard(
                app, clock, telephony, StreamDesks(), config=CONFIG, decision_workers=WORKERS
            )
            # journaled as `accueil serve` journals (a term begun, every input appended before
            # it applies, a snapshot every 1,000 inputs): its cost is part of every call's
            if journaled:
                term = Leadership(engine, "ws://bench").begin_term(clock.now(), 1.0).number
                board.journal = Journal(engine, term)
            await board.start()
            await telephony.start()
            for agent in _agents():
                await board.login(agent)
                await board.ready(agent)
            # warm-up, not counted: the first calls fill the kept slices and start the threads
            await _round(folder, target, caller_port, 10)
            telephony.decision_seconds.clear()
        results = {}
        main = int(kamailio.pidfile.read_text(encoding="ascii").strip())  # its process group
        for rate in rates:
            # this process: accueil's switchboard (the bench only waits for SIPp meanwhile);
            # this thread is the event loop's (the engine's task, evapi), the others decide,
            # make the pops and write the records
            workers = board.deciders.pids() if board and board.deciders else []
            before = _Cpu.now(main, uas.pid, workers)  # SIPp runs under `timeout`, its own group
            results[rate] = await _round(folder, target, caller_port, rate)
            _alive(uas, results[rate][0])
            await asyncio.sleep(1.0)  # the last calls' wrap-ups end
            name = ("accueil" if journaled else "bare") if board_url else "static"
            spent = _Cpu.now(main, uas.pid, workers) - before
            CPU_SPENT[name, rate] = (spent, results[rate][0])
            if telephony is not None:  # accueil's decisions during this round, in ms
                decided = [d * 1000 for d in telephony.decision_seconds]
                telephony.decision_seconds.clear()
                results[-rate] = (len(decided), 0, decided)
        return results
    finally:
        if telephony is not None:
            await telephony.stop()
        if board is not None:
            await board.stop()
        with contextlib.suppress(ProcessLookupError):  # it may have ended on its own
            uas.terminate()
        await uas.wait()
        kamailio.stop()


async def _in_memory(url: str, calls: int) -> tuple[float, list[float]]:
    """The same calls through the switchboard with the in-memory telephony: no SIP, no sleep."""
    clock = SimulatedClock(MONDAY_10)
    engine = make_engine(url)
    telephony = MemoryTelephony()
    board = Switchboard(Application(engine, clock), clock, telephony, MemoryDesks(), config=CONFIG)
    # one call at a time, each settled: records written at once, as before they were gathered
    board.records.gather_seconds = 0.0
    await board.start()
    for agent in _agents():
        await board.login(agent)
        await board.ready(agent)
    decided: list[float] = []
    started = time.perf_counter()
    for i in range(calls):
        call = f"m{i}"
        asked = time.perf_counter()
        telephony.inbound(call, CALLER, CLAIRE)
        await board.runner.settle()
        decided.append((time.perf_counter() - asked) * 1000)
        agent = next(d for what, d in telephony.requests(call) if what == "ring_agent")
        telephony.answer(call, agent)
        await board.runner.settle()
        telephony.caller_hangs_up(call)
        clock.advance(0.01)
        await board.runner.settle()
    took = time.perf_counter() - started
    await board.stop()
    engine.dispose()
    return calls / took, decided


def _report(
    name: str, results: dict[int, tuple[int, int, list[float]]], base: dict[int, float]
) -> tuple[int, dict[int, float]]:
    """Each rate's line; the highest rate with every call set up (and, through accueil, the
    added setup p99 under 50 ms: its setup p99 less the static relay's p50 at that rate, the
    issue's target); each rate's setup p50."""
    best, p50s = 0, {}
    for rate in sorted(r for r in results if r > 0):
        ok, failed, rtts = results[rate]
        p50s[rate] = _pct(rtts, 0.5)
        line = (
            f"  {name:<8} {rate:>4} calls/s x {SECONDS} s: {ok:>4} ok, {failed:>3} failed; "
            f"setup p50 {p50s[rate]:5.0f} ms, p99 {_pct(rtts, 0.99):5.0f} ms"
        )
        held = failed == 0 and ok == rate * SECONDS
        if -rate in results:
            decided = results[-rate][2]
            relay = base.get(rate, float("nan"))
            added = (p50s[rate] - relay, _pct(rtts, 0.99) - relay)
            line += (
                f" (added p50 {added[0]:+.0f} ms, p99 {added[1]:+.0f} ms); decision over evapi "
                f"p50 {_pct(decided, 0.5):.1f} ms, p99 {_pct(decided, 0.99):.1f} ms"
            )
            held = held and added[1] < 50
        print(line)
        if (name, rate) in CPU_SPENT:
            print(_cpu_line(*CPU_SPENT[name, rate]))
        if held:
            best = rate
    return best, p50s


def _cpu_line(spent: _Cpu, calls: int) -> str:
    """CPU ms a call set up, by process: what bounds the rate on a 2-core machine."""
    if calls <= 0:
        return "           CPU a call: no call set up"
    ms = {k: v * 1000 / calls for k, v in dataclasses.asdict(spent).items()}
    ours = ms["accueil"] + ms["workers"] + ms["kamailio"] + ms["softphones"] + ms["callers"]
    line = "           CPU ms a call:"
    if ms["accueil"] > 0.05:
        line += (
            f" accueil {ms['accueil']:.2f} (event loop: engine, evapi {ms['loop']:.2f}; "
            f"threads: decisions, pops, records, journal {ms['accueil'] - ms['loop']:.2f}),"
        )
    if ms["workers"] > 0.0:
        line += f" decision workers {ms['workers']:.2f},"
    return line + (
        f" Kamailio {ms['kamailio']:.2f}, SIPp callers {ms['callers']:.2f}, SIPp softphones "
        f"{ms['softphones']:.2f}; the machine {ms['machine']:.2f} (others "
        f"{ms['machine'] - ours:.2f})"
    )


async def _main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-sip-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'accueil.db'}"
        _seed(url)
        print(
            f"workload: SIPp callers on the trunk at {', '.join(map(str, RATES))} calls/s, "
            f"{SECONDS} s each, INVITE → 200 → ACK → BYE; {AGENTS} secretaries' softphones "
            "(one SIPp UAS, answering at once), Cabinet Martin from examples/, SQLite, "
            "wrap-up 0 s; accueil: the switchboard journaling every input as accueil serve "
            "does; bare: the same switchboard without its journal"
        )
        print(f"  load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        rate, decided = await _in_memory(url, 300)
        print(
            f"  in-memory telephony (same switchboard, no SIP): {rate:,.0f} calls/s, decision "
            f"p50 {_pct(decided, 0.5):.2f} ms, p99 {_pct(decided, 0.99):.2f} ms"
        )
        caller_port, uas_port = _port(), _port()
        base = SipSettings(
            port=_port(), evapi_port=_port(socket.SOCK_STREAM), domain=DOMAIN, children=4,
            accounts={a: f"{a}-secret" for a in _agents()},
            trunks=(f"127.0.0.1:{caller_port}",),
        )  # fmt: skip
        static = dataclasses.replace(base, static_route=f"sip:agent@127.0.0.1:{uas_port}")
        relayed = await _through(
            folder / "static", static, caller_port, uas_port, "", RATES + RELAY_RATES
        )
        decided_results = await _through(folder / "accueil", base, caller_port, uas_port, url)
        bare_results = await _through(
            folder / "bare", base, caller_port, uas_port, url, journaled=False
        )
        s_best, s_p50s = _report("static", relayed, {})
        a_best, _ = _report("accueil", decided_results, s_p50s)
        b_best, _ = _report("bare", bare_results, s_p50s)
        print(f"  load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        failing = [r for r in RATES + RELAY_RATES if relayed[r][1] != 0]
        print(
            f"  highest rate with 0 failed: static relay {s_best} calls/s (of "
            f"{max(RATES + RELAY_RATES)} tried; first rate with a failed call: "
            f"{failing[0] if failing else 'none'}); accueil {a_best} calls/s (bare: {b_best}) "
            "with 0 failed and "
            f"added setup p99 < 50 ms (target: at least half the static relay's)"
        )


def run() -> None:
    import shutil

    if not binary() or not shutil.which("sipp"):
        print("skipped: Kamailio or SIPp is not installed (bash .ci/sip-tools installs them)")
        return
    asyncio.run(_main())
