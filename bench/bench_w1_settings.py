"""W1's account affinity under settings around the ``familiar`` profile (issue 17), 5 seeds.

Each row runs accueil on seeds 1-5 beside longest-idle on the same calls (the baseline, run once
in this process) and prints the mean account and person affinity, the worst seed's service
level and abandonment differences, and how many seeds hold both limits (SL within 1 point,
abandonment within 0.5 point). ``BENCH_SETTINGS='{"guard": false}'`` runs one row of your own;
``BENCH_SEEDS=6,7,8,9,10`` runs other seeds (the held-out ones of docs/routing.md).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from typing import Any

from accueil.sim.metrics import Figures
from accueil.sim.runner import BASELINE, simulate
from accueil.sim.workload import load_workload

SEEDS = tuple(int(s) for s in os.environ.get("BENCH_SEEDS", "1,2,3,4,5").split(","))
FAMILIAR = {"profile": "familiar"}
TOLERANT = {**FAMILIAR, "guard_tolerance": 0.015, "guard_abandon_tolerance": 0.006}
ROWS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("balanced (the default)", {}),
    ("familiar", FAMILIAR),
    ("familiar, guard_max=2.0", {**FAMILIAR, "guard_max": 2.0}),
    ("familiar, budget_share=1.0", {**FAMILIAR, "budget_share": 1.0}),
    ("familiar, busy_share=0.3", {**FAMILIAR, "busy_share": 0.3}),
    ("familiar, one_waiter=False", {**FAMILIAR, "one_waiter": False}),
    ("familiar, past_target_seconds=15", {**FAMILIAR, "past_target_seconds": 15}),
    ("familiar, team of 4", {**FAMILIAR, "team_min": 4, "team_max": 4}),
    ("familiar, guard tolerances 0.015/0.006", TOLERANT),
    ("... and past_target_seconds=15", {**TOLERANT, "past_target_seconds": 15}),
    ("balanced, guard off", {"guard": False}),
)


def run() -> None:
    own = os.environ.get("BENCH_SETTINGS")
    rows = (("BENCH_SETTINGS", json.loads(own)),) if own else ROWS
    workload = load_workload("w1")
    started = time.perf_counter()
    base = {r.seed: r.figures for r in simulate(workload, [BASELINE], SEEDS)}
    print(f"W1, seeds {SEEDS}: {BASELINE} baseline in {time.perf_counter() - started:.0f} s")
    print(f"{'settings':42} account  person  worst dSL  worst dAb  holds  secs")
    for label, params in rows:
        started = time.perf_counter()
        runs = {r.seed: r.figures for r in simulate(workload, ["accueil"], SEEDS, params=params)}
        print(_row(label, runs, base, time.perf_counter() - started), flush=True)


def _row(label: str, runs: dict[int, Figures], base: dict[int, Figures], secs: float) -> str:
    d_sl = [100 * (runs[s].service_level - base[s].service_level) for s in SEEDS]
    d_ab = [100 * (runs[s].abandonment - base[s].abandonment) for s in SEEDS]
    account = statistics.mean(100 * runs[s].account_affinity for s in SEEDS)
    person = statistics.mean(100 * runs[s].person_affinity for s in SEEDS)
    holds = sum(1 for a, b in zip(d_sl, d_ab, strict=True) if a >= -1.0 and b <= 0.5)
    by_seed = " ".join(f"{a:+.2f}/{b:+.2f}" for a, b in zip(d_sl, d_ab, strict=True))
    return (
        f"{label:42} {account:6.2f}%  {person:5.1f}%  {min(d_sl):+8.2f}  {max(d_ab):+8.2f}"
        f"  {holds}/{len(SEEDS)}  {secs:4.0f}  dSL/dAb by seed {by_seed}"
    )
