"""Any process answers the supervisor's snapshot: two ``accueil serve`` on one PostgreSQL, an
agent ready on the leader; the standby gives the leader's line, with the caller's own
credentials checked there too."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import websockets
from board_world import MONDAY_10, seed
from chaos_world import STREAM, free_port, wait_healthy

from accueil.core.access import Role
from accueil.services import users
from accueil.services.unit_of_work import Application
from accueil.store.db import make_engine, migrate
from accueil.switchboard.clock import SimulatedClock

SNAPSHOT = "/api/v1/supervisor/snapshot"


def _serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ACCUEIL_DATABASE_URL": url, "ACCUEIL_TELEPHONY": "none"}
    command = [sys.executable, "-m", "accueil", "serve", "--port", str(port)]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def _get(port: int, token: str) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{SNAPSHOT}", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # slow when loaded
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


async def _while_ready(port: int, token: str, ports: tuple[int, int], sup: str) -> list[Any]:
    """Alice ready on the leader at ``port``; the snapshots read meanwhile from ``ports``."""
    uri = f"ws://127.0.0.1:{port}{STREAM}"
    headers = {"Authorization": f"Bearer {token}"}
    async with websockets.connect(uri, additional_headers=headers, open_timeout=60) as ws:
        await ws.send(json.dumps({"type": "login"}))
        assert json.loads(await ws.recv())["type"] == "logged_in"
        await ws.send(json.dumps({"type": "ready", "id": "r"}))
        while json.loads(await ws.recv()).get("id") != "r":
            pass
        return [await asyncio.to_thread(_get, p, sup) for p in ports]


def _timeless(line: dict[str, Any]) -> dict[str, Any]:
    moving = {"since", "waited", "widens_at"}
    return {
        part: [{k: v for k, v in item.items() if k not in moving} for item in line[part]]
        for part in ("waiting", "agents", "calls")
    }


@pytest.mark.postgres
def test_a_standby_answers_the_supervisor_with_the_leaders_line(
    postgres_url: str, tmp_path: Path
) -> None:
    engine = make_engine(postgres_url)
    migrate(engine)
    seed(engine)
    with Application(engine, SimulatedClock(MONDAY_10)).unit_of_work() as work:
        users.add_user(work.session, "sup", Role.SUPERVISOR, now=work.now)
        users.add_user(work.session, "al", Role.AGENT, agent="alice", now=work.now)
        users.add_user(work.session, "cli", Role.CLIENT_ADMIN, account="martin", now=work.now)
        tokens = {
            who: users.create_token(work.session, who, "t", now=work.now).secret
            for who in ("sup", "al", "cli")
        }
    engine.dispose()
    leader_port, standby_port = free_port(), free_port()
    leader = _serve(postgres_url, leader_port, tmp_path / "leader.log")
    servers = [leader]
    try:
        wait_healthy(leader_port, leader)  # it leads: it started first
        servers.append(_serve(postgres_url, standby_port, tmp_path / "standby.log"))
        wait_healthy(standby_port, servers[1])
        ports = (leader_port, standby_port)
        (status, direct), (relayed_status, relayed) = asyncio.run(
            _while_ready(leader_port, tokens["al"], ports, tokens["sup"])
        )
        assert (status, relayed_status) == (200, 200), relayed
        assert [(a["agent"], a["status"]) for a in relayed["agents"]] == [("alice", "ready")]
        # the same line (its instants are read from the clock at each request: left out)
        assert _timeless(relayed) == _timeless(direct)
        # the leader checks the caller too: a client admin is refused, as on the leader
        assert _get(standby_port, tokens["cli"])[0] == 403
        assert _get(leader_port, tokens["cli"])[0] == 403
    finally:
        for server in servers:
            server.kill()
            server.wait()
