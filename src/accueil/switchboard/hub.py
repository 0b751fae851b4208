"""Committed events fanned out to the live event streams (supervisors', employees').

The application calls ``on_event`` after each commit, and for each event the relay brings from
another process, from whatever thread that happens on; the hub
hands the event to the event loop, which pushes it to every subscriber that may see it through
that subscriber's bounded queue. Nothing here ever waits for a client: a subscriber whose queue
is full is closed, and reconnects with its last cursor (the outbox id) to read what it missed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from accueil.services.outbox import Envelope
from accueil.switchboard.stream import Connection


@dataclass(frozen=True)
class Subscriber:
    connection: Connection
    sees: Callable[[Envelope], bool]


class EventHub:
    """The subscribers of one process's event streams."""

    def __init__(self, queue_size: int = 256) -> None:
        self.queue_size = queue_size
        self._subscribers: list[Subscriber] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Deliver on the running loop from now on (events before are read by cursor)."""
        self._loop = asyncio.get_running_loop()

    def stop(self) -> None:
        self._loop = None
        for subscriber in self._subscribers:
            subscriber.connection.close("the server is stopping")
        self._subscribers.clear()

    def on_event(self, envelope: Envelope) -> None:
        """The application's subscriber: safe from any thread, never blocks."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._fan(envelope)
            return
        # the loop may have closed meanwhile (the server stopping): raising here would mark the
        # event unpublished for every subscriber, so say nothing
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._fan, envelope)

    def join(self, name: str, sees: Callable[[Envelope], bool]) -> Connection:
        """A new subscriber (``name`` says who, in logs and errors) for the events it sees."""
        connection = Connection(name, asyncio.Queue(self.queue_size))
        self._subscribers.append(Subscriber(connection, sees))
        return connection

    def leave(self, connection: Connection) -> None:
        self._subscribers = [s for s in self._subscribers if s.connection is not connection]
        connection.close("disconnected")

    def __len__(self) -> int:
        return len(self._subscribers)

    def _fan(self, envelope: Envelope) -> None:
        message = event_message(envelope)
        for subscriber in self._subscribers:
            if subscriber.sees(envelope):
                subscriber.connection.push(message)


def event_message(envelope: Envelope) -> dict[str, object]:
    """An event as the streams send it: its cursor (the outbox id), name, account, payload."""
    event = envelope.event
    return {
        "type": "event",
        "cursor": envelope.id,
        "name": event.name,
        "account": event.account,
        "payload": event.payload(),
    }
