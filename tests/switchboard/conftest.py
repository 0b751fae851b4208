"""The switchboard's tests run on a seeded database, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from board_world import seed
from sqlalchemy import Engine


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    seed(engine)
    return engine


@pytest.fixture
def seeded_lite(sqlite_engine: Engine) -> Engine:
    seed(sqlite_engine)
    return sqlite_engine
