"""Kamailio as a child process: its configuration checked (``kamailio -c``), started in the
foreground with its own writable runtime directory, stopped.

A second Kamailio on a busy port starts without a word and never answers, so the ports are
checked first, and the start waits until the evapi port accepts connections. Kamailio runs in
its own process group and outlives an accueil that is killed (its calls go on): the next
``start`` in the same working directory, with the same configuration (a standby that takes
over on the same host, a restarted accueil), takes that Kamailio on instead of refusing the
taken ports.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import IO

from accueil.errors import AccueilError
from accueil.sip.config import SipSettings, render

_ENTRY = re.compile(rb"^ ?\d+\(\d+\) [A-Z]+:")  # a log entry: " 1(21613) ERROR: <core> ..."


class KamailioError(AccueilError):
    """Kamailio is missing, its configuration is refused, a port is taken, or it did not start."""

    code = "kamailio"
    status = 503


def binary() -> str:
    """The ``kamailio`` executable, or "" when it is not installed."""
    return shutil.which("kamailio") or (
        "/usr/sbin/kamailio" if Path("/usr/sbin/kamailio").exists() else ""
    )


def port_free(host: str, port: int, kind: int = socket.SOCK_DGRAM) -> bool:
    """Whether ``port`` can be bound on ``host`` (UDP by default)."""
    with socket.socket(socket.AF_INET, kind) as probe:
        if kind == socket.SOCK_STREAM:  # as a listener binds: a closed link's TIME_WAIT is no owner
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1", kind: int = socket.SOCK_DGRAM) -> int:
    """A port free now on ``host``, as the system hands them out."""
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
    return port


def media_port(host: str = "127.0.0.1") -> int:
    """A port for SIPp's ``-mp N`` (its RTP echo), free now: SIPp binds ``N`` and ``N + 2``
    (its video RTP socket) and exits at once ("Unable to bind video RTP socket") when either
    is taken, so both must be free."""
    for _ in range(100):
        port = free_port(host)
        if port < 65534 and port_free(host, port + 2):
            return port
    raise OSError(f"no free pair of ports N, N + 2 on {host}")


class Kamailio:
    """One Kamailio, configured by ``settings``, living in ``workdir`` (config, runtime, log)."""

    def __init__(self, settings: SipSettings, workdir: Path) -> None:
        self.settings, self.workdir = settings, workdir
        self.config = workdir / "kamailio.cfg"
        self.runtime = workdir / "run"
        self.log = workdir / "kamailio.log"
        self.pidfile = self.runtime / "kamailio.pid"
        self._process: subprocess.Popen[bytes] | None = None
        self.adopted = 0  # the main process of a Kamailio started before, taken on

    def write(self) -> Path:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.runtime.mkdir(exist_ok=True)
        self.config.write_text(render(self.settings), encoding="utf-8")
        return self.config

    def check(self) -> str:
        """``kamailio -c``: the configuration's verdict; raises with Kamailio's words if refused."""
        self.write()
        done = subprocess.run(
            [self._binary(), "-c", "-f", str(self.config)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        said = done.stdout + done.stderr
        if done.returncode != 0:
            errors = [line for line in said.splitlines() if "ERROR" in line or "CRITICAL" in line]
            raise KamailioError(
                f"{self.config}: Kamailio refused the configuration: {' | '.join(errors[-3:])}"
            )
        return said

    def start(self, ready_within: float = 10.0) -> None:
        s = self.settings
        if self._adopt():
            self._wait_ready(ready_within)
            return
        if not port_free(s.host, s.port):
            raise KamailioError(f"SIP port {s.host}:{s.port} (UDP) is taken")
        if not port_free(s.evapi_host, s.evapi_port, socket.SOCK_STREAM):
            raise KamailioError(f"evapi port {s.evapi_host}:{s.evapi_port} (TCP) is taken")
        self.write()
        command = [
            self._binary(), "-DD", "-E", "-f", str(self.config), "-Y", str(self.runtime),
            "-P", str(self.pidfile), "-m", "1024", "-x", "tlsf",
        ]  # fmt: skip
        # its own process group: its children are ended with it even when it died alone
        self._process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        assert self._process.stdout is not None
        threading.Thread(
            target=copy_log, args=(self._process.stdout, self.log), name="kamailio-log", daemon=True
        ).start()
        self._wait_ready(ready_within)

    def stop(self, within: float = 10.0) -> None:
        adopted, self.adopted = self.adopted, 0
        if adopted:
            _end_group(adopted, within)
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()  # Kamailio's main process stops its children
            try:
                process.wait(within)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(within)
        _end_group(process.pid, within)

    @property
    def running(self) -> bool:
        if self.adopted:
            return _alive(self.adopted)
        return self._process is not None and self._process.poll() is None

    def _adopt(self) -> bool:
        """Take on the Kamailio a previous accueil started here and left running (killed):
        its main process alive, started from this directory's configuration, which is the one
        these settings write. Anything else on the ports is refused by ``start``."""
        try:
            pid = int(self.pidfile.read_text(encoding="ascii").strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            written = self.config.read_text(encoding="utf-8")
        except (OSError, ValueError):
            return False
        if str(self.config).encode() not in cmdline or not _alive(pid):
            return False
        if written != render(self.settings):
            return False  # another configuration: not ours to take on
        self.adopted = pid
        return True

    def said(self) -> str:
        """What Kamailio logged so far (for a failing test's message)."""
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def _wait_ready(self, within: float) -> None:
        s = self.settings
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if not self.running:
                raise KamailioError(f"Kamailio exited at start: {self.said()[-2000:]}")
            try:
                with socket.create_connection((s.evapi_host, s.evapi_port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise KamailioError(f"Kamailio did not open its evapi port within {within:g} s")

    def _binary(self) -> str:
        found = binary()
        if not found:
            raise KamailioError("kamailio is not installed (bash .ci/sip-tools installs it)")
        return found


def copy_log(source: IO[bytes], path: Path, *, width: int = 300, continuation: int = 3) -> None:
    """Copy Kamailio's output to ``path``, never a hostile message whole: Kamailio's parser
    logs a message it cannot parse entire (garbage, a 60 KB header), so each line is cut to
    ``width`` characters and a message dumped over many lines keeps its first
    ``continuation`` lines."""
    after = -1  # lines since the last log entry (-1: the start-up banner, copied whole)
    with source, path.open("ab") as log:
        for raw in source:
            line = raw.rstrip(b"\r\n")
            if _ENTRY.match(line):
                after = 0
            elif after >= 0:
                after += 1
            if after > continuation:
                continue
            if len(line) > width:
                line = line[:width] + b"...(%d bytes cut)" % (len(line) - width)
            log.write(line + b"\n")
            if after == continuation:
                log.write(b"    ...(the rest of this entry is not logged)\n")
            log.flush()


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"  # a zombie is gone


def _end_group(group: int, within: float) -> None:
    """End what is left of Kamailio's process group (children of a main process that was
    killed keep its ports), politely first."""
    for sig, grace in ((signal.SIGTERM, within / 2), (signal.SIGKILL, within / 2)):
        deadline = time.monotonic() + grace
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            return
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
