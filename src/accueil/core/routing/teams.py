"""The ``accueil_teams`` strategy (experimental): specialists first, then flexible agents.

A share of the pool (every ``flex_every``-th agent in first-login order) is *flexible*: they
take the calls of the biggest accounts first — whose most recent answerers are still talking
when the next call comes, so their affinity is low whatever we do — and every call of a smaller
account that no familiar agent is ready for. The others are *specialists*, kept for the many
smaller accounts they know. Ring waits, familiarity and budgets are the engine's, as for
``accueil``. On W1 it did not beat ``accueil`` (docs/routing.md, "Second look"): it is kept so
that the figures can be reproduced and the idea taken further.
"""

from __future__ import annotations

from collections.abc import Iterator

from accueil.core.routing.records import AgentRecord, LiveCall
from accueil.core.routing.strategies import Accueil, Knowledge


class AccueilTeams(Accueil):
    """``accueil`` with two roles: flexible agents take big accounts and strangers' calls."""

    name = "accueil_teams"

    def __init__(
        self,
        scan: int = 100,
        urgent_share: float = 2.0,
        flex_every: int = 3,
        big_erlangs: float = 0.8,
        protect: str = "count",
    ) -> None:
        super().__init__(scan, urgent_share)
        self.flex_every = flex_every  # every n-th agent is flexible (0: nobody)
        self.big_erlangs = big_erlangs  # accounts at least this loaded go to flexible agents
        self.protect = protect  # "count" stranded accounts, or weigh them by "rate"

    def is_flexible(self, agent: AgentRecord) -> bool:
        return self.flex_every > 0 and agent.order % self.flex_every == 0

    def pick_agent(
        self, call: LiveCall, candidates: Iterator[AgentRecord], knowledge: Knowledge
    ) -> AgentRecord | None:
        big = knowledge.account_erlangs(call.account) >= self.big_erlangs
        best: AgentRecord | None = None
        best_rank: tuple[bool, bool, float] = (True, True, 0.0)
        for seen, agent in enumerate(candidates):
            if seen >= self.scan:
                break
            familiar = knowledge.is_familiar(call, agent)
            flexible = self.is_flexible(agent)
            # A big account's call: a flexible agent first, familiar or not (its specialists
            # would rarely be free for its next call anyway). A smaller account's: a familiar
            # agent first; failing that a flexible one; then whoever strands the least.
            first, second = (flexible, familiar) if big else (familiar, flexible)
            rank = (not first, not second, self._loss(agent, knowledge))
            if best is None or rank < best_rank:
                best, best_rank = agent, rank
        return best

    def _loss(self, agent: AgentRecord, knowledge: Knowledge) -> float:
        """What taking this agent costs the accounts it knows (specialists are scarce)."""
        if self.protect == "rate":
            return knowledge.coverage_rate(agent, self.big_erlangs)
        return knowledge.coverage_loss(agent)
