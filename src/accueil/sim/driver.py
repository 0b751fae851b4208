"""The discrete-event driver: plays a scenario through the real routing engine.

A heap of timed happenings (calls arriving, callers hanging up, agents picking up, calls ending,
shifts, breaks, heartbeats) is merged with the engine's own deadlines: before anything at time
``t``, the engine gets a ``Tick`` at each deadline due by ``t``. The engine's commands are carried
out the way agents and callers would: an offer rings, the agent picks up after ``ring_seconds``
or misses it (the lease then lapses in the engine), a connected call talks for its handle time.
Home softphones may drop their link for a while (no heartbeats, unanswered offers). A ``Watch``
checks the engine's promises along the way.

The engine runs inside the switchboard's ``EngineHost``, the same host that serves live calls:
the twin is its ``Carrier`` (its simulated agents and callers carry out the commands) and owns
the time line (a discrete-event timeline instead of the live runner's clock).
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accueil.core.routing import events
from accueil.core.routing.config import EngineConfig
from accueil.core.routing.engine import Engine
from accueil.core.routing.profiles import profiled
from accueil.sim.outcomes import CallResult, Fate
from accueil.sim.scenario import CallSpec, Presence, Scenario
from accueil.sim.watch import Watch
from accueil.switchboard.host import EngineHost

# An agent the engine paused for missed offers notices and makes themselves ready again.
RECOVER_SECONDS = 30.0


@dataclass(frozen=True)
class TwinResult:
    """What the driver saw: each call's fate, counted busy time, events fed, ignored events."""

    records: tuple[CallResult, ...]
    busy_seconds: float
    events: int
    ignored: int
    violations: tuple[str, ...]  # the engine's promises broken (see ``accueil.sim.watch``)


class Twin:
    """One run of a scenario through one engine."""

    def __init__(
        self, scenario: Scenario, engine: Engine, seed: int, heartbeat_seconds: float = 15.0
    ) -> None:
        self.scenario = scenario
        self.engine = engine
        self.host = EngineHost(engine, self)
        self.random = random.Random(seed)
        self.heartbeat_seconds = heartbeat_seconds
        self._heap: list[tuple[float, int, Any]] = []
        self._seq = itertools.count()
        self._calls = {c.key: c for c in scenario.calls}
        self._fates: dict[str, tuple[Fate, float, str]] = {}
        self._connected: dict[str, float] = {}  # call -> answered at
        self._freed: dict[str, float] = {}  # call -> its agent free again at
        self._wrapping: dict[str, tuple[str, float]] = {}  # agent -> (call, wrap-up until)
        self._live_offers: set[int] = set()
        self._agents = {a.key: a for a in scenario.agents}
        self._accounts = {a.key: (a.tier, a.target_seconds) for a in scenario.accounts}
        self._on_shift: dict[str, Presence] = {}
        self._on_break: set[str] = set()
        self._offline: set[str] = set()  # home agents whose softphone lost its link
        self._out_of_rotation: set[str] = set()  # owe an AgentReady as soon as they can
        self._busy = 0.0
        self.watch = Watch(scenario)
        self._handlers: dict[type, Callable[[float, Any], None]] = {
            CallSpec: self._arrive,
            Presence: self._start_shift,
            events.CallAbandoned: self._hang_up,
            events.OfferAccepted: self._pick_up,
            events.Heartbeat: self._beat,
            _BreakStart: self._break_starts,
            _BreakEnd: self._break_ends,
            _Recover: self._recover,
            _DropStart: self._drop,
            _DropEnd: self._reconnect,
            events.CallEnded: self._end_talk,
            events.AgentLoggedOut: self._log_out,
        }

    # ----------------------------------------------------------------- the loop

    def run(self) -> TwinResult:
        # Shifts first: an agent whose shift starts as a call arrives is logged in to take it.
        for presence in self.scenario.presences:
            self._push(presence.start, presence)
        for call in self.scenario.calls:
            self._push(call.arrival, call)
        # The engine's deadlines and the heap are merged one step at a time: a deadline may
        # schedule happenings (a pick-up) that come before the next deadline.
        while True:
            deadline = self.host.next_deadline()
            upcoming = self._heap[0][0] if self._heap else None
            if deadline is not None and (upcoming is None or deadline <= upcoming):
                self.host.tick(deadline)
            elif upcoming is not None:
                at, _, item = heapq.heappop(self._heap)
                self._happen(at, item)
            else:
                break
        return TwinResult(
            self._records(),
            self._busy,
            self.host.events,
            self.host.ignored,
            tuple(self.watch.violations),
        )

    def _push(self, at: float, item: Any) -> None:
        heapq.heappush(self._heap, (at, next(self._seq), item))

    def _feed(self, event: events.Event) -> None:
        if isinstance(event, events.AgentReady) and event.agent in self._wrapping:
            call, until = self._wrapping.pop(event.agent)
            if event.at < until:  # ready again before the end of wrap-up (after a pause)
                self._freed[call] = event.at
        self.host.feed(event)

    # ----------------------------------------------------------------- happenings

    def _happen(self, at: float, item: Any) -> None:
        handler = self._handlers.get(type(item))
        if handler is None:
            self._feed(item)  # an engine event sent as is (CallEnded)
        else:
            handler(at, item)

    def _hang_up(self, at: float, item: events.CallAbandoned) -> None:
        if item.call not in self._fates:  # not answered (nor overflowed) by then
            self._fates[item.call] = (Fate.ABANDONED, at - self._calls[item.call].arrival, "")
            self.watch.abandoned(item.call)
            self._feed(item)

    def _end_talk(self, at: float, item: events.CallEnded) -> None:
        self.watch.talk_over(item.agent)
        # Talk time counts from the call's own start and end, whatever follows (a wrap-up, none,
        # or the agent leaving): the engine sends no WrapUp in the last two cases.
        start = self._connected.pop(item.call, at)
        self._busy += max(0.0, at - max(start, self.scenario.counted_from))
        self._feed(item)

    def _pick_up(self, at: float, item: events.OfferAccepted) -> None:
        if item.token in self._live_offers:  # the caller may have gone, the offer lapsed
            self._feed(item)

    def _beat(self, at: float, item: events.Heartbeat) -> None:
        if item.agent in self._on_shift:
            if item.agent not in self._offline:
                self._feed(item)
            later = at + self.heartbeat_seconds
            self._push(later, events.Heartbeat(later, item.agent))

    def _break_starts(self, at: float, item: _BreakStart) -> None:
        self._on_break.add(item.agent)
        self._feed(events.AgentPaused(at, item.agent, "break"))

    def _break_ends(self, at: float, item: _BreakEnd) -> None:
        self._on_break.discard(item.agent)
        self._out_of_rotation.add(item.agent)
        self._recover(at, _Recover(item.agent))

    def _recover(self, at: float, item: _Recover) -> None:
        # Back in rotation when on shift, not on a break and connected.
        agent = item.agent
        able = agent in self._on_shift and agent not in self._on_break | self._offline
        if agent in self._out_of_rotation and able:
            self._out_of_rotation.discard(agent)
            self._feed(events.AgentReady(at, agent))

    def _drop(self, at: float, item: _DropStart) -> None:
        self._offline.add(item.agent)

    def _reconnect(self, at: float, item: _DropEnd) -> None:
        self._offline.discard(item.agent)
        if item.agent in self._on_shift:
            self._feed(events.Heartbeat(at, item.agent))
            self._recover(at, _Recover(item.agent))

    def _log_out(self, at: float, item: events.AgentLoggedOut) -> None:
        self._on_shift.pop(item.agent, None)
        self._feed(item)

    def _arrive(self, at: float, call: CallSpec) -> None:
        account = self._accounts[call.account]
        self._feed(
            events.CallEnqueued(
                at=call.arrival,
                call=call.key,
                account=call.account,
                person=call.person,
                languages=call.languages,
                tier=account[0],
                target_seconds=account[1],
                wrapup_seconds=self.scenario.wrap_up_seconds,
            )
        )
        if call.patience_seconds != float("inf"):
            hangup = call.arrival + call.patience_seconds
            self._push(hangup, events.CallAbandoned(hangup, call.key))

    def _start_shift(self, at: float, presence: Presence) -> None:
        agent = self._agents[presence.agent]
        self._on_shift[agent.key] = presence
        self._feed(
            events.AgentLoggedIn(at, agent.key, agent.languages, agent.trainings, site=agent.site)
        )
        self._feed(events.AgentReady(at, agent.key))
        if self.engine.config.heartbeat_for(agent.site) is not None:
            self._push(
                at + self.heartbeat_seconds,
                events.Heartbeat(at + self.heartbeat_seconds, agent.key),
            )
        for start, end in presence.breaks:
            self._push(start, _BreakStart(agent.key))
            self._push(end, _BreakEnd(agent.key))
        for start, end in presence.dropouts:
            self._push(start, _DropStart(agent.key))
            self._push(end, _DropEnd(agent.key))
        self._push(presence.end, events.AgentLoggedOut(presence.end, agent.key))

    # ----------------------------------------------------------------- commands

    def carry_out(self, at: float, command: events.Command) -> None:
        """The host's ``Carrier``: agents and callers react to the engine's commands."""
        if isinstance(command, events.Offer):
            self.watch.offered(at, command.call, command.agent)
            self._live_offers.add(command.token)
            missed = self.random.random() < self.scenario.miss_probability
            if not missed and command.agent not in self._offline:
                pickup = at + self.scenario.ring_seconds
                self._push(
                    pickup, events.OfferAccepted(pickup, command.call, command.agent, command.token)
                )
        elif isinstance(command, events.RevokeOffer):
            self._live_offers.discard(command.token)
        elif isinstance(command, events.Bridge):
            self._live_offers.discard(command.token)
            self.watch.answered(at, command.call, command.agent)
            self._connected[command.call] = at
            self._fates[command.call] = (Fate.ANSWERED, command.waited, command.agent)
            end = at + self._calls[command.call].handle_seconds
            self._push(end, events.CallEnded(end, command.call, command.agent, command.token))
        elif isinstance(command, events.WrapUp):
            self._freed[command.call] = command.until
            self._wrapping[command.agent] = (command.call, command.until)
            self._busy += max(0.0, command.until - max(at, self.scenario.counted_from))
        elif isinstance(command, events.Overflow):
            self.watch.overflowed(at, command.call)
            waited = at - self._calls[command.call].arrival
            self._fates.setdefault(command.call, (Fate.OVERFLOWED, waited, ""))
        elif isinstance(command, events.PauseAgent):
            self._out_of_rotation.add(command.agent)
            self._push(at + RECOVER_SECONDS, _Recover(command.agent))

    # ----------------------------------------------------------------- results

    def _records(self) -> tuple[CallResult, ...]:
        records = []
        for call in self.scenario.calls:
            fate, waited, agent = self._fates.get(call.key, (Fate.UNFINISHED, 0.0, ""))
            freed = self._freed.get(call.key) if fate is Fate.ANSWERED else None
            records.append(
                CallResult(
                    call.key, call.account, call.person, call.arrival, fate, waited, agent, freed
                )
            )
        return tuple(records)


@dataclass(frozen=True)
class _BreakStart:
    agent: str


@dataclass(frozen=True)
class _BreakEnd:
    agent: str


@dataclass(frozen=True)
class _Recover:
    agent: str


@dataclass(frozen=True)
class _DropStart:
    agent: str


@dataclass(frozen=True)
class _DropEnd:
    agent: str


def engine_config(scenario: Scenario, params: dict[str, Any]) -> EngineConfig:
    """The engine's configuration: the scenario's tier bonuses, then the workload's overrides
    (``profile``: a named profile of ``accueil.core.routing.profiles`` under them)."""
    bonus = {a.tier: a.priority_seconds for a in scenario.accounts}
    settings: dict[str, Any] = {"tier_bonus": bonus, "wrapup_seconds": scenario.wrap_up_seconds}
    settings.update(params)
    return profiled(str(settings.pop("profile", "balanced")), **settings)


def play(
    scenario: Scenario, strategy: str, seed: int, params: dict[str, Any] | None = None
) -> TwinResult:
    """Play ``scenario`` through a fresh engine running ``strategy``."""
    engine = Engine(engine_config(scenario, params or {}), strategy)
    return Twin(scenario, engine, seed).run()
