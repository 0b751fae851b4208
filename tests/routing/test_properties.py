"""Invariants of the engine over random event sequences (hypothesis stateful testing)."""

from __future__ import annotations

import math
import os
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from accueil.core.routing import Engine, EngineConfig
from accueil.core.routing.events import (
    AgentLoggedIn,
    AgentLoggedOut,
    AgentPaused,
    AgentReady,
    Bridge,
    CallAbandoned,
    CallEnded,
    CallEnqueued,
    Command,
    Event,
    Heartbeat,
    Ignored,
    Offer,
    OfferAccepted,
    OfferDeclined,
    Overflow,
    RevokeOffer,
    Tick,
    WrapUpEnded,
)
from accueil.core.routing.profiles import PROFILES
from accueil.core.routing.records import CallStatus, FamiliarRing
from accueil.errors import InvalidInput

AGENTS = [f"a{i}" for i in range(6)]
ACCOUNTS = ["acme", "bolt", "cube"]
LANGS = st.sampled_from([("fr",), ("fr", "en"), ("en",)])


class EngineMachine(RuleBasedStateMachine):
    strategy_name = "accueil"
    overrides: ClassVar[dict[str, Any]] = {}  # EngineConfig fields for this machine

    def __init__(self) -> None:
        super().__init__()
        config = EngineConfig(
            offer_timeout=10,
            heartbeat_timeout=25,
            max_wait=120,
            max_consecutive_misses=2,
            wrapup_seconds=5,
            **self.overrides,
        )
        self.engine = Engine(config, self.strategy_name)
        self.now = 0.0
        self.profiles: dict[str, AgentLoggedIn] = {}
        self.calls: dict[str, CallEnqueued] = {}
        self.leases: dict[str, tuple[str, int]] = {}  # call -> (agent, token) ringing now
        self.connected: dict[str, tuple[str, int]] = {}  # call -> (agent, token) answered
        self.old_tokens: list[tuple[str, str, int]] = []  # (call, agent, token) ever offered
        self.outcomes: dict[str, list[str]] = {}

    # ------------------------------------------------------------ feeding and bookkeeping

    def feed(self, event: Event) -> list[Command]:
        out = self.engine.handle(event)
        for command in out:
            self.apply(command)
        return out

    def apply(self, command: Command) -> None:
        if isinstance(command, Offer):
            self.check_hard_requirements(command)
            assert command.call not in self.leases, "a call rings one agent at a time"
            self.leases[command.call] = (command.agent, command.token)
            self.old_tokens.append((command.call, command.agent, command.token))
        elif isinstance(command, RevokeOffer):
            assert self.leases.pop(command.call) == (command.agent, command.token)
        elif isinstance(command, Bridge):
            assert self.leases.pop(command.call) == (command.agent, command.token)
            self.connected[command.call] = (command.agent, command.token)
            self.outcomes.setdefault(command.call, []).append("answered")
        elif isinstance(command, Overflow):
            assert command.call not in self.leases
            self.outcomes.setdefault(command.call, []).append("overflowed")

    def check_hard_requirements(self, offer: Offer) -> None:
        call, agent = self.calls[offer.call], self.profiles[offer.agent]
        assert set(call.languages) <= set(agent.languages)
        if call.certification_required:
            assert call.account in dict(agent.trainings)

    def assert_ignored(self, event: Event) -> None:
        before = self.engine.snapshot()
        out = self.feed(event)
        assert len(out) == 1 and isinstance(out[0], Ignored), out
        assert self.engine.snapshot() == before

    # ------------------------------------------------------------ agents

    @rule(
        agent=st.sampled_from(AGENTS),
        languages=LANGS,
        trained=st.lists(st.tuples(st.sampled_from(ACCOUNTS), st.integers(1, 3)), max_size=2),
        site=st.sampled_from(["A", "home"]),
    )
    def log_in(self, agent: str, languages: Any, trained: Any, site: str) -> None:
        event = AgentLoggedIn(self.now, agent, languages, tuple(trained), site)
        new = agent not in self.engine.agents
        self.feed(event)
        assert agent in self.engine.agents
        if new:
            self.profiles[agent] = event  # a second login changes nothing

    @rule(agent=st.sampled_from(AGENTS))
    def ready(self, agent: str) -> None:
        self.feed(AgentReady(self.now, agent))

    @rule(agent=st.sampled_from(AGENTS))
    def pause(self, agent: str) -> None:
        self.feed(AgentPaused(self.now, agent, "break"))

    @rule(agent=st.sampled_from(AGENTS))
    def log_out(self, agent: str) -> None:
        self.feed(AgentLoggedOut(self.now, agent))

    @rule(agent=st.sampled_from(AGENTS))
    def heartbeat(self, agent: str) -> None:
        self.feed(Heartbeat(self.now, agent))

    @rule(agent=st.sampled_from(AGENTS))
    def end_wrapup(self, agent: str) -> None:
        self.feed(WrapUpEnded(self.now, agent))

    # ------------------------------------------------------------ calls

    @rule(
        account=st.sampled_from(ACCOUNTS),
        person=st.sampled_from(["", "p1", "p2"]),
        languages=st.sampled_from([("fr",), ("en",)]),
        certification=st.booleans(),
        tier=st.sampled_from(["standard", "premium"]),
    )
    def enqueue(self, account: str, person: str, languages: Any, certification: bool, tier: str):
        name = f"c{len(self.calls)}"
        event = CallEnqueued(self.now, name, account, person, languages, certification, tier)
        self.calls[name] = event
        self.feed(event)

    @precondition(lambda self: self.leases)
    @rule(data=st.data(), accept=st.booleans())
    def answer_or_decline(self, data: Any, accept: bool) -> None:
        call = data.draw(st.sampled_from(sorted(self.leases)))
        agent, token = self.leases[call]
        if not accept:
            del self.leases[call]  # the agent declined: no revoke comes back
        kind = OfferAccepted if accept else OfferDeclined
        out = self.feed(kind(self.now, call, agent, token))
        assert not any(isinstance(c, Ignored) for c in out)

    @precondition(lambda self: self.connected)
    @rule(data=st.data())
    def hang_up(self, data: Any) -> None:
        call = data.draw(st.sampled_from(sorted(self.connected)))
        agent, token = self.connected.pop(call)
        out = self.feed(CallEnded(self.now, call, agent, token))
        assert not any(isinstance(c, Ignored) for c in out)

    @precondition(lambda self: self.calls)
    @rule(data=st.data())
    def abandon(self, data: Any) -> None:
        call = data.draw(st.sampled_from(sorted(self.calls)))
        live = self.engine.calls.get(call)
        if live is None or live.status is CallStatus.CONNECTED:
            self.assert_ignored(CallAbandoned(self.now, call))
            return
        self.feed(CallAbandoned(self.now, call))
        self.outcomes.setdefault(call, []).append("abandoned")

    @precondition(lambda self: self.old_tokens)
    @rule(data=st.data(), kind=st.sampled_from([OfferAccepted, OfferDeclined, CallEnded]))
    def replay_an_old_token(self, data: Any, kind: Any) -> None:
        call, agent, token = data.draw(st.sampled_from(self.old_tokens))
        current = self.leases.get(call) if kind is not CallEnded else self.connected.get(call)
        if current == (agent, token):
            return  # that one is not stale
        self.assert_ignored(kind(self.now, call, agent, token))

    @rule(
        bad=st.sampled_from([math.nan, math.inf, -math.inf, -1.0]),
        where=st.sampled_from(["tick", "heartbeat", "at", "max_wait", "target", "wrapup", "since"]),
        agent=st.sampled_from(AGENTS),
    )
    def bad_number(self, bad: float, where: str, agent: str) -> None:
        """A non-finite or negative time or duration is refused and changes nothing."""
        now = self.now
        events: dict[str, Event] = {
            "tick": Tick(bad),
            "heartbeat": Heartbeat(bad, agent),
            "at": CallEnqueued(bad, "bad", "acme"),
            "max_wait": CallEnqueued(now, "bad", "acme", max_wait=bad),
            "target": CallEnqueued(now, "bad", "acme", target_seconds=bad),
            "wrapup": AgentLoggedIn(now, "newcomer", wrapup_seconds=bad),
            "since": CallEnqueued(now, "bad", "acme", since=bad),
        }
        before, deadline = self.engine.snapshot(), self.engine.next_deadline()
        with pytest.raises(InvalidInput):
            self.engine.handle(events[where])
        assert self.engine.snapshot() == before
        assert self.engine.next_deadline() == deadline

    @rule(seconds=st.sampled_from([1.0, 3.0, 7.0, 15.0, 40.0]))
    def time_passes(self, seconds: float) -> None:
        until = self.now + seconds
        while (d := self.engine.next_deadline()) is not None and d <= until:
            self.now = max(self.now, d)
            self.feed(Tick(d))
        self.now = until
        self.feed(Tick(until))

    # ------------------------------------------------------------ invariants

    @invariant()
    def an_agent_holds_at_most_one_offer_or_call(self) -> None:
        holders = [a for a, _ in self.leases.values()] + [a for a, _ in self.connected.values()]
        assert len(holders) == len(set(holders))
        snap = self.engine.snapshot()
        assert len({o.agent for o in snap.offers}) == len(snap.offers)

    @invariant()
    def every_call_ends_at_most_once_and_live_calls_not_at_all(self) -> None:
        for call, outcomes in self.outcomes.items():
            assert len(outcomes) == 1, (call, outcomes)
        waiting = {w.call for w in self.engine.snapshot().waiting}
        assert not waiting & set(self.outcomes)
        assert set(self.calls) == waiting | set(self.outcomes)

    @invariant()
    def one_waiter_per_agent(self) -> None:
        engine = self.engine
        if not engine.config.one_waiter:
            return
        claimed = [c.claimed for c in engine.line.calls.values() if c.claimed]
        assert len(claimed) == len(set(claimed)), claimed

    @invariant()
    def the_first_call_for_an_agent_is_the_first_in_line_it_may_take(self) -> None:
        # line.first_for (what longest-idle would give a freed agent, which the guard uses)
        engine = self.engine
        for agent in engine.agents.values():
            able = [
                c
                for c in engine.line.calls.values()
                if agent.can_take(c) and agent.id not in c.declined
            ]
            first = min(able, key=lambda c: c.key, default=None)
            assert engine.line.first_for(agent) is first, (agent.id, first)

    @invariant()
    def no_call_waits_that_no_logged_in_agent_could_take(self) -> None:
        engine = self.engine
        for call in engine.calls.values():
            assert any(a.can_take(call) for a in engine.agents.values()), call.id

    @invariant()
    def no_call_waits_past_its_budget_while_an_eligible_agent_sits_ready(self) -> None:
        engine = self.engine
        for call in engine.line.calls.values():
            for agent in engine.pool.ready.values():
                if not agent.can_take(call) or agent.id in call.declined:
                    continue
                if call.ring is FamiliarRing.EVERYONE:
                    # Held calls (hold_seconds > 0) may wait for a less precious agent, but
                    # never past their hold: a RETRY deadline re-places them then.
                    hold_end = call.enqueued + engine.config.hold_seconds
                    assert engine.now < hold_end, (call.id, agent.id)
                    assert engine.next_deadline() is not None
                    assert engine.next_deadline() <= hold_end
                    continue
                assert not engine.rings.in_ring(call, agent), (call.id, agent.id)
                assert call.ring_until is not None and call.ring_until > engine.now

    def teardown(self) -> None:
        # Every call ends exactly once: hang up whatever is still waiting or talking.
        for call in sorted(self.calls):
            if call in self.connected:
                agent, token = self.connected.pop(call)
                self.feed(CallEnded(self.now, call, agent, token))
            elif call not in self.outcomes:
                self.feed(CallAbandoned(self.now, call))
                self.outcomes[call] = ["abandoned"]
        assert all(len(o) == 1 for o in self.outcomes.values())
        assert set(self.outcomes) == set(self.calls)
        assert self.engine.snapshot().waiting == ()


class LongestIdleMachine(EngineMachine):
    strategy_name = "longest_idle"


class HoldingMachine(EngineMachine):
    """accueil holding strangers' calls as much as it may (every ready agent is precious)."""

    overrides: ClassVar[dict[str, Any]] = {"hold_seconds": 8.0, "hold_loss": 0.0}


class GuardMachine(EngineMachine):
    """accueil with a guard that acts after 3 calls, budgets up to 3× and down to 0, and calls
    past their target left to familiar agents ending wrap-up: hard requirements still hold."""

    overrides: ClassVar[dict[str, Any]] = {
        "guard_min_calls": 3,
        "guard_window": 120.0,
        "guard_max": 3.0,
        "guard_tolerance": 0.2,
        "past_target_seconds": 15.0,
        "budget_share": 1.5,
    }


class GraceMachine(EngineMachine):
    """accueil spending a grace learned from the first abandonment seen (claims released,
    calls past the grace left to familiar agents): hard requirements still hold."""

    overrides: ClassVar[dict[str, Any]] = {
        "grace_aware": True,
        "grace_min_abandons": 1,
        "release_claims": True,
        "guard": False,
        "past_target_seconds": 15.0,
        "open_line_share": -1.0,
        "budget_share": 1.5,
    }


class GuardGraceMachine(EngineMachine):
    """accueil with the guard priced by a grace learned from the first abandonment seen (the
    profile grace_guarded's settings, a guard acting after 3 calls): hard requirements hold."""

    overrides: ClassVar[dict[str, Any]] = {
        **PROFILES["grace_guarded"],
        "grace_min_abandons": 1,
        "guard_min_calls": 3,
        "guard_window": 120.0,
        "budget_share": 1.5,
    }


# ROUTING_EXAMPLES=2000 for a deeper search; the default keeps the suite fast.
_SETTINGS = settings(
    max_examples=int(os.environ.get("ROUTING_EXAMPLES", "60")),
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
EngineMachine.TestCase.settings = _SETTINGS
LongestIdleMachine.TestCase.settings = _SETTINGS
HoldingMachine.TestCase.settings = _SETTINGS
GuardMachine.TestCase.settings = _SETTINGS
GraceMachine.TestCase.settings = _SETTINGS
GuardGraceMachine.TestCase.settings = _SETTINGS
TestAccueilInvariants = EngineMachine.TestCase
TestLongestIdleInvariants = LongestIdleMachine.TestCase
TestHoldingInvariants = HoldingMachine.TestCase
TestGuardInvariants = GuardMachine.TestCase
TestGraceInvariants = GraceMachine.TestCase
TestGuardGraceInvariants = GuardGraceMachine.TestCase
