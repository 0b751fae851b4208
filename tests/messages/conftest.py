"""An application on a migrated database (SQLite and PostgreSQL) with two accounts' people."""

from __future__ import annotations

import pytest
from messages_helpers import DIRECTORY, NOW
from sqlalchemy import Engine

from accueil.services.clock import FixedClock
from accueil.services.onboarding import load_directory
from accueil.services.unit_of_work import Application


@pytest.fixture
def app(engine: Engine) -> Application:
    found = Application(engine, FixedClock(NOW))
    with found.unit_of_work() as work:
        load_directory(work.session, DIRECTORY, source="test", now=NOW)
    return found
