"""Fixtures of the API tests: the two-tenant world on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from api_world import World, build_world
from sqlalchemy import Engine


@pytest.fixture
def world(engine: Engine) -> World:
    """Accounts alpha and bravo, one user of each role, on both backends."""
    return build_world(engine)


@pytest.fixture
def lite(sqlite_engine: Engine) -> World:
    """The same world on SQLite only, for checks where the backend does not matter."""
    return build_world(sqlite_engine)
