"""A simulated telephony: the twin's callers, played on the switchboard's clock.

The calls of one counted day of a workload — made from the operator in the database
(``sim.from_directory``: its accounts and agents, the base workload's arrivals, handle times and
patience) — ring the accounts' real numbers at their times from the start of play, at the
clock's speed (real time, or accelerated by a ``RealClock`` speed, or moved by hand with a
``SimulatedClock``). A caller hangs up when their patience runs out before an agent answers,
and after their handle time once answered. Agents are whoever is connected: real desks, or
the benchmark's clients.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from accueil.services.directory import list_accounts, list_numbers
from accueil.sim.from_directory import workload_from_directory
from accueil.sim.generator import generate
from accueil.sim.workload import load_workload
from accueil.switchboard.clock import SwitchClock
from accueil.tasks import stopped
from accueil.telephony.memory import MemoryTelephony


@dataclass(frozen=True)
class SimulatedCall:
    """One caller: when (seconds after the start of play), whom they dial, how they behave."""

    key: str
    at: float
    caller: str
    dialled: str
    patience: float
    handle: float


def calls_of_a_day(
    session: Session,
    workload: str = "demo",
    seed: int = 1,
    limit: int | None = None,
    from_hour: float = 0.0,
) -> list[SimulatedCall]:
    """The first counted day of ``workload`` on the operator in the database, from ``from_hour``
    (e.g. 10.0: the morning peak) on; ``at`` counts from the first of those calls."""
    scenario = generate(workload_from_directory(session, load_workload(workload)), seed)
    numbers = {
        a.key: [n.e164 for n in list_numbers(session, a.key)] for a in list_accounts(session)
    }
    day = [
        c
        for c in scenario.calls
        if scenario.counted_from <= c.arrival < scenario.counted_from + 86_400
    ]
    first = day[0].arrival if day else 0.0
    calls = []
    for spec in day[:limit]:
        dialled = numbers.get(spec.account) or []
        if not dialled:
            continue
        pick = int(hashlib.sha256(spec.person.encode()).hexdigest(), 16)
        calls.append(
            SimulatedCall(
                spec.key,
                spec.arrival - first,
                _caller_number(spec.key),
                dialled[pick % len(dialled)],
                spec.patience_seconds,
                spec.handle_seconds,
            )
        )
    return calls


def _caller_number(key: str) -> str:
    digits = int(hashlib.sha256(key.encode()).hexdigest(), 16) % 10**8
    return f"+336{digits:08d}"


class SimulatedTelephony(MemoryTelephony):
    """The in-memory telephony, with callers who hang up on their own."""

    def __init__(self, clock: SwitchClock, calls: list[SimulatedCall]) -> None:
        super().__init__()
        self.clock, self.calls = clock, calls
        self._by_key = {c.key: c for c in calls}
        self._tasks: set[asyncio.Task[None]] = set()
        self._player: asyncio.Task[None] | None = None
        self.started_at = 0.0

    def start(self) -> None:
        self.started_at = self.clock.seconds()
        self._player = asyncio.get_running_loop().create_task(self._play(), name="callers")

    async def stop(self) -> None:
        tasks = [*self._tasks, *([self._player] if self._player else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            await stopped(task)
        self._tasks.clear()

    def bridge(self, call: str, agent: str) -> None:
        again = self._line(call).connected_to == agent  # asked again after a take-over
        super().bridge(call, agent)
        spec = self._by_key.get(call)
        if spec is not None and not again:
            self._later(self.clock.seconds() + spec.handle, call, answered=True)

    async def _play(self) -> None:
        for spec in self.calls:
            await self.clock.sleep_until(self.started_at + spec.at)
            self.inbound(spec.key, spec.caller, spec.dialled)
            if spec.patience != float("inf"):
                self._later(self.started_at + spec.at + spec.patience, spec.key, answered=False)

    def _later(self, at: float, call: str, *, answered: bool) -> None:
        task = asyncio.get_running_loop().create_task(self._hang_up_at(at, call, answered))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _hang_up_at(self, at: float, call: str, answered: bool) -> None:
        await self.clock.sleep_until(at)
        line = self.lines.get(call)
        if line is None or line.over:
            return
        talking = bool(line.connected_to)
        if talking == answered:  # impatient and still unanswered, or done talking
            self.caller_hangs_up(call)
