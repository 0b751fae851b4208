"""The audit log is append-only in the database itself (migration 0018): an UPDATE, a DELETE
(and on PostgreSQL a TRUNCATE) is refused, and the rows are as they were; new rows still go in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, delete, text, update
from sqlalchemy.exc import IntegrityError

from accueil.services.audit import AuditEntry, read_audit, record
from accueil.store.db import make_engine, migrate, session_factory, transaction
from accueil.store.tables_audit import AuditRow

NOW = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)


def _entry(n: int) -> AuditEntry:
    return AuditEntry(NOW, "alpha", f"user{n}", "client_admin", "GET /x", f"/x/{n}", f"r{n}", "h")


@pytest.fixture
def engine(db_url: str) -> Engine:
    found = make_engine(db_url)
    migrate(found)
    with transaction(session_factory(found)) as session:
        for n in (1, 2):
            record(session, _entry(n))
    return found


def _rows(engine: Engine) -> list[AuditEntry]:
    with session_factory(engine)() as session:
        return read_audit(session, None)


@pytest.mark.parametrize(
    "change",
    [
        update(AuditRow).values(user="someone else"),
        update(AuditRow).where(AuditRow.user == "user1").values(account="bravo"),
        delete(AuditRow),
        delete(AuditRow).where(AuditRow.user == "user2"),
    ],
    ids=["update all", "update one", "delete all", "delete one"],
)
def test_a_change_or_a_deletion_of_audit_rows_is_refused_and_changes_nothing(
    engine: Engine, change: object
) -> None:
    before = _rows(engine)
    factory = session_factory(engine)
    with pytest.raises(IntegrityError, match="append-only"), transaction(factory) as session:
        session.execute(change)  # type: ignore[call-overload]
    assert _rows(engine) == before
    engine.dispose()


def test_new_rows_still_go_in_after_a_refusal(engine: Engine) -> None:
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log"))
    with transaction(session_factory(engine)) as session:
        record(session, _entry(3))
    assert [e.user for e in _rows(engine)] == ["user3", "user2", "user1"]
    engine.dispose()


@pytest.mark.postgres
def test_truncate_is_refused_on_postgresql(postgres_url: str) -> None:
    found = make_engine(postgres_url)
    migrate(found)
    with transaction(session_factory(found)) as session:
        record(session, _entry(1))
    with pytest.raises(IntegrityError, match="append-only"), found.begin() as connection:
        connection.execute(text("TRUNCATE audit_log"))
    assert len(_rows(found)) == 1
    found.dispose()
