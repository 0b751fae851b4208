"""``accueil demo``: the main job a newcomer runs — a demo operator, loaded and put to work."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from accueil.cli.app import app
from accueil.cli.common import console, reported
from accueil.core.phone import pretty
from accueil.services.decisions import decide_call
from accueil.services.demo import generate_demo
from accueil.services.directory import summary
from accueil.settings import get_settings
from accueil.sim.demo import run_demo_day
from accueil.store.db import make_engine, migrate, session_factory, transaction
from accueil.store.tables import NumberRow

# A fixed instant (a Monday, mid-morning in Paris) so the sample decisions read the same each run.
SAMPLE_INSTANT = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
SAMPLE_CALLER = "+33612345678"


@app.command()
def demo(
    seed: int = typer.Option(7, help="Seed of the demo operator (same seed, same operator)."),
    accounts: int = typer.Option(40, min=1, help="Client companies to generate."),
    people: int = typer.Option(1500, min=1, help="Employees across those companies."),
    agents: int = typer.Option(30, min=1, help="Telephone secretaries in the pool."),
    simulate: bool = typer.Option(True, help="Also simulate a working day of the pool."),
) -> None:
    """Create the database, load a demo operator, decide sample calls, simulate a day."""
    with reported():
        engine = make_engine()
        migrate(engine)
        sessions = session_factory(engine)
        console.print(f"[bold]accueil demo[/] — database {get_settings().database_url}")
        with transaction(sessions) as session:
            report = generate_demo(session, accounts, people, agents, seed)
        for line in report.lines():
            console.print(f"  {line}")
        with sessions() as session:
            _print_summary(session)
            _print_sample_decisions(session)
        if simulate:
            run_demo_day(console)


def _print_summary(session: Session) -> None:
    totals = summary(session)
    table = Table(title="The demo operator")
    for column in ("accounts", "groups", "people", "numbers", "agents"):
        table.add_column(column, justify="right")
    table.add_row(
        *(
            str(n)
            for n in (totals.accounts, totals.groups, totals.people, totals.numbers, totals.agents)
        )
    )
    console.print(table)


def _print_sample_decisions(session: Session, count: int = 3) -> None:
    """Decide a few calls to people's direct lines, with their explanations."""
    direct = session.scalars(
        select(NumberRow.e164).where(NumberRow.person_id.is_not(None)).order_by(NumberRow.e164)
    ).all()
    if not direct:
        return
    when = f"{SAMPLE_INSTANT:%a %d %b %H:%M} UTC"
    console.print(f"\n[bold]Sample calls[/] from {pretty(SAMPLE_CALLER)} at {when}:")
    step = max(1, len(direct) // count)
    for dialled in direct[::step][:count]:
        outcome = decide_call(session, SAMPLE_CALLER, dialled, now=SAMPLE_INSTANT)
        who = outcome.destination.person
        name = who.full_name if who else "the switchboard"
        console.print(
            f"  → {pretty(dialled)} ({name}, {outcome.destination.account.name}): "
            f"[bold]{outcome.decision.treatment.type}[/]",
            highlight=False,
        )
        console.print(f"    {outcome.decision.explanation}", highlight=False)
