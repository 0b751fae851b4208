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
        for lang in call.languages:
            rate, then = self._demand.get(lang, (0.0, at))
            decay = math.exp(-(at - then) * math.log(2) / self._half_life) if at > then else 1.0
            self._demand[lang] = (rate * decay + 1.0, max(at, then))

    def skill_weight(self, agent: AgentRecord, call: LiveCall, at: float) -> float:
        """How much the calls need this agent's skills beyond what ``call`` needs: for each of
        its other languages, that language's demand per agent who speaks it. Zero for an agent
        with no skill past the call's (the least-skilled agent is spared nothing)."""
        weight = 0.0
        for lang in agent.languages:
            if lang in call.languages:
                continue
            demand = self._demand.get(lang)
            speakers = self._speakers.get(lang, 0)
            if demand is not None and speakers > 0:
                rate, then = demand
                if at > then:
                    rate *= math.exp(-(at - then) * math.log(2) / self._half_life)
                weight += rate / speakers
        return weight
