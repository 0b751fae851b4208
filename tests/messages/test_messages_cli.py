"""``accueil messages`` and ``accueil dispatch --once`` on a database of their own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from messages_helpers import DIRECTORY, NOW, new_message
from servers import smtp_server
from sqlalchemy.orm import Session

from accueil.services.messages import take_message
from accueil.settings import get_settings
from cli_support import cli_database, run_cli


def _two_messages(s: Session) -> None:
    take_message(s, "martin", new_message(), now=NOW)
    take_message(s, "martin", new_message("paul"), now=NOW)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from cli_database(tmp_path, monkeypatch, DIRECTORY, _two_messages)


def test_dispatch_once_sends_the_queue_and_messages_list_shows_it(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server() as (store, port):
        monkeypatch.setenv("ACCUEIL_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("ACCUEIL_SMTP_PORT", str(port))
        get_settings.cache_clear()
        out = run_cli("dispatch", "--once")
    assert "dispatching with email, webhook" in out and "sent 2, failed attempts 0" in out
    assert len(store.mails) == 2
    listed = run_cli("messages", "list", "martin")
    assert listed.count(" sent ") == 2 and "from M. Lefebvre" in listed
    uid = listed.split()[2]
    assert "taken" in run_cli("messages", "history", "martin", uid)


def test_preferences_are_saved_from_a_file_and_bad_ones_refused_with_where(
    database: str, tmp_path: Path
) -> None:
    good, bad = tmp_path / "p.yaml", tmp_path / "bad.yaml"
    good.write_text("quiet_hours: '21:00-07:00'\nnormal: {channels: [sms]}\n", encoding="utf-8")
    bad.write_text("normal: {channels: [fax]}\n", encoding="utf-8")
    assert "saved" in run_cli("messages", "preferences", "martin:claire", str(good))
    shown = run_cli("messages", "preferences", "martin:claire")
    assert "quiet_hours: 21:00-07:00" in shown and "- sms" in shown
    refused = run_cli("messages", "preferences", "martin:claire", str(bad), code=2)
    assert "bad.yaml field 'normal.channels[0]'" in refused


def test_erase_export_purge_and_a_dead_delivery_to_retry(database: str) -> None:
    exported = json.loads(run_cli("messages", "export", "martin:claire"))
    assert len(exported["messages"]) == 1
    erased = run_cli("messages", "erase", "martin", "06 12 34 56 78")
    assert erased == "martin: 2 messages, 0 call records erased"  # both came from that number
    assert run_cli("messages", "list", "martin") == ""
    assert "nothing to delete" in run_cli("messages", "purge")
    assert run_cli("messages", "dead", "martin") == ""
    assert "no delivery 99" in run_cli("messages", "retry", "martin", "99", code=1)
