"""``accueil demo``: the main job a newcomer runs — a demo operator, loaded and put to work."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from accueil.cli.app import app
from accueil.cli.common import application, audited, console, reported
from accueil.core.phone import pretty
from accueil.demo.day import run_demo_day
from accueil.demo.directory import generate_demo
from accueil.demo.furnish import SAMPLE_INSTANT, furnish_demo
from accueil.demo.samples import sample_calls
from accueil.demo.serving import PASSWORD, bound_socket, demo_logins, run_demo_service
from accueil.services.directory import summary
from accueil.services.unit_of_work import Application
from accueil.settings import get_settings


@app.command()
def demo(
    seed: int = typer.Option(7, help="Seed of the demo operator (same seed, same operator)."),
    accounts: int = typer.Option(40, min=1, help="Client companies to generate."),
    people: int = typer.Option(1500, min=1, help="Employees across those companies."),
    agents: int = typer.Option(30, min=1, help="Telephone secretaries in the pool."),
    simulate: bool = typer.Option(True, help="Also simulate a working day of the pool."),
    serve: bool = typer.Option(
        False, help="Then serve it live: logins, calls, secretaries (make demo does)."
    ),
    port: int = typer.Option(8080, min=0, max=65535, help="With --serve: the port (0: any)."),
    seconds: float | None = typer.Option(
        None, "--for", min=0, help="With --serve: stop after this many seconds (tests)."
    ),
) -> None:
    """Create the database, load a demo operator, decide sample calls, simulate a day; --serve: then live."""  # noqa: E501
    with reported(), application() as found:
        console.print(f"[bold]accueil demo[/] — database {get_settings().database_url}")
        with audited(found) as work:
            report = generate_demo(work.session, accounts, people, agents, seed, now=work.now)
            furnished = furnish_demo(work.session, seed)
        for line in [*report.lines(), *furnished.lines()]:
            console.print(f"  {line}")
        with found.sessions() as session:
            _print_summary(session)
            _print_sample_calls(session)
            if simulate:
                run_demo_day(console, session=session)
        if serve:
            _serve(found, port, seconds)


def _serve(found: Application, port: int, seconds: float | None) -> None:
    logins = demo_logins(found)
    sock = bound_socket("127.0.0.1", port)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    console.print(f"\n[bold]The demo, live[/] at {url} (Ctrl-C stops it)")
    console.print(f"  sign in with one of these (password [bold]{PASSWORD}[/]):")
    for login in logins:
        console.print(f"  {login.name:<12} {escape(login.what)}", highlight=False)
    console.print(
        "  The demo day's callers ring the accounts from the morning peak, at real speed; the "
        "secretaries are played by the simulation, except the one you sign in as (ready: calls "
        "within a minute)."
    )
    try:
        run_demo_service(found.engine, sock, seconds)
    except KeyboardInterrupt:
        pass  # uvicorn shut the service down first, then raised Ctrl-C again: the stop is clean
    finally:
        sock.close()
    console.print("The demo stopped cleanly; `make demo` again reuses its data.")


def _print_summary(session: Session) -> None:
    totals = summary(session)
    table = Table(title="The demo operator")
    for column in ("accounts", "groups", "people", "people who left", "numbers", "agents"):
        table.add_column(column, justify="right")
    counts = (
        totals.accounts,
        totals.groups,
        totals.people,
        totals.left,
        totals.numbers,
        totals.agents,
    )
    table.add_row(*(str(n) for n in counts))
    console.print(table)


def _print_sample_calls(session: Session) -> None:
    """One person's calls decided by their own rules, a screen pop, and a search."""
    found = sample_calls(session)
    if found is None:
        return
    console.print(
        f"\n[bold]Calls for {escape(found.person.full_name)}[/] ({found.account}), "
        f"decided at {SAMPLE_INSTANT:%a %d %b %H:%M} UTC:"
    )
    for call in found.calls:
        decision = call.decided.decision
        console.print(
            f"  {pretty(call.caller)} ({call.who}) → [bold]{decision.treatment.type}[/]: "
            f"{escape(decision.explanation)}",
            highlight=False,
        )
    pop = found.pop
    console.print("\n[bold]Screen pop[/] of an unknown caller on the switchboard:")
    console.print(f"  {escape(pop.account.answer_name)} — {escape(pop.account.hours_now)}")
    if pop.script.greeting is not None:
        console.print(f'  greeting: "{escape(pop.script.greeting.text)}"')
    if pop.script.first is not None and pop.script.first.prompt is not None:
        console.print(f"  first question: {escape(pop.script.first.prompt.text)}")
    heard = found.heard
    console.print(
        f"\n[bold]Search[/] {found.account} for “{escape(heard)}”, as heard on the phone:"
    )
    for hit in found.hits:
        console.print(f"  {hit.score:3d}  {escape(hit.label)}  [dim]{escape(hit.why)}[/]")
