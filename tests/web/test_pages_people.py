"""A client admin changes the directory on the account page, effective at once: arrive, leave
(archived: old calls still name the person), come back, move, a new team, numbers; a change
from an older page is refused (412) with nothing written; each change leaves an audit row."""

from __future__ import annotations

import html
from datetime import timedelta

from fastapi.testclient import TestClient
from web_world import World, form_version

from accueil.core.availability import State
from accueil.services.audit import read_audit
from accueil.services.availability import add_delegation, set_status
from accueil.services.call_log import list_calls
from accueil.services.directory import get_person, list_numbers, resolve_number
from accueil.services.groups import group_record
from accueil.services.onboarding import load_directory
from accueil.web.stale import version_of
from statements import sent

ACCOUNT = "/accounts/alpha"


def _post(browser: TestClient, url: str, data: dict[str, str]) -> tuple[int, str]:
    headers = {"X-CSRF-Token": browser.cookies["accueil_csrf"], "HX-Request": "true"}
    answer = browser.post(url, data=data, headers=headers)
    return answer.status_code, html.unescape(answer.text)


def _version(browser: TestClient, marker: str) -> str:
    return form_version(browser.get(ACCOUNT).text, marker)


def test_someone_arrives_and_can_be_called_at_once(world: World) -> None:
    admin = world.browser("alpha_admin")
    status, shown = _post(
        admin,
        ACCOUNT + "/people",
        {"first_name": "Léa", "last_name": "Roux", "mobile": "06 22 33 44 55", "title": "Avocate"},
    )
    assert status == 200, shown
    assert "Léa Roux arrivé·e." in shown and 'id="person-lea-roux"' in shown
    with world.runtime.unit() as session:
        lea = get_person(session, "alpha", "lea-roux")
        number = {"number": "01 40 00 00 07", "person": "lea-roux"}
    assert lea.title == "Avocate" and lea.devices[0].address == "+33622334455"
    status, shown = _post(admin, ACCOUNT + "/numbers", number)
    assert status == 200 and "+33140000007 est ajouté." in shown
    with world.runtime.unit() as session:
        found = resolve_number(session, "+33140000007")
    assert found.person is not None and found.person.full_name == "Léa Roux"


def test_an_arrival_with_a_wrong_mobile_is_refused_naming_the_field(world: World) -> None:
    status, shown = _post(
        world.browser("alpha_admin"), ACCOUNT + "/people", {"first_name": "X", "mobile": "12"}
    )
    assert status == 422 and "mobile" in shown
    assert "X " not in world.browser("alpha_admin").get(ACCOUNT).text.split("Who left")[0]


def test_someone_leaves_and_their_old_calls_still_name_them(world: World) -> None:
    admin = world.browser("alpha_admin")
    status, shown = _post(
        admin,
        ACCOUNT + "/people/claire/leave",
        {"version": _version(admin, 'id="person-claire"')},
    )
    assert status == 200 and "Claire Fontaine a quitté la liste." in shown
    people = shown.split('data-testid="people"', 1)[1].split('data-testid="left"', 1)
    assert "Claire Fontaine" not in people[0] and "Claire Fontaine" in people[1]
    with world.runtime.unit() as session:
        calls = list_calls(session, "alpha")
    assert [c.person_name for c in calls] == ["Claire Fontaine"], "nothing lost"
    back = _version(admin, 'data-testid="left"')
    status, shown = _post(admin, ACCOUNT + "/people/claire/return", {"version": back})
    assert status == 200 and "Claire Fontaine est de retour." in shown


def test_a_person_moves_to_a_new_team(world: World) -> None:
    admin = world.browser("alpha_admin")
    status, shown = _post(admin, ACCOUNT + "/groups", {"name": "Contentieux"})
    assert status == 200 and "L'équipe Contentieux est ajoutée." in shown
    version = form_version(shown, 'id="person-paul"')
    status, shown = _post(
        admin, ACCOUNT + "/people/paul/team", {"group": "contentieux", "version": version}
    )
    assert status == 200 and "Paul Durand a changé d'équipe." in shown
    with world.runtime.unit() as session:
        assert get_person(session, "alpha", "paul").group == "contentieux"


def test_a_change_from_an_older_page_is_refused_and_writes_nothing(world: World) -> None:
    admin = world.browser("alpha_admin")
    old = _version(admin, 'id="person-paul"')
    _post(admin, ACCOUNT + "/groups", {"name": "Compta"})
    assert (
        _post(admin, ACCOUNT + "/people/paul/team", {"group": "compta", "version": old})[0] == 200
    )
    status, shown = _post(admin, ACCOUNT + "/people/paul/leave", {"version": old})
    assert status == 412 and "Quelqu'un a changé ceci" in shown
    with world.runtime.unit() as session:
        assert get_person(session, "alpha", "paul").active, "nothing written"


def test_a_number_released_is_kept_in_taken_down_and_others_are_not_named(world: World) -> None:
    admin = world.browser("alpha_admin")
    version = _version(admin, "numbers/+33140000001/release")
    status, shown = _post(admin, ACCOUNT + "/numbers/+33140000001/release", {"version": version})
    assert status == 200 and "+33140000001 est libéré." in shown
    with world.runtime.unit() as session:
        assert [n.e164 for n in list_numbers(session, "alpha")] == ["+33140000000"]
    removed = html.unescape(admin.get(ACCOUNT).text).split('data-testid="removed"')[1]
    assert "Numéro" in removed and "Libéré le" in removed and "par alpha_admin" in removed
    assert "Il menait à Claire" in removed, "kept in Taken down, with whom it led to"
    assert 'name="number" value="+33140000001"' in removed  # given back from there
    status, shown = _post(
        admin, ACCOUNT + "/numbers", {"number": "+33140000001", "person": "claire", "label": ""}
    )
    assert status == 200 and "+33140000001 est ajouté." in shown
    with world.runtime.unit() as session:
        assert resolve_number(session, "+33140000001").person.key == "claire"  # type: ignore[union-attr]
    removed = html.unescape(admin.get(ACCOUNT).text).split('data-testid="removed"')[1]
    assert "Il menait à Claire" in removed and 'value="+33140000001"' not in removed
    status, shown = _post(admin, ACCOUNT + "/numbers", {"number": "+44 20 7946 0000"})
    assert status == 409 and "bravo" not in shown.lower()


def test_each_change_from_a_page_leaves_an_audit_row(world: World) -> None:
    admin = world.browser("alpha_admin")
    _post(admin, ACCOUNT + "/groups", {"name": "Accueil"})
    with world.runtime.unit() as session:
        rows = read_audit(session, "alpha", user="alpha_admin")
    assert [(r.operation, r.target) for r in rows] == [
        ("POST /accounts/{account}/groups", "/accounts/alpha/groups")
    ]


def _teams(world: World, keys: range) -> None:
    teams = [{"account": "alpha", "key": f"t{i:03}", "name": f"Équipe {i}"} for i in keys]
    with world.runtime.unit() as session:
        load_directory(session, {"groups": teams}, source="test", now=world.clock.now())


def test_the_account_page_costs_the_same_statements_for_200_teams_as_for_2(both: World) -> None:
    world = both  # on SQLite and PostgreSQL
    admin = world.browser("alpha_admin")
    _teams(world, range(2))
    admin.get(ACCOUNT)  # what a first page reads once (the session's caches)
    with sent(world.runtime.engine) as few:
        assert admin.get(ACCOUNT).status_code == 200
    _teams(world, range(200))
    with sent(world.runtime.engine) as many:
        shown = admin.get(ACCOUNT).text
    assert "Équipe 199" in shown
    with world.runtime.unit() as session:  # each team's Remove button: the team as kept
        kept = version_of(group_record(session, "alpha", "t199"))
    assert form_version(shown, "<span>Équipe 199</span>") == kept
    assert len(many) == len(few)  # before: three more statements for each team


def _people(world: World, count: int) -> None:
    """``count`` more people in alpha, each with a status and a colleague covering for them."""
    now = world.clock.now()
    people = [
        {"account": "alpha", "key": f"p{i}", "first_name": f"Personne{i}", "last_name": "Alpha"}
        for i in range(count)
    ]
    with world.runtime.unit() as session:
        load_directory(session, {"people": people}, source="test", now=now)
        for i in range(count):
            set_status(session, "alpha", f"p{i}", State.MEETING, now=now - timedelta(minutes=5))
            add_delegation(
                session, "alpha", f"p{i}", "paul", start=now - timedelta(hours=1), now=now
            )


def test_the_account_page_costs_the_same_statements_for_50_people_as_for_2(both: World) -> None:
    world = both  # on SQLite and PostgreSQL
    admin = world.browser("alpha_admin")
    admin.get(ACCOUNT)  # what a first page reads once (the session's caches)
    with sent(world.runtime.engine) as few:  # Claire and Paul
        assert admin.get(ACCOUNT).status_code == 200
    _people(world, 48)
    with sent(world.runtime.engine) as many:
        shown = html.unescape(admin.get(ACCOUNT).text)
    assert "Personne47 Alpha" in shown and "Paul Durand" in shown
    assert len(many) == len(few)  # before: six more statements for each person
