"""Kamailio and SIPp for the SIP tests: free ports, one Kamailio per test, SIPp runs bounded by
``timeout`` with their messages kept for the assertions (and a failing test's message)."""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from accueil.sip.config import SipSettings, modules_dir
from accueil.sip.kamailio import Kamailio, binary, free_port, media_port

DOMAIN = "accueil.test"
PASSWORDS = {"alice": "alice-secret", "bob": "bob-secret", "claire-desk": "desk-secret"}


def need_sip_tools() -> None:
    """Skip (fail on CI, where .ci/sip-tools installs them) without Kamailio, its modules, SIPp."""
    missing = [
        name
        for name, found in (
            ("kamailio", binary()),
            ("kamailio modules (evapi, rtjson, jansson)", _modules_present()),
            ("sipp (Debian sip-tester)", shutil.which("sipp")),
        )
        if not found
    ]
    if missing:
        reason = f"SIP tools missing: {', '.join(missing)} (bash .ci/sip-tools installs them)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def _modules_present() -> bool:
    where = modules_dir()
    return bool(where) and all(
        Path(where, f"{m}.so").exists() for m in ("evapi", "rtjson", "jansson")
    )


def settings(trunks: tuple[str, ...] = (), **presence: int) -> SipSettings:
    """Kamailio on free ports with the tests' accounts; no OPTIONS pings unless asked
    (``keepalive_timeout``): a SIPp softphone takes a ping for a new call and ends its run."""
    presence.setdefault("keepalive_timeout", 0)
    return SipSettings(
        port=free_port(),
        evapi_port=free_port(kind=1),  # socket.SOCK_STREAM
        domain=DOMAIN,
        accounts=dict(PASSWORDS),
        trunks=trunks,
        **presence,
    )


@dataclass
class Run:
    """One SIPp run: its exit code and what it printed and traced."""

    name: str
    code: int
    out: str
    messages: str

    @property
    def ok(self) -> bool:
        return self.code == 0

    def explain(self) -> str:
        return f"sipp {self.name} exited {self.code}\n{self.out[-3000:]}\n{self.messages[-3000:]}"


# How long a test's Kamailio is given to open its ports (the product's default is 10 s): it
# forks its children and loads its modules, slowly on a loaded two-core machine; the wait ends
# as soon as its evapi port answers.
READY = 60.0

# A SIPp run ends as soon as its calls are done: its bound only ends one that hangs, so it is
# generous. A scenario's own waits (registrations, pauses, an offer's seconds, a take-over)
# all fit in it on a loaded two-core CI machine, where 15 s did not (a softphone's SIPp ended
# on its own timeout in test_presence and test_sip_takeover).
SECONDS = 60.0


class Sipp:
    """Starts SIPp scenarios against one Kamailio; each run bounded by ``timeout``."""

    def __init__(self, kamailio: Kamailio, folder: Path) -> None:
        self.kamailio, self.folder = kamailio, folder
        self.started: list[asyncio.subprocess.Process] = []

    async def stop_all(self) -> None:
        """What still runs when a scenario ends (a failed test's phones): ended and reaped, so
        that nothing is left to the GC, whose ResourceWarning would fail a later test."""
        for process in self.started:
            if process.returncode is None:
                process.terminate()  # `timeout` hands the signal on to its sipp
            await process.wait()  # its pipes read to their end by asyncio meanwhile
        self.started.clear()

    async def run(
        self, name: str, scenario: str, *, port: int | None = None, seconds: float = SECONDS,
        extra: tuple[str, ...] = (), calls: int = 1,
    ) -> Run:  # fmt: skip
        process = await self.start(
            name, scenario, port=port, seconds=seconds, extra=extra, calls=calls
        )
        return await self.finish(name, process)

    async def start(
        self, name: str, scenario: str, *, port: int | None = None, seconds: float = SECONDS,
        extra: tuple[str, ...] = (), calls: int = 1,
    ) -> asyncio.subprocess.Process:  # fmt: skip
        xml = self.folder / f"{name}.xml"
        xml.write_text(scenario, encoding="utf-8")
        s = self.kamailio.settings
        command = [
            "timeout", "-k", "2", str(seconds), "sipp", f"{s.host}:{s.port}", "-sf", str(xml),
            "-m", str(calls), "-i", "127.0.0.1", "-p", str(port or free_port()),
            "-mp", str(media_port()), "-nostdin", "-timeout", f"{seconds - 1:g}s",
            "-timeout_error", "-trace_msg", "-message_file", str(self.folder / f"{name}.msg"),
            *extra,
        ]  # fmt: skip
        process = await asyncio.create_subprocess_exec(
            *command,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            stdin=asyncio.subprocess.DEVNULL,
        )
        self.started.append(process)
        return process

    async def finish(self, name: str, process: asyncio.subprocess.Process) -> Run:
        out, _ = await process.communicate()
        trace = self.folder / f"{name}.msg"
        messages = trace.read_text(errors="replace") if trace.exists() else ""
        return Run(name, process.returncode or 0, out.decode(errors="replace"), messages)
