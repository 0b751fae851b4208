"""``accueil decide``: what would happen to a call, and why."""

from __future__ import annotations

import json

import typer

from accueil.cli.app import app
from accueil.cli.availability import local
from accueil.cli.common import console, not_explained_in, reported, unit_of_work
from accueil.core.explain import LANGUAGES
from accueil.core.phone import to_e164
from accueil.errors import InvalidInput
from accueil.services.decisions import decide_call, decision_json
from accueil.services.directory import resolve_number
from accueil.services.times import HELP as TIME_HELP
from accueil.services.times import at_account


@app.command()
def decide(
    to: str = typer.Option(
        ..., "--to", help="The dialled number (E.164, or national in --country)"
    ),
    caller: str = typer.Option(
        "", "--from", help="The caller's number; empty or 'anonymous' when withheld"
    ),
    at: str | None = typer.Option(None, help=f"When the call comes in (default: now): {TIME_HELP}"),
    lang: str = typer.Option("en", help="Explanation language: en or fr"),
    country: str = typer.Option("FR", help="Country for numbers written nationally"),
    as_json: bool = typer.Option(False, "--json", help="Print the decision as JSON"),
) -> None:
    """Print the decision for a call and its explanation."""
    with reported(), unit_of_work() as work:
        session = work.session
        if lang not in LANGUAGES:
            raise InvalidInput(not_explained_in(lang))
        # --at is read on the wall clock of the account the number leads to
        account = resolve_number(session, to_e164(to, country)).account.key
        now = at_account(session, account, at, work.now)
        decided = decide_call(session, caller, to, now=now, lang=lang, country=country)
        decision, destination = decided.decision, decided.destination
        person = destination.person.key if destination.person else None
        if as_json:
            console.print_json(json.dumps(decision_json(decision, account, person)))
            return
        who = f"{account}:{person}" if person else f"{account} (switchboard)"
        when = local(now, destination.account.timezone)
        console.print(f"[bold]{who}[/] at {when} ({destination.account.timezone})", highlight=False)
        console.print(f"treatment: {decision.treatment.type}  (rule: {decision.rule})")
        console.print(decision.explanation, highlight=False, markup=False, soft_wrap=True)
        for tried in decision.trace:
            # a rule whose conditions held but could not be carried out (no one on call,
            # a device gone) is why the call went elsewhere: the agent should see it
            if tried.skipped and tried.skipped != "disabled":
                text = f"skipped: {tried.rule}: {tried.skipped}"
                console.print(text, highlight=False, markup=False, soft_wrap=True)
        for warning in decision.availability.warnings if decision.availability else ():
            console.print(f"[yellow]warning:[/] {warning}", highlight=False)
