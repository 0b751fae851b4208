"""What each event does to agents and calls, and what each deadline does when it fires.

Every handler first checks that the event still applies (a known agent or call, the right
status, the current fencing token); when it does not, it changes nothing and returns ``Ignored``.
"""

from __future__ import annotations

from collections import OrderedDict

from accueil.core.routing import events
from accueil.core.routing.config import EngineConfig
from accueil.core.routing.matching import Matcher
from accueil.core.routing.records import (
    AgentRecord,
    AgentStatus,
    CallStatus,
    FamiliarRing,
    LiveCall,
)
from accueil.core.routing.strategies import Strategy
from accueil.core.routing.timers import Deadline
from accueil.errors import says

_ENDED_MEMORY = 100_000  # ended call ids remembered, so that late duplicates are recognised


class Lifecycle(Matcher):
    """Event handlers and deadline handlers."""

    def __init__(self, config: EngineConfig, strategy: Strategy) -> None:
        super().__init__(config, strategy)
        self.ended: OrderedDict[str, str] = OrderedDict()  # call -> answered/abandoned/overflowed
        self._orders: dict[str, int] = {}  # agent -> first-login order

    # ----------------------------------------------------------------- agents

    def _logged_in(self, event: events.AgentLoggedIn) -> list[events.Command]:
        agent = self.agents.get(event.agent)
        if agent is not None:
            if agent.leave_after:
                agent.leave_after = False
                return []
            return [events.Ignored(event, says("agent already logged in"))]
        trainings = dict(event.trainings)
        agent = AgentRecord(
            event.agent,
            frozenset(event.languages),
            trainings,
            event.site,
            event.wrapup_seconds,
            self.config.heartbeat_for(event.site),
            self._orders.setdefault(event.agent, len(self._orders)),
            self._now,
        )
        self.agents[agent.id] = agent
        self.pool.login(agent)
        self.groups.login(agent)
        if agent.heartbeats:
            self._watch_heartbeat(agent)
        return []

    def _watch_heartbeat(self, agent: AgentRecord) -> None:
        agent.hb_stamp += 1
        deadline = agent.last_heartbeat + agent.hb_timeout
        self.timers.push(deadline, Deadline.HEARTBEAT, agent.id, agent.hb_stamp)

    def _ready(self, event: events.AgentReady) -> list[events.Command]:
        agent = self.agents.get(event.agent)
        if agent is None:
            return [events.Ignored(event, says("agent not logged in"))]
        self._sign_of_life(agent)
        if agent.status is AgentStatus.WRAPUP:
            agent.pause_after = None  # ready now: a pause owed since the call is over too
            return self._after_work(agent)
        if agent.status is AgentStatus.BUSY:
            agent.pause_after = None  # ready again once this call is over
            return [events.Ignored(event, says("agent is on a call; ready after it"))]
        if agent.status is not AgentStatus.PAUSED:
            return [
                events.Ignored(event, says("agent already %(status)s", status=agent.status.value))
            ]
        agent.misses = 0
        agent.pause_after = None
        return self.free(agent)

    def _sign_of_life(self, agent: AgentRecord) -> None:
        agent.last_heartbeat = self._now
        if agent.silent:
            agent.silent = False
            self._watch_heartbeat(agent)

    def _paused(self, event: events.AgentPaused) -> list[events.Command]:
        agent = self.agents.get(event.agent)
        if agent is None:
            return [events.Ignored(event, says("agent not logged in"))]
        return self.pause(agent, event.reason)

    def _logged_out(self, event: events.AgentLoggedOut) -> list[events.Command]:
        agent = self.agents.get(event.agent)
        if agent is None:
            return [events.Ignored(event, says("agent not logged in"))]
        if agent.status is AgentStatus.BUSY:
            agent.leave_after = True
            return []
        commands = self.pause(agent, "logged out")
        return commands + self._remove(agent)

    def _remove(self, agent: AgentRecord) -> list[events.Command]:
        """The agent leaves; waiting calls that nobody left could take overflow at once."""
        self.pool.logout(agent)
        self.groups.logout(agent)
        agent.hb_stamp += 1
        agent.wrapup_stamp += 1
        del self.agents[agent.id]
        if not self.config.overflow_unservable:
            return []
        commands: list[events.Command] = []
        for call in [c for c in self.line.calls.values() if agent.can_take(c)]:
            if self.groups.able(call) == 0:
                commands += self._overflow(call, self._unservable(call))
        return commands

    @staticmethod
    def _unservable(call: LiveCall) -> str:
        needs = [f"language {'+'.join(call.languages)}"] if call.languages else []
        if call.certification_required:
            needs.append(f"training on account {call.account}")
        return f"no logged-in agent can take it (needs {' and '.join(needs) or 'nothing'})"

    def _heartbeat(self, event: events.Heartbeat) -> list[events.Command]:
        agent = self.agents.get(event.agent)
        if agent is None:
            return [events.Ignored(event, says("agent not logged in"))]
        self._sign_of_life(agent)
        return []

    def _wrapup_ended(self, event: events.WrapUpEnded) -> list[events.Command]:
        agent = self.agents.get(event.agent)
        if agent is None or agent.status is not AgentStatus.WRAPUP:
            return [events.Ignored(event, says("agent not in wrap-up"))]
        return self._after_work(agent)

    def _after_work(self, agent: AgentRecord) -> list[events.Command]:
        """After a call and its wrap-up: leave, pause, or take the next call."""
        agent.wrapup_stamp += 1
        if agent.leave_after:
            agent.status = AgentStatus.PAUSED
            return self._remove(agent)
        if agent.pause_after is not None:
            reason, agent.pause_after = agent.pause_after, None
            agent.status = AgentStatus.PAUSED  # off the call: the pause applies now
            return self.pause(agent, reason)
        return self.free(agent)

    # ----------------------------------------------------------------- calls

    def _enqueued(self, event: events.CallEnqueued) -> list[events.Command]:
        if event.call in self.calls or event.call in self.ended:
            return [events.Ignored(event, says("call already known"))]
        self._seq += 1
        since = event.since if event.since is not None else event.at
        call = LiveCall(
            event.call,
            event.account,
            event.person,
            tuple(sorted(event.languages)),
            event.certification_required,
            event.tier,
            event.target_seconds,
            event.wrapup_seconds,
            since,
            self.config.bonus(event.tier),
            self._seq,
        )
        call.enqueued = self._now
        self.calls[call.id] = call
        team_changed = self.rings.arrival(call.account, self._now)
        self.groups.arrival(call, self._now)
        if self.config.overflow_unservable and self.groups.able(call) == 0:
            return self._overflow(call, self._unservable(call))
        max_wait = event.max_wait if event.max_wait is not None else self.config.max_wait
        if max_wait is not None:
            if since + max_wait <= self._now:
                return self._overflow(call, f"waited over the maximum of {max_wait:.0f} s")
            self.timers.push(since + max_wait, Deadline.MAX_WAIT, call.id, 0)
        if self.strategy.rings:
            self.enter_ring(call, FamiliarRing.PERSON, self._now)
        # A bigger team may include ready agents that calls of this account are waiting for.
        waiting = self.rematch(call.account) if team_changed else []
        return [*waiting, *self.place(call)]

    def _accepted(self, event: events.OfferAccepted) -> list[events.Command]:
        call = self._offered(event, event.call, event.agent, event.token)
        if call is None:
            return [events.Ignored(event, self._why_stale(event.call, event.token))]
        agent = self.agents[event.agent]
        familiar = self.rings.is_familiar(call, agent)
        self.rings.learn(call, agent, self._now)
        self.waited_out(call, answered=True)
        if self.config.grace_aware or self.config.guard_grace:
            self.patience.ended(self._now - call.since, abandoned=False)
        call.status, call.connected_at = CallStatus.CONNECTED, self._now
        agent.status, agent.status_since = AgentStatus.BUSY, self._now
        agent.misses = 0
        agent.answered += 1
        self._end(call.id, "answered")
        # The team may change here, but only by taking in this agent, who is now busy.
        return [events.Bridge(call.id, agent.id, call.token, self._now - call.since, familiar)]

    def _declined(self, event: events.OfferDeclined) -> list[events.Command]:
        call = self._offered(event, event.call, event.agent, event.token)
        if call is None:
            return [events.Ignored(event, self._why_stale(event.call, event.token))]
        agent = self.agents[event.agent]
        self.withdraw(call, "declined")  # the agent declined it: no revoke to send them
        return [*self.requeue(call, agent), *self.free(agent)]

    def _offered(
        self, event: events.Event, call_id: str, agent_id: str, token: int
    ) -> LiveCall | None:
        call = self.calls.get(call_id)
        if call is None or call.status is not CallStatus.OFFERED:
            return None
        if call.token != token or call.agent is None or call.agent.id != agent_id:
            return None
        return call

    def _why_stale(self, call_id: str, token: int) -> str:
        call = self.calls.get(call_id)
        if call is None:
            outcome = self.ended.get(call_id)
            return (
                says("call already over (%(outcome)s)", outcome=outcome)
                if outcome
                else says("unknown call")
            )
        if call.token != token:
            return says(
                "stale token %(token)s: the current lease is %(lease)s",
                token=token,
                lease=call.token,
            )
        return says("call is %(status)s, not offered to this agent", status=call.status.value)

    def _ended(self, event: events.CallEnded) -> list[events.Command]:
        call = self.calls.get(event.call)
        agent = self.agents.get(event.agent)
        if (
            call is None
            or agent is None
            or call.status is not CallStatus.CONNECTED
            or call.token != event.token
            or call.agent is not agent
        ):
            return [events.Ignored(event, self._why_stale(event.call, event.token))]
        del self.calls[call.id]
        wrapup = agent.wrapup if agent.wrapup is not None else call.wrapup
        if wrapup is None:
            wrapup = self.config.wrapup_seconds
        self.rings.load.served(self._now - call.connected_at + wrapup)
        agent.call = None
        if wrapup <= 0 or agent.leave_after:
            return self._after_work(agent)
        agent.status, agent.status_since = AgentStatus.WRAPUP, self._now
        agent.wrapup_until = self._now + wrapup
        agent.wrapup_stamp += 1
        self.timers.push(self._now + wrapup, Deadline.WRAPUP, agent.id, agent.wrapup_stamp)
        return [events.WrapUp(agent.id, call.id, self._now + wrapup)]

    def _abandoned(self, event: events.CallAbandoned) -> list[events.Command]:
        call = self.calls.get(event.call)
        if call is None or call.status is CallStatus.CONNECTED:
            return [events.Ignored(event, self._why_stale(event.call, call.token if call else 0))]
        return self._leave(call, "abandoned", "caller hung up")

    def _overflow(self, call: LiveCall, reason: str) -> list[events.Command]:
        return [*self._leave(call, "overflowed", reason), events.Overflow(call.id, reason)]

    def _leave(self, call: LiveCall, outcome: str, reason: str) -> list[events.Command]:
        """The call leaves the line unanswered; an agent it was offered to is free again."""
        agent = call.agent
        commands = self.withdraw(call, reason)
        self.line.remove(call)
        self.waited_out(call, answered=False)
        if self.config.grace_aware or self.config.guard_grace:
            self.patience.ended(self._now - call.since, abandoned=outcome == "abandoned")
        call.claimed = ""
        del self.calls[call.id]
        self._end(call.id, outcome)
        if agent is not None:
            commands += self.free(agent)
        return commands

    def _end(self, call_id: str, outcome: str) -> None:
        self.ended[call_id] = outcome
        if len(self.ended) > _ENDED_MEMORY:
            self.ended.popitem(last=False)

    # ----------------------------------------------------------------- deadlines

    def _fire_due(self, until: float) -> list[events.Command]:
        commands: list[events.Command] = []
        while (due := self.timers.pop_due(until)) is not None:
            at, kind, key, _ = due
            if at > self._now:
                self._now = at
            commands += self._fire(kind, key)
        return commands

    def _fire(self, kind: Deadline, key: str) -> list[events.Command]:
        if kind is Deadline.HEARTBEAT:
            return self._silence(self.agents[key])
        if kind is Deadline.WRAPUP:
            return self._after_work(self.agents[key])
        call = self.calls[key]
        if kind is Deadline.WIDEN:
            return self.widen(call)
        if kind is Deadline.MAX_WAIT:
            waited = self._now - call.since
            return self._overflow(call, f"waited {waited:.0f} s, the maximum")
        if kind is Deadline.RETRY:
            return self.retry(call)
        return self._lapse(call)

    def _lapse(self, call: LiveCall) -> list[events.Command]:
        agent = call.agent
        assert agent is not None  # an offered call has an agent
        reason = f"offer not answered within {self.config.offer_timeout:.0f} s"
        commands: list[events.Command] = self.withdraw(call, reason)
        agent.misses += 1
        agent.status = AgentStatus.PAUSED  # out of reach while the call is placed again
        commands += self.requeue(call, agent)
        if agent.misses >= self.config.max_consecutive_misses:
            return commands + self.engine_pause(agent, f"missed {agent.misses} offers in a row")
        return commands + self.free(agent)

    def _silence(self, agent: AgentRecord) -> list[events.Command]:
        quiet = self._now - agent.last_heartbeat
        if quiet < agent.hb_timeout:
            self._watch_heartbeat(agent)
            return []
        agent.hb_stamp += 1  # no more watching until the next sign of life
        agent.silent = True
        return self.engine_pause(agent, f"silent for {quiet:.0f} s (no heartbeat)")
