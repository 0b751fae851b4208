"""The demo operator's simulated day, as ``accueil demo`` shows it to a newcomer."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from accueil.sim.from_directory import workload_from_directory
from accueil.sim.report import write_report
from accueil.sim.runner import BASELINE, simulate
from accueil.sim.workload import load_workload

DEMO_REPORT = Path("var/reports/demo-day")


def run_demo_day(
    console: Console,
    directory: Path = DEMO_REPORT,
    seed: int = 1,
    session: Session | None = None,
) -> Path:
    """Simulate a day with accueil's strategy and the longest-idle baseline.

    With a ``session``, the day is the operator in that database (its accounts and agents, the
    ``demo`` workload's day); without, the packaged ``demo`` workload. Prints the headline
    figures and where the report lies; returns the report's path.
    """
    workload = load_workload("demo")
    whose = "the packaged demo operator"
    if session is not None:
        workload = workload_from_directory(session, workload)
        whose = "the operator just loaded"
    console.print(
        f"Simulating a working day of {whose} ({workload.agent_count} agents, "
        f"{workload.accounts.count} accounts, about {workload.arrivals.calls_per_day:.0f} calls, "
        "after a warm-up day)…"
    )
    runs = simulate(workload, ["accueil", BASELINE], [seed])
    table = Table(title="A simulated day: personal and pooled")
    for column in (
        "strategy",
        "service level",
        "abandoned",
        "familiar agent (account)",
        "familiar agent (person)",
        "avg wait",
    ):
        # The strategy's name is what the row means: never cut it to fit an 80-column pipe.
        table.add_column(
            column,
            justify="left" if column == "strategy" else "right",
            no_wrap=column == "strategy",
        )
    for run in runs:
        f = run.figures
        table.add_row(
            f.strategy,
            f"{100 * f.service_level:.1f}%",
            f"{100 * f.abandonment:.1f}%",
            f"{100 * f.account_affinity:.1f}%",
            f"{100 * f.person_affinity:.1f}%",
            f"{f.average_speed_of_answer:.1f} s",
        )
    console.print(table)
    path = write_report(directory, workload, runs)
    console.print(f"Report with plots: {path}")
    return path
