"""A telephony in another process, over a TCP socket: what carries the calls outlives the
switchboard's processes, as Kamailio does, so a standby that takes over finds the calls there.

``TelephonyServer`` puts any in-process telephony world (the simulated one, played by its
callers) behind a socket; ``RemoteTelephony`` is the port in the leading ``accueil serve``.
One JSON object a line. The client says ``{"hello": n}``: it has taken in the first ``n``
events (the switchboard's journal counts them), and the server sends every event after them,
numbered, then each as it happens; the client sends the port's requests (``{"do":
"ring_agent", "call": …, "agent": …}``). A newer connection replaces the older one, so the
events reach whoever leads now, from where the journal stopped: none lost, none twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, Protocol

from accueil.tasks import stopped
from accueil.telephony import port
from accueil.telephony.port import DeviceRing, Sink, TelephonyEvent

log = logging.getLogger(__name__)
_EVENTS: dict[str, type[TelephonyEvent]] = {
    cls.__name__: cls
    for cls in (
        port.InboundCall,
        port.Answered,
        port.NoAnswer,
        port.Busy,
        port.CallerHungUp,
        port.Ended,
    )
}


class World(Protocol):
    """The telephony the server puts on the socket (``MemoryTelephony`` and its kin)."""

    def attach(self, sink: Sink) -> None: ...
    def ring_agent(self, call: str, agent: str) -> None: ...
    def stop_ringing(self, call: str, agent: str) -> None: ...
    def ring_device(self, call: str, ring: DeviceRing) -> None: ...
    def bridge(self, call: str, agent: str) -> None: ...
    def transfer(self, call: str, address: str) -> None: ...
    def hang_up(self, call: str, reason: str) -> None: ...


def encode(event: TelephonyEvent) -> dict[str, Any]:
    return {"event": type(event).__name__, **asdict(event)}


def decode(raw: dict[str, Any]) -> TelephonyEvent:
    fields = {k: v for k, v in raw.items() if k not in ("event", "n")}
    return _EVENTS[raw["event"]](**fields)


class TelephonyServer:
    """Serves ``world`` to one switchboard at a time; every event kept and numbered."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.events: list[TelephonyEvent] = []
        self.connections = 0
        self._writer: asyncio.StreamWriter | None = None
        self._server: asyncio.Server | None = None
        world.attach(self._happened)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        self._server = await asyncio.start_server(self._serve, host, port)
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            if self._writer is not None:
                self._writer.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    def _happened(self, event: TelephonyEvent) -> None:
        self.events.append(event)
        self._send(len(self.events), event)

    def _send(self, n: int, event: TelephonyEvent) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(json.dumps({**encode(event), "n": n}).encode() + b"\n")

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            hello = json.loads(await reader.readline())
            if self._writer is not None:
                self._writer.close()  # the newest switchboard is the leader
            self._writer = writer
            self.connections += 1
            for n, event in enumerate(self.events[int(hello["hello"]) :], int(hello["hello"])):
                self._send(n + 1, event)
            while line := await reader.readline():
                self._do(json.loads(line))
        except (ConnectionError, ValueError, KeyError, asyncio.CancelledError):
            log.info("a switchboard's connection ended", exc_info=True)
        finally:
            if self._writer is writer:
                self._writer = None
            writer.close()

    def _do(self, request: dict[str, Any]) -> None:
        what, call = request["do"], request["call"]
        if what == "ring_device":
            ring = DeviceRing(request["device"], request["address"], float(request["timeout"]))
            self.world.ring_device(call, ring)
        elif what in ("ring_agent", "stop_ringing", "bridge"):
            getattr(self.world, what)(call, request["agent"])
        elif what == "transfer":
            self.world.transfer(call, request["address"])
        elif what == "hang_up":
            self.world.hang_up(call, request["reason"])


class RemoteTelephony:
    """The port on a ``TelephonyServer``; ``heard`` says how many events the switchboard has
    taken in already (from its journal), so the server resumes after them."""

    def __init__(self, host: str, port: int, heard: Callable[[], int] | None = None) -> None:
        self.host, self.port = host, port
        self.heard: Callable[[], int] = heard or (lambda: 0)
        self._sink: Sink | None = None
        self._received: int | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._pending: list[bytes] = []
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def at(cls, address: str) -> RemoteTelephony:
        host, _, port = address.rpartition(":")
        return cls(host or "127.0.0.1", int(port))

    # the player's side: ``Live`` starts and stops it with the switchboard

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="telephony")

    async def stop(self) -> None:
        if self._task is not None:
            await stopped(self._task)
        if self._writer is not None:
            self._writer.close()

    async def _run(self) -> None:
        while True:
            try:
                await self._connected()
            except (ConnectionError, OSError, ValueError):
                log.warning("telephony at %s:%s unreachable: retrying", self.host, self.port)
            self._writer = None
            await asyncio.sleep(0.2)

    async def _connected(self) -> None:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        if self._received is None:
            self._received = self.heard()
        writer.write(json.dumps({"hello": self._received}).encode() + b"\n")
        self._writer = writer
        for line in self._pending:
            writer.write(line)
        self._pending.clear()
        while line := await reader.readline():
            raw = json.loads(line)
            if int(raw["n"]) <= self._received:
                continue
            self._received = int(raw["n"])
            if self._sink is not None:
                self._sink(decode(raw))

    # the port

    def attach(self, sink: Sink) -> None:
        self._sink = sink

    def _ask(self, request: dict[str, Any]) -> None:
        line = json.dumps(request).encode() + b"\n"
        if self._writer is None or self._writer.is_closing():
            self._pending.append(line)  # sent once connected
        else:
            self._writer.write(line)

    def ring_agent(self, call: str, agent: str) -> None:
        self._ask({"do": "ring_agent", "call": call, "agent": agent})

    def stop_ringing(self, call: str, agent: str) -> None:
        self._ask({"do": "stop_ringing", "call": call, "agent": agent})

    def ring_device(self, call: str, ring: DeviceRing) -> None:
        self._ask({"do": "ring_device", "call": call, **asdict(ring)})

    def bridge(self, call: str, agent: str) -> None:
        self._ask({"do": "bridge", "call": call, "agent": agent})

    def transfer(self, call: str, address: str) -> None:
        self._ask({"do": "transfer", "call": call, "address": address})

    def hang_up(self, call: str, reason: str) -> None:
        self._ask({"do": "hang_up", "call": call, "reason": reason})
