"""``accueil demo --serve`` (what ``make demo`` runs): the demo operator served live with its
logins, the simulated callers and the played secretaries; Ctrl-C stops it, and a second run
reuses the data and stops cleanly at the end of its ``--for``."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from accueil.demo.serving import PASSWORD

ARGS = ["demo", "--accounts", "3", "--people", "30", "--agents", "3", "--no-simulate"]
LOGINS = ("admin", "superviseur", "secretaire", "client", "employe")


def _demo(database: Path, seconds: float) -> subprocess.Popen[str]:
    env = {**os.environ, "ACCUEIL_DATABASE_URL": f"sqlite:///{database}"}
    accueil = Path(sys.executable).with_name("accueil")  # the console script of this venv
    command = [str(accueil), *ARGS, "--serve", "--port", "0"]
    return subprocess.Popen(
        [*command, "--for", str(seconds)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def _url(demo: subprocess.Popen[str], seen: list[str]) -> str:
    assert demo.stdout is not None
    for line in demo.stdout:
        seen.append(line)
        found = re.search(r"live at (http://127\.0\.0\.1:\d+/)", line)
        if found:
            return found.group(1)
    raise AssertionError("no URL printed:\n" + "".join(seen))


def _sign_in(url: str, name: str) -> str:
    """The session cookie of ``name`` (Secure: a browser sends it to 127.0.0.1, urllib not)."""
    body = json.dumps({"name": name, "password": PASSWORD}).encode()
    request = urllib.request.Request(
        url + "api/v1/session", body, {"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 201  # a session opened
        cookies = answer.headers.get_all("set-cookie")
    return next(c.split(";")[0] for c in cookies if c.startswith("accueil_session="))


def _snapshot(cookie: str, url: str) -> dict[str, object]:
    request = urllib.request.Request(url + "api/v1/supervisor/snapshot", headers={"cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as answer:
        found: dict[str, object] = json.load(answer)
        return found


@pytest.mark.slow
def test_the_demo_serves_its_logins_and_secretaries_then_stops_and_reuses_its_data(
    tmp_path: Path,
) -> None:
    database = tmp_path / "demo.db"
    demo = _demo(database, seconds=300)  # a bound: Ctrl-C stops it once it has been seen live
    seen: list[str] = []
    try:
        url = _url(demo, seen)
        signed = {name: _sign_in(url, name) for name in LOGINS}  # 5: the limit of a minute
        supervisor = signed["superviseur"]
        deadline = time.monotonic() + 60  # the played secretaries sign in within a tick (0.5 s)
        while True:
            agents = _snapshot(supervisor, url)["agents"]
            assert isinstance(agents, list)
            if len(agents) == 3 and all(a["status"] == "ready" for a in agents):
                break
            assert time.monotonic() < deadline, f"the secretaries are not all ready: {agents}"
            time.sleep(0.1)
        demo.send_signal(signal.SIGINT)  # Ctrl-C, as make demo is stopped
        demo.wait(timeout=120)
        assert demo.stdout is not None
        rest = demo.stdout.read()  # the buffered rest too (communicate() would skip it)
        demo.stdout.close()
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.communicate()
    out = "".join(seen) + rest
    assert demo.returncode == 0, out  # Ctrl-C stops the service cleanly, as README says
    assert "Traceback" not in out, out
    assert "The demo stopped cleanly" in out, out
    assert "accounts: 3 created" in out
    assert all(f"  {name} " in out for name in LOGINS)

    again = _demo(database, seconds=1)
    second, _ = again.communicate(timeout=120)
    assert again.returncode == 0, second
    assert "created" not in second.split("The demo operator")[0]
    assert "secretaire" in second and "The demo stopped cleanly" in second
