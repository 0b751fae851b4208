"""Call records are written off the engine's task, in batches, each exactly once."""

from __future__ import annotations

import asyncio
from collections import deque
from datetime import timedelta

from board_world import CALLER, MONDAY_10, Board, play
from sqlalchemy import Engine, func, select

from accueil.services.calls import CallRecord, is_recorded
from accueil.services.unit_of_work import Application
from accueil.store.tables_scripts import CallRecordRow
from accueil.switchboard.clock import SimulatedClock
from accueil.switchboard.records import Pending, RecordWriter


def _record(call: str, person: str = "claire") -> CallRecord:
    return CallRecord(
        caller=CALLER, dialled="+33140000001", started_at=MONDAY_10, person=person,
        call_id=call, fate="abandoned", waited=3.0, ended_at=MONDAY_10 + timedelta(seconds=3),
    )  # fmt: skip


def test_calls_ending_together_are_recorded_once_each_in_fewer_transactions(
    seeded: Engine,
) -> None:
    async def scenario(w: Board) -> None:
        await w.board.login("alice")  # not ready: every call waits in line
        calls = [f"c{i}" for i in range(30)]
        for call in calls:
            w.telephony.inbound(call, CALLER, "+33140000001")
        await w.settle(5.0)
        for call in calls:  # every caller gives up at once
            w.telephony.caller_hangs_up(call)
        await w.settle()
        records = w.records()
        assert sorted(r.call_id for r in records) == sorted(calls)
        assert {r.fate for r in records} == {"abandoned"}
        assert 1 <= w.board.records.batches < len(calls)
        assert not w.board.unrecorded

    play(seeded, scenario)


def test_a_record_the_database_refuses_is_kept_and_the_others_of_its_batch_written(
    seeded: Engine,
) -> None:
    app = Application(seeded, SimulatedClock(MONDAY_10))
    kept: deque[Pending] = deque()
    started: list[asyncio.Future[None]] = []
    writer = RecordWriter(app, started.append, kept)

    async def main() -> None:
        writer.put("martin", _record("a1"))
        writer.put("martin", _record("a2", person="nobody"))  # not a person of the account
        writer.put("martin", _record("a3"))
        while started and not all(f.done() for f in started):
            await asyncio.wait(list(started))

    asyncio.run(main())
    assert [record.call_id for _, record in kept] == ["a2"]
    with app.sessions() as session:
        written = [is_recorded(session, "martin", c) for c in ("a1", "a2", "a3")]
        count = session.scalar(select(func.count()).select_from(CallRecordRow))
    assert (written, count) == ([True, False, True], 2)


def test_a_batch_skips_a_call_recorded_already_and_writes_the_others(seeded: Engine) -> None:
    app = Application(seeded, SimulatedClock(MONDAY_10))
    writer = RecordWriter(app, lambda work: None, deque())
    writer.write([("martin", _record("b1"))])
    writer.write([("martin", _record("b1")), ("martin", _record("b2"))])
    with app.sessions() as session:
        ids = session.scalars(select(CallRecordRow.call_id).order_by(CallRecordRow.id)).all()
    assert (ids, writer.batches, list(writer.unrecorded)) == (["b1", "b2"], 2, [])
