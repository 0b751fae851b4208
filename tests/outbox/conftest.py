"""An application on a migrated database (SQLite and PostgreSQL) with a small directory."""

from __future__ import annotations

import pytest
from outbox_helpers import DIRECTORY, NOW, Heard
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


@pytest.fixture
def heard(app: Application) -> Heard:
    subscriber = Heard()
    app.subscribe(subscriber)
    return subscriber
