"""A snapshot that does not load (corrupted, or written by another release) is passed over:
the one before it and the inputs since rebuild the same switchboard. On SQLite and on
PostgreSQL."""

from __future__ import annotations

import asyncio
import logging

import pytest
from board_world import Board
from sqlalchemy import Engine, func, select, update
from test_takeover import _busy_minute, _lead, _state

from accueil.store.tables_switchboard import JournalRow, QuarantinedRow, SnapshotRow
from accueil.switchboard.journal import Journal
from accueil.switchboard.leader import Leadership


def _spoil(engine: Engine, how_many: int) -> None:
    """Overwrite the body of the latest ``how_many`` snapshots with bytes that do not load."""
    with engine.begin() as connection:
        latest = connection.execute(
            select(SnapshotRow.id).order_by(SnapshotRow.seq.desc(), SnapshotRow.id.desc())
        ).scalars()
        for snapshot in list(latest)[:how_many]:
            connection.execute(
                update(SnapshotRow).where(SnapshotRow.id == snapshot).values(body=b"\x80garbage")
            )


def _rebuild(engine: Engine, leadership: Leadership, seconds: float) -> Board:
    new = Board(engine)
    new.clock.advance(seconds)
    journal = Journal(engine, leadership.begin_term(new.clock.now(), 1.0).number)
    new.board.restore(journal.load())
    return new


def _old_leader(engine: Engine, every: int) -> tuple[Board, Leadership]:
    async def main() -> Board:
        old = Board(engine)
        _lead(old, leadership, every)
        await old.board.start()
        await _busy_minute(old)
        await old.settle(1.0)
        await old.board.runner.stop()
        return old

    leadership = Leadership(engine, "ws://a")
    return asyncio.run(main()), leadership


def test_a_corrupted_latest_snapshot_falls_back_to_the_one_before(
    seeded: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    old, leadership = _old_leader(seeded, every=4)
    with seeded.connect() as connection:
        snapshots = connection.execute(select(func.count(SnapshotRow.id))).scalar_one()
    assert snapshots == 2  # the latest and the one to fall back to
    _spoil(seeded, 1)
    with caplog.at_level(logging.ERROR):
        new = _rebuild(seeded, leadership, old.clock.seconds())
    assert "does not load" in caplog.text
    assert _state(new) == _state(old)
    assert len(new.records()) == len(old.records())


def test_with_no_snapshot_that_loads_a_whole_journal_is_replayed(seeded: Engine) -> None:
    old, leadership = _old_leader(seeded, every=1000)  # one snapshot: the journal is whole
    _spoil(seeded, 1)
    new = _rebuild(seeded, leadership, old.clock.seconds())
    assert _state(new) == _state(old)


def test_with_no_snapshot_that_loads_a_pruned_journal_is_not_replayed(
    seeded: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    _old_leader(seeded, every=4)
    _spoil(seeded, 2)
    journal = Journal(seeded)
    with caplog.at_level(logging.ERROR):
        saved = journal.load()
    assert saved.state is None and saved.entries == []  # empty, never a wrong state
    with seeded.connect() as connection:
        last = connection.execute(select(func.max(JournalRow.seq))).scalar_one()
    assert journal.last_seq == last  # journals on after what was lost
    assert "starts empty" in caplog.text


def test_a_journal_row_that_does_not_load_is_moved_aside_and_the_take_over_goes_on(
    seeded: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    old, leadership = _old_leader(seeded, every=1000)
    with seeded.begin() as connection:  # the last telephony event (c4's caller hung up), spoiled
        [(seq, kind)] = [
            (row.seq, row.kind)
            for row in connection.execute(select(JournalRow.seq, JournalRow.kind, JournalRow.body))
            if b"CallerHungUp" in row.body and b'"c4"' in row.body
        ]
        connection.execute(update(JournalRow).where(JournalRow.seq == seq).values(body=b"{"))
    with caplog.at_level(logging.ERROR):
        new = _rebuild(seeded, leadership, old.clock.seconds())  # does not stop
    assert f"switchboard journal row {seq} (Heard" in caplog.text
    assert "moved to switchboard_journal_quarantine" in caplog.text
    # every input but that one replayed (the telephony's Ended for c4, after it, ends the call
    # all the same): the same calls in the same places, the same offers and tokens
    assert _state(new)["calls"] == _state(old)["calls"]
    assert "c4" not in new.board.calls
    with seeded.connect() as connection:
        kept = connection.execute(
            select(QuarantinedRow.seq, QuarantinedRow.kind, QuarantinedRow.body)
        ).all()
        left = connection.execute(select(JournalRow.seq).where(JournalRow.seq == seq)).all()
    assert [tuple(k) for k in kept] == [(seq, kind, b"{")]  # nothing lost: kept as it was
    assert left == []  # the next take-over does not meet it again
