"""The Markdown report of a simulation, with its PNG plots, and the mean ± spread over seeds."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from accueil.sim.metrics import Figures, Run
from accueil.sim.reach import CLASSES
from accueil.sim.workload import Workload

PERCENT = {"SL", "abandonment", "account affinity", "person affinity", "occupancy"}
PERCENT |= {"worst-accounts SL", "affinity ceiling"}


@dataclass(frozen=True)
class Summary:
    """A strategy's figures over several seeds: mean and sample standard deviation."""

    strategy: str
    seeds: tuple[int, ...]
    mean: dict[str, float]
    spread: dict[str, float]
    offered: float

    def cell(self, metric: str) -> str:
        mean, spread = self.mean[metric], self.spread[metric]
        scale, unit = (100.0, "%") if metric in PERCENT else (1.0, " s")
        text = f"{mean * scale:.1f}{unit}"
        return text if len(self.seeds) == 1 else f"{text} ± {spread * scale:.1f}"


def summarise(runs: Sequence[Run]) -> list[Summary]:
    """One summary per strategy, in the order strategies first appear."""
    strategies = list(dict.fromkeys(r.strategy for r in runs))
    summaries = []
    for strategy in strategies:
        mine = [r for r in runs if r.strategy == strategy]
        rows = [r.figures.row() for r in mine]
        mean = {k: statistics.fmean(row[k] for row in rows) for k in rows[0]}
        spread = {
            k: statistics.stdev(row[k] for row in rows) if len(rows) > 1 else 0.0 for k in rows[0]
        }
        offered = statistics.fmean(r.figures.offered for r in mine)
        summaries.append(Summary(strategy, tuple(r.seed for r in mine), mean, spread, offered))
    return summaries


def by_strategy(runs: Sequence[Run]) -> dict[str, list[Figures]]:
    """Every seed's figures per strategy, strategies in the order they first appear."""
    grouped: dict[str, list[Figures]] = {}
    for run in runs:
        grouped.setdefault(run.strategy, []).append(run.figures)
    return grouped


def intervals_table(by_seed: Mapping[str, Sequence[Figures]]) -> str:
    """Calls offered, agents staffed and each strategy's service level per 15-minute interval
    (means over seeds, ± the spread when there are several)."""
    strategies = list(by_seed)
    rows: dict[float, dict[str, list[float]]] = {}
    for strategy, seeds in by_seed.items():
        for figures in seeds:
            for slot in figures.intervals:
                row = rows.setdefault(slot.start, {"calls": [], "staffed": []})
                if strategy == strategies[0]:
                    row["calls"].append(slot.offered)
                    row["staffed"].append(slot.staffed)
                row.setdefault(strategy, []).append(100 * slot.service_level)
    if not rows:
        return "(no calls counted)"
    lines = [
        "| interval | calls | agents | " + " | ".join(f"SL {s}" for s in strategies) + " |",
        "| --- | ---: | ---: |" + " ---: |" * len(strategies),
    ]
    for start in sorted(rows):
        row = rows[start]
        minutes = int(start // 60)
        cells = [f"{minutes // 60:02d}:{minutes % 60:02d}"]
        cells += [_mean_spread(row["calls"], "{:.1f}"), _mean_spread(row["staffed"], "{:.1f}")]
        cells += [_mean_spread(row.get(s, []), "{:.0f}%") for s in strategies]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _mean_spread(values: Sequence[float], form: str) -> str:
    known = [v for v in values if v == v]  # an interval with no call has no service level
    if not known:
        return "–"
    text = form.format(statistics.fmean(known))
    return text if len(known) == 1 else f"{text} ± {form.format(statistics.stdev(known))}"


def figures_table(summaries: Sequence[Summary]) -> str:
    """The headline figures as a Markdown table."""
    metrics = list(summaries[0].mean)
    lines = [
        "| strategy | " + " | ".join(metrics) + " |",
        "| --- |" + " ---: |" * len(metrics),
    ]
    lines += [
        f"| {s.strategy} | " + " | ".join(s.cell(m) for m in metrics) + " |" for s in summaries
    ]
    return "\n".join(lines)


def write_report(
    directory: Path,
    workload: Workload,
    runs: Sequence[Run],
    tradeoff: Mapping[float, Figures] | None = None,
    source: str = "",
    tradeoff_note: str = "accueil's strategy as its wait budget for a familiar agent grows:",
) -> Path:
    """Write ``report.md`` and its plots into ``directory``; return the report's path."""
    from accueil.sim import plots  # matplotlib is imported only when a report is drawn

    directory.mkdir(parents=True, exist_ok=True)
    summaries = summarise(runs)
    first_seed = runs[0].seed
    shown = [r.figures for r in runs if r.seed == first_seed]
    by_seed = by_strategy(runs)
    targets = {f"target {t.name}": t.target_seconds for t in workload.accounts.tiers}
    plots.save(plots.headline_figure(by_seed), directory / "figures.png")
    plots.save(plots.waits_figure(by_seed, targets), directory / "waits.png")
    plots.save(plots.intervals_figure(by_seed), directory / "intervals.png")
    seeds = len({r.seed for r in runs})
    over = f"mean of {seeds} seeds, error bars: spread" if seeds > 1 else f"seed {first_seed}"
    parts = [
        f"# Simulation report — {workload.name}",
        "",
        workload.description,
        "",
        _parameters(workload, runs, source, summaries),
        "",
        "## Figures per strategy",
        "",
        figures_table(summaries),
        "",
        _definitions(workload),
        "",
        f"![figures per strategy, {over}](figures.png)",
        "",
        "## Affinity by account size",
        "",
        _affinity_by_size(shown, first_seed),
        "",
        "## Could a familiar agent be reached?",
        "",
        _reach(shown, first_seed, workload),
        "",
        "## Wait-time distribution",
        "",
        _percentiles(shown, first_seed),
        "",
        "![wait-time distribution](waits.png)",
        "",
        "## By 15-minute interval",
        "",
        intervals_table(by_seed),
        "",
        "![service level by interval against calls and staffing](intervals.png)",
    ]
    if tradeoff:
        baseline = next((f for f in shown if f.strategy == "longest_idle"), None)
        plots.save(plots.tradeoff_figure(tradeoff, baseline), directory / "tradeoff.png")
        parts += ["", "## Trade-off", "", tradeoff_note, "", _tradeoff(tradeoff)]
        parts += ["", "![trade-off](tradeoff.png)"]
    path = directory / "report.md"
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path


def _parameters(
    workload: Workload, runs: Sequence[Run], source: str, summaries: Sequence[Summary]
) -> str:
    seeds = sorted({r.seed for r in runs})
    sim = workload.simulation
    offered = summaries[0].offered
    return "\n".join(
        [
            f"- calls: {source or 'generated'}; offered in the counted day(s): {offered:.0f}"
            + (" (mean over seeds)" if len(seeds) > 1 else ""),
            f"- agents: {workload.agent_count} in "
            + ", ".join(f"{g.name} ({g.count}, {g.site})" for g in workload.agents.groups),
            f"- accounts: {workload.accounts.count} "
            + (
                "listed (call shares follow their people)"
                if workload.accounts.listed
                else f"(Zipf {workload.accounts.zipf})"
            )
            + f"; people: {workload.people.count} (Zipf {workload.people.zipf})",
            f"- warm-up days (simulated, not counted): {sim.warmup_days}; counted days: {sim.days}",
            f"- seeds: {', '.join(map(str, seeds))}"
            + (" (figures are mean ± standard deviation)" if len(seeds) > 1 else ""),
        ]
    )


def _definitions(workload: Workload) -> str:
    sim = workload.simulation
    return (
        "SL = calls answered within their account's target ÷ calls offered (abandoned calls are "
        f"missed; those abandoned within {sim.short_abandon_seconds:g} s are left out). ASA = mean "
        "wait of answered calls. Account affinity = share of answered calls taken by one of the 3 "
        "agents who most recently answered that account; person affinity = the same with the "
        "person's 2 most recent agents. Occupancy = talk + wrap-up ÷ logged-in time outside "
        f"breaks. Worst-accounts SL = mean SL of the {sim.fairness_accounts} worst accounts with "
        f"at least {sim.fairness_min_calls} calls. Affinity ceiling = the account affinity that "
        "run could not exceed, given when its agents were busy (see below)."
    )


def _reach(shown: Sequence[Figures], seed: int, workload: Workload) -> str:
    known = [(f.strategy, f.reach) for f in shown if f.reach is not None]
    if not known:
        return "Not computed for these runs."
    lines = [
        f"Answered calls (seed {seed}) by what their account's 3 most recent answerers were doing "
        "when the call arrived: one of them free; none free but one in wrap-up; all on a call; "
        "no previous answerer able to take it. Each cell: share of answered calls (share of "
        "them answered by a familiar agent).",
        "",
        "| strategy | " + " | ".join(CLASSES) + " | affinity ceiling |",
        "| --- |" + " ---: |" * (len(CLASSES) + 1),
    ]
    for strategy, reached in known:
        cells = [
            f"{100 * reached.shares.get(c, 0.0):.1f}% ({100 * reached.affinity.get(c, 0.0):.0f}%)"
            for c in CLASSES
        ]
        lines.append(f"| {strategy} | " + " | ".join(cells) + f" | {100 * reached.ceiling:.1f}% |")
    wrap = workload.calls.wrap_up_seconds
    lines += [
        "",
        f"An agent on a call is free again only after its wrap-up ({wrap:g} s here), so a call "
        "whose recent answerers are all on a call (or who has none) was necessarily answered by "
        "a stranger when it was picked up before any of them — or of the agents who answered its "
        "account meanwhile — was free: a forced stranger (here, every such call picked up within "
        f"{wrap + workload.agents.ring_seconds:g} s). The affinity ceiling is 1 − forced "
        "strangers ÷ answered calls: no routing decision in this run could have made those "
        "calls familiar; a routing could only make such callers wait longer.",
    ]
    return "\n".join(lines)


def _percentiles(shown: Sequence[Figures], seed: int) -> str:
    percentiles = [p for p, _ in shown[0].wait_percentiles]
    lines = [
        f"Answered calls' waits, seed {seed} (seconds):",
        "",
        "| strategy | " + " | ".join(f"p{p}" for p in percentiles) + " |",
        "| --- |" + " ---: |" * len(percentiles),
    ]
    lines += [
        f"| {f.strategy} | " + " | ".join(f"{v:.1f}" for _, v in f.wait_percentiles) + " |"
        for f in shown
    ]
    return "\n".join(lines)


def _affinity_by_size(shown: Sequence[Figures], seed: int) -> str:
    bands = [label for label, _, _ in shown[0].affinity_by_size]
    shares = " · ".join(
        f"{label} {100 * share:.0f}%" for label, share, _ in shown[0].affinity_by_size
    )
    lines = [
        f"Accounts ranked by calls, biggest first (seed {seed}); their share of answered "
        f"calls: {shares}.",
        "",
        "| strategy | " + " | ".join(bands) + " |",
        "| --- |" + " ---: |" * len(bands),
    ]
    lines += [
        f"| {f.strategy} | "
        + " | ".join(f"{100 * affinity:.1f}%" for _, _, affinity in f.affinity_by_size)
        + " |"
        for f in shown
    ]
    return "\n".join(lines)


def _tradeoff(curve: Mapping[float, Figures]) -> str:
    lines = [
        "| wait budget (s) | SL | abandonment | account affinity | person affinity |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {b:g} | {100 * f.service_level:.1f}% | {100 * f.abandonment:.2f}% | "
        f"{100 * f.account_affinity:.1f}% | {100 * f.person_affinity:.1f}% |"
        for b, f in sorted(curve.items())
    ]
    return "\n".join(lines)
