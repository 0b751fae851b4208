"""``accueil serve --telephony sip``: Kamailio started with the server from its settings (ports,
domain, trunk, the accounts file), softphones register, a trunk's call is decided by the
switchboard, and Kamailio is stopped with the server; a Kamailio that dies is started again and
the evapi link reconnects; a server killed mid-call leaves Kamailio holding the call, and the
next server takes both on."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from call_world import BLOCKED, CLAIRE, VIP, seed
from sip_world import DOMAIN, PASSWORDS, Sipp, need_sip_tools, settings

from accueil.errors import InvalidInput
from accueil.sip import scenarios
from accueil.sip.config import SipSettings
from accueil.sip.edge import SipEdge
from accueil.sip.kamailio import Kamailio, free_port, port_free
from accueil.sip.server_settings import read_accounts
from accueil.store.db import make_engine, migrate

# a loaded machine starts Python slowly: ``accueil serve`` spent 22-25 s of a load of 10 on two
# cores in its imports (3.5 s of CPU), 57 s for the two refused starts of one test; a bound
# only ends a server that hangs
SERVE_SECONDS = 120.0


def _accounts(tmp_path: Path) -> Path:
    path = tmp_path / "sip-accounts"
    lines = [f"{user} {password}" for user, password in PASSWORDS.items()]
    path.write_text("# secretaries' softphones and desk phones\n" + "\n".join(lines) + "\n")
    return path


def _serving(tmp_path: Path) -> tuple[dict[str, str], list[str], dict[str, int]]:
    """A seeded SQLite database and the environment and command of ``accueil serve
    --telephony sip`` on free ports (``sip``, ``evapi``, ``http``; callers from ``caller``,
    mobiles called at ``mobile``)."""
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    engine = make_engine(url)
    migrate(engine)
    seed(engine)
    engine.dispose()
    ports = {"sip": free_port(), "caller": free_port(), "mobile": free_port()}
    ports |= {k: free_port(kind=socket.SOCK_STREAM) for k in ("evapi", "http")}
    env = {
        **os.environ,
        "ACCUEIL_DATABASE_URL": url,
        "ACCUEIL_SIP_PORT": str(ports["sip"]),
        "ACCUEIL_SIP_EVAPI_PORT": str(ports["evapi"]),
        "ACCUEIL_SIP_DOMAIN": DOMAIN,
        "ACCUEIL_SIP_TRUNKS": f"127.0.0.1:{ports['caller']}",
        "ACCUEIL_SIP_OUTBOUND": f"127.0.0.1:{ports['mobile']}",
        "ACCUEIL_SIP_ACCOUNTS_FILE": str(_accounts(tmp_path)),
        "ACCUEIL_SIP_WORKDIR": str(tmp_path / "kamailio"),
    }
    accueil = str(Path(sys.executable).parent / "accueil")
    return env, [accueil, "serve", "--port", str(ports["http"]), "--telephony", "sip"], ports


def _serve(tmp_path: Path, env: dict[str, str], command: list[str]) -> subprocess.Popen[bytes]:
    with (tmp_path / "serve.log").open("ab") as log:
        return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)


def test_serve_runs_kamailio_and_decides_the_trunks_calls(tmp_path: Path) -> None:
    need_sip_tools()
    env, command, ports = _serving(tmp_path)
    sip, evapi, http, caller_port = ports["sip"], ports["evapi"], ports["http"], ports["caller"]
    server = _serve(tmp_path, env, command)
    try:
        _wait_ready(f"http://127.0.0.1:{http}", server, tmp_path)
        # the Kamailio accueil serve runs, as SIPp sees it (this object never starts one)
        served = Kamailio(SipSettings(port=sip, evapi_port=evapi, domain=DOMAIN), tmp_path)
        world = Sipp(served, tmp_path)

        async def calls() -> None:
            registered = await world.run(
                "register",
                scenarios.register("alice", DOMAIN, free_port()),
                extra=("-au", "alice", "-ap", PASSWORDS["alice"]),
            )
            assert registered.ok, registered.explain() + _log(tmp_path)
            refused = await world.run(
                "blocked",
                scenarios.caller(BLOCKED, CLAIRE, DOMAIN, expect=403),
                port=caller_port,
            )
            assert refused.ok, refused.explain() + _log(tmp_path)

        asyncio.run(calls())
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert port_free("127.0.0.1", sip), "Kamailio outlived the server"


def test_a_call_ringing_when_serve_is_killed_is_taken_on_by_the_next_serve(
    tmp_path: Path,
) -> None:
    """SIGKILL: Kamailio (its own process group) goes on holding the VIP's call while the mobile
    rings; the next ``accueil serve`` takes that Kamailio on, replays its journal, asks Kamailio
    for its lines and carries the call on: the mobile, the desk phone (not registered), then
    the pool, where nobody is logged in: 480 — a final answer, not ringback until Kamailio's
    900 s."""
    need_sip_tools()
    env, command, ports = _serving(tmp_path)
    served = Kamailio(SipSettings(port=ports["sip"], evapi_port=ports["evapi"]), tmp_path)
    world = Sipp(served, tmp_path)
    server = _serve(tmp_path, env, command)
    again: subprocess.Popen[bytes] | None = None
    try:
        _wait_ready(f"http://127.0.0.1:{ports['http']}", server, tmp_path)

        async def call() -> None:
            nonlocal again
            # both live across the next server's start (Python's imports: 25 s at a load of
            # 10 on two cores), its take-over and the mobile's 5 s
            mobile = await world.start(
                "mobile", scenarios.callee("no_answer"), port=ports["mobile"], seconds=SERVE_SECONDS
            )
            caller = asyncio.ensure_future(
                world.run(
                    "vip",
                    scenarios.caller(VIP, CLAIRE, DOMAIN, expect=480),
                    port=ports["caller"],
                    seconds=SERVE_SECONDS,
                )
            )
            trace = tmp_path / "mobile.msg"
            deadline = time.monotonic() + 60
            while "INVITE sip:" not in (trace.read_text() if trace.exists() else ""):
                assert time.monotonic() < deadline, _log(tmp_path)
                await asyncio.sleep(0.1)
            server.send_signal(signal.SIGKILL)  # the mobile rings; nobody listens any more
            server.wait(timeout=60)
            again = _serve(tmp_path, env, command)
            done = await caller
            assert done.ok, done.explain() + _log(tmp_path) + served.said()[-2000:]
            assert (await world.finish("mobile", mobile)).ok
            assert "taken on" in _log(tmp_path)
            _wait_ready(f"http://127.0.0.1:{ports['http']}", again, tmp_path)

        asyncio.run(call())
    finally:
        for process in (server, again):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=60)
        left = _end_left_kamailio(tmp_path / "kamailio")
    assert not left, "Kamailio outlived the server"


def _end_left_kamailio(workdir: Path) -> bool:
    """A failing run (the second server stopped before it took Kamailio on) would leave the
    first server's Kamailio running: ended by its process group. Whether one was left."""
    pidfile = workdir / "run" / "kamailio.pid"
    try:
        group = int(pidfile.read_text().strip())
        os.killpg(group, signal.SIGTERM)
    except (OSError, ValueError):
        return False
    return True


def test_a_wrong_sip_setting_stops_serve_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "sip-accounts"
    bad.write_text("alice alice-secret\nbob\n")
    env = {
        **os.environ,
        "ACCUEIL_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "ACCUEIL_SIP_ACCOUNTS_FILE": str(bad),
    }
    accueil = str(Path(sys.executable).parent / "accueil")
    done = subprocess.run(
        [accueil, "serve", "--telephony", "sip"], env=env, capture_output=True, text=True,
        timeout=SERVE_SECONDS, check=False,
    )  # fmt: skip
    assert done.returncode == 1 and f"{bad}:2: write 'user password'" in done.stderr, done.stderr
    wrong = subprocess.run(
        [accueil, "serve", "--telephony", "pigeon"], env=env, capture_output=True, text=True,
        timeout=SERVE_SECONDS, check=False,
    )  # fmt: skip
    assert wrong.returncode == 1 and "none, simulated, sip or remote" in wrong.stderr
    with pytest.raises(InvalidInput, match="given twice"):
        bad.write_text("alice a\nalice b\n")
        read_accounts(bad)


def test_a_kamailio_that_dies_is_started_again_and_accueil_reconnects(tmp_path: Path) -> None:
    need_sip_tools()
    chosen = settings()
    edge = SipEdge.configured(chosen, tmp_path / "kamailio")
    edge.telephony.attach(lambda event: None)
    assert edge.kamailio is not None
    kamailio = edge.kamailio

    async def scenario() -> None:
        await edge.start()
        try:
            assert edge.telephony.link.connections == 1
            process = kamailio._process
            assert process is not None
            process.kill()  # as a crash would
            deadline = time.monotonic() + 60
            while edge.restarts == 0 or edge.telephony.link.connections < 2:
                assert time.monotonic() < deadline, kamailio.said()[-2000:]
                await asyncio.sleep(0.1)
            registered = await Sipp(kamailio, tmp_path).run(
                "register",
                scenarios.register("bob", DOMAIN, free_port()),
                extra=("-au", "bob", "-ap", PASSWORDS["bob"]),
            )
            assert registered.ok, registered.explain() + kamailio.said()[-2000:]
        finally:
            await edge.stop()

    asyncio.run(scenario())
    assert not kamailio.running and port_free(chosen.host, chosen.port)


def _log(tmp_path: Path) -> str:
    return (tmp_path / "serve.log").read_text(errors="replace")[-3000:]


def _wait_ready(base: str, server: subprocess.Popen[bytes], tmp_path: Path) -> None:
    deadline = time.monotonic() + SERVE_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, f"accueil serve exited: {_log(tmp_path)}"
        try:
            if httpx.get(f"{base}/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(
        f"accueil serve did not become ready in {SERVE_SECONDS:g} s: {_log(tmp_path)}"
    )
