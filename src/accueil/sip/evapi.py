"""accueil's end of Kamailio's evapi socket: asyncio TCP, netstrings, JSON both ways.

The link connects, hands every message from Kamailio to ``on_message`` (one dict each, in
order), and reconnects after a lost connection. While it is down Kamailio answers new calls with
503 at once (it counts its evapi clients), so a call never hangs on a missing accueil.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections.abc import Callable
from typing import Any

from accueil.sip.netstring import Decoder, NetstringError, encode
from accueil.tasks import stopped

log = logging.getLogger(__name__)
Message = dict[str, Any]


class EvapiLink:
    """A reconnecting evapi client."""

    def __init__(
        self,
        host: str,
        port: int,
        on_message: Callable[[Message], None],
        *,
        retry_seconds: float = 0.2,
    ) -> None:
        self.host, self.port, self.on_message = host, port, on_message
        self.retry_seconds = retry_seconds
        self.on_connect: Callable[[], None] = lambda: None  # each (re)connection, first thing
        self.connected = asyncio.Event()
        self.connections = 0  # how many times it (re)connected
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="evapi")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            await stopped(task)
        self._drop()

    def send(self, message: Message) -> bool:
        """Send ``message`` to Kamailio; False (logged) while the link is down."""
        if self._writer is None or self._writer.is_closing():
            log.warning("evapi link down: %s not sent", message.get("do"))
            return False
        self._writer.write(encode(json.dumps(message, separators=(",", ":")).encode()))
        return True

    async def _run(self) -> None:
        while True:
            try:
                reader, self._writer = await asyncio.open_connection(self.host, self.port)
            except OSError as exc:
                log.debug("evapi %s:%s not reachable: %s", self.host, self.port, exc)
                await asyncio.sleep(self.retry_seconds)
                continue
            self.connections += 1
            self.connected.set()
            self.on_connect()
            try:
                await self._read(reader, self._writer.get_extra_info("socket"))
            except (OSError, NetstringError) as exc:
                log.warning("evapi link lost: %s", exc)
            finally:
                self._drop()
            await asyncio.sleep(self.retry_seconds)

    async def _read(self, reader: asyncio.StreamReader, sock: socket.socket | None) -> None:
        decoder = Decoder()
        while data := await reader.read(65536):
            _ack_now(sock)
            for payload in decoder.feed(data):
                try:
                    message = json.loads(payload)
                except ValueError:
                    log.warning(
                        "evapi: a message that is not JSON ignored (%d bytes)", len(payload)
                    )
                    continue
                if isinstance(message, dict):
                    self.on_message(message)
        log.warning("evapi link closed by Kamailio")

    def _drop(self) -> None:
        self.connected.clear()
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()


def _ack_now(sock: socket.socket | None) -> None:
    """Acknowledge what was read at once (TCP_QUICKACK, Linux), not after the delayed-ACK
    timer (about 40 ms). Kamailio's evapi socket keeps Nagle's algorithm on (5.6 has no
    setting to turn it off): while one of its events is not acknowledged, the next ones wait
    in its buffer. accueil answers a call only after its decision, too late to carry the ACK,
    so without this every event sent while one was in flight waited for the timer (measured
    with tshark on loopback: events released 20 µs after accueil's delayed ACK, 40-60 ms
    late, up to 14 in one segment). Linux leaves quick-ACK mode by itself: set after every
    read."""
    if sock is not None and hasattr(socket, "TCP_QUICKACK"):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
