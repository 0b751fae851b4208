"""A command that fails says so in one line on stderr with a documented exit code; ``--debug``
shows the traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from accueil.cli.failures import INTERNAL, SERVICE, describe


def _closed_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _accueil(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACCUEIL_DATABASE_URL": url}
    env.pop("ACCUEIL_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "accueil", *args], capture_output=True, text=True, env=env
    )


def test_an_unreachable_postgresql_is_one_line_and_exit_3() -> None:
    url = f"postgresql+psycopg://someone:s3cret@127.0.0.1:{_closed_port()}/nowhere"
    done = _accueil("status", "martin:claire", url=url)
    assert done.returncode == SERVICE
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: the database postgresql+psycopg://someone:***@127.0.0.1:")
    assert "Connection refused" in lines[0] or "connection" in lines[0].lower()
    assert "s3cret" not in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_debug_shows_the_traceback() -> None:
    url = f"postgresql+psycopg://someone@127.0.0.1:{_closed_port()}/nowhere"
    done = _accueil("--debug", "status", "martin:claire", url=url)
    assert done.returncode != 0
    assert "Traceback (most recent call last)" in done.stderr
    assert "OperationalError" in done.stderr


def test_an_unexpected_error_is_one_line_naming_debug() -> None:
    message, code = describe(ValueError("bad thing\nsecond line"))
    assert code == INTERNAL
    assert "\n" not in message
    assert message.startswith("internal error (ValueError: bad thing; second line)")
    assert "--debug" in message


@pytest.mark.parametrize("args", [["status", "nobody:here"], ["decide", "--to", "+33100000000"]])
def test_a_refusal_is_one_line_and_exit_1(args: list[str], tmp_path: object) -> None:
    done = _accueil(*args, url=f"sqlite:///{tmp_path}/a.db")
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("error: ")


@pytest.mark.parametrize(
    ("args", "setting", "said"),
    [
        (
            ["status", "martin:claire"],
            {"ACCUEIL_CALENDAR_ALLOW_PRIVATE_HOSTS": "perhaps"},
            "error: ACCUEIL_CALENDAR_ALLOW_PRIVATE_HOSTS='perhaps': Input should be a valid "
            "boolean",
        ),
        (
            ["demo", "--accounts", "1", "--people", "5", "--agents", "1", "--no-simulate"],
            {"ACCUEIL_DATABASE_STATEMENT_TIMEOUT_SECONDS": "-3"},
            "error: ACCUEIL_DATABASE_STATEMENT_TIMEOUT_SECONDS='-3': Input should be greater "
            "than or equal to 0",
        ),
        (
            ["team", "list", "martin"],
            {"ACCUEIL_DATABASE_CONNECT_TIMEOUT_SECONDS": "soon"},
            "error: ACCUEIL_DATABASE_CONNECT_TIMEOUT_SECONDS='soon': Input should be a valid "
            "integer",
        ),
    ],
)
def test_a_wrong_setting_is_one_line_naming_its_variable_and_changes_nothing(
    args: list[str], setting: dict[str, str], said: str, tmp_path: object
) -> None:
    """Any command, not only ``accueil serve``: a wrong ``ACCUEIL_*`` value is said with its
    variable, the value and why (it was an 'internal error … report it', exit 4)."""
    database = f"{tmp_path}/a.db"
    env = {**os.environ, "ACCUEIL_DATABASE_URL": f"sqlite:///{database}", **setting}
    env.pop("ACCUEIL_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-m", "accueil", *args], capture_output=True, text=True, env=env
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(said), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not os.path.exists(database)  # nothing written
