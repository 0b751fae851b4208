"""How long ``accueil`` takes to start: ``--help``, ``--version`` and ``status`` (a command that
opens the database), each in a fresh process, against two baselines run alongside them.

Workload: each command run ``RUNS`` times in its own process on a temporary SQLite database that
holds ``examples/clients.yaml`` (one account, three people); the median wall time and the median
CPU time (user + system, steadier on a shared machine) are printed. Baselines: ``python -c pass``
(the interpreter alone, a floor no command can beat) and the *eager* front door, which imports
every command module before drawing ``--help`` (what ``accueil`` did before the lazy table of
``accueil.cli.front``, matplotlib included).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 7
ROOT = Path(__file__).resolve().parents[1]
EAGER = (
    "import importlib, sys\n"
    "from accueil.cli.front import COMMANDS\n"
    "for entry in COMMANDS:\n"
    "    importlib.import_module('accueil.cli.' + entry.module)\n"
    "from accueil.cli import main\n"
    "sys.argv = ['accueil', '--help']\n"
    "main()\n"
)


def _accueil() -> list[str]:
    script = Path(sys.executable).parent / "accueil"
    return [str(script)] if script.exists() else [sys.executable, "-m", "accueil"]


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``command`` (which must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _median(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    _timed(command, env)  # a first run warms the disk cache and writes the bytecode
    runs = [_timed(command, env) for _ in range(RUNS)]
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


def run() -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "ACCUEIL_DATABASE_URL": f"sqlite:///{folder}/startup.db"}
        env["COLUMNS"] = "100"
        accueil = _accueil()
        subprocess.run(
            [*accueil, "import", str(ROOT / "examples" / "clients.yaml")],
            env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        cases = [
            ("python -c pass (interpreter floor)", [sys.executable, "-c", "pass"]),
            ("eager: every command imported, then --help", [sys.executable, "-c", EAGER]),
            ("accueil --help", [*accueil, "--help"]),
            ("accueil --version", [*accueil, "--version"]),
            ("accueil status martin:claire", [*accueil, "status", "martin:claire"]),
        ]
        print(f"workload: each command {RUNS} times in a fresh process (after one warm-up run);")
        print("          status on a SQLite file holding examples/clients.yaml")
        print(f"{'command':<46} {'wall (median)':>14} {'CPU (median)':>13}")
        results = {}
        for label, command in cases:
            wall, cpu = _median(command, env)
            results[label] = (wall, cpu)
            print(f"{label:<46} {wall:>12.3f} s {cpu:>11.3f} s", flush=True)
        eager = results["eager: every command imported, then --help"]
        lazy = results["accueil --help"]
        floor = results["python -c pass (interpreter floor)"]
        print(
            f"--help: {eager[1] / lazy[1]:.1f}x less CPU than the eager front door "
            f"({lazy[1] - floor[1]:.3f} s above the interpreter floor)"
        )
