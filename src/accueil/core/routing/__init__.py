"""The routing engine: a pure, event-driven matcher of calls and agents (see docs/routing.md)."""

from accueil.core.routing.catalogue import STRATEGIES, strategy_named
from accueil.core.routing.config import EngineConfig
from accueil.core.routing.engine import Engine
from accueil.core.routing.snapshot import AgentState, OfferInFlight, RoutingSnapshot, WaitingCall

__all__ = [
    "STRATEGIES",
    "AgentState",
    "Engine",
    "EngineConfig",
    "OfferInFlight",
    "RoutingSnapshot",
    "WaitingCall",
    "strategy_named",
]
