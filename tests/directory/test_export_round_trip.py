"""Export then import gives back the same directory, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from accueil.demo.directory import generate_demo
from accueil.services.exporting import export_csv, export_document, export_yaml
from accueil.services.onboarding import import_files, load_directory
from accueil.store.db import make_engine, migrate, session_factory, transaction
from accueil.store.tables import (
    AccountRow,
    AgentRow,
    GroupRow,
    NumberRow,
    PersonRow,
    TrainingRow,
)

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # when the test writes


def _fresh(tmp_path: Path, name: str) -> sessionmaker[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    migrate(engine)
    return session_factory(engine)


def _content(engine: Engine) -> dict[str, list[str]]:
    """Every table's rows by stable keys, typed (JSON, booleans): no ids, no timestamps."""
    account, person = aliased(AccountRow), aliased(PersonRow)
    skip = {"id", "account_id", "person_id", "agent_id", "created_at", "updated_at"}

    def columns(table: Any) -> list[Any]:
        return [c for c in table.__table__.columns if c.name not in skip]

    queries = {
        "accounts": select(*columns(AccountRow)),
        "groups": select(account.key, *columns(GroupRow)).join(account),
        "people": select(account.key, *columns(PersonRow)).join(account),
        "numbers": select(account.key, person.key, *columns(NumberRow))
        .join(account, account.id == NumberRow.account_id)
        .outerjoin(person, person.id == NumberRow.person_id),
        "agents": select(*columns(AgentRow)),
        "trainings": select(AgentRow.key, account.key, TrainingRow.level)
        .join(AgentRow, AgentRow.id == TrainingRow.agent_id)
        .join(account, account.id == TrainingRow.account_id),
    }
    with Session(engine) as session:
        return {
            name: sorted(repr(tuple(row)) for row in session.execute(query))
            for name, query in queries.items()
        }


@pytest.fixture
def demo(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """A small demo operator (some people archived, some part-time, some direct lines)."""
    with transaction(sessions) as session:
        generate_demo(session, accounts=6, people=120, agents=8, seed=3, now=NOW)
    return sessions


@pytest.mark.parametrize("form", ["yaml", "csv"])
def test_export_then_import_rebuilds_an_identical_database(
    demo: sessionmaker[Session], engine: Engine, tmp_path: Path, form: str
) -> None:
    with demo() as session:
        if form == "yaml":
            path = tmp_path / "directory.yaml"
            path.write_text(export_yaml(session), encoding="utf-8")
            files = [path]
        else:
            files = export_csv(session, tmp_path / "csv")
    copy = _fresh(tmp_path, "copy.db")
    with transaction(copy) as session:
        import_files(session, files, now=NOW)
    assert _content(copy.kw["bind"]) == _content(engine)


def test_export_of_the_copy_is_byte_identical(
    demo: sessionmaker[Session], db_url: str, tmp_path: Path
) -> None:
    with demo() as session:
        original = export_yaml(session)
        document = export_document(session)
    copy = _fresh(tmp_path, "copy.db")
    with transaction(copy) as session:
        load_directory(session, document, source="export", now=NOW)
    with copy() as session:
        assert export_yaml(session) == original


def test_importing_an_export_into_its_own_database_changes_nothing(
    demo: sessionmaker[Session], tmp_path: Path
) -> None:
    with demo() as session:
        files = export_csv(session, tmp_path / "csv")
    with transaction(demo) as session:
        report = import_files(session, files, prune=True, now=NOW)
    assert report.lines() == ["nothing to change"]


def test_archived_people_inactive_agents_and_closed_hours_survive_the_trip(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    data = {
        "accounts": [
            {"key": "night", "name": "Night", "business_hours": "closed", "active": False}
        ],
        "people": [{"account": "night", "key": "gone", "last_name": "Gone", "active": "no"}],
        "agents": [{"key": "old", "name": "Old", "active": False, "languages": []}],
    }
    with transaction(sessions) as session:
        load_directory(session, data, now=NOW)
    with sessions() as session:
        path = tmp_path / "d.yaml"
        path.write_text(export_yaml(session), encoding="utf-8")
    copy = _fresh(tmp_path, "copy.db")
    with transaction(copy) as session:
        import_files(session, [path], now=NOW)
    assert _content(copy.kw["bind"]) == _content(engine)
    with sessions() as session:
        assert session.scalar(select(AccountRow.business_hours)) == ""  # closed: no range


def test_a_mobile_keeps_the_number_as_written_beside_its_e164(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    data = {
        "accounts": [{"key": "smith", "name": "Smith", "country": "GB"}],
        "people": [
            {
                "account": "smith",
                "key": "js",
                "last_name": "Smith",
                "devices": ["mobile:07400 123456", "spare=mobile:+447400123457"],
            }
        ],
    }
    with transaction(sessions) as session:
        load_directory(session, data, now=NOW)
    with sessions() as session:
        stored = session.scalar(select(PersonRow.devices))
        exported = export_document(session)["people"][0]["devices"]
    assert stored == [
        {"key": "mobile", "kind": "mobile", "address": "+447400123456", "raw": "07400 123456"},
        {"key": "spare", "kind": "mobile", "address": "+447400123457"},
    ]
    assert exported == ["mobile:07400 123456", "spare=mobile:+447400123457"]
