"""A switchboard on a real database with an in-memory telephony, memory desks and a simulated
clock: Cabinet Martin (examples/), its script, Claire's rules, and two agents."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, select

from accueil.core.routing.config import EngineConfig
from accueil.services.callers import set_caller_list, set_rota
from accueil.services.onboarding import load_directory
from accueil.services.rules import save_rules
from accueil.services.script_layers import Owner
from accueil.services.scripts import save_script
from accueil.services.unit_of_work import Application
from accueil.store.tables_scripts import CallRecordRow
from accueil.switchboard.board import Switchboard
from accueil.switchboard.clock import SimulatedClock
from accueil.switchboard.desks import MemoryDesks
from accueil.telephony.memory import MemoryTelephony
from martin_answers import MESSAGE_ANSWERS  # noqa: F401  (the tests import it from here)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MONDAY_10 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 10:00 in Paris: the office is open
CLAIRE = "+33140000001"
SWITCHBOARD = "+33140000000"
VIP = "+33699887766"
BLOCKED = "+33899123456"
CALLER = "+33612345678"
CLAIRE_RULES = {
    "account": "martin",
    "person": "claire",
    "rules": [
        {"name": "blocked", "when": {"caller_in_list": "blocked"}, "then": {"type": "reject"}},
        {
            "name": "VIP → mobile then desk",
            "when": {"caller_in_list": "vip"},
            "then": {
                "type": "connect",
                "devices": [{"device": "mobile", "timeout": 20}, {"device": "desk", "timeout": 15}],
                "no_answer": {"type": "answer"},
            },
        },
    ],
}


def seed(engine: Engine, more_agents: int = 0) -> None:
    """The examples' Cabinet Martin, a second agent (and ``more_agents``: g1, g2, …), its
    script, lists and Claire's rules."""
    directory = yaml.safe_load((EXAMPLES / "clients.yaml").read_text(encoding="utf-8"))
    directory["agents"].append(
        {"key": "bob", "name": "Bob Martin", "site": "paris", "languages": ["fr"]}
    )
    directory["agents"].extend(
        {"key": f"g{k}", "name": f"Agent {k}", "site": "paris", "languages": ["fr"]}
        for k in range(1, more_agents + 1)
    )
    script = (EXAMPLES / "scripts" / "cabinet-martin.yaml").read_text(encoding="utf-8")
    app = Application(engine, SimulatedClock(MONDAY_10))
    with app.unit_of_work() as work:
        load_directory(work.session, directory, now=work.now, source="test")
        rota = yaml.safe_load((EXAMPLES / "rota.yaml").read_text(encoding="utf-8"))
        set_rota(work.session, "martin", rota, now=work.now)
        save_script(work.session, "martin", Owner("account"), script, now=work.now)
        set_caller_list(work.session, "martin", "vip", [VIP], now=work.now)
        set_caller_list(work.session, "martin", "blocked", [BLOCKED], now=work.now)
        save_rules(work.session, "martin", CLAIRE_RULES, now=work.now)


class Board:
    """The switchboard under test and the world around it."""

    def __init__(
        self, engine: Engine, config: EngineConfig | None = None, decision_workers: int = 0
    ) -> None:
        self.clock = SimulatedClock(MONDAY_10)
        self.app = Application(engine, self.clock)
        self.telephony = MemoryTelephony()
        self.desks = MemoryDesks()
        self.board = Switchboard(
            self.app, self.clock, self.telephony, self.desks, config=config or EngineConfig(),
            decision_workers=decision_workers,
        )  # fmt: skip

    async def settle(self, seconds: float = 0.0) -> None:
        await self.board.runner.settle()
        if seconds:
            self.clock.advance(seconds)
            await self.board.runner.settle()

    async def agent_ready(self, *agents: str) -> None:
        for agent in agents:
            await self.board.login(agent)
            await self.board.ready(agent)

    async def ring(self, call: str, caller: str = CALLER, dialled: str = CLAIRE) -> None:
        self.telephony.inbound(call, caller, dialled)
        await self.settle()

    def records(self) -> list[CallRecordRow]:
        with self.app.sessions() as session:
            return list(session.scalars(select(CallRecordRow).order_by(CallRecordRow.id)))


def play(engine: Engine, scenario: Callable[[Board], Awaitable[Any]], **kwargs: Any) -> Any:
    """Run ``scenario`` against a started switchboard, then stop it."""

    async def main() -> Any:
        world = Board(engine, **kwargs)
        await world.board.start()
        try:
            return await scenario(world)
        finally:
            await world.board.stop()

    return asyncio.run(main())
