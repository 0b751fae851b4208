"""One record per call, whoever writes it: a deposed leader's thread that writes a call's
record after its successor wrote it from the journal finds it there (the unique index of
migration 0016), writes nothing and emits nothing. On SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic import command
from board_world import CALLER, CLAIRE, MONDAY_10
from sqlalchemy import Engine, func, insert, select

from accueil.services.calls import CallRecord, is_recorded, record_call
from accueil.services.unit_of_work import Application
from accueil.store.db import alembic_config
from accueil.store.tables_outbox import OutboxRow
from accueil.store.tables_scripts import CallRecordRow
from accueil.switchboard.clock import SimulatedClock


def _record(call: str, fate: str = "abandoned") -> CallRecord:
    return CallRecord(CALLER, CLAIRE, MONDAY_10, person="claire", call_id=call, fate=fate)


def _count(engine: Engine, call: str) -> tuple[int, int]:
    with engine.connect() as connection:
        records = connection.execute(
            select(func.count()).where(CallRecordRow.call_id == call)
        ).scalar_one()
        events = connection.execute(
            select(func.count()).where(OutboxRow.name == "call.recorded")
        ).scalar_one()
    return int(records), int(events)


def test_a_call_recorded_by_two_leaders_has_one_record(seeded: Engine) -> None:
    app = Application(seeded, SimulatedClock(MONDAY_10))
    with app.unit_of_work() as old:  # the deposed leader's thread: it looked, found none…
        assert not is_recorded(old.session, "martin", "c1")
        with app.unit_of_work() as new:  # …meanwhile its successor wrote it from the journal
            first = record_call(new.session, "martin", _record("c1"))
        second = record_call(old.session, "martin", _record("c1", "overflowed"))
    assert second == first
    assert _count(seeded, "c1") == (1, 1)  # one record, one event
    with app.sessions() as session:
        fate = session.scalars(select(CallRecordRow.fate)).one()
    assert fate == "abandoned"  # the first stands


def test_records_without_a_call_id_are_not_merged(seeded: Engine) -> None:
    app = Application(seeded, SimulatedClock(MONDAY_10))
    for _ in range(2):
        with app.unit_of_work() as work:
            record_call(work.session, "martin", _record(""))
    assert _count(seeded, "")[0] == 2


def test_records_written_twice_before_the_index_are_kept_renamed(seeded: Engine) -> None:
    app = Application(seeded, SimulatedClock(MONDAY_10))
    with app.unit_of_work() as work:
        record_call(work.session, "martin", _record("c7"))
    config = alembic_config(seeded)
    command.downgrade(config, "0015")
    with seeded.begin() as connection:  # the duplicate an older release could write
        table = CallRecordRow.__table__
        row = connection.execute(select(table)).mappings().one()
        connection.execute(insert(table).values({**row, "id": row["id"] + 1}))
    command.upgrade(config, "head")
    with seeded.connect() as connection:
        ids = connection.execute(
            select(CallRecordRow.id, CallRecordRow.call_id).order_by(CallRecordRow.id)
        ).all()
    first = ids[0].id
    assert [tuple(r) for r in ids] == [(first, "c7"), (first + 1, f"c7~dup{first + 1}")]
