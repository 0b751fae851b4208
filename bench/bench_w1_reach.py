"""Why W1's 70% account-affinity target is out of reach: what each call could have had.

Prints, on the same seeds:

1. per strategy, its figures and its answered calls classified by what the account's three most
   recent answerers were doing when the call arrived (``accueil.sim.reach``): one free, the best
   in wrap-up, or all on a call. A call of the last kind picked up before any of them was free
   again (W1: within 22 s, as wrap-up alone is 20 s) was necessarily answered by a stranger, so
   the run's affinity is at most its "ceiling";
2. the same against the day's load: the number of calls per day (W1: 12,100) from 8,000 up, with
   longest_idle's service level and occupancy, and where accueil's affinity stands;
3. an independent cross-check: a small separate simulator (``bench/w1_policies.py``) trying the
   issue's other ideas (static pods sized to their load, keeping agents free, waiting only for an
   agent in wrap-up, least-coverage-loss choices) on the same W1 calls.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from accueil.sim.driver import play
from accueil.sim.generator import generate
from accueil.sim.metrics import Figures, figures
from accueil.sim.reach import CLASSES, Reach
from accueil.sim.workload import Workload, load_workload

SEEDS = (1, 2)
VARIANTS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("longest_idle", "longest_idle", {}),
    ("accueil", "accueil", {}),
    ("accueil, team first", "accueil", {"team_first": True}),
    ("accueil, account ring only", "accueil", {"person_in_account_ring": False}),
    ("accueil, hold 8 s", "accueil", {"hold_seconds": 8.0, "hold_loss": 1.0}),
    ("accueil_teams", "accueil_teams", {}),
)
LOADS = (8000, 9000, 10000, 11000, 12100)


def run() -> None:
    workload = load_workload("w1")
    print(
        f"workload W1, {workload.arrivals.calls_per_day:.0f} calls/day; seeds {SEEDS}; target "
        f"{workload.accounts.tiers[0].target_seconds:g} s, wrap-up "
        f"{workload.calls.wrap_up_seconds:g} s, ring {workload.agents.ring_seconds:g} s"
    )
    _print_classes(workload)
    _print_loads(workload)
    _print_cross_check()


def _play(
    workload: Workload, seed: int, strategy: str, params: dict[str, Any]
) -> tuple[Figures, Reach]:
    scenario = generate(workload, seed)
    outcome = play(scenario, strategy, seed, {**workload.engine, "seed": seed, **params})
    result = figures(strategy, scenario, outcome.records, outcome.busy_seconds)
    assert result.reach is not None  # the driver's records are the scenario's calls
    return result, result.reach


def _print_classes(workload: Workload) -> None:
    print(
        "\n1. answered calls by the state of their account's 3 most recent answerers at arrival"
        " (share of calls, and familiar within it); means over seeds\n"
    )
    header = "| variant | SL | abandonment | affinity | " + " | ".join(CLASSES)
    print(header + " | ceiling |")
    print("|" + " --- |" * (len(CLASSES) + 5))
    broken = 0
    for label, strategy, params in VARIANTS:
        runs = [_play(workload, seed, strategy, params) for seed in SEEDS]
        broken += sum(r.forced_familiar for _, r in runs)
        cells = [
            _pct([f.service_level for f, _ in runs]),
            _pct([f.abandonment for f, _ in runs], 2),
            _pct([f.account_affinity for f, _ in runs]),
        ]
        for name in CLASSES:
            share = _pct([r.shares.get(name, 0.0) for _, r in runs])
            within = _pct([r.affinity.get(name, 0.0) for _, r in runs], 0)
            cells.append(f"{share} ({within})")
        cells.append(_pct([r.ceiling for _, r in runs]))
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)
    print(
        "\nceiling: 1 - forced strangers / answered; a forced stranger: a call whose recent "
        "answerers were all on a call (or who had none able), picked up before any agent who "
        "could have been familiar with it was free — it cannot have been familiar"
        f"\n(checked: such calls answered by a familiar agent in these runs: {broken})"
    )


def _print_loads(workload: Workload) -> None:
    print(
        f"\n2. against the load (seed {SEEDS[0]}): calls per day → figures (ceiling: the highest "
        "of the three accueil runs')\n"
    )
    variants = (
        ("accueil", {}),
        ("team first", {"team_first": True}),
        ("account ring only", {"person_in_account_ring": False}),
    )
    print(
        "| calls/day | longest_idle SL | occupancy | ceiling | "
        + " | ".join(f"{label}: SL | affinity (person)" for label, _ in variants)
        + " |"
    )
    print("|" + " --- |" * (4 + 2 * len(variants)))
    for calls in LOADS:
        varied = workload.overridden({"arrivals.calls_per_day": calls})
        base, _ = _play(varied, SEEDS[0], "longest_idle", {})
        cells = []
        ceiling = 0.0
        for _, params in variants:
            ours, reached = _play(varied, SEEDS[0], "accueil", params)
            ceiling = max(ceiling, reached.ceiling)
            cells.append(
                f"{_pct([ours.service_level])} | {_pct([ours.account_affinity])} "
                f"({_pct([ours.person_affinity])})"
            )
        mark = " (W1)" if calls == workload.arrivals.calls_per_day else ""
        print(
            f"| {calls}{mark} | {_pct([base.service_level])} | {_pct([base.occupancy])} "
            f"| {_pct([ceiling])} | " + " | ".join(cells) + " |",
            flush=True,
        )


def _print_cross_check() -> None:
    try:
        from bench.w1_policies import cross_check, format_rows
    except ImportError as error:  # pragma: no cover - the module ships with the benchmarks
        print(f"\n3. cross-check unavailable: {error}")
        return
    print(f"\n3. independent cross-check (bench/w1_policies.py), seeds {SEEDS}:\n")
    print(format_rows(cross_check(SEEDS)))


def _pct(values: Sequence[float], digits: int = 1) -> str:
    return f"{100 * statistics.fmean(values):.{digits}f}%"
