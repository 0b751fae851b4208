"""The desks of connected agents: each agent's messages numbered by a monotonic cursor, kept in
a bounded buffer, and pushed to their live connection through a bounded queue.

``send`` never blocks the engine: a connection whose queue is full is closed (the client
reconnects and resumes from its last cursor); a reconnect replays what was missed.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from dataclasses import dataclass, field

from accueil.switchboard.desks import Message


@dataclass
class Connection:
    """One live socket of one agent: what to push, and whether the socket must close."""

    agent: str
    queue: asyncio.Queue[Message]
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    why: str = ""

    def close(self, why: str) -> None:
        self.why = self.why or why
        self.closed.set()

    def push(self, message: Message) -> None:
        if self.closed.is_set():
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:  # too far behind: drop it; it resumes by cursor
            self.close("too slow: reconnect with your last cursor")


@dataclass
class _Desk:
    cursor: int = 0
    kept: deque[Message] = field(default_factory=deque)
    connection: Connection | None = None
    # each kept message as JSON, made once as it is sent: a snapshot joins them (encoding
    # every kept message again at each snapshot was most of a snapshot's cost)
    texts: deque[str] = field(default_factory=deque)


class StreamDesks:
    """The ``Desks`` port for agents connected over a stream (the WebSocket)."""

    def __init__(self, keep: int = 1000, queue_size: int = 256) -> None:
        self.keep, self.queue_size = keep, queue_size
        self._desks: dict[str, _Desk] = {}

    def send(self, agent: str, message: Message) -> None:
        desk = self._desks.setdefault(agent, _Desk())
        desk.cursor += 1
        stamped = {**message, "cursor": desk.cursor}
        desk.kept.append(stamped)
        desk.texts.append(_text(stamped))
        while len(desk.kept) > self.keep:
            desk.kept.popleft()
            desk.texts.popleft()
        if desk.connection is not None:
            desk.connection.push(stamped)

    def export(self) -> dict[str, tuple[int, str]]:
        """Each agent's cursor and kept messages, as one JSON array (a snapshot's part;
        connections stay out)."""
        return {
            agent: (desk.cursor, "[" + ",".join(desk.texts) + "]")
            for agent, desk in self._desks.items()
        }

    def restore(self, saved: dict[str, tuple[int, str | list[Message]]]) -> None:
        """Take back what ``export`` gave (an older release's snapshot: the messages' list)."""
        for agent, (cursor, kept) in saved.items():
            desk = self._desks.setdefault(agent, _Desk())
            messages = json.loads(kept) if isinstance(kept, str) else list(kept)
            desk.cursor, desk.kept = cursor, deque(messages)
            desk.texts = deque(_text(m) for m in messages)

    def kept(self, agent: str) -> list[Message]:
        """The messages kept for ``agent`` (the last ``keep``), oldest first."""
        desk = self._desks.get(agent)
        return list(desk.kept) if desk else []

    def cursor(self, agent: str) -> int:
        desk = self._desks.get(agent)
        return desk.cursor if desk else 0

    def connect(
        self, agent: str, after: int | None = None
    ) -> tuple[Connection, list[Message], bool]:
        """A new connection for ``agent`` (an older one is closed), the messages after cursor
        ``after`` to replay on it, and whether that replay is whole (False: the client missed
        more than is kept, and must read the state afresh)."""
        desk = self._desks.setdefault(agent, _Desk())
        if desk.connection is not None:
            desk.connection.close("replaced by a newer connection")
        queue: asyncio.Queue[Message] = asyncio.Queue(self.queue_size)
        connection = Connection(agent, queue)
        desk.connection = connection
        if after is None:
            return connection, [], True
        oldest = desk.kept[0]["cursor"] if desk.kept else desk.cursor + 1
        missed = [m for m in desk.kept if m["cursor"] > after]
        return connection, missed, after >= oldest - 1

    def disconnect(self, connection: Connection) -> None:
        desk = self._desks.get(connection.agent)
        if desk is not None and desk.connection is connection:
            desk.connection = None
        connection.close("disconnected")

    def connected(self, agent: str) -> bool:
        desk = self._desks.get(agent)
        return desk is not None and desk.connection is not None

    def close_all(self, why: str) -> None:
        """Close every live connection (this process no longer leads: reconnect elsewhere)."""
        for desk in self._desks.values():
            if desk.connection is not None:
                desk.connection.close(why)


def _text(message: Message) -> str:
    """A message as JSON (a desk's messages are JSON-ready; anything else is said as text)."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False, default=str)
