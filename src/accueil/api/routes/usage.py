"""Usage per account, for billing: calls answered, minutes and messages by day or month, as JSON
or CSV (``services/usage.py`` says what each figure counts)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import scoped
from accueil.api.routing import OneHop
from accueil.api.schemas import Out
from accueil.api.times import Day
from accueil.core.access import Scope
from accueil.core.localtime import zone
from accueil.services.directory import get_account
from accueil.services.usage import Period, Usage, account_usage, as_csv, operator_usage

router = APIRouter(tags=["usage"], route_class=OneHop)


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"


class UsageRowOut(Out):
    account: str
    period: str = Field(description="a day (2026-12-01) or a month (2026-12), the account's own")
    calls_answered: int
    minutes: float = Field(description="talk time of the calls answered, in minutes")
    unmeasured: int = Field(description="calls answered whose end is not known (no minutes)")
    messages: int


class UsageOut(Out):
    first: date = Field(serialization_alias="from")
    last: date = Field(serialization_alias="to")
    by: Period
    items: list[UsageRowOut]


_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "with format=csv: one line a period"}
}


class UsageQuery:
    def __init__(
        self,
        first: Day | None = Query(
            None, alias="from", description="the first day, YYYY-MM-DD (default: the 1st)"
        ),
        last: Day | None = Query(
            None, alias="to", description="the last day, included (default: today, there)"
        ),
        by: Period = Query(Period.DAY, description="one line a day or a month"),
        format: Format = Query(Format.JSON, description="json, or csv for a spreadsheet"),
    ) -> None:
        self.first, self.last, self.by, self.format = first, last, by, format

    def days(self, today: date) -> tuple[date, date]:
        last = self.last or today
        return self.first or last.replace(day=1), last


@router.get(
    "/accounts/{account}/usage",
    openapi_extra=scoped(Scope.ACCOUNT),
    response_model=UsageOut,
    responses=_CSV,
)
def get_account_usage(
    account: str, query: UsageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> UsageOut | Response:
    """The account's usage, a line per day or month (in the account's time zone): calls
    answered, minutes, messages. For its client admins and the operator's staff."""
    auth.usage(caller, account)
    with caller.unit() as session:
        timezone = get_account(session, account).timezone
        first, last = query.days(caller.runtime.now().astimezone(zone(timezone)).date())
        found = account_usage(session, account, first, last, query.by)
    return _answer(found, query, first, last, account)


@router.get("/usage", openapi_extra=scoped(Scope.OPERATOR), response_model=UsageOut, responses=_CSV)
def get_usage(
    query: UsageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> UsageOut | Response:
    """Every account's usage, by account then period (the operator's staff only)."""
    auth.operator(caller)
    first, last = query.days(caller.runtime.now().date())
    with caller.unit() as session:
        found = operator_usage(session, first, last, query.by)
    return _answer(found, query, first, last, "all")


def _answer(
    found: list[Usage], query: UsageQuery, first: date, last: date, name: str
) -> UsageOut | Response:
    if query.format is Format.CSV:
        headers = {"Content-Disposition": f'attachment; filename="usage-{name}-{first}-{last}.csv"'}
        return Response(as_csv(found), media_type="text/csv; charset=utf-8", headers=headers)
    items = [
        UsageRowOut(
            account=u.account,
            period=u.period,
            calls_answered=u.calls_answered,
            minutes=u.minutes,
            unmeasured=u.unmeasured,
            messages=u.messages,
        )
        for u in found
    ]
    return UsageOut(first=first, last=last, by=query.by, items=items)
