"""Migrations 0021 and 0024 keep every caller list's entries and every rota's shifts: they
become its version 1, read as the version in force; going back down gives them back. After
0025 every team is in use."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session

from accueil.services.onboarding import load_directory
from accueil.store.db import alembic_config, make_engine, migrate

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def test_a_lists_entries_become_its_first_version_and_come_back_down(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine, "0020")
    with Session(engine) as session, session.begin():  # accounts are as they were at 0020
        load_directory(session, {"accounts": [{"key": "acme", "name": "Acme"}]}, source="t", now=T0)
    with engine.begin() as db:
        db.execute(
            text("INSERT INTO caller_lists (account_id, key, name) VALUES (1, 'VIP', 'Top')")
        )
        db.execute(
            text(
                "INSERT INTO caller_list_entries (account_id, list_id, pattern, label) VALUES "
                "(1, 1, '+33698765432', 'Mme Roux'), (1, 1, '+4420*', '')"
            )
        )
    migrate(engine, "0021")
    with engine.connect() as db:
        assert db.execute(text("SELECT version FROM caller_lists")).scalar() == 1
        row = db.execute(text("SELECT version, name, entries FROM caller_list_versions")).one()
    assert row[0] == 1 and row[1] == "Top"
    assert '"+33698765432"' in row[2] and '"Mme Roux"' in row[2] and '"+4420*"' in row[2]
    command.downgrade(alembic_config(engine), "0020")
    with engine.connect() as db:
        back = db.execute(text("SELECT pattern, label FROM caller_list_entries ORDER BY id")).all()
    engine.dispose()
    assert [tuple(r) for r in back] == [("+33698765432", "Mme Roux"), ("+4420*", "")]


def test_going_back_below_0023_keeps_the_versions_of_lists_in_use(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine, "0022")
    with Session(engine) as session, session.begin():
        load_directory(session, {"accounts": [{"key": "acme", "name": "Acme"}]}, source="t", now=T0)
    migrate(engine, "0023")
    with engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO caller_lists (account_id, key, name, version) VALUES "
                "(1, 'VIP', 'VIP', 2), (1, 'old', 'old', 1)"
            )
        )
        db.execute(text("UPDATE caller_lists SET removed_at = '2026-12-01' WHERE key = 'old'"))
        db.execute(
            text(
                "INSERT INTO caller_list_versions "
                "(account_id, list_id, version, name, entries, saved_at, saved_by) VALUES "
                "(1, 1, 1, 'VIP', '[]', '2026-12-01', ''), "
                "(1, 1, 2, 'VIP', '[]', '2026-12-01', ''), "
                "(1, 2, 1, 'old', '[]', '2026-12-01', '')"
            )
        )
    command.downgrade(alembic_config(engine), "0022")
    with engine.connect() as db:
        kept = db.execute(text("SELECT list_id, version FROM caller_list_versions")).all()
    engine.dispose()
    assert sorted(tuple(r) for r in kept) == [(1, 1), (1, 2)]


def test_a_rotas_shifts_become_its_first_version_and_going_down_keeps_the_one_in_force(
    sqlite_url: str,
) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine, "0023")
    with Session(engine) as session, session.begin():
        load_directory(session, {"accounts": [{"key": "acme", "name": "Acme"}]}, source="t", now=T0)
    with engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO on_call_rotas (account_id, key, name, shifts) VALUES "
                """(1, 'nuit', 'Nuit', '[{"contacts": ["+33612345678"]}]')"""
            )
        )
    migrate(engine, "0024")
    with engine.connect() as db:
        assert db.execute(text("SELECT version FROM on_call_rotas")).scalar() == 1
        row = db.execute(text("SELECT version, name, shifts FROM on_call_rota_versions")).one()
    assert row[0] == 1 and row[1] == "Nuit" and '"+33612345678"' in row[2]
    command.downgrade(alembic_config(engine), "0023")
    with engine.connect() as db:
        back = db.execute(text("SELECT key, shifts FROM on_call_rotas")).one()
    engine.dispose()
    assert back[0] == "nuit" and '"+33612345678"' in back[1]


def test_teams_are_in_use_after_0025_and_going_down_drops_the_ones_taken_down(
    sqlite_url: str,
) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine, "0024")
    with Session(engine) as session, session.begin():
        load_directory(session, {"accounts": [{"key": "acme", "name": "Acme"}]}, source="t", now=T0)
    with engine.begin() as db:
        db.execute(text("INSERT INTO groups (account_id, key, name) VALUES (1, 'compta', 'C')"))
    migrate(engine, "0025")
    with engine.begin() as db:
        row = db.execute(text("SELECT removed_at, removed_by, members FROM groups")).one()
        assert (row[0], row[1], row[2]) == (None, "", "[]")
        db.execute(text("INSERT INTO groups (account_id, key, name) VALUES (1, 'old', 'Old')"))
        db.execute(text("UPDATE groups SET removed_at = '2026-12-01' WHERE key = 'old'"))
    command.downgrade(alembic_config(engine), "0024")
    with engine.connect() as db:
        kept = db.execute(text("SELECT key FROM groups")).scalars().all()
    engine.dispose()
    assert kept == ["compta"]
