"""The tests' PostgreSQL schemas are used again (tests/postgres_schemas.py, SchemaPool): a
schema emptied after a test must be, for the next one, the schema Alembic makes — same
make-up, same rows, sequences restarted — and one that cannot be emptied safely is dropped."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text

from accueil.demo.directory import generate_demo
from accueil.demo.furnish import furnish_demo
from accueil.services import audit
from accueil.services.clock import FixedClock
from accueil.services.unit_of_work import Application
from accueil.store.db import make_engine, migrate
from postgres_schemas import SchemaPool, Sent, catalog, schema_of, schema_url

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def pool(postgres_migrations: tuple[Sent, ...]) -> Iterator[SchemaPool]:
    own = SchemaPool(postgres_migrations)  # not the session's: its counts are this test's
    yield own
    own.close()


def _sequences(engine: Engine) -> list[tuple[str, object, object]]:
    with engine.connect() as conn:
        names = conn.execute(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
        ).scalars()
        return sorted(
            (name, *conn.execute(text(f'SELECT last_value, is_called FROM "{name}"')).one())
            for name in names
        )


def _until(happened: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if happened():
            return
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def test_a_schema_emptied_after_a_test_is_the_one_alembic_makes(pool: SchemaPool) -> None:
    used = pool.take()
    engine = make_engine(used)
    try:
        app = Application(engine, FixedClock(NOW))
        with app.unit_of_work() as work:
            generate_demo(work.session, accounts=3, people=30, agents=4, seed=7, now=work.now)
            furnish_demo(work.session, 7)
            audit.record(
                work.session,
                audit.AuditEntry(NOW, "", "test", "operator", "demo", "everything"),
            )
        with engine.connect() as conn:
            filled = [
                t
                for t in conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                ).scalars()
                if conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() > 0
            ]
        assert {"people", "accounts", "audit_log", "outbox"} <= set(filled), filled
    finally:
        engine.dispose()
    pool.give_back(used)
    assert pool.dropped == 0 and len(pool.free) == 1

    again = pool.take()
    assert again != used  # a new name: nothing left behind by the last test reaches it
    reused, fresh_url = make_engine(again), schema_url()
    fresh = make_engine(next(fresh_url))
    try:
        migrate(fresh)  # Alembic itself
        assert catalog(reused) == catalog(fresh)  # make-up and every row
        assert _sequences(reused) == _sequences(fresh)  # the ids start again
        migrate(reused)  # at the head: Alembic has nothing to do
    finally:
        reused.dispose()
        fresh.dispose()
        fresh_url.close()
    pool.give_back(again)  # used again and again under new names
    assert pool.dropped == 0 and len(pool.free) == 1
    third = pool.take()
    pool.give_back(third)
    assert pool.dropped == 0 and len(pool.free) == 1


@pytest.mark.parametrize(
    "change",
    [
        "ALTER TABLE people ADD COLUMN nickname text",
        "UPDATE alembic_version SET version_num = '0001'",  # moved off the head
        "ALTER TABLE audit_log DISABLE TRIGGER USER",  # its rows no longer kept whatever
        "GRANT SELECT ON people TO PUBLIC",
    ],
)
def test_a_schema_a_test_changed_is_dropped(pool: SchemaPool, change: str) -> None:
    used = pool.take()
    engine = make_engine(used)
    try:
        with engine.begin() as conn:
            conn.execute(text(change))
    finally:
        engine.dispose()
    pool.give_back(used)
    assert pool.dropped == 1 and pool.free == []
    with pool.admin.connect() as conn:
        left = conn.execute(
            text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"), {"s": schema_of(used)}
        )
        assert left.scalar_one() == 0


def test_a_schema_a_transaction_still_holds_is_dropped_once_it_ends_never_used_again(
    pool: SchemaPool,
) -> None:
    used = pool.take()
    left_open = make_engine(used)
    conn = left_open.connect()
    given_back: threading.Thread | None = None
    try:
        conn.execute(text("UPDATE directory_version SET version = version + 1"))
        # a transaction left running by the test: its row could land after the emptying
        given_back = threading.Thread(target=pool.give_back, args=(used,))
        given_back.start()
        _until(lambda: pool.dropped == 1, "the pool gave up emptying it")
        assert pool.free == []
    finally:
        conn.rollback()
        conn.close()
        left_open.dispose()
        if given_back is not None:
            given_back.join(60)
    assert given_back is not None and not given_back.is_alive()
    assert pool.free == []
