"""A switchboard on SQLite whose telephony is Kamailio, driven by SIPp: Cabinet Martin
(examples/) with Claire's desk phone registered here, two secretaries, a trunk."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sip_world import DOMAIN, PASSWORDS, SECONDS, Run, Sipp
from sqlalchemy import Engine, select

from accueil.core.routing.config import EngineConfig
from accueil.services.callers import set_caller_list, set_rota
from accueil.services.onboarding import load_directory
from accueil.services.rules import save_rules
from accueil.services.script_layers import Owner
from accueil.services.scripts import save_script
from accueil.services.unit_of_work import Application
from accueil.sip import scenarios
from accueil.sip.edge import serve_board
from accueil.sip.kamailio import Kamailio, free_port
from accueil.sip.telephony import SipTelephony
from accueil.store.tables_scripts import CallRecordRow
from accueil.switchboard.board import Switchboard
from accueil.switchboard.desks import MemoryDesks
from accueil.telephony.port import Sink, TelephonyEvent

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MONDAY_10 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 10:00 in Paris: the office is open
CLAIRE = "+33140000001"
CALLER = "+33612345678"
VIP = "+33699887766"
BLOCKED = "+33899123456"
MOBILE = "+33641404068"
RULES = {
    "account": "martin",
    "person": "claire",
    "rules": [
        {"name": "blocked", "when": {"caller_in_list": "blocked"}, "then": {"type": "reject"}},
        {
            "name": "VIP → mobile then desk",
            "when": {"caller_in_list": "vip"},
            "then": {
                "type": "connect",
                "devices": [{"device": "mobile", "timeout": 5}, {"device": "desk", "timeout": 5}],
                "no_answer": {"type": "answer"},
            },
        },
        {"name": "closed", "when": {"account_open": False}, "then": {"type": "message"}},
    ],
}


class ShiftedClock:
    """Real seconds on a time line that starts on Monday 10:00 in Paris, whenever it runs."""

    def __init__(self, start: datetime = MONDAY_10) -> None:
        self._start, self._zero = start, time.monotonic()

    def seconds(self) -> float:
        return time.monotonic() - self._zero

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self.seconds())

    async def sleep_until(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds - self.seconds()))


def seed(engine: Engine) -> None:
    directory = yaml.safe_load((EXAMPLES / "clients.yaml").read_text(encoding="utf-8"))
    directory["agents"].append(
        {"key": "bob", "name": "Bob Martin", "site": "paris", "languages": ["fr"]}
    )
    claire = next(p for p in directory["people"] if p["key"] == "claire")
    claire["devices"] = [f"mobile:{MOBILE}", f"desk:sip:claire-desk@{DOMAIN}"]
    script = (EXAMPLES / "scripts" / "cabinet-martin.yaml").read_text(encoding="utf-8")
    app = Application(engine, ShiftedClock())
    with app.unit_of_work() as work:
        load_directory(work.session, directory, now=work.now, source="test")
        rota = yaml.safe_load((EXAMPLES / "rota.yaml").read_text(encoding="utf-8"))
        set_rota(work.session, "martin", rota, now=work.now)
        save_script(work.session, "martin", Owner("account"), script, now=work.now)
        set_caller_list(work.session, "martin", "vip", [VIP], now=work.now)
        set_caller_list(work.session, "martin", "blocked", [BLOCKED], now=work.now)
        save_rules(work.session, "martin", RULES, now=work.now)


class HeardTelephony(SipTelephony):
    """The SIP telephony, keeping what it told the switchboard, in order: what happened to a
    call, told apart by its kind (a device busy at once, or rung out) instead of by the time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.heard: list[TelephonyEvent] = []

    def attach(self, sink: Sink) -> None:
        def heard(event: TelephonyEvent) -> None:
            self.heard.append(event)
            sink(event)

        super().attach(heard)


class Line:
    """The switchboard on Kamailio, and SIPp playing callers, softphones and phones."""

    def __init__(
        self, engine: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int],
        offer_timeout: float = 15.0, start: datetime = MONDAY_10,
        clock: ShiftedClock | None = None, decision_workers: int = 0,
    ) -> None:  # fmt: skip
        self.kamailio, self.sipp = kamailio, sipp
        self.caller_port, self.trunk_port = trunk
        self.clock = clock or ShiftedClock(start)
        self.app = Application(engine, self.clock)
        s = kamailio.settings
        self.telephony = HeardTelephony(
            s.evapi_host, s.evapi_port, domain=DOMAIN, trunk=f"127.0.0.1:{self.trunk_port}"
        )
        self.desks = MemoryDesks()
        self.board = Switchboard(
            self.app, self.clock, self.telephony, self.desks,
            config=EngineConfig(offer_timeout=offer_timeout, retry_after=60.0),
            decision_workers=decision_workers,
        )  # fmt: skip
        serve_board(self.telephony, self.board)

    async def phone(
        self, user: str, behaviour: str, *, scenario: str = "", expires: int = 300,
        calls: int = 1, seconds: float = SECONDS,
    ) -> asyncio.subprocess.Process:  # fmt: skip
        """A softphone or SIP phone: registered with its digest, then ringing as told (or
        playing ``scenario``) for ``calls`` calls, within ``seconds``."""
        port = free_port()
        # listening first: the contact port is ours before Kamailio may send to it
        phone = await self.sipp.start(
            user, scenario or scenarios.callee(behaviour), port=port, calls=calls, seconds=seconds
        )
        registered = await self.sipp.run(
            f"register-{user}",
            scenarios.register(user, DOMAIN, port, expires),
            extra=("-au", user, "-ap", PASSWORDS[user]),
        )
        assert registered.ok, registered.explain()
        return phone

    async def mobile(self, behaviour: str) -> asyncio.subprocess.Process:
        """A mobile, reached through the trunk."""
        return await self.sipp.start("mobile", scenarios.callee(behaviour), port=self.trunk_port)

    async def call(self, caller: str = CALLER, dialled: str = CLAIRE, **how: Any) -> Run:
        done = await self.sipp.run(
            "caller", scenarios.caller(caller, dialled, DOMAIN, **how), port=self.caller_port
        )
        if done.ok:
            return done
        engine = self.board.host.engine.snapshot()
        state = (
            f"\nswitchboard: {self.board.live_calls()}, lines {self.telephony.lines}\n{engine}\n"
        )
        return dataclasses.replace(done, out=done.out + state)

    def calling(self, caller: str = CALLER, dialled: str = CLAIRE, **how: Any) -> Awaitable[Run]:
        return asyncio.ensure_future(self.call(caller, dialled, **how))

    async def done(self, name: str, process: asyncio.subprocess.Process) -> Run:
        return await self.sipp.finish(name, process)

    async def ready(self, *agents: str) -> None:
        for agent in agents:
            await self.board.login(agent)
            await self.board.ready(agent)

    async def until(self, check: Callable[[], bool], within: float = 20.0) -> None:
        deadline = time.monotonic() + within
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"not within {within} s: calls {self.board.live_calls()}, desks "
                    f"{self.desks.__dict__}, lines {self.telephony.lines}, "
                    f"heard {self.telephony.heard}\n{self.kamailio.said()}"
                )
            await asyncio.sleep(0.05)

    def records(self) -> list[CallRecordRow]:
        with self.app.sessions() as session:
            return list(session.scalars(select(CallRecordRow).order_by(CallRecordRow.id)))


def play(
    engine: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int],
    scenario: Callable[[Line], Awaitable[Any]], offer_timeout: float = 15.0,
    start: datetime = MONDAY_10, decision_workers: int = 0,
) -> Any:  # fmt: skip
    async def main() -> Any:
        line = Line(
            engine, kamailio, sipp, trunk, offer_timeout, start, decision_workers=decision_workers
        )
        await line.board.start()
        await line.telephony.start()
        try:
            return await scenario(line)
        finally:
            await line.telephony.stop()
            await line.board.stop()
            await sipp.stop_all()

    return asyncio.run(main())
