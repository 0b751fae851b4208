"""``accueil serve`` serves the agents' stream for real: uvicorn on loopback, a WebSocket client."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from board_world import seed
from websockets.sync.client import connect

from accueil.core.access import Role
from accueil.services import users
from accueil.services.unit_of_work import Application
from accueil.store.db import make_engine, migrate
from accueil.wallclock import WallClock


def test_accueil_serve_takes_an_agent_over_a_real_websocket(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'accueil.db'}"
    engine = make_engine(url)
    migrate(engine)
    seed(engine)
    with Application(engine, WallClock()).unit_of_work() as work:
        users.add_user(work.session, "al", Role.AGENT, agent="alice", now=work.now)
        token = users.create_token(work.session, "al", "t", now=work.now).secret
    engine.dispose()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "accueil"), "serve", "--port", str(port)],
        env={**os.environ, "ACCUEIL_DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):  # a loaded machine may take a while to start it
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, "accueil serve stopped"
                time.sleep(0.1)
        uri = f"ws://127.0.0.1:{port}/api/v1/agent/stream"
        with connect(uri, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
            ws.send(json.dumps({"type": "login"}))
            hello = json.loads(ws.recv(timeout=60))
            assert (hello["type"], hello["agent"]) == ("logged_in", "alice")
            ws.send(json.dumps({"type": "ready", "id": 1}))
            reply = json.loads(ws.recv(timeout=60))
            assert (reply["type"], reply["id"], reply["did"]) == ("reply", 1, "ready")
    finally:
        server.terminate()
        server.wait(timeout=60)  # its switchboard and connections closed: slow when loaded
