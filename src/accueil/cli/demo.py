"""``accueil demo``: the main job a newcomer runs — a demo operator, loaded and put to work."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from accueil.cli.app import app
from accueil.cli.common import console, reported
from accueil.core.phone import pretty
from accueil.demo.day import run_demo_day
from accueil.demo.directory import generate_demo
from accueil.demo.furnish import (
    BLOCKED_CALLER,
    SAMPLE_INSTANT,
    STRANGER_CALLER,
    VIP_CALLER,
    furnish_demo,
    showcase,
)
from accueil.services.decisions import decide_call
from accueil.services.directory import get_person, list_numbers, summary
from accueil.services.screenpop import screen_pop
from accueil.services.search import search
from accueil.settings import get_settings
from accueil.store.db import make_engine, migrate, session_factory, transaction


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
            furnished = furnish_demo(session, seed)
        for line in [*report.lines(), *furnished.lines()]:
            console.print(f"  {line}")
        with sessions() as session:
            _print_summary(session)
            _print_sample_calls(session)
            if simulate:
                run_demo_day(console, session=session)


def _print_summary(session: Session) -> None:
    totals = summary(session)
    table = Table(title="The demo operator")
    for column in ("accounts", "groups", "people", "numbers", "agents"):
        table.add_column(column, justify="right")
    counts = (totals.accounts, totals.groups, totals.people, totals.numbers, totals.agents)
    table.add_row(*(str(n) for n in counts))
    console.print(table)


def _print_sample_calls(session: Session) -> None:
    """One person's calls decided by their own rules, a screen pop, and a search."""
    found = showcase(session)
    if not found:
        return
    account, person_key, direct = found[0]
    person = get_person(session, account, person_key)
    switchboard = next((n.e164 for n in list_numbers(session, account) if not n.person), direct)
    console.print(
        f"\n[bold]Calls for {escape(person.full_name)}[/] ({account}), "
        f"decided at {SAMPLE_INSTANT:%a %d %b %H:%M} UTC:"
    )
    for caller, dialled, who in (
        (VIP_CALLER, direct, "a VIP client"),
        (STRANGER_CALLER, direct, "an unknown caller"),
        (BLOCKED_CALLER, switchboard, "a blocked number, to the switchboard"),
    ):
        outcome = decide_call(session, caller, dialled, now=SAMPLE_INSTANT)
        console.print(
            f"  {pretty(caller)} ({who}) → [bold]{outcome.decision.treatment.type}[/]: "
            f"{escape(outcome.decision.explanation)}",
            highlight=False,
        )
    pop = screen_pop(session, switchboard, STRANGER_CALLER, now=SAMPLE_INSTANT)
    console.print("\n[bold]Screen pop[/] of an unknown caller on the switchboard:")
    console.print(f"  {escape(pop.account.answer_name)} — {escape(pop.account.hours_now)}")
    if pop.script.greeting is not None:
        console.print(f'  greeting: "{escape(pop.script.greeting.text)}"')
    if pop.script.first is not None and pop.script.first.prompt is not None:
        console.print(f"  first question: {escape(pop.script.first.prompt.text)}")
    heard = person.last_name.lower()
    hits = search(session, account, heard, limit=3, now=SAMPLE_INSTANT)
    console.print(f"\n[bold]Search[/] {account} for “{escape(heard)}”, as heard on the phone:")
    for hit in hits:
        console.print(f"  {hit.score:3d}  {escape(hit.label)}")
