"""``accueil team`` and ``accueil number``: teams (groups) taken down and put back, numbers
released; each kept with who (``--as``) and when, as the API and the pages keep them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import typer

from accueil.cli.app import app
from accueil.cli.common import cli_user, console, reported, unit_of_work

if TYPE_CHECKING:  # imported when the command runs, so --help starts fast
    from sqlalchemy.orm import Session

    from accueil.services.groups import GroupRecord
    from accueil.services.numbers import NumberRelease

team_app = typer.Typer(help="Teams (groups): list, take down, put back; kept with who and when.")
number_app = typer.Typer(help="Numbers: release one (kept with what it led to), list releases.")

app.add_typer(team_app, name="team")
app.add_typer(number_app, name="number")


def _when(instant: datetime | None) -> str:
    return instant.isoformat(timespec="minutes") if instant else ""


@team_app.command("list")
def list_teams(
    account: str = typer.Argument(..., help="The account's key"),
    removed: bool = typer.Option(False, "--removed", help="The teams taken down instead"),
) -> None:
    """Print the account's teams in use with their people (--removed: those taken down, with
    who was in them, who took them down and when)."""
    from rich.table import Table

    from accueil.services import groups

    with reported(), unit_of_work() as work:
        if removed:
            found = groups.removed_groups(work.session, account)
        else:
            found = groups.groups_with_people(work.session, account)
    if not found:
        kind = "taken down" if removed else "in use"
        console.print(f"{account} has no team {kind}", highlight=False)
        return
    table = Table("team", "name", "people", *(("removed at", "by") if removed else ()))
    for g in found:
        extra = (_when(g.removed_at), g.removed_by) if removed else ()
        table.add_row(g.key, g.name, ", ".join(g.members), *extra)
    console.print(table)


@team_app.command("remove")
def remove_team(
    account: str = typer.Argument(..., help="The account's key"),
    group: str = typer.Argument(..., help="The team's key"),
) -> None:
    """Take a team down (kept with who and when and who was in it; its people leave it);
    refused while its own rules or script layer, or a script step transferring to it, are in
    force."""
    from accueil.services.groups import remove_group

    with reported(), unit_of_work() as work:
        gone = remove_group(work.session, account, group, by=cli_user(), now=work.now)
    console.print(f"{account}: team {gone.key!r} taken down ({_people(gone)})", highlight=False)


@team_app.command("restore")
def restore_team(
    account: str = typer.Argument(..., help="The account's key"),
    group: str = typer.Argument(..., help="The team's key"),
) -> None:
    """Put a team taken down back in use, with the people who were in it (those in no other
    team since)."""
    from accueil.services.groups import restore_group

    with reported(), unit_of_work() as work:
        back = restore_group(work.session, account, group, by=cli_user(), now=work.now)
    console.print(f"{account}: team {back.key!r} in use ({_people(back)})", highlight=False)


def _people(group: GroupRecord) -> str:
    return ", ".join(group.members) if group.members else "no one in it"


@number_app.command("released")
def released(
    account: str = typer.Argument(..., help="The account's key"),
    number: str = typer.Option("", "--number", help="Only this number's releases"),
) -> None:
    """Print the numbers released from the account, what each led to, who released it and
    when, in the order they were released."""
    from rich.table import Table

    from accueil.services.numbers import released_numbers

    with reported(), unit_of_work() as work:
        e164 = _e164(work.session, account, number) if number else ""
        found = released_numbers(work.session, account, e164)
    if not found:
        console.print(f"{account} has released no number {e164}".rstrip(), highlight=False)
        return
    table = Table("number", "led to", "label", "released at", "by")
    for r in found:
        table.add_row(r.e164, _led_to(r), r.label, _when(r.removed_at), r.removed_by)
    console.print(table)


@number_app.command("release")
def release(
    account: str = typer.Argument(..., help="The account's key"),
    number: str = typer.Argument(..., help="The number, as typed: 01 40 00 00 01"),
) -> None:
    """Release a number: it no longer leads to the account (kept with what it led to, who and
    when) and is free to be given again; releasing it again changes nothing."""
    from accueil.services.numbers import release_number

    with reported(), unit_of_work() as work:
        e164 = _e164(work.session, account, number)
        gone = release_number(work.session, account, e164, by=cli_user(), now=work.now)
    text = f"{account}: {gone.e164} released (led to {_led_to(gone)})"
    console.print(text, highlight=False, markup=False)


def _e164(session: Session, account: str, number: str) -> str:
    from accueil.core.phone import to_e164
    from accueil.services.directory import get_account

    return to_e164(number, get_account(session, account).country)


def _led_to(release: NumberRelease) -> str:
    return release.person or "the switchboard"
