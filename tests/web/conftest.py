"""Fixtures of the pages' tests: the two-tenant world on SQLite (and PostgreSQL where it counts)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from web_world import World, build_world


@pytest.fixture
def world(sqlite_engine: Engine) -> World:
    return build_world(sqlite_engine)


@pytest.fixture
def both(engine: Engine) -> World:
    """The world on SQLite and on PostgreSQL."""
    return build_world(engine)
