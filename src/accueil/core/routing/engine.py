"""The routing engine: one global, event-driven matcher over the whole pool and all accounts.

Sans-I/O, like aioquic: ``handle(event)`` applies one timestamped event and returns the commands
to carry out; ``next_deadline()`` says when to come back with a ``Tick`` so the engine can fire its
own deadlines (offer leases, ring widening, maximum wait, heartbeat silence, wrap-up). The same
engine runs in the server and in the digital twin, so every decision is reproducible in a test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accueil.core.routing import events
from accueil.core.routing.catalogue import strategy_named
from accueil.core.routing.checks import check_event
from accueil.core.routing.config import EngineConfig
from accueil.core.routing.lifecycle import Lifecycle
from accueil.core.routing.snapshot import RoutingSnapshot, take_snapshot
from accueil.core.routing.strategies import Strategy

__all__ = ["Engine"]


class Engine(Lifecycle):
    """Feed events in time order; carry out the commands; come back at ``next_deadline()``."""

    def __init__(
        self, config: EngineConfig | None = None, strategy: str | Strategy = "accueil"
    ) -> None:
        config = config or EngineConfig()
        if isinstance(strategy, str):
            strategy = strategy_named(strategy, config)
        super().__init__(config, strategy)
        self._handlers: dict[type[Any], Callable[[Any], list[events.Command]]] = {
            events.AgentLoggedIn: self._logged_in,
            events.AgentReady: self._ready,
            events.AgentPaused: self._paused,
            events.AgentLoggedOut: self._logged_out,
            events.Heartbeat: self._heartbeat,
            events.CallEnqueued: self._enqueued,
            events.OfferAccepted: self._accepted,
            events.OfferDeclined: self._declined,
            events.CallEnded: self._ended,
            events.CallAbandoned: self._abandoned,
            events.WrapUpEnded: self._wrapup_ended,
            events.Tick: self._tick,
        }

    @property
    def now(self) -> float:
        """The engine's time: the latest event or deadline it has seen."""
        return self._now

    @property
    def strategy_name(self) -> str:
        return self.strategy.name

    def handle(self, event: events.Event) -> list[events.Command]:
        """Apply one event (after any deadline due by its time) and return the commands.

        An event with a non-finite or negative time or duration is refused (``InvalidInput``)
        before anything changes.
        """
        check_event(event)
        commands = self._fire_due(event.at)
        if event.at > self._now:
            self._now = event.at
        handler = self._handlers.get(type(event))
        if handler is None:
            return [
                *commands,
                events.Ignored(event, f"not a routing event: {type(event).__name__}"),
            ]
        commands.extend(handler(event))
        return commands

    def next_deadline(self) -> float | None:
        """When the engine next needs a ``events.Tick`` (None: nothing pending)."""
        return self.timers.next_at()

    def snapshot(self) -> RoutingSnapshot:
        """Who waits since when and in which ring, who is ready since when, offers in flight."""
        return take_snapshot(self._now, self.calls, self.agents, self.rings)

    def _tick(self, event: events.Tick) -> list[events.Command]:
        return []
