"""The crash test: N messages queued, the dispatcher killed with SIGKILL mid-batch and
restarted; the SMTP server on loopback then holds every message exactly once by Message-ID.

The dispatcher commits each outcome as soon as the server has answered, so only the sendings
in flight at the instant of the kill can reach the server a second time (always with the same
Message-ID: a store keyed by Message-ID keeps one). The test says how many did.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from messages_helpers import DIRECTORY, NOW, new_message
from servers import smtp_server
from sqlalchemy import select

from accueil.services.clock import FixedClock
from accueil.services.messages import take_message
from accueil.services.onboarding import load_directory
from accueil.services.unit_of_work import Application
from accueil.store.db import make_engine, migrate
from accueil.store.tables_messages import DeliveryRow, MessageRow

N = 300
CONCURRENCY = 4


def _queue(url: str) -> set[str]:
    engine = make_engine(url)
    migrate(engine)
    app = Application(engine, FixedClock(NOW))
    with app.unit_of_work() as work:
        load_directory(work.session, DIRECTORY, source="test", now=NOW)
        for i in range(N):
            take_message(work.session, "martin", new_message(("claire", "paul")[i % 2]), now=NOW)
    with app.sessions() as s:
        uids = {f"<{uid}@accueil>" for uid in s.scalars(select(MessageRow.uid))}
    engine.dispose()
    return uids


def _dispatcher(url: str, port: int, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ACCUEIL_DATABASE_URL": url,
        "ACCUEIL_SMTP_HOST": "127.0.0.1",
        "ACCUEIL_SMTP_PORT": str(port),
        "ACCUEIL_DISPATCH_TIMEOUT_SECONDS": "5",
    }
    command = [sys.executable, "-m", "accueil", "dispatch", "--batch", "50"]
    command += ["--concurrency", str(CONCURRENCY), "--lease", "2", *extra]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def test_a_dispatcher_killed_mid_batch_and_restarted_delivers_each_message_once(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    expected = _queue(url)
    with smtp_server() as (store, port):
        store.delay = 0.002  # a server that takes its time: the kill lands mid-batch
        log = tmp_path / "dispatch.log"
        first = _dispatcher(url, port, log)
        deadline = time.monotonic() + 60
        while len(store.mails) < N // 3 and time.monotonic() < deadline:
            assert first.poll() is None, log.read_text()
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        at_kill = len(store.mails)
        assert 0 < at_kill < N, "the kill must land mid-run"
        second = _dispatcher(url, port, log, "--once")
        assert second.wait(120) == 0, log.read_text()
        counts = store.ids()
    assert set(counts) == expected  # none lost, none invented
    again = sum(c - 1 for c in counts.values())
    assert again <= CONCURRENCY, f"{again} sent again: more than were in flight"
    engine = make_engine(url)
    with engine.connect() as conn:
        left = conn.execute(select(DeliveryRow.state).where(DeliveryRow.state != "sent")).all()
    engine.dispose()
    assert left == []
    print(f"killed after {at_kill} of {N}; {again} sent a second time (same Message-ID)")
