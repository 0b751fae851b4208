"""The routing engine: a pure, event-driven matcher of calls and agents (see docs/routing.md)."""

from accueil.core.routing.config import EngineConfig
from accueil.core.routing.engine import Engine
from accueil.core.routing.snapshot import AgentState, OfferInFlight, Snapshot, WaitingCall
from accueil.core.routing.strategies import STRATEGIES, strategy_named

__all__ = [
    "STRATEGIES",
    "AgentState",
    "Engine",
    "EngineConfig",
    "OfferInFlight",
    "Snapshot",
    "WaitingCall",
    "strategy_named",
]
