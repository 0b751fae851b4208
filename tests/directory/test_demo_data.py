"""Demo data: plausible, valid through the import path, deterministic for a seed."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from accueil.core.phone import national
from accueil.demo.directory import demo_document, generate_demo
from accueil.services import directory
from accueil.services.exporting import export_yaml
from accueil.store.db import make_engine, migrate, session_factory, transaction

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # when the test writes


def _demo_export(url: str, seed: int) -> str:
    engine = make_engine(url)
    migrate(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        generate_demo(session, accounts=8, people=200, agents=10, seed=seed, now=NOW)
    with sessions() as session:
        text = export_yaml(session)
    engine.dispose()
    return text


def test_the_same_seed_gives_a_byte_identical_directory(sqlite_url: str, db_url: str) -> None:
    assert _demo_export(sqlite_url, 11) == _demo_export(db_url, 11)


def test_another_seed_gives_another_directory() -> None:
    one = demo_document(accounts=5, people=50, agents=5, seed=1)
    two = demo_document(accounts=5, people=50, agents=5, seed=2)
    assert one != two


def test_the_demo_has_the_sizes_asked_for(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        report = generate_demo(session, accounts=12, people=300, agents=9, seed=7, now=NOW)
    with sessions() as session:
        count = directory.summary(session)
    assert (count.accounts, count.people + count.left, count.agents) == (12, 300, 9)
    people = count.people + count.left  # some of the demo's people have left
    assert report.created == count.accounts + count.groups + people + count.numbers + 9


def test_the_demo_looks_like_an_answering_services_clientele() -> None:
    doc = demo_document(accounts=40, people=1500, agents=30, seed=7)
    countries = Counter(a["country"] for a in doc["accounts"])
    assert countries["FR"] > countries["GB"] > 0
    assert len({a["tier"] for a in doc["accounts"]}) == 3
    assert len({a["business_hours"] for a in doc["accounts"]}) > 5
    assert all(a["name"] in a["answer_name"] for a in doc["accounts"])  # answered in its name
    assert {a["site"] for a in doc["agents"]} == {"paris", "lyon", "home"}
    trained = Counter(k for agent in doc["agents"] for k in agent["trainings"])
    assert all(trained[a["key"]] >= 3 for a in doc["accounts"])


def test_demo_numbers_are_written_in_their_national_format(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        generate_demo(session, accounts=10, people=100, agents=5, seed=5, now=NOW)
    with sessions() as session:
        for account in directory.list_accounts(session):
            for number in directory.list_numbers(session, account.key):
                assert number.raw == national(number.e164)
                prefix = "+44" if account.country == "GB" else "+33"
                assert number.e164.startswith(prefix)


def test_loading_the_demo_twice_changes_nothing(sessions: sessionmaker[Session]) -> None:
    for expected in (False, True):
        with transaction(sessions) as session:
            report = generate_demo(session, accounts=4, people=40, agents=3, seed=9, now=NOW)
        assert (report.lines() == ["nothing to change"]) is expected
