"""PNG plots of a simulation report (matplotlib, drawn off-screen without pyplot)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from accueil.sim.metrics import Figures


def headline_plot(path: Path, figures: Sequence[Figures]) -> Path:
    """Service level, abandonment and affinity side by side, one group of bars per strategy."""
    metrics = ("service_level", "abandonment", "account_affinity", "person_affinity", "occupancy")
    labels = ("SL", "abandonment", "account affinity", "person affinity", "occupancy")
    figure = Figure(figsize=(9, 4.5))
    axes = figure.subplots()
    width = 0.8 / max(len(figures), 1)
    for index, f in enumerate(figures):
        values = [100 * float(getattr(f, m)) for m in metrics]
        offsets = np.arange(len(metrics)) + index * width
        axes.bar(offsets, values, width, label=f.strategy)
    axes.set_xticks(np.arange(len(metrics)) + width * (len(figures) - 1) / 2, labels)
    axes.set_ylabel("%")
    axes.set_ylim(0, 112)
    axes.legend(fontsize="small", loc="upper center", ncols=max(len(figures), 1))
    axes.set_title("Personal and pooled: service level and affinity per strategy")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    return path


def wait_plot(path: Path, figures: Sequence[Figures], targets: Mapping[str, float]) -> Path:
    """Cumulative distribution of the answered calls' waits, with the target marked."""
    figure = Figure(figsize=(8, 4.5))
    axes = figure.subplots()
    for f in figures:
        waits = np.sort(np.asarray(f.waits))
        if len(waits):
            axes.step(waits, np.arange(1, len(waits) + 1) / len(waits), label=f.strategy)
    styles = iter(("--", ":", "-.", (0, (1, 3))))
    for tier, seconds in targets.items():
        axes.axvline(
            seconds, color="grey", linestyle=next(styles, "--"), label=f"{tier}: {seconds:g} s"
        )
    axes.set_xlabel("wait before answer (s)")
    axes.set_ylabel("share of answered calls")
    axes.set_xlim(left=0)
    axes.legend(fontsize="small")
    axes.set_title("Wait-time distribution (answered calls)")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    return path


def tradeoff_plot(path: Path, curve: Mapping[float, Figures], baseline: Figures | None) -> Path:
    """Affinity against service level as the wait budget grows, with the baseline as a point."""
    figure = Figure(figsize=(7, 5))
    axes = figure.subplots()
    budgets = sorted(curve)
    sl = [100 * curve[b].service_level for b in budgets]
    affinity = [100 * curve[b].account_affinity for b in budgets]
    axes.plot(sl, affinity, marker="o", label="accueil, growing wait budget")
    for budget, x, y in zip(budgets, sl, affinity, strict=True):
        axes.annotate(f"{budget:g}", (x, y), textcoords="offset points", xytext=(4, 4))
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
    figure.savefig(path, dpi=100)
    return path
