"""Validation against theory at full size: the engine as one pooled M/M/N queue vs Erlang C.

Poisson arrivals, exponential handle times (mean 180 s), no abandonment, no wrap-up, no missed
offers, longest-idle routing. Simulated P(wait), ASA and SL (20 s) are batch means over 20 batches
(the first 5% of calls are the warm-up) with a 99.9% Student-t interval. Near full occupancy the
queue forgets slowly, so large pools need long runs for the batches to be nearly independent.
Erlang C is computed in log space, so sizes beyond 170 agents are exact too.
"""

from __future__ import annotations

import time

from accueil.sim.validation import validate

HANDLE = 180.0
# (agents, Erlangs, calls)
CASES = (
    (10, 7.0, 40_000),
    (10, 9.0, 100_000),
    (50, 45.0, 100_000),
    (200, 185.0, 300_000),
    (500, 475.0, 400_000),
    (1000, 980.0, 800_000),
)


def run() -> None:
    print(f"M/M/N through the routing engine, handle time Exp(mean {HANDLE:g} s), target 20 s")
    print(
        f"{'agents':>6} {'Erlangs':>7} {'occ.':>5} {'calls':>7}  "
        f"{'P(wait) sim ± 99.9%':>22} {'theory':>7}  {'ASA sim ± 99.9%':>18} {'theory':>7}  "
        f"{'SL sim ± 99.9%':>18} {'theory':>7}  agrees  =FIFO  events/s"
    )
    agreed = 0
    for agents, load, calls in CASES:
        started = time.perf_counter()
        result = validate(agents, load, calls, seed=agents, handle_seconds=HANDLE)
        elapsed = time.perf_counter() - started
        p, asa, sl = result.estimates
        agreed += result.agrees
        print(
            f"{agents:>6} {load:>7g} {load / agents:>5.0%} {calls:>7}  "
            f"{100 * p.simulated:>12.2f}% ± {100 * p.half_width:>5.2f} {100 * p.theory:>6.2f}%  "
            f"{asa.simulated:>9.2f} ± {asa.half_width:>5.2f} s {asa.theory:>6.2f}s  "
            f"{100 * sl.simulated:>10.2f}% ± {100 * sl.half_width:>4.2f} {100 * sl.theory:>6.2f}%  "
            f"{_yes(result.agrees):>6}  {_yes(result.identical_to_fifo):>5}"
            f"  {result.events / elapsed:>8,.0f}"
        )
    print(f"simulation within the 99.9% interval of Erlang C on {agreed} of {len(CASES)} cases")
    print(
        "=FIFO: every caller's wait equals the first-come first-served M/M/N recursion on the "
        "same calls, so a gap to Erlang C is sampling error of the simulated day itself"
    )


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"
