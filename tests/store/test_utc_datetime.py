"""Times in the store: instants in, UTC kept, aware UTC out, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import StatementError

from accueil.store.db import session_factory, transaction
from accueil.store.tables import AccountRow
from accueil.store.tables_availability import ClosureRow

PARIS = ZoneInfo("Europe/Paris")


def _account(engine: Engine) -> int:
    with transaction(session_factory(engine)) as s:
        row = AccountRow(key="martin", name="Martin", answer_name="Martin")
        s.add(row)
        s.flush()
        return row.id


def test_a_time_given_in_paris_is_kept_as_the_same_instant_in_utc(engine: Engine) -> None:
    account = _account(engine)
    start = datetime(2026, 11, 30, 10, 0, tzinfo=PARIS)  # 09:00 UTC
    with transaction(session_factory(engine)) as s:
        s.add(ClosureRow(account_id=account, starts_at=start, ends_at=start.replace(hour=12)))
    with session_factory(engine)() as s:
        row = s.scalars(select(ClosureRow)).one()
        stored = s.execute(text("SELECT starts_at FROM account_closures")).scalar_one()
        # a comparison with an instant in another zone compares instants
        found = s.scalar(select(ClosureRow.id).where(ClosureRow.starts_at <= start))
        later = s.scalar(
            select(ClosureRow.id).where(
                ClosureRow.starts_at > datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
            )
        )
    assert row.starts_at == start and row.starts_at.tzinfo is UTC
    assert row.starts_at.hour == 9
    assert "09:00" in str(stored)  # on disk: the UTC wall time, not Paris's 10:00
    assert found == row.id and later is None


def test_a_naive_time_is_refused_and_nothing_is_written(engine: Engine) -> None:
    account = _account(engine)
    naive = datetime(2026, 11, 30, 10, 0)
    with (
        pytest.raises(StatementError, match="naive datetime"),
        transaction(session_factory(engine)) as s,
    ):
        s.add(ClosureRow(account_id=account, starts_at=naive, ends_at=naive))
    with session_factory(engine)() as s:
        assert s.scalars(select(ClosureRow)).all() == []


def test_server_stamped_times_come_back_aware(engine: Engine) -> None:
    _account(engine)
    with session_factory(engine)() as s:
        row = s.scalars(select(AccountRow)).one()
    assert row.created_at.tzinfo is UTC
