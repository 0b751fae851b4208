"""Routing strategies: accueil's own, and the classic ACD baselines, selectable by name.

A strategy makes two choices for the engine: which ready agent takes a call open to everyone,
and which waiting call a freed agent takes. Hard requirements are filtered before it is asked.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Protocol

from accueil.core.routing.records import AgentRecord, LiveCall


class Knowledge(Protocol):
    """What a strategy may ask the engine about familiarity."""

    def is_familiar(self, call: LiveCall, agent: AgentRecord) -> bool: ...

    def coverage_loss(self, agent: AgentRecord) -> float: ...

    def account_erlangs(self, account: str) -> float: ...  # observed load, in Erlangs

    def coverage_rate(self, agent: AgentRecord, below: float) -> float: ...

    # How much waiting and expected calls need this agent's skills beyond the call's own.
    def skill_weight(self, agent: AgentRecord, call: LiveCall) -> float: ...


class Strategy:
    """Longest idle agent takes the call; a freed agent takes the call first in line."""

    name = "longest_idle"
    rings = False  # whether calls wait in familiar rings before opening to everyone

    def pick_agent(
        self, call: LiveCall, candidates: Iterator[AgentRecord], knowledge: Knowledge
    ) -> AgentRecord | None:
        return next(candidates, None)

    def pick_call(
        self, agent: AgentRecord, familiar: LiveCall | None, open_: LiveCall | None, now: float
    ) -> LiveCall | None:
        if familiar is None:
            return open_
        if open_ is None:
            return familiar
        return familiar if familiar.key < open_.key else open_


class LongestIdle(Strategy):
    pass


class RoundRobin(Strategy):
    """Agents in a fixed order, each call to the next ready one after the last chosen."""

    name = "round_robin"

    def __init__(self) -> None:
        self._last = -1

    def pick_agent(
        self, call: LiveCall, candidates: Iterator[AgentRecord], knowledge: Knowledge
    ) -> AgentRecord | None:
        last = self._last
        chosen = min(candidates, key=lambda a: (a.order <= last, a.order), default=None)
        if chosen is not None:
            self._last = chosen.order
        return chosen


class RandomAgent(Strategy):
    """Any ready eligible agent, uniformly at random (seeded: runs repeat exactly)."""

    name = "random"

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def pick_agent(
        self, call: LiveCall, candidates: Iterator[AgentRecord], knowledge: Knowledge
    ) -> AgentRecord | None:
        agents = list(candidates)
        return self._random.choice(agents) if agents else None


class FewestCalls(Strategy):
    """The ready agent who answered the fewest calls since login, then the longest idle."""

    name = "fewest_calls"

    def pick_agent(
        self, call: LiveCall, candidates: Iterator[AgentRecord], knowledge: Knowledge
    ) -> AgentRecord | None:
        return min(candidates, key=lambda a: (a.answered, a.ready_seq), default=None)


class Accueil(Strategy):
    """Familiar agents first, within a budget that keeps the target; spare specialists' time.

    Calls wait in rings (person, then account team) for a budget; a freed agent takes a call of
    an account it knows before an older open call, unless that one has waited ``urgent_share`` of
    its target; a call open to everyone goes to a ready familiar agent if any, else to the agent
    whose leaving would strand the fewest accounts without a ready team member, so that agents
    stay free for the accounts they know; among those equal, the least-skilled (``protect``:
    the agent whose other skills the calls need least), so that scarce skills stay free for the
    calls only they can take.
    """

    name = "accueil"
    rings = True

    def __init__(self, scan: int = 100, urgent_share: float = 2.0, protect: bool = True) -> None:
        self.scan = scan  # ready agents considered for an open call, longest idle first
        self.urgent_share = urgent_share  # of the target waited: open calls go first
        self.protect_scarce = protect  # spare scarce skills among otherwise equal agents

    def pick_agent(
        self, call: LiveCall, candidates: Iterator[AgentRecord], knowledge: Knowledge
    ) -> AgentRecord | None:
        best: AgentRecord | None = None
        best_rank: tuple[bool, float, float] = (True, 0.0, 0.0)
        for seen, agent in enumerate(candidates):
            if seen >= self.scan:
                break
            # Familiar first; then whoever leaves the fewest accounts without a ready team member;
            # then whoever has the skills least needed elsewhere; then the longest idle.
            rank = (
                not knowledge.is_familiar(call, agent),
                knowledge.coverage_loss(agent),
                knowledge.skill_weight(agent, call) if self.protect_scarce else 0.0,
            )
            if best is None or rank < best_rank:
                best, best_rank = agent, rank
        return best

    def pick_call(
        self, agent: AgentRecord, familiar: LiveCall | None, open_: LiveCall | None, now: float
    ) -> LiveCall | None:
        if familiar is None or open_ is None:
            return familiar or open_
        urgent = now - open_.since >= open_.target * self.urgent_share
        return open_ if urgent and open_.key < familiar.key else familiar
