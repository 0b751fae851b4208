"""Keeping agents free for the accounts they know: a stranger's call may wait a little.

With ``hold_seconds`` > 0 (accueil strategy), a call open to everyone that no familiar agent is
ready for goes to the ready agent whose absence costs least expected affinity; when even that
agent is *precious* (the accounts only they could answer familiarly are likely to call while
they would be busy), the call is held, for at most ``hold_seconds`` after it arrived, for an
agent who frees up in the meantime. A precious agent who frees up likewise stays ready rather
than take a held stranger's call. The hold ends on the engine's one deadline heap (a RETRY
deadline re-places the call), so no call waits past its hold while an eligible agent sits ready.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from accueil.core.routing.config import EngineConfig
from accueil.core.routing.pool import ReadyPool
from accueil.core.routing.records import AgentRecord, FamiliarRing, LiveCall
from accueil.core.routing.rings import Rings


def absence_cost(agent: AgentRecord, rings: Rings, pool: ReadyPool, now: float) -> float:
    """Expected familiar answers lost if the agent leaves for one call.

    For each account whose team has no other ready member, the chance that it calls during a
    mean service time: 1 − exp(−its observed load in Erlangs).
    """
    cost = 0.0
    ready = pool.ready
    for account in rings.teams_of(agent):
        if any(m != agent.id and m in ready for m in rings.team(account)):
            continue
        cost += 1.0 - math.exp(-rings.load.erlangs(account, now))
    return cost


def hold_until(call: LiveCall, config: EngineConfig) -> float:
    """Until when a stranger's call may be held for a less precious agent."""
    return call.enqueued + config.hold_seconds


def may_hold(call: LiveCall, config: EngineConfig, now: float) -> bool:
    """Is the call open to everyone and still within its hold?"""
    return (
        config.hold_seconds > 0
        and call.ring is FamiliarRing.EVERYONE
        and now < hold_until(call, config)
    )


def least_costly(
    call: LiveCall,
    candidates: Iterator[AgentRecord],
    rings: Rings,
    pool: ReadyPool,
    now: float,
    scan: int,
) -> tuple[AgentRecord | None, float]:
    """A familiar ready agent (cost 0) if any, else the one whose absence costs least.

    Ties go to the longest idle (candidates come longest idle first).
    """
    best: AgentRecord | None = None
    best_cost = math.inf
    for seen, agent in enumerate(candidates):
        if seen >= scan:
            break
        if rings.is_familiar(call, agent):
            return agent, 0.0
        cost = absence_cost(agent, rings, pool, now)
        if cost < best_cost:
            best, best_cost = agent, cost
    return best, best_cost
