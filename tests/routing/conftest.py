"""A thin desk around the engine: readable helpers that feed events and collect commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accueil.core.routing import Engine, EngineConfig
from accueil.core.routing.events import (
    AgentLoggedIn,
    AgentReady,
    CallEnded,
    CallEnqueued,
    Command,
    Event,
    Offer,
    OfferAccepted,
    Tick,
)


class Desk:
    """Drives an engine in tests; remembers every command it returned."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.commands: list[Command] = []

    def feed(self, event: Event) -> list[Command]:
        out = self.engine.handle(event)
        self.commands.extend(out)
        return out

    def agent(self, name: str, at: float = 0.0, ready: bool = True, **kw: Any) -> list[Command]:
        kw.setdefault("site", "A")
        out = self.feed(AgentLoggedIn(at, name, **kw))
        if ready:
            out += self.feed(AgentReady(at, name))
        return out

    def call(self, name: str, at: float, account: str = "acme", **kw: Any) -> list[Command]:
        return self.feed(CallEnqueued(at, name, account, **kw))

    def until(self, at: float) -> list[Command]:
        """Fire every deadline up to ``at`` (as a driver would), then stand at ``at``."""
        out: list[Command] = []
        while (d := self.engine.next_deadline()) is not None and d <= at:
            out += self.feed(Tick(d))
        out += self.feed(Tick(at))
        return out

    def offer(self, call: str) -> Offer:
        """The latest offer of ``call``."""
        return [c for c in self.commands if isinstance(c, Offer) and c.call == call][-1]

    def offers(self) -> list[Offer]:
        return [c for c in self.commands if isinstance(c, Offer)]

    def answer(self, call: str, at: float) -> list[Command]:
        o = self.offer(call)
        return self.feed(OfferAccepted(at, call, o.agent, o.token))

    def finish(self, call: str, at: float) -> list[Command]:
        o = self.offer(call)
        return self.feed(CallEnded(at, call, o.agent, o.token))

    def serve(self, call: str, at: float, talk: float = 60.0) -> list[Command]:
        """Answer the call at ``at`` and end it ``talk`` seconds later."""
        return self.answer(call, at) + self.finish(call, at + talk)


@pytest.fixture
def desk() -> Callable[..., Desk]:
    def make(strategy: str = "accueil", **config: Any) -> Desk:
        return Desk(Engine(EngineConfig(**config), strategy))

    return make
