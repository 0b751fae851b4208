"""The plots of a simulation report, for a supervisor to read at a glance (matplotlib, drawn
off-screen without pyplot).

Each ``*_figure`` function takes every seed's figures per strategy and returns the matplotlib
``Figure`` (tests read its data: bar heights, labels, limits); ``save`` writes it as a PNG.
With several seeds, bars are means with the spread (sample standard deviation) as error bars,
and curves are the mean with a band from the lowest to the highest seed.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from accueil.sim.intervals import Interval
from accueil.sim.metrics import Figures

BySeed = Mapping[str, Sequence[Figures]]  # strategy → its figures, one per seed

HEADLINE = (
    ("service_level", "SL"),
    ("abandonment", "abandonment"),
    ("account_affinity", "account affinity"),
    ("person_affinity", "person affinity"),
    ("occupancy", "occupancy"),
)
# Target lines: colours and dashes that no strategy's curve uses, each named on the plot.
TARGET_COLOURS = tuple(colormaps["Dark2"](i) for i in range(8))
TARGET_DASHES = ("--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)), (0, (8, 3)))


def _seeds(runs: BySeed) -> int:
    return max((len(f) for f in runs.values()), default=0)


def _spread(values: Sequence[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else 0.0


def headline_figure(runs: BySeed) -> Figure:
    """Service level, abandonment, affinity and occupancy: one group of bars per metric, one
    bar per strategy, each with its value (the mean over seeds) and the spread as error bars."""
    figure = Figure(figsize=(10, 4.8))
    axes = figure.subplots()
    width = 0.8 / max(len(runs), 1)
    for index, (strategy, seeds) in enumerate(runs.items()):
        values = [[100 * float(getattr(f, m)) for f in seeds] for m, _ in HEADLINE]
        means = [statistics.fmean(v) for v in values]
        errors = [_spread(v) for v in values] if len(seeds) > 1 else None
        offsets = np.arange(len(HEADLINE)) + index * width
        bars = axes.bar(offsets, means, width, yerr=errors, capsize=2, label=strategy)
        axes.bar_label(bars, fmt="%.1f", fontsize="x-small", padding=2, rotation=90)
    centres = np.arange(len(HEADLINE)) + width * (len(runs) - 1) / 2
    axes.set_xticks(centres, [label for _, label in HEADLINE])
    axes.set_ylabel("%")
    axes.set_ylim(0, 125)
    axes.legend(fontsize="small", loc="upper center", ncols=max(len(runs), 1))
    count = _seeds(runs)
    over = f"mean of {count} seeds, bars: spread" if count > 1 else "one seed"
    axes.set_title(f"Personal and pooled: service level and affinity per strategy ({over})")
    figure.tight_layout()
    return figure


def _cdf(waits: Sequence[float], grid: np.ndarray) -> np.ndarray:
    ordered = np.sort(np.asarray(waits, dtype=float))
    return np.searchsorted(ordered, grid, side="right") / max(len(ordered), 1)


def waits_figure(runs: BySeed, targets: Mapping[str, float]) -> Figure:
    """Share of answered calls answered within each wait, per strategy, with every tier's target
    as a labelled line of its own colour; the vertical axis fitted to where the curves are."""
    figure = Figure(figsize=(9, 4.8))
    axes = figure.subplots()
    every = [w for seeds in runs.values() for f in seeds for w in f.waits]
    right = max([*targets.values(), float(np.percentile(every, 99)) if every else 1.0]) * 1.15
    grid = np.linspace(0.0, right, 400)
    lowest = 1.0
    for strategy, seeds in runs.items():
        curves = np.array([_cdf(f.waits, grid) for f in seeds if f.waits])
        if not len(curves):
            continue
        (line,) = axes.step(grid, curves.mean(axis=0), where="post", label=strategy)
        if len(curves) > 1:
            axes.fill_between(
                grid, curves.min(axis=0), curves.max(axis=0), step="post", alpha=0.2,
                color=line.get_color(), linewidth=0,
            )  # fmt: skip
        # every answer waits at least the ring: fit the axis from the first answer on
        first = min(min(f.waits) for f in seeds if f.waits)
        lowest = min(lowest, float(curves[:, grid >= first].min()))
    for index, (tier, seconds) in enumerate(sorted(targets.items(), key=lambda t: t[1])):
        colour = TARGET_COLOURS[index % len(TARGET_COLOURS)]
        dash = TARGET_DASHES[index % len(TARGET_DASHES)]
        axes.axvline(
            seconds, color=colour, linestyle=dash, linewidth=1.5, label=f"{tier}: {seconds:g} s"
        )
        axes.annotate(
            f"{tier} {seconds:g} s", (seconds, 1.0), xycoords=("data", "axes fraction"),
            rotation=90, va="top", ha="right", fontsize="x-small", color=colour,
        )  # fmt: skip
    floor = max(0.0, math.floor((lowest - 0.02) * 20) / 20)  # to 5 points below the lowest
    axes.set_ylim(floor, 1.005)
    axes.set_xlim(0, right)
    axes.set_xlabel("wait before answer (s)")
    axes.set_ylabel("share of answered calls")
    axes.legend(fontsize="small", loc="lower right")
    count = _seeds(runs)
    band = f" (mean of {count} seeds, band: lowest to highest)" if count > 1 else ""
    axes.set_title(f"Answered within a wait{band}")
    figure.tight_layout()
    return figure


def intervals_figure(runs: BySeed) -> Figure:
    """By 15-minute interval: service level per strategy (top) against calls offered and agents
    staffed (bottom), means over seeds, bands from the lowest to the highest seed."""
    figure = Figure(figsize=(11, 6.5))
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    load: Sequence[Interval] = ()
    for strategy, seeds in runs.items():
        series = _aligned([f.intervals for f in seeds])
        if not series:
            continue
        starts = [i.start / 3600 for i in series[0]]
        levels = np.array([[100 * i.service_level for i in s] for s in series])
        mean, low, high = _nan_spread(levels)
        (line,) = top.plot(starts, mean, marker=".", label=strategy)
        if len(series) > 1:
            top.fill_between(starts, low, high, alpha=0.2, color=line.get_color(), linewidth=0)
        load = load or _mean_intervals(series)
    top.set_ylabel("service level (%)")
    top.set_ylim(0, 105)
    top.legend(fontsize="small", loc="lower left", ncols=3)
    top.set_title("By 15-minute interval: service level against calls and staffing")
    if load:
        hours = [i.start / 3600 for i in load]
        bottom.bar(hours, [i.offered for i in load], width=0.23, align="edge", color="#9ecae1",
                   label="calls offered")  # fmt: skip
        bottom.set_ylabel("calls per 15 min")
        staffing = bottom.twinx()
        staffing.step([h + 0.125 for h in hours], [i.staffed for i in load], where="mid",
                      color="#d95f02", label="agents staffed")  # fmt: skip
        staffing.set_ylabel("agents staffed")
        staffing.set_ylim(bottom=0)
        handles = bottom.get_legend_handles_labels()[0] + staffing.get_legend_handles_labels()[0]
        bottom.legend(handles=handles, fontsize="small", loc="upper left")
    bottom.set_xlabel("time of day (h)")
    figure.tight_layout()
    return figure


def _nan_spread(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, lowest and highest over seeds (rows), leaving out seeds with no call (NaN)."""
    known = ~np.isnan(levels)
    count = known.sum(axis=0)
    nothing = np.full(levels.shape[1], np.nan)
    mean = np.divide(np.where(known, levels, 0.0).sum(axis=0), count, out=nothing.copy(),
                     where=count > 0)  # fmt: skip
    low = np.where(count > 0, np.where(known, levels, np.inf).min(axis=0), np.nan)
    high = np.where(count > 0, np.where(known, levels, -np.inf).max(axis=0), np.nan)
    return mean, low, high


def _aligned(series: Sequence[Sequence[Interval]]) -> list[list[Interval]]:
    """The seeds' intervals over the same slots (a slot a seed lacks: no calls, no agents)."""
    starts = sorted({i.start for s in series for i in s})
    if not starts:
        return []
    filled = []
    for s in series:
        have = {i.start: i for i in s}
        filled.append([have.get(t, Interval(t, 0.0, 0.0, 0.0)) for t in starts])
    return filled


def _mean_intervals(series: Sequence[Sequence[Interval]]) -> list[Interval]:
    return [
        Interval(
            slots[0].start,
            statistics.fmean(i.offered for i in slots),
            statistics.fmean(i.within_target for i in slots),
            statistics.fmean(i.staffed for i in slots),
        )
        for slots in zip(*series, strict=True)
    ]


def tradeoff_figure(curve: Mapping[float, Figures], baseline: Figures | None) -> Figure:
    """Affinity against service level as the wait budget grows, with the baseline as a point."""
    figure = Figure(figsize=(7, 5))
    axes = figure.subplots()
    budgets = sorted(curve)
    sl = [100 * curve[b].service_level for b in budgets]
    affinity = [100 * curve[b].account_affinity for b in budgets]
    axes.plot(sl, affinity, marker="o", label="accueil, growing wait budget")
    for budget, x, y in zip(budgets, sl, affinity, strict=True):
        axes.annotate(f"{budget:g} s", (x, y), textcoords="offset points", xytext=(4, 4))
    if baseline is not None:
        axes.scatter(
            [100 * baseline.service_level],
            [100 * baseline.account_affinity],
            marker="s",
            color="black",
            label=baseline.strategy,
        )
    axes.set_xlabel("service level (%)")
    axes.set_ylabel("account affinity (%)")
    axes.legend(fontsize="small")
    axes.set_title("Trade-off: affinity against service level")
    figure.tight_layout()
    return figure


def save(figure: Figure, path: Path) -> Path:
    figure.savefig(path, dpi=100)
    return path
