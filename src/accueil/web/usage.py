"""The account's usage per month, as billed: calls answered, minutes, messages taken, for one
year in the account's time zone (``services/usage``); the same lines as a CSV download."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from accueil.api import auth
from accueil.core.directory import Account
from accueil.core.localtime import zone
from accueil.services.directory import get_account
from accueil.services.usage import Period, Usage, account_usage, as_csv
from accueil.web.render import PageRoute, render
from accueil.web.viewer import Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Who = Annotated[Viewer, Depends(viewer)]
USAGE = "/accounts/{account}/usage"
Year = Annotated[int | None, Query(ge=2000, le=2100)]


def _year_of(who: Viewer, account: str, year: int | None) -> tuple[list[Usage], int, int, Account]:
    """The months of ``year`` up to this one (the account's today), its usage, the account."""
    with who.caller.unit() as session:
        found = get_account(session, account)
        today = who.caller.runtime.now().astimezone(zone(found.timezone)).date()
        shown = year or today.year
        last = today if shown == today.year else date(shown, 12, 31)
        months = account_usage(session, account, date(shown, 1, 1), last, Period.MONTH)
    return months, shown, today.year, found


@router.get(USAGE)
def usage_page(request: Request, account: str, who: Who, year: Year = None) -> Response:
    """Calls answered, minutes and messages per month of a year, with the year's total."""
    auth.usage(who.caller, account)
    months, shown, this_year, found = _year_of(who, account, year)
    total = Usage(
        account, str(shown),
        calls_answered=sum(m.calls_answered for m in months),
        seconds=sum(m.seconds for m in months),
        unmeasured=sum(m.unmeasured for m in months),
        messages=sum(m.messages for m in months),
    )  # fmt: skip
    return render(
        request, "usage.html", who, account=found, months=months, total=total, year=shown,
        years=list(range(this_year, this_year - 4, -1)),
    )  # fmt: skip


@router.get(USAGE + ".csv")
def usage_csv(account: str, who: Who, year: Year = None) -> Response:
    """The same months as a spreadsheet (one line a month)."""
    auth.usage(who.caller, account)
    months, shown, _, _ = _year_of(who, account, year)
    name = f'attachment; filename="usage-{account}-{shown}.csv"'
    return Response(
        as_csv(months), media_type="text/csv; charset=utf-8", headers={"Content-Disposition": name}
    )
