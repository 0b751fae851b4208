"""The routing strategies by name: what ``Engine(config, "accueil")`` and the twin choose from.

Kept apart from ``strategies`` so that strategies built on others (``teams``) import only what
they build on, and nothing imports back.
"""

from __future__ import annotations

from accueil.core.routing.config import EngineConfig
from accueil.core.routing.strategies import (
    Accueil,
    FewestCalls,
    LongestIdle,
    RandomAgent,
    RoundRobin,
    Strategy,
)
from accueil.core.routing.teams import AccueilTeams
from accueil.errors import InvalidInput

STRATEGIES = ("accueil", "longest_idle", "round_robin", "random", "fewest_calls", "accueil_teams")


def strategy_named(name: str, config: EngineConfig | None = None) -> Strategy:
    """A fresh strategy by name (one of ``STRATEGIES``), tuned by ``config``."""
    config = config or EngineConfig()
    seed = config.seed
    if name == "accueil":
        return Accueil(config.scan_ready, config.urgent_share, config.protect_scarce)
    if name == "accueil_teams":
        return AccueilTeams(
            config.scan_ready,
            config.urgent_share,
            config.flex_every,
            config.big_erlangs,
            config.protect,
        )
    if name == "longest_idle":
        return LongestIdle()
    if name == "round_robin":
        return RoundRobin()
    if name == "random":
        return RandomAgent(seed)
    if name == "fewest_calls":
        return FewestCalls()
    raise InvalidInput(
        f"unknown routing strategy {name!r}; choose one of {', '.join(STRATEGIES)}",
        strategy=name,
        known=list(STRATEGIES),
    )
