"""``accueil user add``, ``accueil token create|revoke`` and ``accueil serve`` on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from api_world import DIRECTORY

from cli_support import cli_database, run_cli


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from cli_database(tmp_path, monkeypatch, DIRECTORY)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_users_and_tokens_from_the_command_line_then_served(cli_db: str) -> None:
    out = run_cli("user", "add", "ca", "--role", "client-admin", "--account", "alpha")
    assert "ca: client_admin of alpha" in out
    run_cli("user", "add", "x", "--role", "employee", "--account", "alpha", code=1)
    token = run_cli("token", "create", "ca", "--label", "curl")
    assert token.startswith("acc_")
    port = _free_port()
    # a token found good is kept for ACCUEIL_TOKEN_CACHE_SECONDS: a revocation made by another
    # process (this command line) applies within that delay
    env = {**os.environ, "ACCUEIL_DATABASE_URL": cli_db, "ACCUEIL_TOKEN_CACHE_SECONDS": "1"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "accueil"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base)
        headers = {"Authorization": f"Bearer {token}"}
        me = httpx.get(f"{base}/api/v1/me", headers=headers)
        assert me.status_code == 200 and me.json()["account"] == "alpha"
        people = httpx.get(f"{base}/api/v1/accounts/alpha/people", headers=headers).json()
        assert [p["key"] for p in people["items"]] == ["claire", "paul"]
        run_cli("token", "revoke", token)
        assert _status_within(f"{base}/api/v1/me", headers, 401, seconds=60) == 401
    finally:
        server.terminate()
        server.wait(timeout=60)  # its switchboard and connections closed: slow when loaded


def _status_within(url: str, headers: dict[str, str], wanted: int, seconds: float) -> int:
    """The status of GET ``url``, asked again until it is ``wanted`` or ``seconds`` passed."""
    deadline = time.monotonic() + seconds
    while (status := httpx.get(url, headers=headers).status_code) != wanted:
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    return status


def _wait_ready(base: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(
        "accueil serve did not become ready in 90 s (a loaded machine starts it slowly)"
    )


def test_several_workers_need_the_switchboard_off(
    cli_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCUEIL_SWITCHBOARD", "true")
    out = run_cli("serve", "--workers", "2", code=1)
    assert "ACCUEIL_SWITCHBOARD=false" in out


# ``accueil serve`` run as the ``accueil`` script runs it; says at exit whether the API was loaded
_SERVE_THEN_SAY = """
import atexit, sys
atexit.register(lambda: print("api loaded:", "accueil.api.app" in sys.modules))
from accueil.cli import main
sys.argv = ["accueil", "serve", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize(
    ("args", "environment", "said"),
    [
        (
            ["--telephony", "pigeon"],
            {},
            "error: --telephony 'pigeon': none, simulated, sip or remote",
        ),
        (["--workers", "2"], {"ACCUEIL_SWITCHBOARD": "true"}, "ACCUEIL_SWITCHBOARD=false"),
        (
            ["--telephony", "sip"],
            {"ACCUEIL_SIP_ACCOUNTS_FILE": "missing"},
            "missing: cannot read the SIP accounts",
        ),
    ],
)
def test_a_wrong_serve_option_is_refused_before_the_api_is_loaded_and_changes_nothing(
    tmp_path: Path, args: list[str], environment: dict[str, str], said: str
) -> None:
    _refused(tmp_path, args, environment, said)


@pytest.mark.parametrize(
    ("environment", "said"),
    [
        (
            {"ACCUEIL_SIP_FR_TIMER_SECONDS": "soon"},
            "error: ACCUEIL_SIP_FR_TIMER_SECONDS='soon': Input should be a valid integer",
        ),
        (
            {"ACCUEIL_TELEPHONY": "pigeon"},
            "error: ACCUEIL_TELEPHONY='pigeon': Input should be 'none', 'simulated', 'sip' or "
            "'remote'",
        ),
        ({"ACCUEIL_PORT": "0"}, "error: ACCUEIL_PORT='0': Input should be greater than or equal"),
        (
            {"ACCUEIL_CORS_ORIGINS": "https://a.example"},  # a list is written in JSON
            'error: the server\'s settings: error parsing value for field "cors_origins"',
        ),
        (
            {"ACCUEIL_TELEPHONY": "sip", "ACCUEIL_SIP_FR_TIMER_SECONDS": "0"},
            "error: sip.fr_timer_seconds must be 1 s or more",
        ),
    ],
)
def test_a_wrong_server_setting_is_refused_naming_its_variable_and_why(
    tmp_path: Path, environment: dict[str, str], said: str
) -> None:
    _refused(tmp_path, [], environment, said)


def _refused(tmp_path: Path, args: list[str], environment: dict[str, str], said: str) -> None:
    """``accueil serve ARGS`` refuses at once (exit 1, ``said`` on stderr): the API not loaded,
    no database created."""
    database = tmp_path / "accueil.db"
    env = {**os.environ, "ACCUEIL_DATABASE_URL": f"sqlite:///{database}", **environment}
    done = subprocess.run(
        [sys.executable, "-c", _SERVE_THEN_SAY, *args], env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert said in done.stderr
    assert "api loaded: False" in done.stdout, done.stderr
    assert not database.exists()  # nothing created, nothing migrated
