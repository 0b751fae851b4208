"""Fixtures of the directory tests: a small directory, and a way to see a whole database."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from accueil.services.onboarding import load_directory
from accueil.store.db import transaction

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # when the test writes

SMALL: dict[str, Any] = {
    "accounts": [
        {
            "key": "martin",
            "name": "Cabinet Martin",
            "answer_name": "Cabinet Martin, bonjour",
            "business_hours": "mon-fri 09:00-12:30,14:00-18:00",
            "languages": ["fr", "en"],
            "tier": "premium",
        },
        {"key": "smith", "name": "Smith Plumbing", "country": "GB"},
    ],
    "groups": [{"account": "martin", "key": "associes", "name": "Associés"}],
    "people": [
        {
            "account": "martin",
            "key": "jmartin",
            "first_name": "Jeanne",
            "last_name": "Martin",
            "group": "associes",
            "devices": [{"kind": "mobile", "address": "06 12 34 56 78"}, "desk:sip:2001@pbx"],
        },
        {"account": "martin", "key": "pdurand", "first_name": "Paul", "last_name": "Durand"},
        {"account": "smith", "key": "jsmith", "first_name": "John", "mobile": "07400 123456"},
    ],
    "numbers": [
        {"number": "01 40 00 00 00", "account": "martin"},
        {"number": "01 40 00 00 01", "account": "martin", "person": "jmartin"},
        {"number": "020 7946 0123", "account": "smith"},
    ],
    "agents": [
        {"key": "alice", "name": "Alice", "site": "lyon", "trainings": {"martin": 3, "smith": 1}},
        {"key": "bob", "name": "Bob", "languages": ["fr", "en"]},
    ],
}


@pytest.fixture
def small() -> dict[str, Any]:
    """A small directory as data: two accounts (FR and GB), people, numbers and agents."""
    return copy.deepcopy(SMALL)


@pytest.fixture
def loaded(sessions: sessionmaker[Session], small: dict[str, Any]) -> sessionmaker[Session]:
    """The small directory, imported."""
    with transaction(sessions) as session:
        load_directory(session, small, source="small", now=NOW)
    return sessions


Dump = Callable[[], dict[str, list[tuple[Any, ...]]]]


@pytest.fixture
def dump(engine: Engine) -> Dump:
    """Every row of every table, timestamps included: to prove nothing changed."""

    def read() -> dict[str, list[tuple[Any, ...]]]:
        out = {}
        with engine.connect() as conn:
            for table in sorted(inspect(engine).get_table_names()):
                if table == "alembic_version":
                    continue
                rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
                out[table] = sorted(tuple(map(repr, r)) for r in rows)
        return out

    return read


def account_id(session: Session, key: str) -> int:
    from accueil.store.tables import AccountRow

    found = session.scalar(select(AccountRow.id).where(AccountRow.key == key))
    assert found is not None
    return found
