"""``accueil demo`` on a fresh database: loads an operator, explains sample calls, re-runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from accueil.cli import app
from accueil.settings import get_settings

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
    assert "first question: C'est de la part de qui ?" in out
    assert "as heard on the phone:\n  100  " in out


def test_a_second_demo_adds_nothing(fresh_database: str) -> None:
    assert CliRunner().invoke(app, ARGS).exit_code == 0
    again = CliRunner().invoke(app, ARGS)
    assert again.exit_code == 0, again.output
    assert "created" not in again.output.split("The demo operator")[0]
    assert "personal settings: already in place" in again.output
