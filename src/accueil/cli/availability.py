"""``accueil status``, ``accueil delegate``, ``accueil closure``: what people are doing.

People are named ``ACCOUNT:PERSON`` (account key, colon, person key), e.g. ``martin:claire``, or
by their key alone when only one account has such a person.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import typer
from sqlalchemy.orm import Session

from accueil.cli.app import app
from accueil.cli.common import console, reported
from accueil.core.explain import EN, availability_sentence
from accueil.core.localtime import parse_wall_time, to_local, zone
from accueil.errors import InvalidInput, NotFound
from accueil.services import availability as service
from accueil.services.directory import accounts_with_person, get_account, get_person
from accueil.store.db import make_engine, migrate, session_factory, transaction


def person_ref(text: str, session: Session | None = None) -> tuple[str, str]:
    """'martin:claire' → ('martin', 'claire'); a bare 'claire' when one account has her."""
    account, sep, person = text.partition(":")
    if not sep and session is not None and text:
        return _only_account(session, text), text
    if not sep or not account or not person:
        raise InvalidInput(f"{text!r}: name a person as ACCOUNT:PERSON, e.g. martin:claire")
    return account, person


def _only_account(session: Session, person: str) -> str:
    accounts = accounts_with_person(session, person)
    if not accounts:
        raise NotFound(f"no person {person!r} in any account; name them as ACCOUNT:PERSON")
    if len(accounts) > 1:
        raise InvalidInput(
            f"{person!r} is a person of several accounts ({', '.join(accounts)}); "
            f"write ACCOUNT:PERSON, e.g. {accounts[0]}:{person}"
        )
    return accounts[0]


@contextmanager
def store() -> Iterator[Session]:
    """One transaction on the configured database (migrated first)."""
    engine = make_engine()
    migrate(engine)
    try:
        with transaction(session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def wall_time(session: Session, account: str, text: str | None, now: datetime) -> datetime | None:
    """A time typed on the command line, in the account's time zone."""
    if not text:
        return None
    return parse_wall_time(text, now, zone(get_account(session, account).timezone))


def local(instant: datetime, timezone: str) -> str:
    """An instant on the account's wall clock, as the command line prints it."""
    return to_local(instant, zone(timezone)).strftime("%a %d %b %Y %H:%M")


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
    until: str | None = typer.Option(None, help="HH:MM (next such time), or 'YYYY-MM-DD HH:MM'"),
    note: str = typer.Option("", help="A few words for the agent: 'back after lunch'"),
    at: str | None = typer.Option(None, help="Pretend it is this time (ISO 8601 or local)."),
) -> None:
    """Set a person's status, or show their availability and status history."""
    with reported(), store() as session:
        account, person = person_ref(who, session)
        now = wall_time(session, account, at, datetime.now(UTC)) or datetime.now(UTC)
        if state == service.CLEARED:
            service.clear_status(session, account, person, origin="cli", now=now)
        elif state is not None:
            end = wall_time(session, account, until, now)
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
    with reported(), store() as session:
        account, person = person_ref(who, session)
        now = datetime.now(UTC)
        begin = wall_time(session, account, start, now) or now
        end = wall_time(session, account, until, begin)
        found = service.add_delegation(
            session, account, person, to, start=begin, end=end, note=note
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
    with reported(), store() as session:
        now = datetime.now(UTC)
        tz = zone(get_account(session, account).timezone)
        begin, end = parse_wall_time(start, now, tz), parse_wall_time(until, now, tz)
        service.add_closure(session, account, start=begin, end=end, reason=reason)
        name = tz.key
        console.print(f"{account} closed from {local(begin, name)} to {local(end, name)} ({name})")
