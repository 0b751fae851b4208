"""``accueil usage``: an account's usage (or every account's) by day or month, as a table or CSV."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from accueil.services.calls import CallRecord, record_call
from cli_support import cli_database, run_cli

DIRECTORY = {
    "accounts": [
        {"key": "alpha", "name": "Cabinet Alpha", "answer_name": "Cabinet Alpha"},
        {"key": "bravo", "name": "Bravo", "answer_name": "Bravo", "timezone": "Europe/London"},
    ],
}
AT = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)


def _calls(session: Session) -> None:
    for account, talk in [("alpha", 90), ("alpha", 30), ("bravo", 600)]:
        call = CallRecord("+33600000001", "+33140000000", AT, ended_at=AT + timedelta(seconds=talk))
        record_call(session, account, call)


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from cli_database(tmp_path, monkeypatch, DIRECTORY, _calls)


def test_one_accounts_month_as_csv() -> None:
    out = run_cli("usage", "--account", "alpha", "--from", "2026-11-01", "--to", "2026-11-30",
                  "--by", "month", "--csv")  # fmt: skip
    assert out == (
        "account,period,calls_answered,minutes,unmeasured,messages alpha,2026-11,2,2.0,0,0"
    )


def test_every_accounts_days_as_a_table() -> None:
    out = run_cli("usage", "--from", "2026-11-03", "--to", "2026-11-04")
    assert "alpha │ 2026-11-03 │ 2 │ 2.00" in out and "bravo │ 2026-11-03 │ 1 │ 10.00" in out
    assert "alpha │ 2026-11-04 │ 0 │ 0.00" in out


def test_bad_input_says_what_and_changes_nothing() -> None:
    assert "--from '3 Nov' is not a day" in run_cli("usage", "--from", "3 Nov", code=1)
    assert "--by 'week': write day or month" in run_cli("usage", "--by", "week", code=1)
    assert "no account 'zulu'" in run_cli("usage", "--account", "zulu", code=1)
