"""The command line end to end: lists, rules check/set/show, status, calendar, decide."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cli_support import cli_database, run_cli

DIRECTORY = {
    "accounts": [{"key": "martin", "name": "Cabinet Martin", "country": "FR", "subdivision": "57"}],
    "people": [
        {
            "account": "martin",
            "key": "claire",
            "first_name": "Claire",
            "last_name": "Martin",
            "devices": [{"key": "mobile", "kind": "mobile", "address": "06 12 34 56 78"}],
        }
    ],
    "numbers": [
        {"number": "01 40 00 00 00", "account": "martin"},
        {"number": "01 40 00 00 01", "account": "martin", "person": "claire"},
    ],
}
RULES = """\
account: martin
person: claire
rules:
  - name: VIP → mobile
    when: {caller_in_list: VIP}
    then:
      type: connect
      devices: [{device: mobile, timeout: 20}]
      no_answer: {type: message, urgency: urgent}
"""
BOARD = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:b\r\n"
    "DTSTART;TZID=Europe/Paris:20261130T140000\r\nDTEND;TZID=Europe/Paris:20261130T150000\r\n"
    "SUMMARY:Comité de direction\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from cli_database(tmp_path, monkeypatch, DIRECTORY)


def test_a_day_at_the_command_line(database: str, tmp_path: Path) -> None:
    rules = tmp_path / "claire.yaml"
    rules.write_text(RULES, encoding="utf-8")
    board = tmp_path / "claire.ics"
    board.write_text(BOARD, encoding="utf-8")

    missing_list = run_cli("rules", "check", str(rules), code=2)
    assert (
        "claire.yaml:5 field 'rules[0].when.caller_in_list': no caller list 'VIP'" in missing_list
    )
    assert "1 rules for martin claire: ok" in run_cli("rules", "check", str(rules), "--offline")
    assert "2 entries" in run_cli(
        "lists", "set", "martin", "VIP", "+33 6 99 88 77 66=Le client", "+44 20*"
    )
    assert "saved version 1 of martin claire" in run_cli("rules", "set", str(rules))
    assert "VIP → mobile" in run_cli("rules", "show", "martin:claire")
    assert "calendar loaded" in run_cli(
        "calendar", "upload", "martin:claire", str(board), "--at", "2026-11-30 08:00"
    )

    out = run_cli(
        "decide", "--to", "01 40 00 00 01", "--from", "+33699887766", "--at", "2026-11-30 14:10"
    )
    assert "treatment: connect (rule: VIP → mobile)" in out
    assert (
        "VIP → mobile matched: +33 6 99 88 77 66 is in list 'VIP' (Le client); Claire is in a "
        "meeting (calendar: 'Comité de direction', until 15:00)"
    ) in out

    shown = run_cli(
        "status",
        "martin:claire",
        "away",
        "--until",
        "17:00",
        "--at",
        "2026-11-30 15:30",
        "--note",
        "chantier",
    )
    assert "Claire Martin is away (own status: 'chantier', until 17:00)" in shown
    as_json = json.loads(
        run_cli(
            "decide",
            "--to",
            "+33140000001",
            "--from",
            "0145000000",
            "--at",
            "2026-11-30 16:00",
            "--json",
        )
    )
    assert as_json["rule"] == "fallback" and as_json["availability"]["state"] == "away"
    assert as_json["availability"]["source"] == "manual"


def test_errors_are_clear_and_change_nothing(database: str) -> None:
    assert "no person 'zoe' in any account" in run_cli("status", "zoe", "meeting", code=1)
    assert "ACCOUNT:PERSON" in run_cli("status", ":claire", "meeting", code=1)
    assert "is not a status" in run_cli("status", "martin:claire", "lunching", code=1)
    assert "leads to no account" in run_cli("decide", "--to", "+33 1 99 99 99 99", code=1)
    assert "no person 'zoe'" in run_cli("status", "martin:zoe", code=1)


def test_the_rules_schema_is_printed_as_json(database: str) -> None:
    schema = json.loads(run_cli("rules", "schema"))
    assert schema["title"] == "RulesDocument" and "rules" in schema["properties"]


def test_the_installed_command_decides_in_a_real_process(database: str) -> None:
    env = {**os.environ, "ACCUEIL_DATABASE_URL": database}
    accueil = str(Path(sys.executable).with_name("accueil"))  # the installed entry point
    command = [accueil, "decide", "--to", "+33140000000", "--at", "2026-12-26 10:00"]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "martin (switchboard)" in result.stdout and "treatment: answer" in result.stdout


def test_delegation_closure_contacts_rota_and_calendar_refresh(
    database: str, tmp_path: Path
) -> None:
    class Feed(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(BOARD.encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/c.ics"
        assert "calendar feed set" in run_cli("calendar", "set", "martin:claire", url)
        assert "martin:claire ok 1 feeds refreshed" in run_cli("calendar", "refresh")
        assert "0 feeds refreshed" in run_cli("calendar", "refresh")  # not due again yet
        shown = run_cli("calendar", "show", "martin:claire")
        assert url in shown and "(Europe/Paris)" in shown  # the copy's time on the wall clock
    finally:
        server.shutdown()
        server.server_close()

    rota = tmp_path / "nuits.yaml"
    rota.write_text(
        "key: nuits\nshifts:\n  - hours: mon-sun 00:00-24:00\n    contacts: ['+33611111111']\n"
    )
    assert "rota 'nuits' with 1 shifts" in run_cli("rota", "set", "martin", str(rota))
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: x\nshifts: []\n")
    assert f"{bad} field 'shifts'" in run_cli("rota", "set", "martin", str(bad), code=2)
    assert "+33145000000 is Dupont SA" in run_cli(
        "contacts", "add", "martin", "01 45 00 00 00", "Dupont SA"
    )
    assert "no person 'paul'" in run_cli("delegate", "martin:claire", "paul", code=1)
    assert "martin closed from" in run_cli(
        "closure",
        "martin",
        "--from",
        "2026-12-24 12:00",
        "--until",
        "2026-12-26 09:00",
        "--reason",
        "fêtes",
    )
    out = run_cli(
        "decide", "--to", "+33140000001", "--from", "0145000000", "--at", "2026-12-24 15:00"
    )
    assert "Claire is off duty (account closed: 'fêtes'" in out


def test_decide_says_which_rules_held_but_could_not_be_carried_out(
    database: str, tmp_path: Path
) -> None:
    rota = tmp_path / "nuits.yaml"
    rota.write_text(
        "key: nuits\nshifts:\n  - hours: mon-fri 19:00-24:00\n    contacts: ['+33611111111']\n"
    )
    run_cli("rota", "set", "martin", str(rota))
    rules = tmp_path / "claire.yaml"
    rules.write_text(
        "account: martin\nperson: claire\nrules:\n"
        "  - name: holiday → on call\n    when: {holiday: true}\n"
        "    then: {type: on_call, rota: nuits}\n"
        "  - name: paused\n    enabled: false\n    then: {type: reject}\n",
        encoding="utf-8",
    )
    run_cli("rules", "set", str(rules))
    out = run_cli(
        "decide", "--to", "01 40 00 00 01", "--from", "0145000000", "--at", "2026-11-11 10:00"
    )
    assert "treatment: answer (rule: fallback)" in out
    assert "skipped: holiday → on call: nobody is on call in rota 'nuits' now" in out
    assert "skipped: paused" not in out  # disabled rules are not news to the agent
    refused = run_cli("decide", "--to", "01 40 00 00 01", "--lang", "de", code=1)
    assert "--lang 'de': explanations are in en, fr" in refused
