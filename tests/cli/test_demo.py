"""``accueil demo`` on a fresh database: loads an operator, explains sample calls, re-runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from accueil.cli import app
from accueil.settings import get_settings

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # when the test writes

ARGS = ["demo", "--accounts", "3", "--people", "30", "--agents", "4", "--no-simulate"]


@pytest.fixture
def fresh_database(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> Iterator[str]:
    monkeypatch.setenv("ACCUEIL_DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    yield sqlite_url
    get_settings.cache_clear()


def test_demo_shows_one_persons_rules_deciding_their_calls(fresh_database: str) -> None:
    result = CliRunner().invoke(app, ARGS)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "accounts: 3 created" in out
    assert "personal settings: 3 accounts" in out
    assert "(a VIP client) → connect: VIP → mobile matched" in out
    assert "is in a meeting (own status:" in out
    assert "(an unknown caller) → message: in a meeting → message matched" in out
    assert "→ reject: blocked callers matched" in out
    assert "first question: Who shall I say is calling?" in out  # a British account
    assert "as heard on the phone:\n  100  " in out


def test_the_demos_summary_counts_the_people_still_there_and_those_who_left_apart(
    fresh_database: str,
) -> None:
    from sqlalchemy import create_engine, text

    result = CliRunner().invoke(
        app, ["demo", "--accounts", "3", "--people", "90", "--agents", "4", "--no-simulate"]
    )
    assert result.exit_code == 0, result.output
    engine = create_engine(fresh_database)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT active, count(*) FROM people GROUP BY active"))
            counted = {bool(active): n for active, n in rows}
    finally:
        engine.dispose()
    assert counted[False] > 0  # the demo has people who left
    table = result.output.split("The demo operator")[1].splitlines()
    header = [cell.strip() for cell in table[2].split("┃")[1:-1]]
    row = [cell.strip() for cell in table[4].split("│")[1:-1]]
    shown = dict(zip(header, row, strict=True))
    assert shown["people"] == str(counted[True])
    assert shown["people who left"] == str(counted[False])


def test_a_second_demo_adds_nothing(fresh_database: str) -> None:
    assert CliRunner().invoke(app, ARGS).exit_code == 0
    again = CliRunner().invoke(app, ARGS)
    assert again.exit_code == 0, again.output
    assert "created" not in again.output.split("The demo operator")[0]
    assert "personal settings: already in place" in again.output


def test_each_demo_account_is_answered_in_its_own_language(sqlite_url: str) -> None:
    from accueil.demo.directory import generate_demo
    from accueil.demo.furnish import SAMPLE_INSTANT, STRANGER_CALLER, furnish_demo
    from accueil.services.directory import list_accounts, list_numbers
    from accueil.services.screenpop import screen_pop
    from accueil.store.db import make_engine, migrate, session_factory, transaction

    engine = make_engine(sqlite_url)
    migrate(engine)
    with transaction(session_factory(engine)) as session:
        generate_demo(session, accounts=10, people=60, agents=4, seed=7, now=NOW)
        furnish_demo(session, seed=7)
        first_questions = {}
        for account in list_accounts(session):
            switchboard = next(n.e164 for n in list_numbers(session, account.key) if not n.person)
            pop = screen_pop(session, switchboard, STRANGER_CALLER, now=SAMPLE_INSTANT)
            assert pop.script.greeting is not None and pop.script.first is not None
            assert pop.script.first.prompt is not None
            assert "?." not in pop.script.greeting.text
            first_questions[account.country] = pop.script.first.prompt.text
    engine.dispose()
    assert first_questions == {
        "FR": "C'est de la part de qui ?",
        "GB": "Who shall I say is calling?",
    }


def test_the_sample_calls_are_read_by_the_demo_package_not_the_command(sqlite_url: str) -> None:
    from accueil.demo.directory import generate_demo
    from accueil.demo.furnish import VIP_CALLER, furnish_demo
    from accueil.demo.samples import sample_calls
    from accueil.store.db import make_engine, migrate, session_factory, transaction

    engine = make_engine(sqlite_url)
    migrate(engine)
    with transaction(session_factory(engine)) as session:
        assert sample_calls(session) is None  # an empty operator has nobody to show
        generate_demo(session, accounts=3, people=30, agents=4, seed=7, now=NOW)
        furnish_demo(session, seed=7)
        found = sample_calls(session)
    engine.dispose()
    assert found is not None
    assert found.calls[0].caller == VIP_CALLER
    assert [c.decided.decision.treatment.type for c in found.calls] == [
        "connect",
        "message",
        "reject",
    ]
    assert all(c.decided.destination.account.key == found.account for c in found.calls)
    assert found.pop.person is None  # the switchboard
    assert found.heard == found.person.last_name.lower()
    assert found.hits and found.hits[0].score == 100
