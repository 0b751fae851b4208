"""Logs: structlog configured once, JSON or readable, and no name or phone number in clear."""

from __future__ import annotations

import http.server
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from accueil import logs
from cli_support import cli_database, run_cli

SECRET_BITS = ("Claire", "Dupont", "612345678", "12 34 56 78", "claire@", "tok3n", "private-abc")


def _logged(fmt: str, level: str = "info", **fields: object) -> str:
    out = io.StringIO()
    logs.configure(fmt, level, stream=out)
    try:
        logs.get_logger("test").info("call.decided", **fields)
    finally:
        logs.configure()
    return out.getvalue()


def _sensitive_fields() -> dict[str, object]:
    return {
        "account": "martin",
        "call_id": "call-0042",
        "person": "Claire Dupont",
        "caller": "+33612345678",
        "note": "rappeler Mme Dupont",
        "error": "no answer from 06 12 34 56 78 nor claire@example.com",
        "url": "https://me:tok3n@calendar.example.com/private-abc/basic.ics",
        "seconds": 0.25,
    }


def test_json_lines_keep_ids_and_hide_names_numbers_and_feed_secrets() -> None:
    line = _logged("json", **_sensitive_fields())
    entry = json.loads(line)
    assert entry["event"] == "call.decided"
    assert entry["level"] == "info"
    assert entry["account"] == "martin"
    assert entry["call_id"] == "call-0042"
    assert entry["seconds"] == 0.25
    assert entry["person"] == logs.pseudonym("Claire Dupont")
    assert entry["url"] == "https://calendar.example.com"
    assert entry["error"].endswith("•••••••78 nor •@•")
    for bit in SECRET_BITS:
        assert bit not in line, bit


def test_the_console_format_is_readable_and_masked_too() -> None:
    line = _logged("console", **_sensitive_fields())
    assert "call.decided" in line
    assert "account=martin" in line
    assert not line.lstrip().startswith("{")
    for bit in SECRET_BITS:
        assert bit not in line, bit


def test_the_same_person_has_the_same_pseudonym_and_others_another() -> None:
    assert logs.pseudonym("claire") == logs.pseudonym("claire")
    assert logs.pseudonym("claire") != logs.pseudonym("paul")


def test_below_the_level_nothing_is_written() -> None:
    assert _logged("json", level="warning", account="martin") == ""


def test_a_bad_format_or_level_is_a_usage_error() -> None:
    assert "log format" in run_cli("--log-format", "xml", "rules", "schema", code=2)
    assert "log level" in run_cli("--log-level", "loud", "rules", "schema", code=2)


class _Feed(http.server.BaseHTTPRequestHandler):
    body = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:1\r\n"
        b"DTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def feed_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/private-abc/claire.ics"
    server.shutdown()
    server.server_close()


DIRECTORY = {
    "accounts": [{"key": "martin", "name": "Cabinet Martin"}],
    "people": [
        {"account": "martin", "key": "claire", "first_name": "Claire", "last_name": "Dupont"}
    ],
}


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from cli_database(tmp_path, monkeypatch, DIRECTORY)


def test_calendar_refresh_watch_logs_each_refresh(database: str, feed_server: str) -> None:
    run_cli("calendar", "set", "martin:claire", feed_server)
    env = {**os.environ, "ACCUEIL_DATABASE_URL": database}
    command = [sys.executable, "-m", "accueil", "--log-format", "json"]
    runs: list[dict[str, object]] = []
    feeds: list[dict[str, object]] = []
    lines: list[str] = []
    with subprocess.Popen(
        [*command, "calendar", "refresh", "--watch", "--every", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as watch:
        try:
            assert watch.stderr is not None
            for line in watch.stderr:
                lines.append(line)
                assert line.startswith("{"), lines
                entry = json.loads(line)
                (runs if entry["event"] == "calendar.refresh" else feeds).append(entry)
                if len(runs) == 2:
                    break
        finally:
            watch.terminate()
    assert len(runs) == 2, lines
    assert all(run["feeds"] == 1 and run["failing"] == 0 for run in runs)
    assert feeds[0]["event"] == "calendar.feed_refreshed"
    assert feeds[0]["ok"] is True
    assert feeds[0]["account"] == "martin"
    assert feeds[0]["url"] == feed_server.split("/private-abc")[0]
    assert "claire" not in "".join(lines).lower()
