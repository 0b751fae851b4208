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
    env = {**os.environ, "ACCUEIL_DATABASE_URL": cli_db}
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
        assert httpx.get(f"{base}/api/v1/me", headers=headers).status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_ready(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("accueil serve did not become ready in 30 s")
