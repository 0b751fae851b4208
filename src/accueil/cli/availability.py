"""``accueil status``, ``accueil delegate``, ``accueil closure``: what people are doing.

People are named ``ACCOUNT:PERSON`` (account key, colon, person key), e.g. ``martin:claire``, or
by their key alone when only one account has such a person.
"""

from __future__ import annotations

from datetime import datetime

import typer
from sqlalchemy.orm import Session

from accueil.cli.app import app
from accueil.cli.common import cli_user, console, reported, unit_of_work
from accueil.core.explain import EN, availability_sentence
from accueil.core.localtime import to_local, zone
from accueil.core.storable import INTEGER_MAX
from accueil.errors import InvalidInput, says
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
        raise InvalidInput(
            says("%(text)r: name a person as ACCOUNT:PERSON, e.g. martin:claire", text=text)
        )
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
    to: str | None = typer.Argument(
        None, help="the person key of the colleague who covers (none: list the delegations)"
    ),
    start: str | None = typer.Option(None, "--from", help="When it starts (default: now)"),
    until: str | None = typer.Option(None, help="When it ends (default: until changed)"),
    note: str = typer.Option(""),
    remove: int | None = typer.Option(
        None,
        help="Take down this delegation (its number in the list); it is kept, not deleted",
        min=1,
        max=INTEGER_MAX,
    ),
) -> None:
    """Say who covers for a person while they are away."""
    with reported(), unit_of_work() as work:
        session = work.session
        account, person = person_ref(who, session)
        now = work.now
        if remove is not None:
            gone = service.remove_delegation(
                session, account, person, remove, by=cli_user(), now=now
            )
            name = gone.delegation.delegate_name
            console.print(f"{name} no longer covers for {account}:{person}", highlight=False)
            return
        if to is None:
            _list_delegations(session, account, person)
            return
        begin = at_account(session, account, start, now)
        end = until_time(session, account, until, begin)
        found = service.add_delegation(
            session, account, person, to, start=begin, end=end, note=note, now=now
        )
        console.print(f"{found.delegate_name} covers for {account}:{person}", highlight=False)


def _list_delegations(session: Session, account: str, person: str) -> None:
    tz = get_account(session, account).timezone
    found = service.person_delegations(session, account, person)
    if not found:
        console.print(f"no one covers for {account}:{person}", highlight=False)
    for record in found:
        d = record.delegation
        end = f" until {local(d.end, tz)}" if d.end else ""
        text = f"{record.id}  {d.delegate_name} ({d.delegate}) from {local(d.start, tz)}{end}"
        console.print(f"{text}  {d.note}".rstrip(), highlight=False, markup=False)


@app.command()
def closure(
    account: str = typer.Argument(..., help="the account key"),
    start: str | None = typer.Option(None, "--from", help="'YYYY-MM-DD HH:MM' (account's time)"),
    until: str | None = typer.Option(None, help="'YYYY-MM-DD HH:MM' (account's time)"),
    reason: str = typer.Option("", help="Said to callers and agents: 'seminar'"),
    remove: int | None = typer.Option(
        None,
        help="Take down this closure (its number in the list); it is kept, not deleted",
        min=1,
        max=INTEGER_MAX,
    ),
) -> None:
    """Close an account over a period (a seminar, the August break)."""
    with reported(), unit_of_work() as work:
        session = work.session
        now = work.now
        name = get_account(session, account).timezone
        if remove is not None:
            gone = service.remove_closure(session, account, remove, by=cli_user(), now=now)
            c = gone.closure
            console.print(
                f"{account} no longer closed from {local(c.start, name)} to {local(c.end, name)}"
            )
            return
        if start is None and until is None:
            _list_closures(session, account, name)
            return
        if start is None or until is None:
            raise InvalidInput(says("a closure needs both --from and --until (neither: list them)"))
        begin = at_account(session, account, start, now)
        end = at_account(session, account, until, now)
        service.add_closure(session, account, start=begin, end=end, reason=reason, now=now)
        console.print(f"{account} closed from {local(begin, name)} to {local(end, name)} ({name})")


def _list_closures(session: Session, account: str, tz: str) -> None:
    found = service.closure_records(session, account)
    if not found:
        console.print(f"{account} has no closure", highlight=False)
    for record in found:
        c = record.closure
        text = f"{record.id}  {local(c.start, tz)} to {local(c.end, tz)}  {c.reason}"
        console.print(text.rstrip(), highlight=False, markup=False)
