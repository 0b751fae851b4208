"""Soft preferences: who is familiar with a call, the rings it widens through, and its budget.

A call first waits for agents who served its person, then for its account's team (the agents
most familiar with the account, as many as its observed load needs, plus the primary agents the
operator named), then for everyone eligible. Its place in line never changes while it widens.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from accueil.core.routing.config import EngineConfig
from accueil.core.routing.familiarity import AccountLoad, Familiarity
from accueil.core.routing.line import WaitingLine
from accueil.core.routing.pool import ReadyPool
from accueil.core.routing.records import AgentRecord, AgentStatus, FamiliarRing, LiveCall


class Rings:
    """Familiarity memory, account teams, ring membership and wait budgets."""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        cap = max(config.team_max * 2, 8)
        self.accounts = Familiarity(config.familiarity_half_life, cap)
        self.persons = Familiarity(config.familiarity_half_life, config.person_ring_size * 2)
        self.load = AccountLoad(config.load_half_life)
        self._teams: dict[str, frozenset[str]] = {}
        self._member_of: dict[str, set[str]] = {}  # agent -> accounts whose team has them
        self._sizes: dict[str, int] = {}  # account -> team size last computed
        self._person_rings: dict[str, list[str]] = {}  # person key -> ring, until they learn
        # agent -> account -> how many memories (the account's, its persons') hold the agent
        self._known: dict[str, dict[str, int]] = {}

    # ----------------------------------------------------------------- memory

    def learn(self, call: LiveCall, agent: AgentRecord, at: float) -> None:
        """An answered call: the agent becomes (more) familiar with its account and person."""
        memories = [self.accounts]
        if call.person:
            memories.append(self.persons)
            self._person_rings.pop(call.person_key, None)
        for memory, key in zip(memories, (call.account, call.person_key), strict=False):
            known = memory.knows(key, agent.id)
            forgotten = memory.learn(key, agent.id, at)
            if not known:
                self._remember(agent.id, call.account, +1)
            if forgotten is not None:
                self._remember(forgotten, call.account, -1)
        self._refresh_team(call.account, at)

    def _remember(self, agent_id: str, account: str, delta: int) -> None:
        counts = self._known.setdefault(agent_id, {})
        count = counts.get(account, 0) + delta
        if count > 0:
            counts[account] = count
        else:
            counts.pop(account, None)

    def arrival(self, account: str, at: float) -> bool:
        """A call for ``account`` arrived; True when that changed the account's team."""
        self.load.arrival(account, at)
        size = self.team_size(account, at)
        if size == self._sizes.get(account):
            return False
        return self._refresh_team(account, at, size)  # its size follows the load

    def _refresh_team(self, account: str, at: float, size: int | None = None) -> bool:
        if size is None:
            size = self.team_size(account, at)
        self._sizes[account] = size
        team = frozenset(self.accounts.top(account, size))
        old = self._teams.get(account, frozenset())
        if team == old:
            return False
        self._teams[account] = team
        for agent_id in old - team:
            self._member_of[agent_id].discard(account)
        for agent_id in team - old:
            self._member_of.setdefault(agent_id, set()).add(account)
        return True

    def team_size(self, account: str, at: float) -> int:
        cfg = self.config
        wanted = math.ceil(cfg.team_per_erlang * self.load.erlangs(account, at))
        return min(max(wanted, cfg.team_min), cfg.team_max)

    def team(self, account: str) -> frozenset[str]:
        """The account's most familiar agents, as many as its load needs."""
        return self._teams.get(account, frozenset())

    def teams_of(self, agent: AgentRecord) -> set[str]:
        """The accounts whose team this agent is in."""
        return self._member_of.get(agent.id, set())

    def familiar_accounts(self, agent: AgentRecord) -> Iterable[str]:
        """Accounts whose calls may be waiting for this agent: known, or primary."""
        known = self._known.get(agent.id, ())
        primary = [a for a, level in agent.trainings.items() if level >= self.config.primary_level]
        return [*known, *primary] if primary else known

    def person_ring(self, call: LiveCall) -> list[str]:
        if not call.person:
            return []
        key = call.person_key
        ring = self._person_rings.get(key)
        if ring is None:
            ring = self._person_rings[key] = self.persons.top(key, self.config.person_ring_size)
        return ring

    def is_primary(self, agent: AgentRecord, account: str) -> bool:
        return agent.trainings.get(account, 0) >= self.config.primary_level

    def is_familiar(self, call: LiveCall, agent: AgentRecord) -> bool:
        """In the account's team (which the person's familiar agents usually are), or primary."""
        return agent.id in self._teams.get(call.account, ()) or self.is_primary(agent, call.account)

    def in_ring(self, call: LiveCall, agent: AgentRecord) -> bool:
        """Is ``agent`` among the agents the call currently waits for (soft rule only)?"""
        if call.ring is FamiliarRing.EVERYONE:
            return True
        if self._person_counts(call.ring) and agent.id in self.person_ring(call):
            return True
        return call.ring is FamiliarRing.ACCOUNT and self.is_familiar(call, agent)

    def _person_counts(self, ring: FamiliarRing) -> bool:
        """Do the person's own agents belong to ``ring``? Always to the person ring; to the
        account ring only with ``person_in_account_ring`` (a person's agent who is not among the
        account's team is then not waited for there, and not preferred to the team)."""
        return ring is FamiliarRing.PERSON or self.config.person_in_account_ring

    def members(self, call: LiveCall, ring: FamiliarRing, pool: ReadyPool) -> set[str]:
        ids = set(self.person_ring(call)) if self._person_counts(ring) else set()
        if ring >= FamiliarRing.ACCOUNT:
            ids |= self._teams.get(call.account, frozenset())
            cut = self.config.primary_level
            ids |= {
                a.id
                for a in pool.trained_on(call.account).values()
                if a.trainings[call.account] >= cut
            }
        return ids

    # ----------------------------------------------------------------- budgets

    def budget(self, call: LiveCall, open_wait: float, factor: float = 1.0) -> tuple[float, float]:
        """Seconds to wait for the person ring, then for the account ring (``factor``: the
        guard's, on the share of the target spent waiting)."""
        cfg = self.config
        if cfg.budget == "fixed":
            return cfg.person_ring_seconds * factor, cfg.account_ring_seconds * factor
        # Never wait for a familiar voice when that would break the target: what the open line
        # will make the call wait anyway comes off its allowance.
        share = cfg.budget_share
        big = cfg.big_budget_share
        if big is not None and self.load.erlangs(call.account, call.enqueued) >= cfg.big_erlangs:
            share = big  # big accounts' recent answerers are seldom free: spend less there
        total = max(
            cfg.budget_floor, call.target * share * factor - open_wait * cfg.open_line_share
        )
        return total * cfg.person_share, total * (1 - cfg.person_share)

    # ----------------------------------------------------------------- matching

    def coverage_loss(self, agent: AgentRecord, pool: ReadyPool) -> int:
        """How many accounts would have no ready team member left without this agent.

        Taking such an agent for another call is what costs familiarity later: spare them. (Each
        account counts once: weighting by load favoured the busiest accounts, whose familiar
        agents are seldom free anyway, and measured slightly worse on W1.)
        """
        loss = 0
        for account in self._member_of.get(agent.id, ()):
            if not any(m != agent.id and m in pool.ready for m in self._teams[account]):
                loss += 1
        return loss

    def best_agent(
        self,
        call: LiveCall,
        agents: dict[str, AgentRecord],
        pool: ReadyPool,
        at: float,
    ) -> AgentRecord | None:
        """The ready agent of the call's current ring whose other accounts need them least."""
        best: AgentRecord | None = None
        best_rank = (False, 0, 0.0, 0)
        ring = call.ring
        ids = (
            self.members(call, ring, pool)
            if ring is FamiliarRing.ACCOUNT
            else self.person_ring(call)
        )
        outsiders_last = ring is FamiliarRing.ACCOUNT and self.config.team_first
        for agent_id in ids:
            agent = agents.get(agent_id)
            if agent is None or agent not in pool or agent_id in call.declined:
                continue
            if not agent.can_take(call):
                continue
            if ring is FamiliarRing.PERSON:
                familiar = self.persons.rank_value(call.person_key, agent_id)
            else:
                familiar = self.accounts.rank_value(call.account, agent_id)
            outsider = outsiders_last and not self.is_familiar(call, agent)
            rank = (outsider, self.coverage_loss(agent, pool), -familiar, agent.ready_seq)
            if best is None or rank < best_rank:
                best, best_rank = agent, rank
        return best

    def best_familiar(self, agent: AgentRecord, line: WaitingLine) -> LiveCall | None:
        """The call first in line among the waiting calls this agent is familiar with (with
        ``team_first``: among those of accounts whose team it is in, if any)."""
        best: LiveCall | None = None
        best_outsider = True
        team_first = self.config.team_first
        for account in self.familiar_accounts(agent):
            if not line.has_waiting(account):
                continue
            for call in line.waiting_for(account):
                if (
                    best is not None
                    and call.key >= best.key
                    and (not team_first or not best_outsider)
                ):
                    continue
                if agent.id in call.declined or not agent.can_take(call):
                    continue
                in_team = self.is_familiar(call, agent)
                if call.ring is FamiliarRing.PERSON:
                    takes = agent.id in self.person_ring(call)
                else:
                    takes = in_team or (
                        self.config.person_in_account_ring and agent.id in self.person_ring(call)
                    )
                if not takes:
                    continue
                outsider = team_first and not in_team
                if best is None or (outsider, call.key) < (best_outsider, best.key):
                    best, best_outsider = call, outsider
        return best

    def soonest_free(
        self,
        call: LiveCall,
        ring: FamiliarRing,
        agents: dict[str, AgentRecord],
        pool: ReadyPool,
    ) -> float | None:
        """When the first working agent of this ring able to take the call is known to be free:
        now for a ready one, the end of wrap-up, infinity when on a call; None: nobody."""
        soonest = self.soonest(call, ring, agents, pool, None)
        return soonest[0] if soonest is not None else None

    def soonest(
        self,
        call: LiveCall,
        ring: FamiliarRing,
        agents: dict[str, AgentRecord],
        pool: ReadyPool,
        claims: dict[str, LiveCall] | None,
        spare: frozenset[str] = frozenset(),
        after: float = -math.inf,
    ) -> tuple[float, str] | None:
        """``soonest_free`` and that agent; with ``claims``, an agent in wrap-up another call
        already waits for is left out (one waiter per agent: only the first gets them); with
        ``after``, only agents in wrap-up ending then or later count."""
        soonest: tuple[float, str] | None = None
        for agent_id in self.members(call, ring, pool):
            agent = agents.get(agent_id)
            if (
                agent is None
                or agent.status is AgentStatus.PAUSED
                or agent_id in call.declined
                or not agent.can_take(call)
            ):
                continue
            if agent.status is AgentStatus.WRAPUP:
                if spare and not spare.isdisjoint(agent.languages):
                    continue  # their scarce skill is for the calls that need it, once free
                if claims is not None:
                    other = claims.get(agent_id)
                    if other is not None and other is not call and other.claimed == agent_id:
                        continue
                free = agent.wrapup_until
                if free < after:
                    continue
            elif after > -math.inf:
                continue
            elif agent.status is AgentStatus.READY:
                free = -math.inf
            else:
                free = math.inf
            if soonest is None or (free, agent_id) < soonest:
                soonest = (free, agent_id)
        return soonest
