"""``accueil demo`` on a fresh database: loads an operator, explains sample calls, re-runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from accueil.cli import app
from accueil.settings import get_settings


@pytest.fixture
def fresh_database(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> Iterator[str]:
    monkeypatch.setenv("ACCUEIL_DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    yield sqlite_url
    get_settings.cache_clear()


def test_demo_loads_an_operator_and_explains_sample_calls(fresh_database: str) -> None:
    args = ["demo", "--accounts", "3", "--people", "30", "--agents", "4", "--no-simulate"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "accounts: 3 created" in first.output
    assert "Sample calls" in first.output
    assert "the pool answers" in first.output or "matched" in first.output

    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "created" not in again.output.split("The demo operator")[0]
