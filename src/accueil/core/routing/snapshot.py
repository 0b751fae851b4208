"""The engine's state as the supervisor sees it: who waits, who is ready, offers in flight."""

from __future__ import annotations

from dataclasses import dataclass

from accueil.core.routing.records import AgentRecord, AgentStatus, CallStatus, LiveCall
from accueil.core.routing.rings import Rings


@dataclass(frozen=True, slots=True)
class WaitingCall:
    call: str
    account: str
    person: str
    since: float  # the caller's place in line
    waited: float
    ring: str  # "person", "account" or "everyone"
    widens_at: float | None  # when the ring widens next
    offered_to: str | None  # the agent ringing now, if any
    familiar_agents: tuple[str, ...]  # the account's team now


@dataclass(frozen=True, slots=True)
class AgentState:
    agent: str
    status: str  # ready, offered, busy, wrapup, paused
    since: float  # in this status since
    idle_since: float | None  # when ready: idle since
    call: str | None
    reason: str  # why paused, when paused
    site: str
    misses: int  # consecutive lapsed offers
    answered: int  # calls answered since login


@dataclass(frozen=True, slots=True)
class OfferInFlight:
    call: str
    agent: str
    token: int
    since: float


@dataclass(frozen=True, slots=True)
class RoutingSnapshot:
    at: float
    waiting: tuple[WaitingCall, ...]  # waiting or ringing, first in line first
    agents: tuple[AgentState, ...]
    offers: tuple[OfferInFlight, ...]

    @property
    def ready(self) -> tuple[AgentState, ...]:
        """Ready agents, idle longest first."""
        ready = [a for a in self.agents if a.status == AgentStatus.READY.value]
        return tuple(sorted(ready, key=lambda a: a.idle_since or 0.0))


def take_snapshot(
    at: float, calls: dict[str, LiveCall], agents: dict[str, AgentRecord], rings: Rings
) -> RoutingSnapshot:
    waiting = sorted(
        (c for c in calls.values() if c.status is not CallStatus.CONNECTED), key=lambda c: c.key
    )
    return RoutingSnapshot(
        at=at,
        waiting=tuple(_waiting(c, at, rings) for c in waiting),
        agents=tuple(_agent(a) for a in agents.values()),
        offers=tuple(
            OfferInFlight(a.call.id, a.id, a.token, a.status_since)
            for a in agents.values()
            if a.status is AgentStatus.OFFERED and a.call is not None
        ),
    )


def _waiting(call: LiveCall, at: float, rings: Rings) -> WaitingCall:
    return WaitingCall(
        call=call.id,
        account=call.account,
        person=call.person,
        since=call.since,
        waited=at - call.since,
        ring=call.ring.label,
        widens_at=call.ring_until,
        offered_to=call.agent.id if call.agent is not None else None,
        familiar_agents=tuple(sorted(rings.team(call.account))),
    )


def _agent(agent: AgentRecord) -> AgentState:
    ready = agent.status is AgentStatus.READY
    return AgentState(
        agent=agent.id,
        status=agent.status.value,
        since=agent.status_since,
        idle_since=agent.idle_since if ready else None,
        call=agent.call.id if agent.call is not None else None,
        reason=agent.pause_reason if agent.status is AgentStatus.PAUSED else "",
        site=agent.site,
        misses=agent.misses,
        answered=agent.answered,
    )


__all__ = ["AgentState", "OfferInFlight", "RoutingSnapshot", "WaitingCall"]
