"""People on the command line: ACCOUNT:PERSON always, the bare key when only one account has it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_support import cli_database, run_cli

DIRECTORY = {
    "accounts": [
        {"key": "martin", "name": "Cabinet Martin"},
        {"key": "roux", "name": "Plomberie Roux"},
    ],
    "people": [
        {"account": "martin", "key": "claire", "first_name": "Claire", "last_name": "Dupont"},
        {"account": "roux", "key": "claire", "first_name": "Claire", "last_name": "Roux"},
        {"account": "roux", "key": "paul", "first_name": "Paul", "last_name": "Roux"},
    ],
}


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from cli_database(tmp_path, monkeypatch, DIRECTORY)


def test_a_key_only_one_account_has_names_that_person(database: str) -> None:
    out = run_cli("status", "paul", "meeting", "--until", "15:00")
    assert "Paul Roux is in a meeting (own status, until" in out


def test_a_key_several_accounts_have_must_say_which(database: str) -> None:
    out = run_cli("status", "claire", "meeting", code=1)
    assert "'claire' is a person of several accounts (martin, roux)" in out
    assert "martin:claire" in out
    assert "Claire Dupont is" in run_cli("status", "martin:claire")
    assert "recent statuses" not in run_cli("status", "roux:claire")  # nothing was set
