"""``accueil calendar``: a person's calendar feed or uploaded file, and the refresh job."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

import typer
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from accueil import feeds, logs
from accueil.cli.app import app
from accueil.cli.availability import local, person_ref
from accueil.cli.common import (
    application,
    cannot_read,
    cli_user,
    console,
    err_console,
    reported,
    unit_of_work,
)
from accueil.errors import AccueilError, InvalidInput
from accueil.services import calendars as service
from accueil.services.directory import get_account
from accueil.services.times import HELP as TIME_HELP
from accueil.services.times import at_account

log = logs.get_logger(__name__)

calendar_app = typer.Typer(help="Calendars: ICS feeds and uploaded files, refreshed on a schedule.")
app.add_typer(calendar_app, name="calendar")

MINUTES_A_YEAR = 366 * 24 * 60  # --every at most: a longer wait is a typo (and past timedelta)


@calendar_app.command("set")
def set_feed(
    who: str = typer.Argument(..., help="ACCOUNT:PERSON"),
    url: str = typer.Argument(..., help="The ICS feed URL (http or https)"),
) -> None:
    """Use an ICS feed for a person's calendar (fetched by 'calendar refresh')."""
    with reported(), unit_of_work() as work:
        session = work.session
        account, person = person_ref(who, session)
        service.set_feed(session, account, person, url, now=work.now)
        console.print(f"{who}: calendar feed set; run 'accueil calendar refresh'", highlight=False)


@calendar_app.command("upload")
def upload(
    who: str = typer.Argument(..., help="ACCOUNT:PERSON"),
    file: Path = typer.Argument(..., help="An .ics file"),
    at: str | None = typer.Option(
        None, help=f"Read the calendar around this time (default: now): {TIME_HELP}"
    ),
) -> None:
    """Use an ICS file as a person's calendar (checked before it is kept)."""
    with reported(), unit_of_work() as work:
        session = work.session
        account, person = person_ref(who, session)
        try:
            if file.stat().st_size > service.MAX_BYTES:
                raise InvalidInput(
                    f"{file}: larger than {service.MAX_BYTES // 1024 // 1024} MB; calendars "
                    "over this size are refused"
                )
            data = file.read_bytes()
        except OSError as exc:
            raise InvalidInput(cannot_read(file, exc)) from None
        now = at_account(session, account, at, work.now)
        state = service.upload_calendar(session, account, person, data, now=now)
        console.print(f"{who}: calendar loaded from {file}", highlight=False)
        if state.notice:
            console.print(f"  [yellow]warning[/]: {escape(state.notice)}", highlight=False)


@calendar_app.command("remove")
def remove(who: str = typer.Argument(..., help="ACCOUNT:PERSON")) -> None:
    """Stop using a person's calendar (feed or file): kept with who and when, no longer read."""
    with reported(), unit_of_work() as work:
        session = work.session
        account, person = person_ref(who, session)
        gone = service.remove_calendar(session, account, person, by=cli_user(), now=work.now)
        said = "calendar removed" if gone else "no calendar in use; nothing changed"
        console.print(f"{who}: {said}", highlight=False)


@calendar_app.command("refresh")
def refresh(
    account: str | None = typer.Option(None, help="Only this account's feeds"),
    every: int = typer.Option(
        15, min=0, max=MINUTES_A_YEAR, help="Refresh feeds not tried for this many minutes (0: all)"
    ),
    watch: bool = typer.Option(False, help="Keep running, refreshing every --every minutes"),
) -> None:
    """Fetch due calendar feeds in parallel; a failing feed keeps its last good copy and is
    flagged, and the others go on. Each fetch has a total deadline
    (ACCUEIL_CALENDAR_FETCH_DEADLINE_SECONDS, default 20)."""
    if watch:
        logs.serving()
    with reported(), application() as found:
        while True:
            _refresh_once(
                found.sessions, found.clock.now(), account, timedelta(minutes=every), watch=watch
            )
            if not watch:
                break
            time.sleep(every * 60)


def _refresh_once(
    factory: sessionmaker[Session],
    now: datetime,
    account: str | None,
    every: timedelta,
    *,
    watch: bool,
) -> None:
    started = time.monotonic()
    try:
        states = feeds.refresh_due(
            factory, now=now, every=every, account=account, fetch=feeds.fetch_ics
        )
    except (AccueilError, SQLAlchemyError, OSError) as exc:
        if not watch:
            raise
        # a run that could not even start (database down...) must not end a watch of days
        message = exc.message if isinstance(exc, AccueilError) else str(exc).splitlines()[0]
        err_console.print(f"[bold red]error:[/] {escape(message)}; trying again later")
        log.warning("calendar.refresh_failed", error=message, account=account)
        return
    for s in states:
        outcome = f"[red]failing[/] ({escape(s.last_error)})" if s.failing else "[green]ok[/]"
        if s.skipped:
            outcome += f" [yellow]({s.skipped} events skipped)[/]"
        console.print(f"{s.account}:{s.person}  {outcome}", highlight=False)
        log.info(
            "calendar.feed_refreshed", account=s.account, person=s.person, url=s.url,
            ok=not s.failing, failures=s.failures, error=s.last_error or None,
        )  # fmt: skip
    console.print(f"{len(states)} feeds refreshed at {now:%H:%M:%S} UTC")
    log.info(
        "calendar.refresh", feeds=len(states), failing=sum(s.failing for s in states),
        account=account, seconds=round(time.monotonic() - started, 3), watch=watch,
    )  # fmt: skip


@calendar_app.command("show")
def show(who: str = typer.Argument(..., help="ACCOUNT:PERSON")) -> None:
    """Where a person's calendar comes from and how its last refresh went."""
    with reported(), unit_of_work() as work:
        session = work.session
        account, person = person_ref(who, session)
        state = service.feed_state(session, account, person)
        if state is None:
            console.print(f"{who}: no calendar")
            return
        console.print(f"{who}: {state.url or 'uploaded file'}", highlight=False)
        timezone = get_account(session, account).timezone
        fetched = local(state.fetched_at, timezone) if state.fetched_at else "none"
        console.print(f"  last good copy: {fetched} ({timezone})", highlight=False)
        if state.notice:
            console.print(f"  [yellow]warning[/]: {escape(state.notice)}", highlight=False)
        if state.failing:
            console.print(
                f"  [red]failing[/] ×{state.failures}: {escape(state.last_error)}", highlight=False
            )
