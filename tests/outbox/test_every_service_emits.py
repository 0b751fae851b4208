"""Every service that changes state emits its event, heard after commit (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from outbox_helpers import NOW, Heard
from sqlalchemy import select
from sqlalchemy.orm import Session

from accueil.core.availability import State
from accueil.demo.directory import generate_demo
from accueil.services import (
    availability,
    calendars,
    caller_lists,
    callers,
    calls,
    delivery_preferences,
    directory_edits,
    employee_policy,
    groups,
    numbers,
    rules,
    scripts,
    vip_lists,
)
from accueil.services.directory import account_row
from accueil.services.events import (
    CalendarRefreshed,
    DirectoryImported,
    Event,
    ScriptSaved,
)
from accueil.services.onboarding import import_files, load_directory
from accueil.services.unit_of_work import Application
from accueil.store.tables_availability import ClosureRow, DelegationRow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scripts"
ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a\r\n"
    b"DTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\n"
    b"END:VCALENDAR\r\n"
)
RULES = {"account": "martin", "person": "claire", "rules": [
    {"name": "all", "then": {"type": "message"}}]}  # fmt: skip
ROTA = {"key": "permanence", "shifts": [{"contacts": ["+33612345678"]}]}

WRITES: dict[str, Callable[[Session], object]] = {
    "status.set": lambda s: availability.set_status(s, "martin", "claire", State.AWAY, now=NOW),
    "status.cleared": lambda s: availability.clear_status(s, "martin", "claire", now=NOW),
    "delegation.added": lambda s: availability.add_delegation(
        s, "martin", "claire", "paul", start=NOW, now=NOW
    ),
    "closure.added": lambda s: availability.add_closure(
        s, "martin", start=NOW, end=NOW + timedelta(days=1), now=NOW
    ),
    "calendar.feed_set": lambda s: calendars.set_feed(
        s, "martin", "claire", "https://calendar.example/c.ics", now=NOW
    ),
    "calendar.uploaded": lambda s: calendars.upload_calendar(s, "martin", "claire", ICS, now=NOW),
    "rules.saved": lambda s: rules.save_rules(s, "martin", RULES, now=NOW),
    "caller_list.saved": lambda s: callers.set_caller_list(
        s, "martin", "vip", ["+33611111111"], now=NOW
    ),
    "employee_policy.saved": lambda s: employee_policy.set_policy(
        s, "martin", {"mobile": False}, now=NOW
    ),
    "vip_list.saved": lambda s: vip_lists.set_vip_list(
        s, "martin", "claire", [("06 11 11 11 11", "Maman")], now=NOW
    ),
    "contact.saved": lambda s: callers.add_contact(s, "martin", "+33611111111", "Roy", now=NOW),
    "rota.saved": lambda s: callers.set_rota(s, "martin", ROTA, now=NOW),
    "call.recorded": lambda s: calls.record_call(
        s, "martin", calls.CallRecord("+33611111111", "+33140000001", NOW, "claire")
    ),
    "delivery_preferences.saved": lambda s: delivery_preferences.set_preferences(
        s, "martin", "claire", {}, now=NOW
    ),
    "directory.imported": lambda s: load_directory(
        s, {"people": [{"account": "martin", "key": "zoe", "first_name": "Zoé"}]}, now=NOW
    ),
}


def _first(s: Session, table: type[ClosureRow] | type[DelegationRow]) -> int:
    return int(s.scalars(select(table.id)).one())  # removed or not


# a removal needs something to remove: made first, in a unit of its own
REMOVALS: dict[str, tuple[str, Callable[[Session], object]]] = {
    "delegation.removed": (
        "delegation.added",
        lambda s: availability.remove_delegation(
            s, "martin", "claire",
            _first(s, DelegationRow), by="x", now=NOW,
        ),
    ),
    "closure.removed": (
        "closure.added",
        lambda s: availability.remove_closure(
            s, "martin", _first(s, ClosureRow), by="x", now=NOW
        ),
    ),
    "contact.removed": (
        "contact.saved",
        lambda s: callers.remove_contact(s, "martin", "+33611111111", by="x", now=NOW),
    ),
    "caller_list.removed": (
        "caller_list.saved",
        lambda s: caller_lists.remove_caller_list(s, "martin", "vip", by="x", now=NOW),
    ),
    "rota.removed": (
        "rota.saved",
        lambda s: callers.remove_rota(s, "martin", "permanence", by="x", now=NOW),
    ),
    "calendar.removed": (
        "calendar.uploaded",
        lambda s: calendars.remove_calendar(s, "martin", "claire", by="x", now=NOW),
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(REMOVALS))
def test_a_removal_emits_its_event_once(app: Application, heard: Heard, name: str) -> None:
    made, remove = REMOVALS[name]
    with app.unit_of_work() as work:
        WRITES[made](work.session)
    for _ in range(2):  # the second removal changes nothing: no event
        with app.unit_of_work() as work:
            remove(work.session)
    assert heard.names == [made, name]
    assert heard.envelopes[1].event.account == "martin"
    assert heard.envelopes[1].event.at == NOW


@pytest.mark.parametrize("name", sorted(WRITES))
def test_the_write_emits_its_event_for_its_account(
    app: Application, heard: Heard, name: str
) -> None:
    with app.unit_of_work() as work:
        WRITES[name](work.session)
    assert heard.names == [name]
    assert heard.envelopes[0].event.account == "martin"
    assert heard.envelopes[0].event.at == NOW


def test_a_script_save_and_its_rollback_say_which_version(app: Application, heard: Heard) -> None:
    firm = (EXAMPLES / "cabinet-martin.yaml").read_text(encoding="utf-8")
    with app.unit_of_work() as work:
        callers.set_rota(work.session, "martin", ROTA, now=NOW)
        scripts.save_script(work.session, "martin", scripts.Owner("account"), firm, now=NOW)
        scripts.save_script(work.session, "martin", scripts.Owner("account"), firm, now=NOW)
        scripts.rollback(work.session, "martin", scripts.Owner("account"), 1, now=NOW)
    saved = [e.event for e in heard.envelopes if isinstance(e.event, ScriptSaved)]
    assert [(e.version, e.rolled_back_to) for e in saved] == [(1, None), (2, None), (3, 1)]


def test_a_feed_refresh_emits_whether_the_feed_was_kept_or_not(
    app: Application, heard: Heard
) -> None:
    with app.unit_of_work() as work:
        calendars.set_feed(work.session, "martin", "claire", "https://c.example/c.ics", now=NOW)

    def good(_: str) -> bytes:
        return ICS

    def broken(_: str) -> bytes:
        raise calendars.FeedUnreachable("the feed answered HTTP 500")

    calendars.refresh_feed(app.sessions, "martin", "claire", now=NOW, fetch=good)
    calendars.refresh_feed(app.sessions, "martin", "claire", now=NOW, fetch=broken)
    found = [e.event for e in heard.envelopes if isinstance(e.event, CalendarRefreshed)]
    assert [e.error for e in found] == ["", "the feed answered HTTP 500"]


def test_an_import_emits_one_event_per_account_it_changed_and_none_for_a_dry_run(
    app: Application, heard: Heard, tmp_path: Path
) -> None:
    people = tmp_path / "people.yaml"
    people.write_text(
        "people:\n"
        "  - {account: martin, key: zoe, first_name: Zoé}\n"
        "  - {account: durand, key: leo, first_name: Léo}\n",
        encoding="utf-8",
    )
    with app.unit_of_work() as work:
        import_files(work.session, [people], dry_run=True, now=NOW)
    assert heard.envelopes == []
    with app.unit_of_work() as work:
        import_files(work.session, [people], now=NOW)
    found = [e.event for e in heard.envelopes]
    assert all(isinstance(e, DirectoryImported) for e in found)
    assert [(e.account, e.created) for e in found if isinstance(e, DirectoryImported)] == [
        ("durand", 1),
        ("martin", 1),
    ]
    with app.unit_of_work() as work:  # nothing to change: nothing to tell
        import_files(work.session, [people], now=NOW)
    assert len(heard.envelopes) == 2


def test_an_import_drops_the_search_index_of_the_accounts_it_changed(
    app: Application, heard: Heard
) -> None:
    from accueil.services.search import search

    with app.sessions() as s:
        assert search(s, "martin", "Zoé", now=NOW) == []
    with app.unit_of_work() as work:
        load_directory(
            work.session,
            {"people": [{"account": "martin", "key": "zoe", "first_name": "Zoé"}]},
            now=NOW,
        )
    with app.sessions() as s:
        assert [h.key for h in search(s, "martin", "Zoé", now=NOW)][:1] == ["zoe"]


def test_the_demo_operator_is_an_import_too(app: Application, heard: Heard) -> None:
    with app.unit_of_work() as work:
        generate_demo(work.session, accounts=2, people=6, agents=2, seed=3, now=NOW)
    names = {e.event.name for e in heard.envelopes}
    accounts = {e.event.account for e in heard.envelopes}
    assert names == {"directory.imported"} and "" in accounts and len(accounts) == 3


def test_no_event_kind_is_left_without_a_test() -> None:
    kinds = {k.name for k in Event.__subclasses__()}
    covered = set(WRITES) | set(REMOVALS) | {"script.saved", "calendar.refreshed"}
    # tests/messages: each needs a message taken first
    covered |= {"message.taken", "message.read", "message.acknowledged", "message.delivery"}
    covered |= {"caller.erased", "data.purged", "group.removed", "group.restored"}
    covered |= {"number.released"}
    assert kinds == covered


def test_a_team_taken_down_and_put_back_emits_each_once(app: Application, heard: Heard) -> None:
    for _ in range(2):  # the second of each changes nothing: no event
        with app.unit_of_work() as work:
            groups.remove_group(work.session, "martin", "associes", by="x", now=NOW)
    for _ in range(2):
        with app.unit_of_work() as work:
            groups.restore_group(work.session, "martin", "associes", by="x", now=NOW)
    assert heard.names == ["group.removed", "group.restored"]
    assert [e.event.members for e in heard.envelopes] == [1, 1]  # type: ignore[attr-defined]


def test_a_number_released_emits_once_and_moves_the_routing_version(
    app: Application, heard: Heard
) -> None:
    with app.unit_of_work() as work:
        directory_edits.add_number(work.session, "martin", "01 40 00 00 09", "paul", "", now=NOW)
    with app.sessions() as s:
        before = account_row(s, "martin").routing_version
    for _ in range(2):  # the second changes nothing: no event
        with app.unit_of_work() as work:
            numbers.release_number(work.session, "martin", "+33140000009", by="x", now=NOW)
    assert heard.names == ["directory.imported", "number.released"]
    assert heard.envelopes[1].event.payload() == {
        "account": "martin",
        "at": NOW.isoformat(),
        "number": "+33140000009",
        "person": "paul",
        "by": "x",
    }
    with app.sessions() as s:
        assert account_row(s, "martin").routing_version == before + 1
