"""Calls decided in worker processes (``decision_workers``): the same decisions and pops as
in-process, slices as fresh as the switchboard's (a rule or script saved in the main process
decides the very next call), and a worker that dies loses no call."""

from __future__ import annotations

import os
import signal
import time

import pytest
from board_world import (
    BLOCKED,
    CALLER,
    CLAIRE,
    EXAMPLES,
    MONDAY_10,
    SWITCHBOARD,
    VIP,
    Board,
    play,
)
from pydantic_core import to_jsonable_python
from sqlalchemy import Engine

from accueil.api.live import _waits
from accueil.api.settings import ApiSettings
from accueil.core.availability import Policy
from accueil.services.caching import CACHES
from accueil.services.rules import save_rules
from accueil.services.script_layers import Owner
from accueil.services.scripts import save_script
from accueil.services.unit_of_work import Application
from accueil.store.db import make_engine
from accueil.switchboard.clock import SimulatedClock
from accueil.switchboard.deciders import _Worker, database_url
from accueil.switchboard.live import build_live
from accueil.telephony.memory import MemoryTelephony
from accueil.telephony.port import InboundCall

ALL_TO_MESSAGE = {
    "account": "martin",
    "person": "claire",
    "rules": [{"name": "all to a message", "then": {"type": "message"}}],
}
CALLS = [
    InboundCall("c1", CALLER, CLAIRE),  # to the pool, with its pop
    InboundCall("c2", VIP, CLAIRE),  # her mobile, then her desk
    InboundCall("c3", BLOCKED, CLAIRE),  # rejected
    InboundCall("c4", CALLER, SWITCHBOARD),  # the account's switchboard number
    InboundCall("c5", CALLER, "+33140009999"),  # a number that leads nowhere: refused
]


def test_the_same_calls_decided_in_a_worker_and_in_process_are_the_same(seeded: Engine) -> None:
    async def scenario(w: Board) -> None:
        deciders = w.board.deciders
        assert deciders is not None
        for event in CALLS * 2:  # the second time on the kept slices, on both sides
            in_process = w.board._decide(event)
            in_worker = await deciders.decide(event, w.clock.now(), 10.0)
            assert _shown(in_worker) == _shown(in_process), event
        assert deciders.decided == 2 * len(CALLS)
        decided = w.board._decide(CALLS[0])
        assert not isinstance(decided, str)
        assert decided[1] == MONDAY_10  # the instant given, not a worker's clock
        assert decided[2] is not None and decided[2]["person"]["name"] == "Claire Martin"
        assert isinstance(w.board._decide(CALLS[-1]), str)

    play(seeded, scenario, decision_workers=2)


def test_calls_through_the_switchboard_with_workers_end_as_in_process(seeded: Engine) -> None:
    async def calls(w: Board) -> tuple[object, ...]:
        await w.board.login("alice")  # not ready: the pool calls wait in line, popped
        for event in CALLS:
            await w.ring(event.call, event.caller, event.dialled)
        treated = {c: (s.treatment, s.decision.rule) for c, s in w.board.calls.items()}
        requests = {e.call: w.telephony.requests(e.call) for e in CALLS}
        return treated, requests, dict(w.board.ready_pops)

    alone = play(seeded, calls)
    assert play(seeded, calls, decision_workers=1) == alone


def test_a_rule_and_a_script_saved_in_the_main_process_decide_the_next_call(
    seeded: Engine,
) -> None:
    script = (EXAMPLES / "scripts" / "cabinet-martin.yaml").read_text(encoding="utf-8")

    async def scenario(w: Board) -> None:
        await w.board.login("alice")
        await w.ring("c1")
        with w.app.unit_of_work() as work:
            save_script(work.session, "martin", Owner("account"), script, now=work.now)
        await w.ring("c2")
        refs = {c: w.board.ready_pops[c]["script"]["ref"] for c in ("c1", "c2")}
        assert refs == {"c1": "account:1", "c2": "account:2"}
        with w.app.unit_of_work() as work:
            save_rules(work.session, "martin", ALL_TO_MESSAGE, now=work.now)
        await w.ring("c3")
        assert w.board.calls["c3"].decision.rule == "all to a message"
        assert w.board.calls["c3"].treatment == "message"
        assert w.board.deciders is not None and w.board.deciders.decided == 3
        assert w.board.slices.reads == 0  # none decided in-process

    play(seeded, scenario, decision_workers=1)


def test_a_killed_worker_loses_no_call(seeded: Engine) -> None:
    async def scenario(w: Board) -> None:
        deciders = w.board.deciders
        assert deciders is not None
        await w.board.login("alice")
        await w.ring("c1")
        [pid] = deciders.pids()
        os.kill(pid, signal.SIGKILL)
        # bounded far above: a killed process ends at once, but a loaded machine may take a
        # while to schedule its end; the next call must find the pool broken
        gone_by = time.monotonic() + 60.0
        while not _reaped(pid) and time.monotonic() < gone_by:
            time.sleep(0.01)
        await w.ring("c2")  # the pool broke: decided in-process
        assert deciders.fallen_back == 1
        await w.ring("c3")  # the workers started again
        assert deciders.decided == 2
        assert {c: w.board.calls[c].treatment for c in ("c1", "c2", "c3")} == {
            "c1": "answer",
            "c2": "answer",
            "c3": "answer",
        }
        assert "c2" in w.board.ready_pops

    play(seeded, scenario, decision_workers=1)


def test_serve_s_setting_gives_the_workers_and_an_in_memory_database_is_refused(
    seeded: Engine,
) -> None:
    settings = ApiSettings(switchboard_decision_workers=2)
    assert ApiSettings().switchboard_decision_workers == 0  # off unless asked
    clock = SimulatedClock(MONDAY_10)
    live = build_live(Application(seeded, clock), clock, MemoryTelephony(), **_waits(settings))
    assert live.board.deciders is not None and live.board.deciders.workers == 2
    alone = build_live(Application(seeded, clock), clock, MemoryTelephony())
    assert alone.board.deciders is None
    in_memory = Application(make_engine("sqlite://"), clock)
    with pytest.raises(ValueError, match="in-memory SQLite"):
        build_live(in_memory, clock, MemoryTelephony(), decision_workers=1)


def _reaped(pid: int) -> bool:
    """The process is gone or a zombie (dead, waiting for its parent's pool to reap it)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return any(line.startswith("State:\tZ") for line in status)
    except OSError:
        return True


def _shown(decided: object) -> object:
    """A decision as compared: its values (a fact's number as people read it is made when
    read: compared by what it says)."""
    return to_jsonable_python(decided, fallback=lambda value: value() if callable(value) else value)


def test_a_worker_s_unit_of_work_is_its_application_s_at_the_call_s_instant(
    seeded_lite: Engine,
) -> None:
    worker = _Worker(database_url(seeded_lite), Policy(), "FR")
    try:
        with worker.work_at(MONDAY_10)() as work:
            assert work.now == MONDAY_10 and work.session.in_transaction()
            assert work.session.info[CACHES] is worker.app.caches.made  # its application's
        with pytest.raises(RuntimeError, match="reads no clock"), worker.app.unit_of_work():
            pass
    finally:
        worker.app.engine.dispose()
