"""The directory model as an import builds it: people, their devices, agents and trainings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from accueil.core.directory import DeviceKind, Tier
from accueil.core.hours import WeeklyHours
from accueil.directory_io.validate import Known, validate
from accueil.services import directory
from accueil.services.onboarding import load_directory
from accueil.store.db import transaction

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # when the test writes


def test_an_imported_person_is_reached_by_device_key(loaded: sessionmaker[Session]) -> None:
    with loaded() as session:
        person = directory.get_person(session, "martin", "jmartin")
    assert person.full_name == "Jeanne Martin"
    mobile = person.device("mobile")
    assert mobile is not None and mobile.kind is DeviceKind.MOBILE
    assert person.device("fax") is None


def test_an_agent_knows_its_level_on_each_account(loaded: sessionmaker[Session]) -> None:
    with loaded() as session:
        alice = next(a for a in directory.list_agents(session) if a.key == "alice")
    assert (alice.level_for("martin"), alice.level_for("smith"), alice.level_for("x")) == (3, 1, 0)


def test_an_account_gets_its_hours_tier_and_country_defaults(
    sessions: sessionmaker[Session],
) -> None:
    data: dict[str, Any] = {"accounts": [{"key": "uk", "name": "UK Ltd", "country": "gb"}]}
    with transaction(sessions) as session:
        load_directory(session, data, now=NOW)
    with sessions() as session:
        account = directory.get_account(session, "uk")
    assert (account.country, account.timezone, account.languages) == (
        "GB",
        "Europe/London",
        ("en",),
    )
    assert account.business_hours == WeeklyHours.parse("mon-fri 09:00-18:00")
    assert (account.tier, account.target_seconds, account.answer_name) == (
        Tier.STANDARD,
        20,
        "UK Ltd",
    )


def test_validation_alone_needs_no_database() -> None:
    from accueil.directory_io.records import records_from_document

    records, problems, _ = records_from_document(
        {"numbers": [{"number": "0140000000", "account": "martin"}]}, "x"
    )
    plan = validate(records, Known(countries={"martin": "FR"}))
    assert problems == []
    assert [(n.e164, n.raw) for n in plan.numbers] == [("+33140000000", "0140000000")]
