"""One fixed rate through the whole switchboard over SIP, for side-by-side runs of two trees.

``make bench BENCH=sip`` climbs through rates; comparing two versions of the code needs the
same rate run again and again, one version after the other, at the same moment of a shared
machine. This runs ``bench_sip``'s workload (Kamailio, 40 registered SIPp softphones,
Cabinet Martin on SQLite, the switchboard journaling as ``accueil serve``; the 40-call
warm-up first) at ``SIP_RATE`` calls/s (default 100) for ``SIP_SECONDS`` (default 8) and
prints one line: calls set up and failed, accueil's CPU ms a call (all threads, and the
event loop's), Kamailio's and the whole machine's, the decisions over evapi and the setup
time p50/p99, the load average before and after.

Two trees side by side (docs/telephony.md, "Session 10"), alternating::

    for i in 1 2 3; do
      for tree in /path/to/before /path/to/after; do
        BENCH_PORTS=24000-24999 SIP_RATE=150 PYTHONPATH=$tree/src:$tree \\
          .venv/bin/python -m bench sip_rate
      done
    done

(a tree older than this file: copy it into that tree's ``bench/``). ``SIP_WORKERS=N``: the
calls decided in N worker processes (``ACCUEIL_SWITCHBOARD_DECISION_WORKERS``); accueil's CPU
is then its own process's, the workers' apart.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
import tempfile
from pathlib import Path

from accueil.sip.config import SipSettings
from bench import bench_sip


async def _main(rate: int, seconds: int) -> str:
    bench_sip.SECONDS = seconds
    with tempfile.TemporaryDirectory(prefix="bench-sip-rate-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'accueil.db'}"
        bench_sip._seed(url)
        caller_port, uas_port = bench_sip._port(), bench_sip._port()
        settings = SipSettings(
            port=bench_sip._port(), evapi_port=bench_sip._port(socket.SOCK_STREAM),
            domain=bench_sip.DOMAIN, children=4,
            accounts={a: f"{a}-secret" for a in bench_sip._agents()},
            trunks=(f"127.0.0.1:{caller_port}",),
        )  # fmt: skip
        load = os.getloadavg()[0]
        results = await bench_sip._through(
            folder / "accueil", settings, caller_port, uas_port, url, (rate,)
        )
        ok, failed, setups = results[rate]
        decided = results[-rate][2]
        spent, calls = bench_sip.CPU_SPENT["accueil", rate]
        ms = {k: v * 1000 / max(calls, 1) for k, v in dataclasses.asdict(spent).items()}
        pct = bench_sip._pct
        return (
            f"  {rate} calls/s x {seconds} s, load {load:.1f} -> {os.getloadavg()[0]:.1f}: "
            f"{ok} ok, {failed} failed; CPU ms a call: accueil {ms['accueil']:.2f} (event loop "
            f"{ms['loop']:.2f}), decision workers {ms['workers']:.2f}, Kamailio "
            f"{ms['kamailio']:.2f}, the machine "
            f"{ms['machine']:.2f}; decision over evapi p50 {pct(decided, 0.5):.1f} ms, p99 "
            f"{pct(decided, 0.99):.1f} ms; setup p50 {pct(setups, 0.5):.0f} ms, p99 "
            f"{pct(setups, 0.99):.0f} ms"
        )


def run() -> None:
    import shutil

    if not bench_sip.binary() or not shutil.which("sipp"):
        print("skipped: Kamailio or SIPp is not installed (bash .ci/sip-tools installs them)")
        return
    rate = int(os.environ.get("SIP_RATE", "100"))
    seconds = int(os.environ.get("SIP_SECONDS", "8"))
    print(
        f"workload: bench_sip's (Kamailio, {bench_sip.AGENTS} SIPp softphones, Cabinet "
        f"Martin, SQLite, journaled as accueil serve) at one rate: SIP_RATE={rate}, "
        f"SIP_SECONDS={seconds}, SIP_WORKERS={bench_sip.WORKERS}"
    )
    print(asyncio.run(_main(rate, seconds)), flush=True)
