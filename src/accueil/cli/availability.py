"""``accueil status``, ``accueil delegate``, ``accueil closure``: what people are doing.

People are named ``ACCOUNT:PERSON`` (account key, colon, person key), e.g. ``martin:claire``, or
by their key alone when only one account has such a person.
"""

from __future__ import annotations

from datetime import datetime

import typer
from sqlalchemy.orm import Session

from accueil.cli.app import app
from accueil.cli.common import console, reported, unit_of_work
from accueil.core.explain import EN, availability_sentence
from accueil.core.localtime import to_local, zone
from accueil.errors import InvalidInput
from accueil.services import availability as service
from accueil.services.directory import account_of_person, get_account, get_person
from accueil.services.times import HELP as TIME_HELP
from accueil.services.times import at_account


def person_ref(text: str, session: Session | None = None) -> tuple[str, str]:
    """'martin:claire' → ('martin', 'claire'); a bare 'claire' when one account has her."""
    account, sep, person = text.partition(":")
    if not sep and session is not None and text:
        return account_of_person(session, text), text
    if not sep or not account or not person:
        raise InvalidInput(f"{text!r}: name a person as ACCOUNT:PERSON, e.g. martin:claire")
    return account, person


def until_time(session: Session, account: str, text: str | None, now: datetime) -> datetime | None:
    """An end typed on the command line (None when not given), read as ``--at`` is."""
    return at_account(session, account, text, now) if text else None


def local(instant: datetime, timezone: str) -> str:
    """An instant on the account's wall clock, as the command line prints it."""
    return to_local(instant, zone(timezone)).strftime("%a %d %b %Y %H:%M")


AT = TIME_HELP


@app.command()
def status(
    who: str = typer.Argument(
        ..., help="ACCOUNT:PERSON, e.g. martin:claire (or PERSON when one account has them)"
    ),
    state: str | None = typer.Argument(
        None,
        help="available, busy, meeting, away, out_of_office, do_not_disturb, off_duty; "
        "'auto' hands back to calendar and hours; omit to show",
    ),
    until: str | None = typer.Option(None, help=f"When it ends: {TIME_HELP}"),
    note: str = typer.Option("", help="A few words for the agent: 'back after lunch'"),
    at: str | None = typer.Option(
        None, help=f"Pretend it is this time (default: now): {TIME_HELP}"
    ),
) -> None:
    """Set a person's status, or show their availability and status history."""
    with reported(), unit_of_work() as work:
        session = work.session
        account, person = person_ref(who, session)
        now = at_account(session, account, at, work.now)
        if state == service.CLEARED:
            service.clear_status(session, account, person, origin="cli", now=now)
        elif state is not None:
            end = until_time(session, account, until, now)
            service.set_status(
                session, account, person, service.parse_state(state),
                until=end, note=note, origin="cli", now=now,
            )  # fmt: skip
        _show(session, account, person, now)


def _show(session: Session, account: str, person: str, now: datetime) -> None:
    found = service.availability_of(session, account, person, now=now)
    tz = get_account(session, account).timezone
    name = get_person(session, account, person).full_name
    console.print(availability_sentence(found, name, tz, now, EN), highlight=False, soft_wrap=True)
    for warning in found.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    history = service.status_history(session, account, person, limit=5)
    if history:
        console.print("recent statuses:")
    for record in history:
        end = f" until {local(record.until, tz)}" if record.until else ""
        text = f"  {local(record.set_at, tz)}  {record.state}{end}  {record.note}"
        console.print(text.rstrip(), highlight=False, markup=False, soft_wrap=True)


@app.command()
def delegate(
    who: str = typer.Argument(..., help="ACCOUNT:PERSON who is away"),
    to: str = typer.Argument(..., help="the person key of the colleague who covers"),
    start: str | None = typer.Option(None, "--from", help="When it starts (default: now)"),
    until: str | None = typer.Option(None, help="When it ends (default: until changed)"),
    note: str = typer.Option(""),
) -> None:
    """Say who covers for a person while they are away."""
    with reported(), unit_of_work() as work:
        session = work.session
        account, person = person_ref(who, session)
        now = work.now
        begin = at_account(session, account, start, now)
        end = until_time(session, account, until, begin)
        found = service.add_delegation(
            session, account, person, to, start=begin, end=end, note=note, now=now
        )
        console.print(f"{found.delegate_name} covers for {account}:{person}", highlight=False)


@app.command()
def closure(
    account: str = typer.Argument(..., help="the account key"),
    start: str = typer.Option(..., "--from", help="'YYYY-MM-DD HH:MM' (account's time)"),
    until: str = typer.Option(..., help="'YYYY-MM-DD HH:MM' (account's time)"),
    reason: str = typer.Option("", help="Said to callers and agents: 'seminar'"),
) -> None:
    """Close an account over a period (a seminar, the August break)."""
    with reported(), unit_of_work() as work:
        session = work.session
        now = work.now
        begin = at_account(session, account, start, now)
        end = at_account(session, account, until, now)
        service.add_closure(session, account, start=begin, end=end, reason=reason, now=now)
        name = get_account(session, account).timezone
        console.print(f"{account} closed from {local(begin, name)} to {local(end, name)} ({name})")
