"""Applying an import: upsert by stable keys, idempotent, dry run, prune archives."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accueil.directory_io.records import Kind
from accueil.errors import ValidationFailed
from accueil.services import directory
from accueil.services.directory_snapshot import take_snapshot
from accueil.services.onboarding import import_files, load_directory
from accueil.store.db import transaction
from accueil.store.tables import TrainingRow

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # when the test writes

Dump = Callable[[], object]  # the `dump` fixture: every row of every table


def _load(sessions: sessionmaker[Session], data: dict[str, Any], **options: Any) -> Any:
    with transaction(sessions) as session:
        return load_directory(session, data, source="test", now=NOW, **options)


def test_an_import_creates_the_directory_it_describes(loaded: sessionmaker[Session]) -> None:
    with loaded() as session:
        martin = directory.get_account(session, "martin")
        person = directory.get_person(session, "martin", "jmartin")
        smith_number = directory.resolve_number(session, "+442079460123")
        agents = directory.list_agents(session)
    assert martin.answer_name == "Cabinet Martin, bonjour"
    assert martin.target_seconds == 10  # premium's target when none is written
    assert [d.address for d in person.devices] == ["+33612345678", "sip:2001@pbx"]
    assert person.languages == ("fr", "en")  # the account's languages when none are written
    assert smith_number.account.key == "smith"
    assert smith_number.number.raw == "020 7946 0123"
    assert [(t.account, t.level) for t in agents[0].trainings] == [("martin", 3), ("smith", 1)]


def test_a_number_can_lead_straight_to_a_person(loaded: sessionmaker[Session]) -> None:
    with loaded() as session:
        destination = directory.resolve_number(session, "+33140000001")
    assert destination.person is not None and destination.person.key == "jmartin"


def test_reimporting_the_same_data_changes_nothing(
    loaded: sessionmaker[Session], small: dict[str, Any], dump: Dump
) -> None:
    before = dump()
    report = _load(loaded, small)
    assert (report.created, report.changed, report.removed) == (0, 0, 0)
    assert report.unchanged == 11  # 2 accounts, 1 group, 3 people, 3 numbers, 2 agents
    assert dump() == before  # not even a timestamp moved


def test_a_changed_field_changes_only_that_entry(
    loaded: sessionmaker[Session], small: dict[str, Any]
) -> None:
    small["people"][1]["title"] = "Associé"
    small["agents"][0]["trainings"] = {"martin": 2}
    report = _load(loaded, small)
    assert [(c.kind, c.key, c.action, c.fields) for c in report.changes] == [
        (Kind.PEOPLE, "martin/pdurand", "change", ("title",)),
        (Kind.AGENTS, "alice", "change", ("trainings",)),
    ]
    with loaded() as session:
        assert directory.get_person(session, "martin", "pdurand").title == "Associé"
        alice = directory.list_agents(session)[0]
        assert [(t.account, t.level) for t in alice.trainings] == [("martin", 2)]
        assert len(session.scalars(select(TrainingRow)).all()) == 1


def test_an_import_can_add_to_accounts_already_there(loaded: sessionmaker[Session]) -> None:
    data = {
        "people": [{"account": "smith", "key": "mjones", "first_name": "Mary", "group": ""}],
        "numbers": [{"number": "020 7946 0999", "account": "smith", "person": "mjones"}],
    }
    report = _load(loaded, data)
    assert report.created == 2
    with loaded() as session:
        assert directory.resolve_number(session, "+442079460999").person is not None


def test_a_dry_run_says_what_would_change_and_changes_nothing(
    loaded: sessionmaker[Session], small: dict[str, Any], dump: Dump
) -> None:
    small["accounts"][1]["tier"] = "economy"
    small["people"].append({"account": "smith", "key": "new", "last_name": "New"})
    before = dump()
    report = _load(loaded, small, dry_run=True)
    assert report.dry_run
    assert report.lines() == ["accounts: 1 changed", "people: 1 created"]
    assert report.changes[0].fields == ("tier", "target_seconds")
    assert dump() == before


def test_prune_archives_people_who_left_and_loses_nothing(
    loaded: sessionmaker[Session], small: dict[str, Any]
) -> None:
    small["people"] = [p for p in small["people"] if p["key"] != "pdurand"]
    small["numbers"] = [n for n in small["numbers"] if n["account"] != "smith"]
    report = _load(loaded, small, prune=True)
    assert report.lines() == ["people: 1 archived", "numbers: 1 released"]
    with loaded() as session:
        everyone = directory.list_people(session, "martin", archived=True)
        assert [(p.key, p.active) for p in everyone] == [("jmartin", True), ("pdurand", False)]
        assert directory.list_numbers(session, "smith") == []


def test_without_prune_people_absent_from_the_file_stay(
    loaded: sessionmaker[Session], small: dict[str, Any]
) -> None:
    small["people"] = small["people"][:1]
    report = _load(loaded, small)
    assert report.removed == 0
    with loaded() as session:
        assert len(directory.list_people(session, "martin")) == 2


def test_prune_only_touches_the_accounts_and_kinds_in_the_file(
    loaded: sessionmaker[Session],
) -> None:
    data = {"people": [{"account": "smith", "key": "jsmith", "first_name": "John"}]}
    report = _load(loaded, data, prune=True)
    assert report.lines() == ["nothing to change"]  # jsmith is there; no one else is taken
    with loaded() as session:
        assert len(directory.list_people(session, "martin")) == 2
        assert len(directory.list_numbers(session, "smith")) == 1
        assert len(directory.list_agents(session)) == 2


def test_prune_keeps_groups_someone_still_belongs_to(
    loaded: sessionmaker[Session], small: dict[str, Any]
) -> None:
    small["groups"] = []
    small["people"][0]["group"] = ""
    with_member = _load(loaded, {**small, "people": small["people"][1:]}, prune=True)
    assert "groups: 1 removed" not in with_member.lines()  # archived jmartin still refers
    report = _load(loaded, small, prune=True)
    assert "groups: 1 removed" in report.lines()


def test_prune_deactivates_agents_not_in_the_file(
    loaded: sessionmaker[Session], small: dict[str, Any]
) -> None:
    report = _load(loaded, {"agents": small["agents"][:1]}, prune=True)
    assert report.lines() == ["agents: 1 deactivated"]
    with loaded() as session:
        assert [(a.key, a.active) for a in directory.list_agents(session)] == [
            ("alice", True),
            ("bob", False),
        ]


def test_an_archived_person_listed_again_comes_back(
    loaded: sessionmaker[Session], small: dict[str, Any]
) -> None:
    _load(loaded, {**small, "people": small["people"][:1]}, prune=True)
    report = _load(loaded, small)
    assert report.lines() == ["people: 2 changed"]  # pdurand and jsmith were archived
    with loaded() as session:
        assert directory.get_person(session, "martin", "pdurand").active
        assert directory.get_person(session, "smith", "jsmith").active


def test_a_number_moves_between_people_of_its_account(
    loaded: sessionmaker[Session], small: dict[str, Any]
) -> None:
    small["numbers"][1]["person"] = "pdurand"
    _load(loaded, small)
    with loaded() as session:
        destination = directory.resolve_number(session, "+33140000001")
    assert destination.person is not None and destination.person.key == "pdurand"


def test_a_number_of_one_account_cannot_be_taken_by_another(
    loaded: sessionmaker[Session], dump: Dump
) -> None:
    before = dump()
    with pytest.raises(ValidationFailed, match="1 problem"):
        _load(loaded, {"numbers": [{"number": "+33140000000", "account": "smith"}]})
    assert dump() == before
    with loaded() as session:
        assert directory.resolve_number(session, "+33140000000").account.key == "martin"


def test_a_partial_file_changes_only_the_columns_it_has(
    loaded: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("account,key,email\nmartin,jmartin,jeanne@martin.example\n", "utf-8")
    with transaction(loaded) as session:
        report = import_files(session, [path], now=NOW)
    assert [(c.key, c.fields) for c in report.changes] == [("martin/jmartin", ("email",))]
    with loaded() as session:
        person = directory.get_person(session, "martin", "jmartin")
    assert (person.first_name, person.group, person.email) == (
        "Jeanne",
        "associes",
        "jeanne@martin.example",
    )
    assert len(person.devices) == 2


def test_a_mobile_column_replaces_only_the_mobile(
    loaded: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("account,key,mobile\nmartin,jmartin,07 81 23 45 67\n", "utf-8")
    with transaction(loaded) as session:
        import_files(session, [path], now=NOW)
    with loaded() as session:
        person = directory.get_person(session, "martin", "jmartin")
    assert [(d.key, d.address) for d in person.devices] == [
        ("mobile", "+33781234567"),
        ("desk", "sip:2001@pbx"),
    ]


def test_a_field_written_empty_is_cleared_and_a_field_left_out_is_kept(
    loaded: sessionmaker[Session],
) -> None:
    _load(loaded, {"people": [{"account": "martin", "key": "pdurand", "title": "Associé"}]})
    _load(loaded, {"people": [{"account": "martin", "key": "pdurand", "email": "p@d.example"}]})
    with loaded() as session:
        assert directory.get_person(session, "martin", "pdurand").title == "Associé"
    _load(loaded, {"people": [{"account": "martin", "key": "pdurand", "title": ""}]})
    with loaded() as session:
        person = directory.get_person(session, "martin", "pdurand")
    assert (person.title, person.email, person.last_name) == ("", "p@d.example", "Durand")


def test_an_account_already_there_keeps_its_country_when_left_out(
    loaded: sessionmaker[Session],
) -> None:
    data = {
        "accounts": [{"key": "smith", "tier": "premium"}],
        "numbers": [{"number": "020 7946 0555", "account": "smith"}],  # read in GB
    }
    report = _load(loaded, data)
    assert [(c.key, c.action, c.fields) for c in report.changes] == [
        ("smith", "change", ("tier", "target_seconds")),
        ("+442079460555", "create", ()),
    ]
    with loaded() as session:
        smith = directory.get_account(session, "smith")
    assert (smith.name, smith.country, smith.timezone) == ("Smith Plumbing", "GB", "Europe/London")


def test_a_small_import_reads_only_the_people_of_its_accounts(
    loaded: sessionmaker[Session],
) -> None:
    with loaded() as session:
        snapshot = take_snapshot(session, {"smith"})
    assert set(snapshot.people) == {("smith", "jsmith")}
    assert set(snapshot.accounts) == {"martin", "smith"}  # all: numbers are read in them
    assert snapshot.numbers["+33140000001"].columns["person"] == "jmartin"
