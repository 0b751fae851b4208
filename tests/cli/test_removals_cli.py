"""Taking things down at the command line: a delegation, a closure, a known contact and a
calendar; each kept with who (``--as``) and when, the next decision no longer uses it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from accueil.store.db import make_engine, session_factory
from accueil.store.tables_audit import AuditRow
from accueil.store.tables_availability import ClosureRow, KnownContactRow
from cli_support import cli_database, run_cli

DIRECTORY = {
    "accounts": [
        {"key": "martin", "name": "Cabinet Martin", "business_hours": "mon-fri 09:00-18:00"}
    ],
    "people": [
        {"account": "martin", "key": "claire", "first_name": "Claire", "last_name": "Martin"},
        {"account": "martin", "key": "paul", "first_name": "Paul", "last_name": "Roy"},
    ],
    "numbers": [{"number": "01 40 00 00 01", "account": "martin", "person": "claire"}],
}
DECIDE = ("decide", "--to", "+33140000001", "--from", "0145000000", "--at", "2026-12-24 15:00")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from cli_database(tmp_path, monkeypatch, DIRECTORY)


def test_a_closure_listed_then_removed_no_longer_closes_the_account(database: str) -> None:
    run_cli("closure", "martin", "--from", "2026-12-24 12:00", "--until", "2026-12-26 09:00")
    assert "account closed" in run_cli(*DECIDE)
    listed = run_cli("closure", "martin")
    number = listed.split()[0]
    assert "Thu 24 Dec 2026 12:00 to Sat 26 Dec 2026 09:00" in listed and number.isdigit()
    assert "no longer closed" in run_cli("--as", "lea", "closure", "martin", "--remove", number)
    assert "account closed" not in run_cli(*DECIDE)
    assert "martin has no closure" in run_cli("closure", "martin")
    assert "no closure 999" in run_cli("closure", "martin", "--remove", "999", code=1)
    assert "both --from and --until" in run_cli(
        "closure", "martin", "--from", "2026-12-24 12:00", code=1
    )
    with session_factory(make_engine(database))() as s:
        row = s.scalars(select(ClosureRow)).one()
        assert row.removed_by == "lea" and row.removed_at is not None
        ops = [a.operation for a in s.scalars(select(AuditRow))]
    assert ops.count("cli closure") == 2  # the add and the removal; the lists wrote nothing


def test_a_delegation_and_a_contact_and_a_calendar_removed(database: str, tmp_path: Path) -> None:
    run_cli("delegate", "martin:claire", "paul")
    listed = run_cli("delegate", "martin:claire")
    assert "Paul Roy (paul)" in listed
    gone = run_cli("--as", "lea", "delegate", "martin:claire", "--remove", listed.split()[0])
    assert "Paul Roy no longer covers for martin:claire" in gone
    assert "no one covers for martin:claire" in run_cli("delegate", "martin:claire")

    run_cli("contacts", "add", "martin", "01 45 00 00 00", "Dupont SA")
    out = run_cli("--as", "lea", "contacts", "remove", "martin", "0145000000")
    assert "+33145000000 (Dupont SA) is no longer known" in out
    assert "no known contact +33611111111" in run_cli(
        "contacts", "remove", "martin", "0611111111", code=1
    )
    with session_factory(make_engine(database))() as s:
        assert s.scalars(select(KnownContactRow)).one().removed_by == "lea"

    assert "nothing changed" in run_cli("calendar", "remove", "martin:claire")
    run_cli("calendar", "set", "martin:claire", "https://calendar.example/c.ics")
    assert "calendar removed" in run_cli("calendar", "remove", "martin:claire")
    assert "no calendar" in run_cli("calendar", "show", "martin:claire")
