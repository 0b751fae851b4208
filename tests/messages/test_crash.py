"""The crash tests: N messages queued, the dispatcher killed with SIGKILL mid-batch and
restarted; the receiving end then holds every message exactly once by its id.

- Email: a real SMTP server on loopback (aiosmtpd), held by Message-ID.
- Webhooks: a real HTTP receiver on loopback that answers 500 for a while and hangs past the
  dispatcher's time-out twice, held by ``webhook-id`` (Standard Webhooks), every signature
  checked.

The dispatcher commits each outcome as soon as the channel has answered, so only the sendings
in flight or not yet recorded at the instant of the kill (at most twice the concurrency) can
reach the other end a second time — always with the same id, so a receiver keyed by it keeps
one; so can a request the receiver answered only after the dispatcher had given up on it (a hang,
or a loaded machine: each time-out is logged with the message id). The tests say how many
did, and bound them by that.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from messages_helpers import DIRECTORY, NOW, new_message
from servers import http_receiver, smtp_server
from sqlalchemy import func, select

from accueil.dispatch.webhook import verify
from accueil.services.clock import FixedClock
from accueil.services.delivery_preferences import set_preferences
from accueil.services.messages import take_message
from accueil.services.onboarding import load_directory
from accueil.services.unit_of_work import Application
from accueil.store.db import make_engine, migrate
from accueil.store.tables_messages import DeliveryRow, MessageRow

N = 400  # four batches of 100 (the kill lands in the second): each once, as with more
CONCURRENCY = 4
AT_RISK = 2 * CONCURRENCY  # in flight, or answered and not yet recorded
SECRET = "whsec_" + base64.b64encode(b"a secret of the client, 32 bytes").decode()


def _queue(url: str, preferences: dict[str, object] | None = None) -> set[str]:
    engine = make_engine(url)
    migrate(engine)
    app = Application(engine, FixedClock(NOW))
    with app.unit_of_work() as work:
        load_directory(work.session, DIRECTORY, source="test", now=NOW)
        if preferences:
            set_preferences(work.session, "martin", "", preferences, now=NOW)
    with app.unit_of_work() as work:
        for i in range(N):
            take_message(work.session, "martin", new_message(("claire", "paul")[i % 2]), now=NOW)
    with app.sessions() as s:
        uids = set(s.scalars(select(MessageRow.uid)))
    engine.dispose()
    return uids


def _dispatcher(url: str, log: Path, *extra: str, **env: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "accueil", "dispatch", "--batch", "100"]
    command += ["--concurrency", str(CONCURRENCY), "--lease", "2", *extra]
    environment = {**os.environ, "ACCUEIL_DATABASE_URL": url, **env}
    with log.open("ab") as out:
        return subprocess.Popen(command, env=environment, stdout=out, stderr=subprocess.STDOUT)


def _kill_when(first: subprocess.Popen[bytes], reached: Callable[[], bool], log: Path) -> None:
    """SIGKILL the dispatcher once ``reached`` says it is well into its work."""
    deadline = time.monotonic() + 120
    while not reached() and time.monotonic() < deadline:
        assert first.poll() is None, log.read_text()
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    first.wait(10)


def _ended(*processes: subprocess.Popen[bytes] | None) -> None:
    """What a failed test left running, killed and reaped (not left to the GC, whose
    ResourceWarning would fail a later test, nor left sending)."""
    for process in processes:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()


def _timed_out(log: Path) -> int:
    """Sendings the dispatchers gave up waiting for (logged with their message id): the other
    end may have taken them all the same, so each may arrive twice, whatever the load."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    failed = [line for line in lines if "failed (attempt" in line]
    return sum(1 for line in failed if "Timeout" in line or "timed out" in line)


def _left(url: str, done: str) -> list[tuple[str, int]]:
    """(state, count) of the deliveries that are not ``done``."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(DeliveryRow.state, func.count())
            .where(DeliveryRow.state != done)
            .group_by(DeliveryRow.state)
        ).all()
    engine.dispose()
    return [(state, count) for state, count in rows]


def test_a_dispatcher_killed_mid_batch_and_restarted_delivers_each_email_once(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    expected = {f"<{uid}@accueil>" for uid in _queue(url)}
    log = tmp_path / "dispatch.log"
    with smtp_server() as (store, port):
        store.delay = 0.002  # a server that takes its time: the kill lands mid-batch
        smtp = {"ACCUEIL_SMTP_HOST": "127.0.0.1", "ACCUEIL_SMTP_PORT": str(port)}
        smtp["ACCUEIL_DISPATCH_TIMEOUT_SECONDS"] = "5"
        first, second = _dispatcher(url, log, **smtp), None
        try:
            _kill_when(first, lambda: len(store.mails) >= N // 3, log)
            at_kill = len(store.mails)
            assert 0 < at_kill < N, "the kill must land mid-run"
            second = _dispatcher(url, log, "--once", **smtp)
            assert second.wait(300) == 0, log.read_text()
        finally:
            _ended(first, second)
        counts = store.ids()
    assert set(counts) == expected  # none lost, none invented
    again, timed_out = sum(c - 1 for c in counts.values()), _timed_out(log)
    assert again <= AT_RISK + timed_out, f"{again} sent again: more than were at risk"
    assert _left(url, "sent") == []
    print(f"killed after {at_kill} of {N}; {again} sent a second time (same Message-ID)")


def test_webhooks_to_a_failing_receiver_survive_a_kill_and_arrive_once_each(
    tmp_path: Path,
) -> None:
    log = tmp_path / "dispatch.log"
    with http_receiver() as receiver:
        url = f"sqlite:///{tmp_path / 'crash.db'}"
        preferences = {
            "webhook_url": f"{receiver.url}/hooks",
            "webhook_secret": SECRET,
            "normal": {"channels": ["webhook"]},
        }
        expected = _queue(url, preferences)
        hangs = 2
        # a receiver in trouble for a while: 500s, then two requests answered (200) only
        # after the dispatcher's time-out, then well
        receiver.script = [500] * 150 + ["hang"] * hangs
        receiver.hang_seconds = 5
        timeout = {"ACCUEIL_DISPATCH_TIMEOUT_SECONDS": "3"}
        first, second = _dispatcher(url, log, **timeout), None
        try:
            _kill_when(first, lambda: len(receiver.accepted) >= N // 3, log)
            at_kill = len(receiver.accepted)
            assert 0 < at_kill < N, "the kill must land mid-run"
            second = _dispatcher(url, log, **timeout)  # retries are due later: not --once
            deadline = time.monotonic() + 300
            while _left(url, "delivered") and time.monotonic() < deadline:
                assert second.poll() is None, log.read_text()
                time.sleep(0.2)
            second.send_signal(signal.SIGTERM)
            assert second.wait(60) == 0, log.read_text()
        finally:
            _ended(first, second)
        accepted = list(receiver.accepted)
        refused = len(receiver.requests) - len(accepted)
    assert _left(url, "delivered") == []
    now = datetime.now(UTC)
    counts = Counter(verify(SECRET, r.headers, r.body, now=now) for r in accepted)
    assert set(counts) == expected  # none lost, none invented, each signed
    again, timed_out = sum(c - 1 for c in counts.values()), _timed_out(log)
    assert again <= AT_RISK + timed_out, f"{again} delivered again: more than were at risk"
    print(
        f"killed after {at_kill} of {N}; {refused} answered 500; {timed_out} timed out "
        f"({hangs} hung on purpose); {again} delivered again"
    )
