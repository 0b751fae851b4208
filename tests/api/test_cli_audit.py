"""Changes made with the command line leave audit rows too: who (``--as``, else the OS user),
what (the command and the account or person it names), when, from where ("cli"); in the same
transaction as the change, so a refused command leaves none. So do its reads of personal data
(messages, a caller's history in a screen pop); other reads leave none."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from api_world import DIRECTORY

from accueil.core.delivery import Level
from accueil.services.audit import AuditEntry, read_audit
from accueil.services.messages import NewMessage, take_message
from accueil.store.db import make_engine, session_factory, transaction
from cli_support import cli_database, run_cli


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from cli_database(tmp_path, monkeypatch, DIRECTORY)


def _log(url: str) -> list[AuditEntry]:
    engine = make_engine(url)
    with session_factory(engine)() as session:
        found = list(reversed(read_audit(session, None)))
    engine.dispose()
    return found


def test_each_command_that_changes_something_leaves_one_row(cli_db: str) -> None:
    run_cli("user", "add", "ca", "--role", "client-admin", "--account", "alpha")
    token = run_cli("token", "create", "ca")
    run_cli("--as", "sophie", "status", "alpha:claire", "meeting")
    run_cli("token", "revoke", token)
    rows = _log(cli_db)
    assert [(r.operation, r.account, r.user, r.role, r.client) for r in rows] == [
        ("cli user add", "alpha", getpass.getuser(), "cli", "cli"),
        ("cli token create", "", getpass.getuser(), "cli", "cli"),
        ("cli status", "alpha", "sophie", "cli", "cli"),
        ("cli token revoke", "", getpass.getuser(), "cli", "cli"),
    ]
    assert rows[2].target == "status alpha:claire"
    assert all(token not in r.target for r in rows)  # a secret never reaches the log
    assert len({r.request_id for r in rows}) == 1  # these ran in one process here


def _a_message(url: str) -> str:
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        new = NewMessage("claire", Level.URGENT, caller_number="+33611111111")
        uid = take_message(session, "alpha", new, now=datetime.now(UTC)).uid
    engine.dispose()
    return uid


def test_each_read_of_personal_data_leaves_one_row_naming_who_asked(cli_db: str) -> None:
    uid = _a_message(cli_db)
    run_cli("--as", "sophie", "messages", "list", "alpha")
    run_cli("--as", "sophie", "messages", "history", "alpha", uid)
    run_cli("--as", "sophie", "messages", "dead", "bravo")
    run_cli("--as", "marc", "messages", "export", "alpha:claire")
    shown = run_cli("--as", "marc", "screenpop", "--to", "01 40 00 00 01", "--from", "0611111111")
    assert "Claire" in shown
    rows = _log(cli_db)
    assert [(r.operation, r.account, r.user, r.target) for r in rows] == [
        ("cli messages list", "alpha", "sophie", "messages list alpha"),
        ("cli messages history", "alpha", "sophie", f"messages history alpha {uid}"),
        ("cli messages dead", "bravo", "sophie", "messages dead bravo"),
        ("cli messages export", "alpha", "marc", "messages export alpha:claire"),
        ("cli screenpop", "alpha", "marc", "screenpop"),  # the account the number leads to
    ]
    assert all("611111111" not in r.target for r in rows)  # the caller's number is not logged


def test_a_refused_read_of_personal_data_leaves_none(cli_db: str) -> None:
    run_cli("messages", "history", "alpha", "no-such-message", code=1)
    run_cli("screenpop", "--to", "01 99 99 99 99", code=1)
    assert _log(cli_db) == []


def test_a_read_or_a_refused_change_leaves_none(cli_db: str) -> None:
    run_cli("user", "list")
    run_cli("status", "alpha:claire")  # shows, changes nothing
    run_cli("user", "add", "x", "--role", "employee", "--account", "alpha", code=1)
    run_cli("status", "alpha:claire", "napping", code=1)
    assert _log(cli_db) == []
