"""The simulated telephony: a workload's callers ring the operator's real numbers on the
switchboard's clock, hang up when their patience runs out, and after talking."""

from __future__ import annotations

import asyncio

from board_world import MESSAGE_ANSWERS, MONDAY_10
from sqlalchemy import Engine, select

from accueil.services.unit_of_work import Application
from accueil.store.tables_scripts import CallRecordRow
from accueil.switchboard.clock import SimulatedClock
from accueil.switchboard.live import build_live
from accueil.telephony.simulated import SimulatedTelephony, calls_of_a_day


def test_a_day_of_callers_is_made_from_the_operator_in_the_database(seeded_lite: Engine) -> None:
    with Application(seeded_lite, SimulatedClock(MONDAY_10)).sessions() as session:
        calls = calls_of_a_day(session, "demo", seed=1)
        again = calls_of_a_day(session, "demo", seed=1, limit=3)
    assert calls[:3] == again  # reproducible
    assert calls[0].at == 0.0 and [c.at for c in calls] == sorted(c.at for c in calls)
    assert {c.dialled for c in calls} <= {"+33140000000", "+33140000001"}
    assert all(c.caller.startswith("+336") and c.handle > 0 for c in calls)


def test_simulated_callers_are_answered_or_give_up_and_every_call_is_recorded(
    seeded_lite: Engine,
) -> None:
    clock = SimulatedClock(MONDAY_10)
    app = Application(seeded_lite, clock)
    with app.sessions() as session:
        calls = calls_of_a_day(session, "demo", seed=1, limit=2)
    first, second = calls
    telephony = SimulatedTelephony(clock, calls)

    async def scenario() -> None:
        live = build_live(app, clock, telephony, player=telephony)
        await live.start()
        board = live.board
        await board.login("alice")
        await board.ready("alice")
        await board.runner.settle()
        clock.advance(0.0)
        await board.runner.settle()
        offer = live.desks.kept("alice")[-1]
        assert offer["type"] == "offer" and offer["call"] == first.key
        await board.accept("alice", first.key, offer["token"])
        # the first caller talks, then hangs up: alice gives the outcome in wrap-up; the second
        # caller is never accepted and gives up (or overflows)
        finished = False
        for _ in range(2000):
            state = board.calls.get(first.key)
            if not finished and state is not None and state.stage.value == "wrapup":
                await board.finish("alice", first.key, MESSAGE_ANSWERS)
                finished = True
            if finished and second.key not in board.calls and clock.seconds() > second.at:
                break
            clock.advance(5.0)
            await board.runner.settle()
        assert finished
        await live.stop()

    asyncio.run(scenario())
    with app.sessions() as session:
        fates = dict(session.execute(select(CallRecordRow.call_id, CallRecordRow.fate)).all())
    assert fates[first.key] == "answered"
    assert fates[second.key] in {"abandoned", "overflowed"}
