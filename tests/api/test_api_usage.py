"""Usage per account for billing: calls answered, minutes and messages by day and month, in the
account's own time zone, as JSON and CSV; a client admin sees their account only, the operator
every account."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from api_world import World

from accueil.core.delivery import Level
from accueil.core.localtime import zone
from accueil.services.calls import CallRecord, record_call
from accueil.services.messages import NewMessage, correct_message, take_message

ALPHA, BRAVO = "+33140000000", "+33150000000"
# alpha is in Europe/Paris (UTC+1 in November): 23:30 UTC on 31 October is 1 November there
HALLOWEEN_LATE = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
NOV_1 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
NOV_15 = datetime(2026, 11, 15, 14, 0, tzinfo=UTC)
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


def _after(at: datetime, seconds: float) -> datetime:
    return at + timedelta(seconds=seconds)


def _record(world: World) -> None:
    calls = [
        # 1 minute of talk, counted on 1 November (Paris)
        ("alpha", CallRecord("+33600000001", ALPHA, HALLOWEEN_LATE, ended_at=_after(HALLOWEEN_LATE, 60))),  # noqa: E501
        # 5 minutes of talk after a 20 s wait
        ("alpha", CallRecord("+33600000002", ALPHA, NOV_1, waited=20.0, ended_at=_after(NOV_1, 320))),  # noqa: E501
        # answered, its end unknown: counted, no minutes
        ("alpha", CallRecord("+33600000003", ALPHA, NOV_1)),
        ("alpha", CallRecord("+33600000004", ALPHA, NOV_1, fate="abandoned", waited=40.0)),
        ("alpha", CallRecord("+33600000005", ALPHA, NOV_1, fate="connected", ended_at=_after(NOV_1, 900))),  # noqa: E501
        ("alpha", CallRecord("+33600000006", ALPHA, NOV_15, waited=5.0, ended_at=_after(NOV_15, 125))),  # noqa: E501
        ("bravo", CallRecord("+33622222222", BRAVO, NOV_1, ended_at=_after(NOV_1, 600))),
    ]  # fmt: skip
    with world.runtime.unit() as session:
        for account, call in calls:
            record_call(session, account, call)
        new = NewMessage("claire", Level.NORMAL, caller_number="+33600000002")
        taken = take_message(session, "alpha", new, now=NOV_1)
        # a correction is the same message again, not a second one
        correct_message(session, "alpha", taken.uid, new, now=_after(NOV_1, 60))


def test_an_accounts_usage_by_day_in_its_own_time_zone(world: World) -> None:
    _record(world)
    answer = world.client("alpha_admin").get("/api/v1/accounts/alpha/usage", params=NOVEMBER)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["from"], body["to"], body["by"]) == ("2026-11-01", "2026-11-30", "day")
    days = {row["period"]: row for row in body["items"]}
    assert len(days) == 30 and {row["account"] for row in body["items"]} == {"alpha"}
    assert days["2026-11-01"] == {
        "account": "alpha",
        "period": "2026-11-01",
        "calls_answered": 3,
        "minutes": 6.0,
        "unmeasured": 1,
        "messages": 1,
    }
    assert (days["2026-11-15"]["calls_answered"], days["2026-11-15"]["minutes"]) == (1, 2.0)
    assert days["2026-11-02"]["calls_answered"] == 0 and days["2026-11-02"]["minutes"] == 0
    october = world.client("alpha_admin").get(
        "/api/v1/accounts/alpha/usage", params={"from": "2026-10-31", "to": "2026-10-31"}
    )
    assert october.json()["items"][0]["calls_answered"] == 0  # 23:30 UTC is 1 November in Paris


def test_an_accounts_usage_by_month_as_csv(world: World) -> None:
    _record(world)
    params = {**NOVEMBER, "by": "month", "format": "csv"}
    answer = world.client("alpha_admin").get("/api/v1/accounts/alpha/usage", params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert "usage-alpha-2026-11-01-2026-11-30.csv" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert rows == [
        {
            "account": "alpha",
            "period": "2026-11",
            "calls_answered": "4",
            "minutes": "8.0",
            "unmeasured": "1",
            "messages": "1",
        }
    ]


def test_the_operator_sees_every_accounts_usage(world: World) -> None:
    _record(world)
    params = {**NOVEMBER, "by": "month"}
    for user in ("root", "sup"):
        body = world.client(user).get("/api/v1/usage", params=params).json()
        found = {(r["account"], r["period"]): r["calls_answered"] for r in body["items"]}
        assert found == {("alpha", "2026-11"): 4, ("bravo", "2026-11"): 1}, user
        one = world.client(user).get("/api/v1/accounts/bravo/usage", params=params).json()
        assert one["items"][0]["minutes"] == 10.0


def test_another_accounts_users_get_404_and_see_nothing(world: World) -> None:
    _record(world)
    url = "/api/v1/accounts/{}/usage"
    missing = world.client("alpha_admin").get(url.format("zulu"), params=NOVEMBER)
    assert missing.status_code == 404
    # a client admin of another account, an employee, an agent: bravo's usage does not exist
    for user, account in [("alpha_admin", "bravo"), ("claire", "alpha"), ("agent", "alpha")]:
        answer = world.client(user).get(url.format(account), params=NOVEMBER)
        assert answer.status_code == 404, (user, answer.text)
        assert (
            answer.json()["code"] == missing.json()["code"] and "calls_answered" not in answer.text
        )
    for user in ("alpha_admin", "claire", "agent", "bravo_admin"):
        answer = world.client(user).get("/api/v1/usage", params=NOVEMBER)
        assert answer.status_code == 403 and "bravo" not in answer.text, user


def test_a_bad_range_is_refused_saying_why(world: World) -> None:
    admin = world.client("alpha_admin")
    url = "/api/v1/accounts/alpha/usage"
    backwards = admin.get(url, params={"from": "2026-11-30", "to": "2026-11-01"})
    assert backwards.status_code == 422 and "before it starts" in backwards.text
    too_long = admin.get(url, params={"from": "2024-01-01", "to": "2026-11-01"})
    assert too_long.status_code == 422 and "ask in parts" in too_long.text
    ancient = admin.get(url, params={"from": "0001-01-01", "to": "0001-01-02"})
    assert ancient.status_code == 422 and "0001-01-01" in ancient.text
    for bad in ({"from": "1"}, {"by": "week"}, {"format": "xls"}):
        answer = admin.get(url, params=bad)
        assert answer.status_code == 422, (bad, answer.text)


def test_the_default_range_is_this_month_so_far(world: World) -> None:
    body = world.client("alpha_admin").get("/api/v1/accounts/alpha/usage").json()
    today = world.runtime.now().astimezone(zone("Europe/Paris")).date()  # alpha's today
    assert (body["from"], body["to"]) == (today.replace(day=1).isoformat(), today.isoformat())
    # the world's own answered call of today (its end unknown) and its message
    last = body["items"][-1]
    assert (last["calls_answered"], last["unmeasured"], last["messages"]) == (1, 1, 1)
