"""The schema comes from Alembic migrations, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

import accueil.store.models  # noqa: F401
from accueil.store.db import make_engine, migrate
from accueil.store.tables import AccountRow, Base, NumberRow, PersonRow


def test_migrations_build_exactly_the_tables_the_code_declares(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"a migration is missing for: {diff}"


def test_migrating_twice_changes_nothing(engine: Engine) -> None:
    before = sorted(inspect(engine).get_table_names())
    migrate(engine)
    assert sorted(inspect(engine).get_table_names()) == before


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    eng = make_engine(sqlite_url)
    with eng.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    eng.dispose()


def _account(key: str) -> AccountRow:
    return AccountRow(key=key, name=key.title(), answer_name=key.title(), languages=["fr"])


def test_a_number_claimed_twice_is_refused_by_the_database(sessions: sessionmaker[Session]) -> None:
    with sessions() as s, s.begin():
        a, b = _account("a"), _account("b")
        s.add_all([a, b])
        s.flush()
        s.add(NumberRow(e164="+33140000000", account_id=a.id))
    with pytest.raises(IntegrityError), sessions() as s, s.begin():
        b_id = s.query(AccountRow.id).filter_by(key="b").scalar()
        s.add(NumberRow(e164="+33140000000", account_id=b_id))
    with sessions() as s:
        owners = s.query(NumberRow.account_id).all()
        assert len(owners) == 1


def test_a_person_cannot_belong_to_an_account_that_does_not_exist(
    sessions: sessionmaker[Session],
) -> None:
    with pytest.raises(IntegrityError), sessions() as s, s.begin():
        s.add(PersonRow(account_id=999, key="x", languages=[], devices=[]))
