"""Shared fixtures: databases on SQLite and PostgreSQL, each test with a fresh schema.

PostgreSQL tests need ``ACCUEIL_TEST_POSTGRES_URL`` (``.ci/run`` sets it); without it they skip
with a visible reason. Each PostgreSQL test gets its own schema through ``search_path``, so the
URL alone is enough, also for a CLI run in a subprocess.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from accueil.settings import get_settings
from accueil.store.db import make_engine, migrate, session_factory

# These machines are shared and noisy: no per-example deadline, and on CI a fixed derandomised
# run so a failure there can be reproduced here with the same examples.
settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "default")

POSTGRES_URL = os.environ.get("ACCUEIL_TEST_POSTGRES_URL", "")
NO_POSTGRES = "ACCUEIL_TEST_POSTGRES_URL is not set (.ci/run sets it); PostgreSQL tests skipped"


def _postgres_schema_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(autouse=True)
def calendar_feeds_on_loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The tests' calendar servers listen on loopback, which production refuses by default."""
    monkeypatch.setenv("ACCUEIL_CALENDAR_ALLOW_PRIVATE_HOSTS", "true")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'accueil.db'}"
    else:
        yield from _postgres_schema_url()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An empty SQLite database URL, for tests where the backend does not matter."""
    return f"sqlite:///{tmp_path / 'accueil.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from _postgres_schema_url()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated database, on both backends."""
    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    eng = make_engine(sqlite_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)
