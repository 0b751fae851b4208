"""``accueil serve --telephony sip``: Kamailio started with the server from its settings (ports,
domain, trunk, the accounts file), softphones register, a trunk's call is decided by the
switchboard, and Kamailio is stopped with the server; a Kamailio that dies is started again and
the evapi link reconnects."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from call_world import BLOCKED, CLAIRE, seed
from sip_world import DOMAIN, PASSWORDS, Sipp, need_sip_tools, settings

from accueil.errors import InvalidInput
from accueil.sip import scenarios
from accueil.sip.config import SipSettings
from accueil.sip.edge import SipEdge, read_accounts
from accueil.sip.kamailio import Kamailio, free_port, port_free
from accueil.store.db import make_engine, migrate


def _accounts(tmp_path: Path) -> Path:
    path = tmp_path / "sip-accounts"
    lines = [f"{user} {password}" for user, password in PASSWORDS.items()]
    path.write_text("# secretaries' softphones and desk phones\n" + "\n".join(lines) + "\n")
    return path


def test_serve_runs_kamailio_and_decides_the_trunks_calls(tmp_path: Path) -> None:
    need_sip_tools()
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    engine = make_engine(url)
    migrate(engine)
    seed(engine)
    engine.dispose()
    sip, caller_port = free_port(), free_port()
    evapi, http = free_port(kind=socket.SOCK_STREAM), free_port(kind=socket.SOCK_STREAM)
    env = {
        **os.environ,
        "ACCUEIL_DATABASE_URL": url,
        "ACCUEIL_SIP_PORT": str(sip),
        "ACCUEIL_SIP_EVAPI_PORT": str(evapi),
        "ACCUEIL_SIP_DOMAIN": DOMAIN,
        "ACCUEIL_SIP_TRUNKS": f"127.0.0.1:{caller_port}",
        "ACCUEIL_SIP_ACCOUNTS_FILE": str(_accounts(tmp_path)),
        "ACCUEIL_SIP_WORKDIR": str(tmp_path / "kamailio"),
    }
    command = [str(Path(sys.executable).parent / "accueil"), "serve", "--port", str(http)]
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            [*command, "--telephony", "sip"], env=env, stdout=subprocess.DEVNULL, stderr=log
        )
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
        server.wait(timeout=20)
    assert port_free("127.0.0.1", sip), "Kamailio outlived the server"


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
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1 and f"{bad}:2: write 'user password'" in done.stderr, done.stderr
    wrong = subprocess.run(
        [accueil, "serve", "--telephony", "pigeon"], env=env, capture_output=True, text=True,
        timeout=60, check=False,
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
            deadline = time.monotonic() + 20
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
    deadline = time.monotonic() + 60  # a loaded machine starts Python slowly
    while time.monotonic() < deadline:
        assert server.poll() is None, f"accueil serve exited: {_log(tmp_path)}"
        try:
            if httpx.get(f"{base}/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"accueil serve did not become ready in 60 s: {_log(tmp_path)}")
