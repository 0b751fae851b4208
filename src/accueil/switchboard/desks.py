"""The agents' desks: where the switchboard pushes offers, screen pops, revocations, wrap-ups.

A desk is addressed by agent key and takes JSON-ready messages (a ``type`` and its fields); the
WebSocket stream is one implementation, ``MemoryDesks`` (every message kept, per agent) the
working fake of the tests. Sending never blocks the engine: a desk that cannot keep up drops
its client, which resumes by cursor.
"""

from __future__ import annotations

from typing import Any, Protocol

Message = dict[str, Any]


class Desks(Protocol):
    def send(self, agent: str, message: Message) -> None:
        """Push ``message`` to the agent's desk (nothing happens if nobody is connected)."""
        ...

    def export(self) -> Any:
        """What a snapshot keeps of the desks (picklable; no connection)."""
        ...

    def restore(self, saved: Any) -> None:
        """Take back what ``export`` gave (a standby taking over)."""
        ...


class MemoryDesks:
    """Every message pushed, per agent, in order."""

    def __init__(self) -> None:
        self.sent: dict[str, list[Message]] = {}

    def send(self, agent: str, message: Message) -> None:
        self.sent.setdefault(agent, []).append(message)

    def export(self) -> Any:
        return {agent: list(sent) for agent, sent in self.sent.items()}

    def restore(self, saved: Any) -> None:
        self.sent = {agent: list(sent) for agent, sent in saved.items()}

    def of(self, agent: str, kind: str | None = None) -> list[Message]:
        """What ``agent``'s desk received (of one ``type`` when given)."""
        got = self.sent.get(agent, [])
        return [m for m in got if kind is None or m["type"] == kind]

    def last(self, agent: str, kind: str) -> Message:
        found = self.of(agent, kind)
        if not found:
            raise AssertionError(f"{agent}'s desk got no {kind!r}; got {self.of(agent)}")
        return found[-1]
