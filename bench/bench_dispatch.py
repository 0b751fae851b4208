"""Message delivery through a real SMTP server on loopback: throughput and taken → delivered.

Workload: the directory of the message tests (two people by email) in a fresh database; an
aiosmtpd server on 127.0.0.1 that accepts everything, in a process of its own
(``bench/smtp_sink.py``), noting when it held each Message-ID.

1. Throughput: ``BACKLOG`` messages queued, then ``accueil dispatch --once`` (batch 100, 8
   sendings at once, connections kept open; on PostgreSQL also two such processes sharing the
   queue) drains them: messages per second from the server's first message to its last, and
   the CPU each message cost the dispatchers' processes and the SMTP server's. Baselines, in
   the same run against the same server, with no database at all, the same count over the
   same number of connections: a bare aiosmtplib loop composing each email with
   ``email.message.EmailMessage`` and ``send_message`` (what a script would do), and one
   sending bytes composed beforehand with ``sendmail`` (the SMTP exchange alone: the ceiling
   of any sender on this machine).
2. Delay: messages taken at ``RATE`` per second for ``SECONDS`` seconds (each in its own unit of
   work, from a thread) while the dispatcher runs (waking every ``IDLE`` s when idle); the delay
   from taken to the SMTP server holding it, p50 and p99.

SQLite always; PostgreSQL too when ``ACCUEIL_TEST_POSTGRES_URL`` is set, with one dispatcher and
with two sharing the queue (``FOR UPDATE SKIP LOCKED``; for the delay, two in one process).
Figures to read, not a pass/fail: on a shared machine the rates move with the load; the CPU
per message is what to compare (the machine's cores over it bound any rate).
"""

from __future__ import annotations

import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
from sqlalchemy import Engine, select, text

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "messages"))

from messages_helpers import DIRECTORY, new_message  # noqa: E402
from servers import free_port  # noqa: E402

from accueil.dispatch.dispatcher import Dispatcher  # noqa: E402
from accueil.dispatch.email import SmtpChannel, SmtpSettings  # noqa: E402
from accueil.services.messages import take_message  # noqa: E402
from accueil.services.onboarding import load_directory  # noqa: E402
from accueil.services.unit_of_work import Application  # noqa: E402
from accueil.store.db import make_engine, migrate  # noqa: E402
from accueil.store.tables_messages import MessageRow  # noqa: E402
from accueil.wallclock import WallClock  # noqa: E402

BACKLOG = 2000
RATE = 100
SECONDS = 10
IDLE = 0.25
CONCURRENCY = 8


class Sink:
    """The SMTP server's process, and when it held each Message-ID."""

    def cpu(self) -> float:
        """CPU seconds the server's process has used so far (Linux: /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __init__(self, folder: Path) -> None:
        self.port, self.file = free_port(), folder / "held.txt"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.smtp_sink", str(self.port), str(self.file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=HERE.parent,
        )
        assert self.process.stdout is not None
        self.process.stdout.readline()  # "ready"

    def held(self) -> dict[str, float]:
        found = {}
        for line in self.file.read_text(encoding="utf-8").splitlines():
            message_id, _, at = line.rpartition(" ")
            found.setdefault(message_id, float(at))
        return found

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(10)


def _fresh(url: str) -> tuple[Engine, Application]:
    engine = make_engine(url)
    migrate(engine)
    app = Application(engine, WallClock())
    with app.unit_of_work() as work:
        load_directory(work.session, DIRECTORY, source="bench", now=work.now)
    return engine, app


def _queue(app: Application, n: int) -> None:
    with app.unit_of_work() as work:
        for i in range(n):
            take_message(
                work.session, "martin", new_message(("claire", "paul")[i % 2]), now=work.now
            )


def _dispatchers(app: Application, port: int, count: int) -> list[Dispatcher]:
    return [
        Dispatcher(
            app,
            {"email": SmtpChannel(SmtpSettings(port=port, timeout=10))},
            worker=f"bench-{i}",
            batch=100,
            concurrency=CONCURRENCY,
        )
        for i in range(count)
    ]


@dataclass(frozen=True)
class Rate:
    per_second: float
    cpu_ms: float  # the sender's process, per message
    server_cpu_ms: float  # the SMTP server's process, per message

    def __str__(self) -> str:
        return (
            f"{self.per_second:5.0f} msg/s; CPU per message {self.cpu_ms:4.2f} ms here, "
            f"{self.server_cpu_ms:4.2f} ms in the server"
        )


def _timed(sink: Sink, work: Callable[[], None]) -> Rate:
    cpu, server, started = time.process_time(), sink.cpu(), time.perf_counter()
    work()
    took = time.perf_counter() - started
    per = 1000 / BACKLOG
    return Rate(BACKLOG / took, (time.process_time() - cpu) * per, (sink.cpu() - server) * per)


def throughput(url: str, sink: Sink, count: int) -> Rate:
    """``count`` processes of ``accueil dispatch --once`` drain the backlog, as deployed.

    The rate is the backlog over the time from the server's first message of it to its last
    (a process's start does not count); the CPU is the processes' (``RUSAGE_CHILDREN``) less
    what starting and stopping cost, measured by as many runs on an empty queue.
    """
    engine, app = _fresh(url)
    _queue(app, BACKLOG)
    with app.sessions() as session:
        ids = {f"<{uid}@accueil>" for uid in session.scalars(select(MessageRow.uid))}
    engine.dispose()
    env = {
        **os.environ,
        "ACCUEIL_DATABASE_URL": url,
        "ACCUEIL_SMTP_HOST": "127.0.0.1",
        "ACCUEIL_SMTP_PORT": str(sink.port),
        "ACCUEIL_DISPATCH_BATCH": "100",
        "ACCUEIL_DISPATCH_CONCURRENCY": str(CONCURRENCY),
    }

    def processes() -> tuple[float, float]:
        """Run ``count`` dispatchers to the end: their CPU seconds, the server's."""
        before, server = resource.getrusage(resource.RUSAGE_CHILDREN), sink.cpu()
        running = [
            subprocess.Popen(
                [sys.executable, "-m", "accueil", "dispatch", "--once", "--worker", f"b{i}"],
                env=env,
                stdout=subprocess.DEVNULL,
                cwd=HERE.parent,
            )
            for i in range(count)
        ]
        for process in running:
            if process.wait(600) != 0:
                raise SystemExit(f"accueil dispatch failed ({process.returncode})")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        return cpu, sink.cpu() - server

    cpu, server = processes()
    idle, _ = processes()  # the queue is empty now: starting and stopping only
    held = sink.held()
    times = sorted(held[i] for i in ids if i in held)
    if len(times) != len(ids):
        raise SystemExit(f"{len(ids) - len(times)} messages not held by the server")
    per = 1000 / BACKLOG
    return Rate(BACKLOG / (times[-1] - times[0]), (cpu - idle) * per, server * per)


def delay(url: str, sink: Sink, count: int) -> tuple[float, float, int]:
    engine, app = _fresh(url)
    taken: dict[str, float] = {}
    stop = asyncio.Event()

    def produce(loop: asyncio.AbstractEventLoop) -> None:
        period, start = 1 / RATE, time.perf_counter()
        for i in range(RATE * SECONDS):
            time.sleep(max(0.0, start + i * period - time.perf_counter()))
            with app.unit_of_work() as work:
                m = take_message(work.session, "martin", new_message("claire"), now=work.now)
            taken[m.message_id] = m.taken_at.timestamp()
        time.sleep(2 * IDLE + 1)
        loop.call_soon_threadsafe(stop.set)

    async def main() -> None:
        dispatchers = _dispatchers(app, sink.port, count)
        producer = threading.Thread(target=produce, args=(asyncio.get_running_loop(),))
        producer.start()
        await asyncio.gather(*(d.run(stop, idle=IDLE) for d in dispatchers))
        for d in dispatchers:
            await d.drain()
            await d.close()
        producer.join()

    asyncio.run(main())
    engine.dispose()
    held = sink.held()
    delays = sorted(held[i] - t for i, t in taken.items() if i in held)
    missing = len(taken) - len(delays)
    return _pct(delays, 50), _pct(delays, 99), missing


def baseline(sink: Sink, *, composed: bool) -> Rate:
    """A bare aiosmtplib loop: the same count, the same connections, no database.

    ``composed``: the bytes of each email made beforehand and sent with ``sendmail``; else
    each composed in the loop with ``EmailMessage`` and sent with ``send_message``.
    """

    def mail() -> EmailMessage:
        found = EmailMessage()
        found["From"], found["To"] = "bench@accueil.test", "claire@martin.example"
        found["Subject"], found["Message-ID"] = "bench", f"<{uuid.uuid4().hex}@bench>"
        found.set_content("Objet: Audience de jeudi\nRappeler: oui\n")
        found.add_alternative("<p>Objet: Audience de jeudi</p>", subtype="html")
        return found

    share = BACKLOG // CONCURRENCY
    ready = [[mail().as_bytes() for _ in range(share)] for _ in range(CONCURRENCY)]

    async def worker(mine: list[bytes]) -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=sink.port, timeout=10)
        await client.connect()
        for raw in mine:
            if composed:
                await client.sendmail("bench@accueil.test", ["claire@martin.example"], raw)
            else:
                await client.send_message(mail())
        await client.quit()

    async def main() -> None:
        await asyncio.gather(*(worker(mine) for mine in ready))

    return _timed(sink, lambda: asyncio.run(main()))


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def _postgres(base: str) -> tuple[str, Engine, str]:
    from sqlalchemy.engine import make_url

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), admin, schema


def run() -> None:
    print(
        f"workload: backlog {BACKLOG} emails drained; then {RATE}/s taken for {SECONDS}s; "
        f"batch 100, {CONCURRENCY} sendings at once per dispatcher, idle wake-up {IDLE}s; "
        f"aiosmtpd on 127.0.0.1 in a process of its own",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        sink = Sink(Path(tmp))
        script = baseline(sink, composed=False)
        bare = baseline(sink, composed=True)
        print(f"  bare aiosmtplib loop, {CONCURRENCY} connections, no database:")
        print(f"    composing each (EmailMessage, send_message)  {script}")
        print(f"    bytes composed beforehand (sendmail)         {bare}", flush=True)
        counter = iter(range(1000))

        def sqlite() -> str:
            return f"sqlite:///{Path(tmp) / f'bench{next(counter)}.db'}"

        runs: list[tuple[str, Callable[[], str], int]] = [("SQLite", sqlite, 1)]
        pg = os.environ.get("ACCUEIL_TEST_POSTGRES_URL", "")
        cleanup: list[tuple[Engine, str]] = []

        def postgres() -> str:
            url, admin, schema = _postgres(pg)
            cleanup.append((admin, schema))
            return url

        if pg:
            runs += [("PostgreSQL, 1 dispatcher", postgres, 1)]
            runs += [("PostgreSQL, 2 dispatchers", postgres, 2)]
        for name, fresh, count in runs:
            rate = throughput(fresh(), sink, count)
            p50, p99, missing = delay(fresh(), sink, count)
            print(
                f"  {name:26} {rate} ({rate.per_second / bare.per_second:4.0%} of the bare "
                f"loop's rate)\n  {'':26} taken → held at {RATE}/s: p50 {p50 * 1000:5.0f} ms, "
                f"p99 {p99 * 1000:5.0f} ms" + (f"; {missing} not held" if missing else ""),
                flush=True,
            )
        sink.stop()
        for admin, schema in cleanup:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    print("targets (issue 14): >= 200 msg/s on SQLite, p99 < 2 s")
