"""HTTP over real sockets for the benchmarks: a server process on a loopback port, and many
asyncio clients with one keep-alive connection each, in a closed or an open loop.

The client is a small HTTP/1.1 writer and reader on asyncio streams, not httpx. On a 2-CPU
machine the client shares the cores with the server it measures, and httpx spends about 1.5 ms
of CPU per request: with 200 clients it, not the server, set the rate (a bare ASGI app answered
no faster than accueil). This one spends about a tenth of a millisecond. It speaks what the
benchmarks need: a JSON body or none, an answer with a Content-Length.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
IDLE = 4.0  # seconds a connection may stay unused before it is opened again


class Connection:
    """One keep-alive connection, one request at a time."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        fixed = {"Host": f"{HOST}:{port}", **headers}
        self.port, self._head = port, "".join(f"{k}: {v}\r\n" for k, v in fixed.items()).encode()
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self._used = 0.0

    async def request(self, method: str, path: str, body: object | None = None) -> int:
        """The answer's status (its body is read and dropped). Connects again after a failure,
        or after ``IDLE`` seconds unused: uvicorn closes an idle connection after 5 s, and a
        request sent as it does so would fail (httpx drops its idle connections the same way)."""
        idle = time.perf_counter() - self._used > IDLE
        if self._streams is not None and (idle or self._streams[0].at_eof()):
            self.close()
        if self._streams is None:
            self._streams = await asyncio.open_connection(HOST, self.port)
        reader, writer = self._streams
        payload = b"" if body is None else json.dumps(body).encode()
        kind = b"Content-Type: application/json\r\n" if body is not None else b""
        length = f"Content-Length: {len(payload)}\r\n\r\n".encode()
        writer.write(
            f"{method} {path} HTTP/1.1\r\n".encode() + self._head + kind + length + payload
        )
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            size = next(int(h[15:]) for h in lines if h[:15].lower() == b"content-length:")
            await reader.readexactly(size)
        except BaseException:
            self.close()
            raise
        self._used = time.perf_counter()
        return int(lines[0].split(b" ", 2)[1])

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


@dataclass(frozen=True)
class Load:
    """What the clients saw: each request's latency, the failures, and what it cost them."""

    latencies: list[float]
    failed: int
    seconds: float
    client_cpu: float  # this process's CPU seconds over the run

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000


Ask = Callable[[Connection, int], Awaitable[int]]  # the i-th request of a client: its status


async def load(
    port: int,
    headers: dict[str, str],
    ask: Ask,
    *,
    clients: int,
    seconds: float,
    pace: float | None = None,
) -> Load:
    """``clients`` clients asking for ``seconds``. ``pace``: seconds between one client's
    requests (an open loop, the first requests spread over one pace); None: each asks again as
    soon as it is answered (a closed loop: the server's capacity)."""
    latencies: list[float] = []
    failed = 0
    rng = random.Random(5)
    end = time.perf_counter() + seconds

    async def client(n: int) -> None:
        nonlocal failed
        connection, i = Connection(port, headers), n
        if pace is not None:
            await asyncio.sleep(rng.uniform(0, pace))
        while (started := time.perf_counter()) < end:
            try:
                status = await ask(connection, i)
            except (OSError, asyncio.IncompleteReadError, StopIteration, ValueError):
                status = 0  # a refused or dropped connection, a broken answer: a failure
            latencies.append(time.perf_counter() - started)
            failed += status != 200
            i += clients
            if pace is not None:
                await asyncio.sleep(max(0.0, pace - (time.perf_counter() - started)))
        connection.close()

    cpu, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    return Load(latencies, failed, time.perf_counter() - started, time.process_time() - cpu)


@dataclass(frozen=True)
class Server:
    """A server process (and its workers) on a loopback port."""

    process: subprocess.Popen[bytes]
    port: int

    def cpu(self) -> float:
        """User + system CPU seconds of the server and its worker processes (Linux /proc)."""
        return sum(_cpu_seconds(pid) for pid in [self.process.pid, *_children(self.process.pid)])


@contextmanager
def serving(command: list[str], env: dict[str, str], cwd: Path, ready: str) -> Iterator[Server]:
    """``command`` (with ``{port}`` in it) started on a free port; yields once ``GET ready``
    answers 200; stopped after."""
    port = free_port()
    process = subprocess.Popen(
        [part.format(port=port) for part in command],
        env={**os.environ, **env},
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        asyncio.run(_ready(process, port, ready))
        yield Server(process, port)
    finally:
        process.terminate()
        process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


async def _ready(process: subprocess.Popen[bytes], port: int, path: str) -> None:
    deadline = time.perf_counter() + 90
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited ({process.returncode})")
        connection = Connection(port, {})
        try:
            if await connection.request("GET", path) == 200:
                return
        except (OSError, asyncio.IncompleteReadError, StopIteration):
            pass  # not listening yet
        finally:
            connection.close()
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{process.args!r} did not answer within 90 s")


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:  # a worker gone
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (uvicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found
