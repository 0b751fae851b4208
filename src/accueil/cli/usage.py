"""``accueil usage``: what each account used, for billing (calls answered, minutes, messages)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from accueil.cli.app import app
from accueil.cli.common import console, reported, unit_of_work
from accueil.errors import InvalidInput, says

if TYPE_CHECKING:  # imported when the command runs, so --help starts fast
    from accueil.services.usage import Period


@app.command("usage")
def usage(
    account: Annotated[str, typer.Option(help="one account's key (default: every account)")] = "",
    first: Annotated[
        str, typer.Option("--from", help="the first day, YYYY-MM-DD (default: the 1st)")
    ] = "",
    last: Annotated[str, typer.Option("--to", help="the last day, included (default: today)")] = "",
    by: Annotated[str, typer.Option(help="one line a day or a month: day, month")] = "day",
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV on stdout, for a spreadsheet")] = False,
) -> None:
    """Usage per account for billing: calls answered, minutes and messages, by day or month."""
    from rich.table import Table

    from accueil.core.localtime import zone
    from accueil.services import usage as service
    from accueil.services.directory import get_account

    with reported(), unit_of_work() as work:
        period = _period(by)
        session = work.session
        timezone = get_account(session, account).timezone if account else "UTC"
        to = _day(last, "--to") or work.now.astimezone(zone(timezone)).date()
        start = _day(first, "--from") or to.replace(day=1)
        if account:
            found = service.account_usage(session, account, start, to, period)
        else:
            found = service.operator_usage(session, start, to, period)
    if as_csv:
        typer.echo(service.as_csv(found), nl=False)
        return
    table = Table("account", "period", "calls answered", "minutes", "unmeasured", "messages")
    for u in found:
        table.add_row(
            u.account, u.period, str(u.calls_answered), f"{u.minutes:.2f}", str(u.unmeasured),
            str(u.messages),
        )  # fmt: skip
    console.print(table)


def _day(text: str, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            says(
                "%(option)s %(text)r is not a day; write it as 2026-12-01", option=option, text=text
            )
        ) from None


def _period(text: str) -> Period:
    from accueil.services.usage import Period

    try:
        return Period(text)
    except ValueError:
        raise InvalidInput(says("--by %(text)r: write day or month", text=text)) from None
