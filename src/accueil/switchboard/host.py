"""The engine host's one step, shared by the live runner and the digital twin.

``EngineHost`` owns the sans-I/O routing ``Engine``: ``feed`` applies one event and hands each
command to the ``Carrier`` (the live switchboard, which rings softphones and pushes offers to
desks; or the twin's simulated agents and callers); ``advance_to`` fires the engine's deadlines
due by a time, one ``Tick`` at each deadline, in order. Whoever drives the host owns the time:
the asyncio ``LiveRunner`` on a clock, the twin on its discrete-event timeline. Both go through
this class, so the twin's figures measure the code that serves live calls.
"""

from __future__ import annotations

from typing import Protocol

from accueil.core.routing import events
from accueil.core.routing.engine import Engine


class Carrier(Protocol):
    """Carries out the engine's commands (offers, revocations, bridges, overflows, wrap-ups)."""

    def carry_out(self, at: float, command: events.Command) -> None: ...


class EngineHost:
    """One engine, fed in time order; its commands carried out as they come."""

    def __init__(self, engine: Engine, carrier: Carrier) -> None:
        self.engine = engine
        self.carrier = carrier
        self.events = 0  # events fed, ticks included
        self.ignored = 0  # events the engine refused as stale, duplicate or unknown

    def feed(self, event: events.Event) -> list[events.Command]:
        """Apply ``event`` (after the deadlines due by its time); carry out and return the
        commands. An ``Ignored`` command is counted and carried out like the others (a live
        switchboard tells the client who sent the event)."""
        self.events += 1
        commands = self.engine.handle(event)
        for command in commands:
            if isinstance(command, events.Ignored):
                self.ignored += 1
            self.carrier.carry_out(event.at, command)
        return commands

    def next_deadline(self) -> float | None:
        return self.engine.next_deadline()

    def tick(self, at: float) -> None:
        """Fire what is due at ``at`` (the time of one deadline)."""
        self.feed(events.Tick(at))

    def advance_to(self, now: float) -> None:
        """Fire every deadline due by ``now``, each at its own time."""
        while (deadline := self.engine.next_deadline()) is not None and deadline <= now:
            self.tick(deadline)
