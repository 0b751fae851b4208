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
from collections.abc import Callable
from typing import Any

from accueil.sip.netstring import Decoder, NetstringError, encode

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
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
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
            try:
                await self._read(reader)
            except (OSError, NetstringError) as exc:
                log.warning("evapi link lost: %s", exc)
            finally:
                self._drop()
            await asyncio.sleep(self.retry_seconds)

    async def _read(self, reader: asyncio.StreamReader) -> None:
        decoder = Decoder()
        while data := await reader.read(65536):
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
