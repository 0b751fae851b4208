"""``accueil simulate``: play a workload (or a replayed trace, or the operator in the database)
through the routing engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from accueil.cli.app import app
from accueil.cli.common import console, reported
from accueil.core.safe_yaml import load_yaml
from accueil.errors import InvalidInput, says
from accueil.sim.from_directory import workload_from_directory
from accueil.sim.report import summarise, write_report
from accueil.sim.runner import simulate as run_simulation
from accueil.sim.runner import strategies_named
from accueil.sim.workload import Workload, load_workload
from accueil.store.db import make_engine, migrate, session_factory


@app.command()
def simulate(
    workload: str | None = typer.Option(
        None,
        help="A packaged workload (w1, demo) or a YAML file; default w1, or demo with --from-db.",
    ),
    from_db: bool = typer.Option(
        False,
        "--from-db",
        help="Simulate the operator in ACCUEIL_DATABASE_URL (its accounts and agents) playing "
        "the --workload's day, scaled to its pool.",
    ),
    strategy: str = typer.Option("all", help="'all' or comma-separated strategy names."),
    report: Path | None = typer.Option(None, help="Write report.md and PNG plots here."),
    trace: Path | None = typer.Option(None, help="Replay this CSV day instead of generating."),
    seed: int = typer.Option(1, help="The first seed; same seeds for every strategy."),
    seeds: int = typer.Option(1, min=1, help="How many seeds (seed, seed+1, …)."),
    override: list[str] = typer.Option(
        [], "--set", help="Override a parameter: arrivals.calls_per_day=9000, engine.max_wait=240."
    ),
) -> None:
    """Simulate a day per strategy and print service level, abandonment, affinity and the
    affinity ceiling (the most the run allowed)."""
    with reported():
        loaded = load_workload(workload or ("demo" if from_db else "w1"))
        if from_db:
            loaded = _from_database(loaded)
        if override:
            loaded = loaded.overridden(_overrides(override))
        names = strategies_named(strategy)
        runs = run_simulation(loaded, names, range(seed, seed + seeds), trace)
        table = Table(title=f"{loaded.name}: seeds {seed}–{seed + seeds - 1}")
        summaries = summarise(runs)
        table.add_column("strategy", no_wrap=True)
        for metric in summaries[0].mean:
            table.add_column(_SHORT.get(metric, metric), justify="right")
        for summary in summaries:
            table.add_row(summary.strategy, *(summary.cell(m) for m in summary.mean))
        console.print(table)
        console.print(f"calls offered per counted day: {summaries[0].offered:.0f}")
        if report is not None:
            path = write_report(report, loaded, runs, source=str(trace) if trace else "")
            console.print(f"report: {path}")


_SHORT = {
    "abandonment": "aband.",
    "account affinity": "acct aff.",
    "person affinity": "pers. aff.",
    "occupancy": "occup.",
    "worst-accounts SL": "worst SL",
    "affinity ceiling": "aff. ceiling",
}


def _from_database(base: Workload) -> Workload:
    """The configured database's operator playing ``base``'s day (the schema is brought up to
    date first, as every command reading the directory does)."""
    engine = make_engine()
    try:
        migrate(engine)
        with session_factory(engine)() as session:
            return workload_from_directory(session, base)
    finally:
        engine.dispose()


def _overrides(items: list[str]) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(
                says("--set %(item)r: expected key=value, e.g. engine.max_wait=240", item=item)
            )
        name = key.strip()
        parsed[name] = load_yaml(value, f"--set {name}").data if value.strip() else None
    return parsed
