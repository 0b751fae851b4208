"""The switchboard's quarantined journal rows over the API and the command line: operator
admins read them in journal order, in pages, each with its place, why it did not load and its
body as it was; nobody else sees any of them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from api_world import DIRECTORY, USERS, World
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from accueil.api.conventions import encode_cursor
from accueil.store.db import transaction
from accueil.store.tables_switchboard import QuarantinedRow
from cli_support import cli_database, run_cli

URL = "/api/v1/switchboard/quarantine"
MOVED = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
ROWS = [  # seq, kind, body, reason
    (42, "Heartbeat", b'{"format": "accueil.switchboard", "version": 9}', "version 9 is newer"),
    (7, "Heard", b"\xff\xfe not json", "not a JSON document"),
    (100, "Inbound", b'{"format": "accueil.switchboard"', "truncated"),
]


def _quarantine(session: Session) -> None:
    for seq, kind, body, reason in ROWS:
        session.execute(
            insert(QuarantinedRow).values(
                seq=seq, term=3, at=seq / 4, kind=kind, body=body, reason=reason, moved_at=MOVED
            )
        )


def _seeded(engine: Engine) -> None:
    from accueil.store.db import session_factory

    with transaction(session_factory(engine)) as session:
        _quarantine(session)


def test_an_operator_admin_reads_the_quarantine_in_journal_order_by_pages(world: World) -> None:
    _seeded(world.runtime.engine)
    root = world.client("root")
    first = root.get(URL, params={"limit": 2})
    assert first.status_code == 200
    page = first.json()
    assert [r["seq"] for r in page["items"]] == [7, 42]
    heard, heartbeat = page["items"]
    assert heard["body"] == "" and heard["body_hex"] == "fffe206e6f74206a736f6e"  # not UTF-8
    assert heartbeat == {
        "seq": 42, "term": 3, "at": 10.5, "kind": "Heartbeat", "reason": "version 9 is newer",
        "moved_at": heartbeat["moved_at"], "body": ROWS[0][2].decode(), "body_hex": "",
    }  # fmt: skip
    assert datetime.fromisoformat(heartbeat["moved_at"]) == MOVED
    rest = root.get(URL, params={"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [r["seq"] for r in rest["items"]] == [100] and rest["next_cursor"] is None


def test_nobody_but_an_operator_admin_sees_a_quarantined_row(world: World) -> None:
    _seeded(world.runtime.engine)
    for user in USERS:
        if user == "root":
            continue
        answer = world.client(user).get(URL)
        assert answer.status_code == 403, user
        assert "items" not in answer.json() and "Heartbeat" not in answer.text, user
    assert world.client().get(URL).status_code == 401


def test_a_cursor_the_api_did_not_give_is_refused(lite: World) -> None:
    answer = lite.client("root").get(URL, params={"cursor": "bm90IGEgY3Vyc29y"})
    assert answer.status_code == 422
    assert "cursor" in answer.text
    too_large = encode_cursor(str(2**63))  # a well-made cursor past what the store holds
    answer = lite.client("root").get(URL, params={"cursor": too_large})
    assert answer.status_code == 422 and "cursor" in answer.text


def test_an_empty_quarantine_is_an_empty_page(lite: World) -> None:
    assert lite.client("root").get(URL).json() == {"items": [], "next_cursor": None}


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from cli_database(tmp_path, monkeypatch, DIRECTORY, _quarantine)


def test_the_command_line_lists_the_quarantine(cli_db: str) -> None:
    shown = run_cli("switchboard", "quarantine")
    assert shown.index("Heard") < shown.index("Heartbeat") < shown.index("Inbound")
    assert "version 9 is newer" in shown and "not a JSON document" in shown
    after = run_cli("switchboard", "quarantine", "--after", "7", "--limit", "1")
    assert "Heartbeat" in after and "Heard" not in after and "Inbound" not in after
    lines = run_cli("switchboard", "quarantine", "--json")
    documents = [json.loads(line) for line in lines.replace("} {", "}\n{").splitlines()]
    assert [d["seq"] for d in documents] == [7, 42, 100]
    assert documents[1]["body"] == ROWS[0][2].decode() and documents[0]["body_hex"]


def test_the_command_line_says_when_nothing_is_quarantined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in cli_database(tmp_path, monkeypatch, DIRECTORY):
        assert run_cli("switchboard", "quarantine") == "no journal row is quarantined"
