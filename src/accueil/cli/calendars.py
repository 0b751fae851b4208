"""``accueil calendar``: a person's calendar feed or uploaded file, and the refresh job."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import typer

from accueil import logs
from accueil.cli.app import app
from accueil.cli.availability import local, person_ref
from accueil.cli.common import application, console, reported, unit_of_work
from accueil.errors import InvalidInput
from accueil.services import calendars as service
from accueil.services.directory import get_account

log = logs.get_logger(__name__)

calendar_app = typer.Typer(help="Calendars: ICS feeds and uploaded files, refreshed on a schedule.")
app.add_typer(calendar_app, name="calendar")


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
) -> None:
    """Use an ICS file as a person's calendar (checked before it is kept)."""
    with reported(), unit_of_work() as work:
        session = work.session
        account, person = person_ref(who, session)
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"{file}: cannot read it ({exc.strerror})") from None
        service.upload_calendar(session, account, person, data, now=work.now)
        console.print(f"{who}: calendar loaded from {file}", highlight=False)


@calendar_app.command("refresh")
def refresh(
    account: str | None = typer.Option(None, help="Only this account's feeds"),
    every: int = typer.Option(15, help="Refresh feeds not tried for this many minutes"),
    watch: bool = typer.Option(False, help="Keep running, refreshing every --every minutes"),
) -> None:
    """Fetch due calendar feeds; a failing feed keeps its last good copy and is flagged."""
    if watch:
        logs.serving()
    with reported(), application() as found:
        while True:
            now = found.clock.now()
            started = time.monotonic()
            states = service.refresh_due(
                found.sessions, now=now, every=timedelta(minutes=every), account=account
            )
            for s in states:
                outcome = f"[red]failing[/] ({s.last_error})" if s.failing else "[green]ok[/]"
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
            if not watch:
                break
            time.sleep(every * 60)


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
        if state.failing:
            console.print(
                f"  [red]failing[/] ×{state.failures}: {state.last_error}", highlight=False
            )
