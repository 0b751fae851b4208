"""Requirement groups: the logged-in agents able to take a call, by its hard requirements.

A call's group is its requirement key (the account when certification is required, and its
languages). The group decides three things: whether anyone logged in can take the call at all
(if not, it overflows at once), how long the open line makes it wait (Little's law over the
group's own agents, not the whole pool), and how scarce each skill is (the demand for a
language against the agents who speak it), so that scarce agents are spared for the calls only
they can take.
"""

from __future__ import annotations

import math

from accueil.core.routing.records import AgentRecord, LiveCall

Key = tuple[str, tuple[str, ...]]  # (certification account or "", languages)

# A language is scarce when its share of the calls is at least this share of its speakers' share
# of the agents (W1: English is 10% of calls for 33% of agents, 0.3: not scarce; the scarce-skill
# workload: 30% of calls for 35% of agents, 0.86: scarce).
SCARCE_RATIO = 0.5
_ALL = "\x00all"  # the demand of every call, whatever its languages


def key_of(call: LiveCall) -> Key:
    return (call.account if call.certification_required else "", call.languages)


def _able(agent: AgentRecord, key: Key) -> bool:
    cert, languages = key
    if cert and cert not in agent.trainings:
        return False
    return all(lang in agent.languages for lang in languages)


class Groups:
    """Counts of logged-in agents per requirement key, kept up to date incrementally."""

    __slots__ = ("_able", "_agents", "_demand", "_half_life", "_speakers")

    def __init__(self, agents: dict[str, AgentRecord], half_life: float) -> None:
        self._agents = agents  # the engine's logged-in agents (shared, not copied)
        self._able: dict[Key, int] = {}  # only keys seen so far; kept exact on login/logout
        self._speakers: dict[str, int] = {}  # language -> logged-in agents who speak it
        # language -> (smoothed rate of calls needing it, at); the demand for each skill
        self._demand: dict[str, tuple[float, float]] = {}
        self._half_life = half_life

    def able(self, call: LiveCall) -> int:
        """How many logged-in agents meet the call's hard requirements (paused ones included)."""
        key = key_of(call)
        count = self._able.get(key)
        if count is None:
            count = self._able[key] = sum(1 for a in self._agents.values() if _able(a, key))
        return count

    def login(self, agent: AgentRecord) -> None:
        self._count(agent, 1)

    def logout(self, agent: AgentRecord) -> None:
        self._count(agent, -1)

    def _count(self, agent: AgentRecord, step: int) -> None:
        for key in self._able:
            if _able(agent, key):
                self._able[key] += step
        for lang in agent.languages:
            self._speakers[lang] = self._speakers.get(lang, 0) + step

    # ----------------------------------------------------------------- scarcity of skills

    def arrival(self, call: LiveCall, at: float) -> None:
        """Count the call's need for each of its languages (exponentially smoothed rate)."""
        for lang in (*call.languages, _ALL):
            rate, then = self._demand.get(lang, (0.0, at))
            self._demand[lang] = (self._decayed(rate, then, at) + 1.0, max(at, then))

    def _decayed(self, rate: float, then: float, at: float) -> float:
        if at <= then:
            return rate
        return rate * math.exp(-(at - then) * math.log(2) / self._half_life)

    def skill_weight(self, agent: AgentRecord, call: LiveCall, at: float) -> float:
        """How much the calls need this agent's scarce skills beyond what ``call`` needs: for
        each of its other languages that is scarce (its share of the calls at least
        ``SCARCE_RATIO`` × its speakers' share of the agents), its demand per speaker. Zero
        for an agent with no scarce skill past the call's: they are spared nothing."""
        weight = 0.0
        for lang in agent.languages:
            if lang not in call.languages:
                weight += self._scarcity(lang, at)
        return weight

    def scarce_skills(self, agent: AgentRecord, at: float) -> frozenset[str]:
        """The agent's languages that are scarce now."""
        return frozenset(lang for lang in agent.languages if self._scarcity(lang, at) > 0)

    def scarce(self, call: LiveCall, at: float) -> bool:
        """Does the call need a scarce language?"""
        return any(self._scarcity(lang, at) > 0 for lang in call.languages)

    def _scarcity(self, lang: str, at: float) -> float:
        """The language's demand per speaker when it is scarce, else 0."""
        everyone, demand = self._demand.get(_ALL), self._demand.get(lang)
        speakers, agents = self._speakers.get(lang, 0), len(self._agents)
        if everyone is None or demand is None or not speakers or speakers >= agents:
            return 0.0  # a language every agent speaks is no one's scarce skill
        rate = self._decayed(demand[0], demand[1], at)
        share = rate / self._decayed(everyone[0], everyone[1], at)
        return rate / speakers if share >= SCARCE_RATIO * speakers / agents else 0.0
