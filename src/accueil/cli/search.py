"""``accueil search`` (finding anyone in a directory) and ``accueil screenpop`` (what the agent
sees when a call is offered)."""

from __future__ import annotations

import typer
from rich.markup import escape

from accueil.cli.app import app
from accueil.cli.common import AUDIT_ACCOUNT, console, not_explained_in, reported, unit_of_work
from accueil.core.explain import LANGUAGES
from accueil.core.screenpop import ScreenPop
from accueil.errors import InvalidInput
from accueil.services.screenpop import screen_pop
from accueil.services.search import search as search_account
from accueil.services.search import search_all
from accueil.services.times import HELP as TIME_HELP
from accueil.services.times import at_account, at_number, read_time


@app.command()
def search(
    account: str = typer.Argument(..., help="An account key, or '*' for every account"),
    text: list[str] = typer.Argument(..., help="What the caller said: Madame Lefèvre compta"),
    limit: int = typer.Option(10, min=1, max=100),
    at: str | None = typer.Option(
        None, help=f"When, for the availability shown (default: now): {TIME_HELP}; with '*', UTC"
    ),
) -> None:
    """Find people and groups by name, title or group, as heard on the phone."""
    with reported(), unit_of_work() as work:
        session = work.session
        said = " ".join(text)
        if account == "*":
            now = read_time(at, work.now, "UTC") if at else work.now
            hits = search_all(session, said, limit=limit, now=now)
        else:
            now = at_account(session, account, at, work.now)
            hits = search_account(session, account, said, limit=limit, now=now)
        if not hits:
            console.print("nobody matches")
        for hit in hits:
            mark = {True: "[green]available[/]", False: "[red]not available[/]", None: ""}[
                hit.available
            ]
            where = f"{escape(hit.account)}:" if account == "*" else ""
            console.print(
                f"{hit.score:3d}  {where}{escape(hit.key)}  {escape(hit.label)}"
                + ("" if hit.kind.value == "person" else f"  [dim]({hit.kind.value})[/]")
                + (f"  {mark}" if mark else "")
                + (f"  [dim]{escape(hit.why)}[/]" if hit.why else "")
            )


@app.command()
def screenpop(
    to: str = typer.Option(..., "--to", help="The dialled number"),
    caller: str = typer.Option("anonymous", "--from", help="The caller's number"),
    agent: str = typer.Option("", help="The agent the call is offered to"),
    at: str | None = typer.Option(None, help=f"When the call comes in (default: now): {TIME_HELP}"),
    lang: str = typer.Option("en", help="Language of the explanations: en, fr"),
) -> None:
    """Everything the agent sees for a call: account, person, decision, script, caller."""
    with reported(), unit_of_work(personal=True) as work:  # the caller's history: audited
        session = work.session
        if lang not in LANGUAGES:
            raise InvalidInput(not_explained_in(lang))
        now = at_number(session, to, at, work.now)
        pop = screen_pop(session, to, caller, agent=agent, now=now, lang=lang)
        session.info[AUDIT_ACCOUNT] = pop.account.key
        _print(pop)


def _print(pop: ScreenPop) -> None:
    a = pop.account
    console.print(f"[bold]{escape(a.answer_name)}[/] ({escape(a.key)}) — {escape(a.hours_now)}")
    if a.notes:
        console.print(f"  note: {escape(a.notes)}")
    if pop.person is not None:
        p = pop.person
        title = f"{p.title} " if p.title else ""
        hint = f"  [dim]say: {escape(p.pronunciation)}[/]" if p.pronunciation else ""
        console.print(f"[bold]{escape(title + p.name)}[/]{hint}")
        console.print(
            f"  {escape(p.availability)}" + (f" [yellow]({p.stale})[/]" if p.stale else "")
        )
        if p.delegate:
            reach = f": {p.delegate_reach}" if p.delegate_reach else ""
            console.print(f"  ask {escape(p.delegate + ' (delegate)' + reach)}")
    console.print(f"decision: {escape(pop.treatment)} — {escape(pop.explanation)}")
    s = pop.script
    if s.greeting is not None:
        console.print(f'greeting: "{escape(s.greeting.text)}"  [dim]{escape(s.ref)}[/]')
    for line in s.first.lines if s.first is not None else ():
        console.print(f"  [{line.kind}] {line.text}", highlight=False, markup=False)
    if s.first is not None and s.first.prompt is not None:
        console.print(f"first question: {escape(s.first.prompt.text)}")
    if s.problem:
        console.print(f"[yellow]script: {escape(s.problem)}[/]")
    c = pop.caller
    known = f" — {escape(c.known_name)}" if c.known_name else ""
    console.print(f"caller: {escape(c.number)}{known}")
    for past in c.history:
        what = past.outcome or "call"
        extra = f" {past.urgency}" if past.urgency else ""
        console.print(f"  {past.at:%Y-%m-%d %H:%M} {what}{extra} {escape(past.summary)}".rstrip())
    f = pop.familiar
    console.print(
        f"familiar: account {'yes' if f.account else 'no'} ({f.account_calls} calls), "
        f"person {'yes' if f.person else 'no'} ({f.person_calls} calls)"
    )
