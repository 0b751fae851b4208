"""An employee's own page: one tap to say what they are doing, where calls go, the preview."""

from __future__ import annotations

import html

from web_world import SECRET_VIP, World, status_of

PAGE = "/accounts/alpha/people/claire"


def _tap(world: World, user: str, data: dict[str, str], csrf: bool = True) -> object:
    browser = world.browser(user)
    headers = {"HX-Request": "true"}
    if csrf:
        headers["X-CSRF-Token"] = browser.cookies["accueil_csrf"]
    return browser.post(PAGE + "/status", data=data, headers=headers)


def test_the_page_shows_status_where_calls_go_and_the_vip_list(world: World) -> None:
    page = world.browser("claire").get(PAGE)
    assert page.status_code == 200
    assert "Claire Fontaine" in page.text and "Cabinet Alpha" in page.text
    assert status_of(page.text).startswith("Disponible"), "office hours, no status: available"
    assert "Où vont vos appels maintenant" in page.text
    assert SECRET_VIP in page.text


def test_one_tap_in_a_meeting_until_a_time_shows_at_once(both: World) -> None:
    answer = _tap(both, "claire", {"choice": "meeting", "until": "15:00"})
    assert answer.status_code == 200, answer.text
    assert status_of(answer.text) == "En réunion jusqu'à 15:00 selon vous"
    again = both.browser("claire").get(PAGE)
    assert status_of(again.text).startswith("En réunion")


def test_on_the_road_out_of_office_and_back(world: World) -> None:
    road = _tap(world, "claire", {"choice": "road"}).text
    assert status_of(road) == "Absent·e Sur la route selon vous"
    out = _tap(world, "claire", {"choice": "out", "back_on": "2026-12-07"}).text
    assert status_of(out) == "Hors du bureau jusqu'à lun. 7 déc., 00:00 selon vous"
    back = _tap(world, "claire", {"choice": "available"}).text
    assert status_of(back) == "Disponible jusqu'à 18:00 horaires de travail"


def test_a_change_without_the_csrf_token_is_refused_and_changes_nothing(world: World) -> None:
    answer = _tap(world, "claire", {"choice": "road"}, csrf=False)
    assert answer.status_code == 403
    assert status_of(world.browser("claire").get(PAGE).text).startswith("Disponible")


def test_a_time_already_past_is_refused_with_the_reason(world: World) -> None:
    answer = _tap(world, "claire", {"choice": "meeting", "until": "08:00"})
    assert answer.status_code == 422
    assert answer.headers["HX-Retarget"] == "#flash"
    said = html.unescape(answer.text)
    assert "le statut finirait à 2026-12-01T08:00:00+01:00, déjà passé ; donnez une heure" in said
    bad = _tap(world, "claire", {"choice": "meeting", "until": "tea time"})
    assert (
        bad.status_code == 422
        and "'tea time' n'est pas une heure ; écrivez-la 15:00" in html.unescape(bad.text)
    )
    assert status_of(world.browser("claire").get(PAGE).text).startswith("Disponible")


def test_a_choice_the_page_does_not_offer_is_refused_and_changes_nothing(world: World) -> None:
    answer = _tap(world, "claire", {"choice": "nap"})
    assert answer.status_code == 422 and answer.headers["HX-Retarget"] == "#flash"
    assert "'nap'" in html.unescape(answer.text)
    assert status_of(world.browser("claire").get(PAGE).text).startswith("Disponible")


def test_the_preview_says_what_the_receptionist_says_and_does(world: World) -> None:
    browser = world.browser("claire")
    shown = browser.get(PAGE + "/preview", params={"caller": "", "at": "2026-12-01T15:00"})
    assert shown.status_code == 200, shown.text
    assert "Cabinet Alpha, bonjour" in shown.text
    assert "Si quelqu'un appelle le" in html.unescape(shown.text)


def test_a_client_admin_sees_their_employees_page_too(world: World) -> None:
    assert world.browser("alpha_admin").get(PAGE).status_code == 200


def test_an_employee_sets_their_own_greeting_and_sees_it_said(world: World) -> None:
    browser = world.browser("claire")
    headers = {"X-CSRF-Token": browser.cookies["accueil_csrf"], "HX-Request": "true"}
    text = "{{ account.answer_name }}, ligne directe de Claire, je vous écoute."
    form = {"lang": "fr", "situation": "office_hours", "text": text}
    saved = browser.post(PAGE + "/greeting", data=form, headers=headers)
    assert saved.status_code == 200, saved.text
    shown = html.unescape(saved.text)
    assert "version 1" in shown and "Cabinet Alpha, bonjour, ligne directe de Claire" in shown
    assert text in html.unescape(browser.get(PAGE).text), "the form shows the greeting set"
    broken = dict(form, text="{{ account.answer_name ")
    refused = browser.post(PAGE + "/greeting", data=broken, headers=headers)
    assert refused.status_code == 422 and refused.headers["HX-Retarget"] == "#flash"
    other = browser.post(PAGE + "/greeting", data=dict(form, lang="de"), headers=headers)
    assert other.status_code == 422 and "ce compte répond en fr" in other.text


def test_an_employee_removes_their_greeting_after_saying_yes(world: World) -> None:
    from accueil.services.employee_policy import set_policy
    from accueil.services.script_layers import Owner
    from accueil.services.scripts import get_version, versions

    browser = world.browser("claire")
    headers = {"X-CSRF-Token": browser.cookies["accueil_csrf"], "HX-Request": "true"}
    own = "Ligne directe de Claire, je vous écoute."
    form = {"lang": "fr", "situation": "office_hours", "text": own}
    assert browser.post(PAGE + "/greeting", data=form, headers=headers).status_code == 200
    page = html.unescape(browser.get(PAGE).text)
    assert "Retirer mon accueil…" in page  # her page is in French
    which = {"lang": "fr", "situation": "office_hours"}
    asked = browser.post(PAGE + "/greeting/remove", data=which, headers=headers)
    said = html.unescape(asked.text)
    assert asked.status_code == 200 and 'data-testid="greeting-remove"' in said
    assert own in said and 'name="confirm" value="yes"' in said
    with world.runtime.unit() as s:  # asking changes nothing
        assert own in get_version(s, "alpha", Owner("person", "claire")).source
    # without the CSRF token: refused, nothing removed
    refused = world.browser("claire").post(
        PAGE + "/greeting/remove", data={**which, "confirm": "yes"}
    )
    assert refused.status_code == 403
    done = browser.post(
        PAGE + "/greeting/remove", data={**which, "confirm": "yes"}, headers=headers
    )
    shown = html.unescape(done.text)
    assert done.status_code == 200 and 'data-testid="greeting-removed"' in shown
    assert own not in shown  # a call now gets the account's greeting
    with world.runtime.unit() as s:
        kept = versions(s, "alpha", Owner("person", "claire"))
        latest = get_version(s, "alpha", Owner("person", "claire"))
    assert own not in latest.source and len(kept) == 2, "the version with it is kept"
    assert latest.saved_by == "claire"
    again = browser.post(
        PAGE + "/greeting/remove", data={**which, "confirm": "yes"}, headers=headers
    )
    assert again.status_code == 200 and "rien n'a changé" in html.unescape(again.text)
    # another account's employee: the page does not exist for them
    for user in ("bruno",):
        other = world.browser(user)
        h = {"X-CSRF-Token": other.cookies["accueil_csrf"], "HX-Request": "true"}
        assert other.post(PAGE + "/greeting/remove", data=which, headers=h).status_code == 404
    # when the account keeps the greeting, the employee may not remove theirs either (403)
    with world.runtime.unit() as s:
        set_policy(s, "alpha", {"greeting": False}, now=world.runtime.now(), saved_by="x")
    kept = browser.post(PAGE + "/greeting/remove", data=which, headers=headers)
    assert kept.status_code == 403
