"""The engine's promises, checked from the outside while the twin plays a realistic day.

The routing tests prove them on random event sequences; the twin checks them again under a
day's load: a call is answered at most once and never after it ended; an agent holds at most one
call; a call goes only to an agent who speaks its languages; an offer never goes to an agent on
a call, nor for a call that has ended.
"""

from __future__ import annotations

from accueil.sim.scenario import Scenario


class Watch:
    """Collects every broken promise as a sentence with the time, the call and the agent."""

    def __init__(self, scenario: Scenario) -> None:
        self._languages = {a.key: frozenset(a.languages) for a in scenario.agents}
        self._needs = {c.key: c.languages for c in scenario.calls}
        self._holding: dict[str, str] = {}  # agent -> the call they are talking on
        self._ended: set[str] = set()  # answered, abandoned or overflowed
        self.violations: list[str] = []

    def offered(self, at: float, call: str, agent: str) -> None:
        if agent in self._holding:
            self._broken(at, f"{call} offered to {agent}, who is on {self._holding[agent]}")
        if call in self._ended:
            self._broken(at, f"{call} offered to {agent} after it ended")

    def answered(self, at: float, call: str, agent: str) -> None:
        if call in self._ended:
            self._broken(at, f"{call} answered by {agent} after it ended")
        if agent in self._holding:
            self._broken(at, f"{agent} answered {call} while on {self._holding[agent]}")
        missing = [lang for lang in self._needs[call] if lang not in self._languages[agent]]
        if missing:
            self._broken(at, f"{call} needs {', '.join(missing)}; {agent} does not speak it")
        self._holding[agent] = call
        self._ended.add(call)

    def talk_over(self, agent: str) -> None:
        self._holding.pop(agent, None)

    def abandoned(self, call: str) -> None:
        self._ended.add(call)

    def overflowed(self, at: float, call: str) -> None:
        if call in self._ended:
            self._broken(at, f"{call} overflowed after it ended")
        self._ended.add(call)

    def _broken(self, at: float, what: str) -> None:
        self.violations.append(f"t={at:.1f}: {what}")
