"""Shared fixtures: databases on SQLite and PostgreSQL, each test with a fresh schema.

PostgreSQL tests need ``ACCUEIL_TEST_POSTGRES_URL`` (``.ci/run`` sets it); without it they skip
with a visible reason. Each PostgreSQL test gets its own schema through ``search_path``, so the
URL alone is enough, also for a CLI run in a subprocess; a migrated one is made by sending
again what Alembic sent to an empty schema, and emptied after the test for another one under a
new name (tests/postgres_schemas.py).
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from accueil import logs
from accueil.services import users
from accueil.settings import get_settings
from accueil.store.db import make_engine, migrate, session_factory
from postgres_schemas import (
    POSTGRES_URL,
    SchemaPool,
    Sent,
    recorded_migrations,
    schema_url,
    vacuum_catalogue,
)

# Production's argon2id costs 0.1 s a hash or a check (several tenths on a loaded machine), and
# the pages' and the API's tests sign in hundreds of times: in this process, argon2id with its
# cheapest settings (the same code: hash, check, rehash when the settings change). The servers
# and commands the tests start as processes keep production's.
users._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

# These machines are shared and noisy: no per-example deadline, and on CI a fixed derandomised
# run so a failure there can be reproduced here with the same examples.
settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "default")

# The tests share one PostgreSQL server, whose settled events wait behind any transaction still
# running on it (services.outbox.read_settled): a transaction left open by a test whose database
# hangs (tests/db_proxy.py) is ended by the server after this, not after the 60 s default.
os.environ.setdefault("ACCUEIL_DATABASE_STATEMENT_TIMEOUT_SECONDS", "15")


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # once: in the main process, not a worker
        vacuum_catalogue()


@pytest.fixture(autouse=True)
def calendar_feeds_on_loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The tests' calendar servers listen on loopback, which production refuses by default."""
    monkeypatch.setenv("ACCUEIL_CALENDAR_ALLOW_PRIVATE_HOSTS", "true")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The log lines (JSON, from info up) written while the test runs."""
    stream = io.StringIO()
    logs.configure("json", "info", stream)
    yield stream
    logs.configure("json", "warning")  # back to the quiet default


def _postgres(request: pytest.FixtureRequest, migrated_by: str) -> Iterator[str]:
    """A schema of its own: a migrated one from the pool when the test asks for the migrated
    engine made on it, an empty one otherwise."""
    if migrated_by not in request.fixturenames or not POSTGRES_URL:
        yield from schema_url()
        return
    pool: SchemaPool = request.getfixturevalue("postgres_pool")
    url = pool.take()
    try:
        yield url
    finally:
        pool.give_back(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL, once on SQLite and once on PostgreSQL: empty, or at the head when the
    test asks for ``engine`` too."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'accueil.db'}"
    else:
        yield from _postgres(request, "engine")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An empty SQLite database URL, for tests where the backend does not matter."""
    return f"sqlite:///{tmp_path / 'accueil.db'}"


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from _postgres(request, "postgres_engine")


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite database migrated to the head per test process: a test's migrated SQLite
    database is a copy of it (a copy takes a millisecond, the migrations about 0.2 s)."""
    path = tmp_path_factory.mktemp("migrated") / "accueil.db"
    eng = make_engine(f"sqlite:///{path}")
    migrate(eng)
    eng.dispose()  # the last connection closed: the file holds everything (no -wal left)
    return path


@pytest.fixture(scope="session")
def postgres_migrations() -> tuple[Sent, ...]:
    """What Alembic sends to an empty PostgreSQL schema, recorded once per test process: each
    test's migrated PostgreSQL schema is made by sending it again (tests/postgres_schemas.py)."""
    return recorded_migrations()


@pytest.fixture(scope="session")
def postgres_pool(postgres_migrations: tuple[Sent, ...]) -> Iterator[SchemaPool]:
    """This test process's migrated PostgreSQL schemas, emptied and used again
    (tests/postgres_schemas.py)."""
    pool = SchemaPool(postgres_migrations)
    yield pool
    pool.close()


def _migrated(url: str, template: Path) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        shutil.copyfile(template, parsed.database)
    eng = make_engine(url)
    migrate(eng)  # at the head already when copied: checked, left alone
    return eng


@pytest.fixture
def engine(db_url: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated database, on both backends."""
    if make_url(db_url).get_backend_name() == "postgresql":
        eng = make_engine(db_url)  # at the head: from the pool (db_url)
    else:
        eng = _migrated(db_url, request.getfixturevalue("migrated_sqlite"))
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str, migrated_sqlite: Path) -> Iterator[Engine]:
    eng = _migrated(sqlite_url, migrated_sqlite)
    yield eng
    eng.dispose()


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    """A migrated PostgreSQL database, for what only PostgreSQL does."""
    eng = make_engine(postgres_url)  # at the head: from the pool (postgres_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)
