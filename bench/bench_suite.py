"""The twin's suite (issue 17): accueil's default against longest-idle on W1 and on workloads
unlike it — a scarce skill, a low-load day, an overloaded hour, many tiny accounts, a few giant
accounts, callers who hang up from the first second (no grace) — 5 seeds each, same calls for
both strategies.

Prints per workload and seed: service level, abandonment, account and person affinity, the
run's affinity ceiling, and the difference to longest-idle; then whether the default's service
level stays within 1 point and its abandonment within 0.5 point of longest-idle's, seed by seed.
Profiles: ``BENCH_PROFILE=familiar make bench BENCH=suite``.
"""

from __future__ import annotations

import os
import statistics

from accueil.sim.metrics import Figures
from accueil.sim.runner import BASELINE, simulate
from accueil.sim.workload import Workload, load_workload

WORKLOADS = (
    "w1",
    "scarce",
    "low_load",
    "overloaded",
    "tiny_accounts",
    "giant_accounts",
    "impatient",
)
SEEDS = (1, 2, 3, 4, 5)
SL_POINTS, ABANDON_POINTS = 1.0, 0.5


def run() -> None:
    profile = os.environ.get("BENCH_PROFILE", "balanced")
    print(
        f"accueil (profile {profile}) against {BASELINE}, seeds {SEEDS}; limits: SL within "
        f"{SL_POINTS:g} point, abandonment within {ABANDON_POINTS:g} point (same seed)\n"
    )
    summary = []
    for name in WORKLOADS:
        workload = load_workload(name)
        _describe(workload)
        # The baseline runs with the engine's defaults whatever the profile: settings such as
        # past_target_seconds also act under longest-idle (it learns teams too), and a
        # profile's must not move the reference it is measured against.
        runs = simulate(workload, [BASELINE], SEEDS)
        runs += simulate(workload, ["accueil"], SEEDS, params={"profile": profile})
        by_seed = {(r.seed, r.strategy): r.figures for r in runs}
        pairs = [(by_seed[(s, "accueil")], by_seed[(s, BASELINE)]) for s in SEEDS]
        summary.append((name, pairs))
        _print_seeds(pairs)
    _print_summary(summary)


def _describe(workload: Workload) -> None:
    print(
        f"== {workload.name}: {workload.agent_count} agents, {workload.accounts.count} accounts, "
        f"{workload.arrivals.calls_per_day:,.0f} calls/day, English "
        f"{100 * workload.calls.english_share:.0f}% of calls — {workload.description}"
    )


def _print_seeds(pairs: list[tuple[Figures, Figures]]) -> None:
    print(
        "  seed   SL (LI)          aband. (LI)        acct aff. (LI)  pers. aff.  ceiling  verdict"
    )
    for seed, (ours, base) in zip(SEEDS, pairs, strict=True):
        d_sl, d_ab = _deltas(ours, base)
        verdict = "ok" if _holds(ours, base) else "MISSES"
        print(
            f"  {seed:4d}   {100 * ours.service_level:5.1f}% ({100 * base.service_level:5.1f}%)"
            f" {d_sl:+5.2f}  {100 * ours.abandonment:5.2f}% ({100 * base.abandonment:5.2f}%)"
            f" {d_ab:+5.2f}  {100 * ours.account_affinity:5.1f}% "
            f"({100 * base.account_affinity:4.1f}%)  {100 * ours.person_affinity:8.1f}%"
            f"  {100 * ours.affinity_ceiling:6.1f}%  {verdict}"
        )


def _deltas(ours: Figures, base: Figures) -> tuple[float, float]:
    return (
        100 * (ours.service_level - base.service_level),
        100 * (ours.abandonment - base.abandonment),
    )


def _holds(ours: Figures, base: Figures) -> bool:
    d_sl, d_ab = _deltas(ours, base)
    return d_sl >= -SL_POINTS and d_ab <= ABANDON_POINTS


def _print_summary(summary: list[tuple[str, list[tuple[Figures, Figures]]]]) -> None:
    print(
        "\nsummary (means over seeds; worst seed's differences; seeds within the limits):\n"
        "  workload         SL      LI SL   worst dSL  aband.  LI ab.  worst dAb  acct aff.  "
        "LI aff.  pers. aff.  ceiling  holds"
    )
    for name, pairs in summary:
        ours = [o for o, _ in pairs]
        base = [b for _, b in pairs]
        deltas = [_deltas(o, b) for o, b in pairs]
        held = sum(_holds(o, b) for o, b in pairs)
        print(
            f"  {name:15s} {_m(ours, 'service_level'):5.1f}%  {_m(base, 'service_level'):5.1f}%"
            f"  {min(d for d, _ in deltas):+8.2f}  {_m(ours, 'abandonment'):5.2f}%"
            f"  {_m(base, 'abandonment'):5.2f}%  {max(d for _, d in deltas):+8.2f}"
            f"  {_m(ours, 'account_affinity'):8.1f}%  {_m(base, 'account_affinity'):6.1f}%"
            f"  {_m(ours, 'person_affinity'):9.1f}%  {_m(ours, 'affinity_ceiling'):6.1f}%"
            f"  {held}/{len(pairs)}"
        )


def _m(figures: list[Figures], name: str) -> float:
    return 100 * statistics.fmean(float(getattr(f, name)) for f in figures)
