"""The engine's state and its two matching moves: place a call, free an agent.

A call is placed with the best ready agent of its current ring, or waits in line; an agent who
becomes free takes the best call it may take now, or waits in the ready pool. Offers are leases
with a fencing token and a deadline.
"""

from __future__ import annotations

import math

from accueil.core.routing import events
from accueil.core.routing.config import EngineConfig
from accueil.core.routing.groups import Groups
from accueil.core.routing.guard import Guard
from accueil.core.routing.holding import absence_cost, hold_until, least_costly, may_hold
from accueil.core.routing.line import WaitingLine
from accueil.core.routing.patience import Patience
from accueil.core.routing.pool import ReadyPool
from accueil.core.routing.records import (
    AgentRecord,
    AgentStatus,
    CallStatus,
    FamiliarRing,
    LiveCall,
)
from accueil.core.routing.rings import Rings
from accueil.core.routing.strategies import Strategy
from accueil.core.routing.timers import Deadline, Timers


class Matcher:
    """State shared by the event handlers, and the matching between calls and agents."""

    def __init__(self, config: EngineConfig, strategy: Strategy) -> None:
        self.config = config
        self.strategy = strategy
        self.agents: dict[str, AgentRecord] = {}
        self.calls: dict[str, LiveCall] = {}  # waiting, offered or connected
        self.line = WaitingLine()
        self.pool = ReadyPool()
        self.rings = Rings(config)
        self.groups = Groups(self.agents, config.load_half_life)
        self.guard = Guard(
            config.guard_window,
            config.guard_tolerance,
            config.guard_abandon_tolerance,
            config.guard_min,
            config.guard_max,
            config.guard_min_calls,
        )
        self.patience = Patience(config.grace_risk, config.grace_min_abandons)
        self.claims: dict[str, LiveCall] = {}  # agent ending wrap-up -> the call waiting for them
        self.timers = Timers(self._is_live)
        self._now = -math.inf
        self._tokens = 0
        self._seq = 0

    # ----------------------------------------------------------------- Knowledge (strategies)

    def is_familiar(self, call: LiveCall, agent: AgentRecord) -> bool:
        return self.rings.is_familiar(call, agent)

    def coverage_loss(self, agent: AgentRecord) -> float:
        return self.rings.coverage_loss(agent, self.pool)

    def skill_weight(self, agent: AgentRecord, call: LiveCall) -> float:
        return self.groups.skill_weight(agent, call, self._now)

    def account_erlangs(self, account: str) -> float:
        return self.rings.load.erlangs(account, self._now)

    def coverage_rate(self, agent: AgentRecord, below: float) -> float:
        """Observed load of the accounts (under ``below`` Erlangs) this agent's leaving strands."""
        rings, ready = self.rings, self.pool.ready
        loss = 0.0
        for account in rings.teams_of(agent):
            if any(m != agent.id and m in ready for m in rings.team(account)):
                continue
            erlangs = rings.load.erlangs(account, self._now)
            if erlangs < below:
                loss += erlangs
        return loss

    # ----------------------------------------------------------------- calls

    def place(self, call: LiveCall) -> list[events.Command]:
        """Offer the call to the best ready agent of its ring, or put it in line."""
        if call.ring is FamiliarRing.EVERYONE and self._holding:
            agent = self._pick_or_hold(call)
        elif call.ring is FamiliarRing.EVERYONE:
            agent = self.strategy.pick_agent(call, self.pool.candidates(call), self)
        else:
            agent = self.rings.best_agent(call, self.agents, self.pool, self._now)
            if agent is None and not call.held and self.config.guard:
                # Waiting for a familiar voice while someone able is free: the guard counts it.
                call.held = next(self.pool.candidates(call), None) is not None
                call.held_at = self._now
        if agent is not None:
            return [self.offer(call, agent)]
        self.line.add(call)
        return []

    @property
    def _holding(self) -> bool:
        return self.config.hold_seconds > 0 and self.strategy.rings

    def _pick_or_hold(self, call: LiveCall) -> AgentRecord | None:
        """The least precious ready agent, or None (held) when even they are precious."""
        candidates = self.pool.candidates(call)
        agent, cost = least_costly(
            call, candidates, self.rings, self.pool, self._now, self.config.scan_ready
        )
        if agent is not None and cost >= self.config.hold_loss and self._hold(call):
            return None
        return agent

    def _hold(self, call: LiveCall) -> bool:
        """Hold the call if it is still within its hold; its end re-places it (a RETRY)."""
        if not may_hold(call, self.config, self._now):
            return False
        self.timers.push(hold_until(call, self.config), Deadline.RETRY, call.id, 0)
        return True

    def rematch(self, account: str) -> list[events.Command]:
        """The account's team changed: calls waiting for it may have a ready agent now."""
        commands: list[events.Command] = []
        if not self.strategy.rings or not self.line.has_waiting(account):
            return commands
        for call in sorted(self.line.waiting_for(account), key=lambda c: c.key):
            if call.ring is FamiliarRing.EVERYONE:
                continue  # no ready agent could take it: a new team member cannot either
            agent = self.rings.best_agent(call, self.agents, self.pool, self._now)
            if agent is not None:
                commands.append(self.offer(call, agent))
        return commands

    def enter_ring(self, call: LiveCall, ring: FamiliarRing, started: float) -> None:
        """Move the call to ``ring`` or, when nobody could answer there, a wider one.

        With ``one_waiter``, a call waits for a familiar agent ending wrap-up only if no earlier
        call already waits for that agent (it claims them); the others move on at once.
        """
        claims = self.claims if self.config.one_waiter else None
        while ring < FamiliarRing.EVERYONE:
            person_s, account_s = self.rings.budget(call, self.open_wait(call), self._share(call))
            until = started + person_s + (account_s if ring is FamiliarRing.ACCOUNT else 0.0)
            if until <= self._now:
                ring = FamiliarRing(ring + 1)
                continue
            soonest = self.rings.soonest(
                call, ring, self.agents, self.pool, claims, self._spared(call)
            )
            free = soonest[0] if soonest is not None else None
            if free is not None and free > until and self.config.budget == "load":
                # Everyone in the ring is on a call: a shorter wait, they may not end in time.
                until = started + (until - started) * self.config.busy_share
            if until > self._now and soonest is not None:
                call.ring = ring
                call.ring_until = until
                call.ring_stamp += 1
                self._claim(call, soonest)
                self.timers.push(until, Deadline.WIDEN, call.id, call.ring_stamp)
                return
            ring = FamiliarRing(ring + 1)
        call.ring = FamiliarRing.EVERYONE
        call.ring_until = None
        call.claimed = ""

    def _spared(self, call: LiveCall) -> frozenset[str]:
        """Scarce languages the call does not need: it does not wait for an agent ending
        wrap-up who has one (once free, they are for the calls needing it)."""
        if not self.config.protect_scarce:
            return frozenset()
        return self.groups.scarce_languages(self._now).difference(call.languages)

    def _share(self, call: LiveCall) -> float:
        """What the call's ring budget is multiplied by: the guard's factor, and none at all
        for a call needing a scarce skill (its few able agents are spent on it at once)."""
        if self.config.protect_scarce and self.groups.scarce(call, self._now):
            return 0.0
        return self.factor(call)

    def factor(self, call: LiveCall) -> float:
        """The guard's factor on the call's wait budgets (1 with the guard off)."""
        return self.guard.factor(call.tier, self._now) if self.config.guard else 1.0

    def waited_out(self, call: LiveCall, answered: bool) -> None:
        """The call's wait is over (answered, abandoned or overflowed): tell the guard."""
        if self.config.guard:
            within = answered and self._now - call.since <= call.target
            # Held for a younger call that would be late by now itself: no service level lost.
            held = call.held and (not answered or self._now - call.held_since <= call.target)
            risk = self._grace_risk(call) if self.config.guard_grace else None
            if risk is not None:
                held = False  # priced by the grace: its risk, not whether it was late
            self.guard.outcome(call.tier, self._now, within, held, not answered, risk)

    def _grace_risk(self, call: LiveCall) -> float | None:
        """With ``guard_grace``, the abandonment being held cost the callers, priced by the
        learned patience: hazard × the wait past the grace it added. None while no grace is
        learned (the guard then counts the call as without the setting).

        Held beside a free agent, the call would have been answered when first held: its wait
        past the grace since then is the cost. Passed over for younger calls (the youngest came
        at ``held_since``), the swap moved wait between them: it costs only what the younger
        call saved within its grace and the older one paid past its own; both past the grace,
        it costs nothing (memoryless patience)."""
        grace, hazard = self.patience.grace(), self.patience.hazard()
        if grace <= 0 or hazard <= 0:
            return None
        if not call.held:
            return 0.0

        def past(wait: float) -> float:
            return max(0.0, wait - grace)

        came, held_at, now = call.since, min(call.held_at, self._now), self._now
        extra = past(now - came) - past(held_at - came)
        if call.held_since < math.inf:
            younger = call.held_since
            extra += past(held_at - younger) - past(now - younger)
        return hazard * extra

    def _claim(self, call: LiveCall, soonest: tuple[float, str]) -> None:
        free, agent_id = soonest
        call.claimed = ""
        if self.config.one_waiter and self._now < free < math.inf:
            call.claimed = agent_id
            self.claims[agent_id] = call

    def open_wait(self, call: LiveCall) -> float:
        """What the open line would make this call wait, roughly (Little's law over the agents
        able to take it: the open calls of its requirement group ÷ the group's agents)."""
        waiting = self.line.open_in_group(call)
        if not waiting:
            return 0.0
        able = max(1, self.groups.able(call))
        return waiting * self.rings.load.mean_service / able

    def retry(self, call: LiveCall) -> list[events.Command]:
        """Agents who missed or declined the call long enough ago may be offered it again."""
        for agent_id, until in list(call.declined.items()):
            if until <= self._now:
                del call.declined[agent_id]
        if call.status is not CallStatus.WAITING:
            return []
        self.line.remove(call)
        return self.place(call)

    def widen(self, call: LiveCall) -> list[events.Command]:
        self.line.remove(call)
        call.ring_stamp += 1
        self.enter_ring(call, FamiliarRing(call.ring + 1), call.enqueued)
        return self.place(call)

    def offer(self, call: LiveCall, agent: AgentRecord) -> events.Offer:
        self._tokens += 1
        token = self._tokens
        self.pool.remove(agent)
        self.line.remove(call)
        call.claimed = ""
        call.status, call.agent, call.token = CallStatus.OFFERED, agent, token
        agent.status, agent.call, agent.token = AgentStatus.OFFERED, call, token
        agent.status_since = self._now
        deadline = self._now + self.config.offer_timeout
        self.timers.push(deadline, Deadline.OFFER, call.id, token)
        return events.Offer(
            call.id, agent.id, token, deadline, call.ring.label, self._why(call, agent)
        )

    def _why(self, call: LiveCall, agent: AgentRecord) -> str:
        waited = self._now - call.since
        if call.ring is FamiliarRing.PERSON:
            return f"served this person recently; waited {waited:.0f} s"
        if call.ring is FamiliarRing.ACCOUNT:
            if self.rings.is_primary(agent, call.account):
                return f"a primary agent of the account; waited {waited:.0f} s"
            return f"in the account's familiar team; waited {waited:.0f} s"
        return f"{self.strategy.name}: best ready eligible agent; waited {waited:.0f} s"

    def withdraw(self, call: LiveCall, reason: str) -> list[events.Command]:
        """Void the call's offer, if any; the agent is left to the caller to settle."""
        agent = call.agent
        if call.status is not CallStatus.OFFERED or agent is None:
            return []
        revoke = events.RevokeOffer(call.id, agent.id, call.token, reason)
        call.status, call.agent = CallStatus.WAITING, None
        agent.call = None
        return [revoke]

    def requeue(self, call: LiveCall, missed_by: AgentRecord) -> list[events.Command]:
        """A failed offer: the call keeps its place in line and goes to someone else."""
        until = self._now + self.config.retry_after
        call.declined[missed_by.id] = until
        self.timers.push(until, Deadline.RETRY, call.id, 0)
        if call.ring_until is not None and call.ring_until <= self._now:
            call.ring_stamp += 1
            self.enter_ring(call, FamiliarRing(call.ring + 1), call.enqueued)
        elif call.ring_until is not None:
            # The ring's widening may have been dropped while the call was offered (a deadline
            # of an offered call is not live): set it again, or the call would stay in its ring.
            self.timers.push(call.ring_until, Deadline.WIDEN, call.id, call.ring_stamp)
        return self.place(call)

    # ----------------------------------------------------------------- agents

    def free(self, agent: AgentRecord) -> list[events.Command]:
        """The agent is ready: give them the best call they may take now, or let them wait."""
        agent.status, agent.call = AgentStatus.READY, None
        agent.status_since = agent.idle_since = self._now
        familiar = None
        if self.strategy.rings:
            familiar = self.rings.best_familiar(agent, self.line)
        open_ = self.line.best_open(agent)
        if open_ is not None and self.config.protect_scarce and self.strategy.rings:
            open_ = self._scarce_first(agent, open_)
        call = self.strategy.pick_call(agent, familiar, open_, self._now)
        if call is familiar and open_ is not None and self._scarcer(open_, familiar):
            call = open_  # only a few can take that one: the familiar call has more takers
        elif call is familiar and open_ is not None and self._overdue(open_, familiar):
            call = open_  # the guard is behind: the older call goes first sooner
        elif call is familiar and familiar is not None and self.config.grace_aware:
            call = self._after_grace(familiar, open_)
        if call is not None and call is not familiar and self._holding:
            call = self._open_for(agent, call)
        elif call is open_ and call is not None and self.config.past_target_seconds > 0:
            call = self._past_target(agent, call)
        if self.config.guard and self.strategy.rings and (call is None or call is familiar):
            self._passed_over(agent, call)
        if call is not None:
            offer = self.offer(call, agent)
            return [offer, *self._released(agent)] if self.config.release_claims else [offer]
        self.pool.add(agent)
        return self._released(agent) if self.config.release_claims else []

    def _released(self, agent: AgentRecord) -> list[events.Command]:
        """The call that waited for this agent ending wrap-up (its claim), if the agent, now
        free, took another call or none (no longer familiar with it): it opens to everyone now
        rather than wait out its ring's budget for nobody."""
        call = self.claims.pop(agent.id, None)
        if call is None or call.claimed != agent.id or call.status is not CallStatus.WAITING:
            return []
        call.claimed = ""
        if call.ring is FamiliarRing.EVERYONE:
            return []  # left past its target for this agent: it is in the open line already
        self.line.remove(call)
        call.ring_stamp += 1
        self.enter_ring(call, FamiliarRing.EVERYONE, call.enqueued)
        return self.place(call)

    def _after_grace(self, familiar: LiveCall, open_: LiveCall | None) -> LiveCall | None:
        """Spend the callers' grace: a familiar call still within it, which an older call past
        it would wait for, is left to another familiar agent ending wrap-up once the grace is
        over (and within its ring's budget); this agent takes the older call.

        With patience that is memoryless past the grace, serving the younger call first saves
        it nothing while it is within its grace, and costs the older one the wait: left to a
        familiar agent free a little later, it keeps its familiar voice and costs nobody.
        """
        grace = self.patience.grace()
        now = self._now
        if (
            grace <= 0
            or open_ is None
            or open_.key >= familiar.key
            or now - familiar.since >= grace
            or now - open_.since < grace
            or familiar.ring_until is None
        ):
            return familiar
        later = self.rings.soonest(
            familiar,
            familiar.ring,
            self.agents,
            self.pool,
            self.claims,
            self._spared(familiar),
            familiar.since + grace,
        )
        if later is None or not later[0] <= familiar.ring_until:
            return familiar
        familiar.claimed = later[1]
        self.claims[later[1]] = familiar
        return open_

    def _scarce_first(self, agent: AgentRecord, first: LiveCall) -> LiveCall:
        """Protect scarce skills: a freed agent with a scarce language takes the open call
        first in line among those needing it before an older call anyone could take (the
        calls only a few can take are served by those few first)."""
        scarce = self.groups.scarce_skills(agent, self._now)
        if not scarce or not scarce.isdisjoint(first.languages):
            return first
        return self.line.best_open(agent, scarce) or first

    def _overdue(self, open_: LiveCall, familiar: LiveCall | None) -> bool:
        """With the guard behind (its factor below 1), an older open call that can still be
        answered within its target goes before a familiar one (first in line first, as
        longest-idle routing would; a call past its target gains nothing from it)."""
        if familiar is None or not self.config.guard or open_.key >= familiar.key:
            return False
        return self._now - open_.since < open_.target and self.factor(open_) < 1.0

    def _passed_over(self, agent: AgentRecord, taken: LiveCall | None) -> None:
        """The call longest-idle would have given this freed agent, if it takes another (a
        younger familiar call) or none (the call waits in a ring for someone else): that call
        waits because of affinity, and the guard counts it if it then misses its target —
        unless it was passed over only for younger calls that would have been late by then
        themselves (the swap cost no service level)."""
        first = self.line.first_for(agent)
        if first is None or first is taken or self._now - first.since >= first.target:
            return
        if not first.held:
            first.held_at = self._now
        if taken is None:
            first.held_since = math.inf  # the agent sits ready beside it
        elif not first.held:
            first.held_since = taken.since
        elif first.held_since < math.inf:
            first.held_since = max(first.held_since, taken.since)
        first.held = True

    def _past_target(self, agent: AgentRecord, first: LiveCall) -> LiveCall | None:
        """The open call a freed stranger takes: calls past their target (their wait no longer
        changes the service level) are left, a few at most, to a familiar agent ending wrap-up
        within ``past_target_seconds`` (× the guard's factor) whom no other call waits for."""
        call: LiveCall | None = first
        left: list[LiveCall] = []
        while call is not None and len(left) < 3 and self._leave_for_familiar(agent, call):
            left.append(call)
            self.line.remove(call)
            call = self.line.best_open(agent)
        for waiting in left:
            self.line.add(waiting)
        if call is None:  # nothing else to take: a free agent never sits ready beside a call
            first.claimed = ""
            return first
        return call

    def _past(self, call: LiveCall) -> float:
        """With ``grace_aware``, the wait past which a call may be left to a familiar agent
        ending wrap-up: its target, or the callers' learned grace when shorter (past the grace,
        with memoryless patience, which of two waiting calls is served first costs nothing)."""
        grace = self.patience.grace()
        return grace if 0 < grace < call.target else call.target

    def _leave_for_familiar(self, agent: AgentRecord, call: LiveCall) -> bool:
        past = self._past(call) if self.config.grace_aware else call.target
        if self._now - call.since <= past or self.rings.is_familiar(call, agent):
            return False
        cap = self.config.past_target_seconds * self.factor(call)
        soonest = self.rings.soonest(
            call, FamiliarRing.ACCOUNT, self.agents, self.pool, self.claims
        )
        if soonest is None or not self._now < soonest[0] <= self._now + cap:
            return False
        call.claimed = soonest[1]
        self.claims[soonest[1]] = call
        return True

    def _scarcer(self, open_: LiveCall, familiar: LiveCall | None) -> bool:
        """Protect scarce skills: does the open call need a scarce language, with fewer agents
        able to take it than the familiar call?"""
        if familiar is None or not self.config.protect_scarce or not self.strategy.rings:
            return False
        groups = self.groups
        return groups.scarce(open_, self._now) and groups.able(open_) < groups.able(familiar)

    def _open_for(self, agent: AgentRecord, first: LiveCall) -> LiveCall | None:
        """The open call a freed agent (familiar with none waiting) takes, or None: stay ready.

        Calls past their hold are taken first in line. A precious agent leaves the others (it
        stays ready); the rest skip only held calls that one of their team will be free to take
        before the hold ends (in wrap-up).
        """
        config = self.config
        if not may_hold(first, config, self._now):
            return first
        precious = absence_cost(agent, self.rings, self.pool, self._now) >= config.hold_loss
        line = self.line.calls.values()
        for call in sorted((c for c in line if self._may_take(agent, c)), key=lambda c: c.key):
            if not may_hold(call, config, self._now):
                return call  # past its hold (behind a premium call in line, say)
            if not precious:
                free = self.rings.soonest_free(call, FamiliarRing.ACCOUNT, self.agents, self.pool)
                if free is None or free > hold_until(call, config):
                    return call
            self._hold(call)  # every call this agent leaves is re-placed when its hold ends
        return None

    def _may_take(self, agent: AgentRecord, call: LiveCall) -> bool:
        return (
            call.ring is FamiliarRing.EVERYONE
            and agent.id not in call.declined
            and agent.can_take(call)
        )

    def pause(self, agent: AgentRecord, reason: str) -> list[events.Command]:
        """Take the agent out of rotation now, or after their call."""
        commands: list[events.Command] = []
        if agent.status is AgentStatus.BUSY:
            agent.pause_after = reason
            return commands
        if agent.status is AgentStatus.OFFERED and agent.call is not None:
            call = agent.call
            commands += self.withdraw(call, f"agent paused: {reason}")
            agent.status = AgentStatus.PAUSED
            commands += self.requeue(call, agent)
        self.pool.remove(agent)
        agent.status, agent.pause_reason, agent.status_since = AgentStatus.PAUSED, reason, self._now
        agent.wrapup_stamp += 1
        return commands

    def engine_pause(self, agent: AgentRecord, reason: str) -> list[events.Command]:
        """A pause the engine decides (missed offers, silence): the driver is told."""
        return [*self.pause(agent, reason), events.PauseAgent(agent.id, reason)]

    # ----------------------------------------------------------------- deadlines

    def _is_live(self, kind: Deadline, key: str, stamp: int) -> bool:
        if kind is Deadline.HEARTBEAT or kind is Deadline.WRAPUP:
            agent = self.agents.get(key)
            if agent is None:
                return False
            if kind is Deadline.HEARTBEAT:
                return agent.hb_stamp == stamp
            return agent.status is AgentStatus.WRAPUP and agent.wrapup_stamp == stamp
        call = self.calls.get(key)
        if call is None:
            return False
        if kind is Deadline.OFFER:
            return call.status is CallStatus.OFFERED and call.token == stamp
        if kind is Deadline.WIDEN:
            return call.status is CallStatus.WAITING and call.ring_stamp == stamp
        return call.status is not CallStatus.CONNECTED  # MAX_WAIT, RETRY
