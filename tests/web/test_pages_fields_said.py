"""A form refused for a field says where, on every form of the pages at once: the form comes
back with what was typed, the refused input marked (``aria-invalid``, ``aria-describedby`` to
its reason, written right after it) and focused first (``autofocus``); nothing is changed."""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi.testclient import TestClient
from web_world import World, form_version

from accueil.services.directory import list_agents, list_people
from accueil.services.employee_policy import get_policy
from accueil.web.marked_form import Refusal, _Reader, mark

ACCOUNT = "/accounts/alpha"
CLAIRE = ACCOUNT + "/people/claire"


def _post(browser: TestClient, url: str, data: dict[str, str], page: str) -> Any:
    """A form sent by htmx from ``page``, as a browser does (``HX-Current-URL``)."""
    headers = {
        "X-CSRF-Token": browser.cookies["accueil_csrf"],
        "HX-Request": "true",
        "HX-Current-URL": page if page.startswith("http") else "http://testserver" + page,
    }
    return browser.post(url, data=data, headers=headers)


def _marked(text: str, name: str) -> tuple[str, str]:
    """The start tag of the control named ``name`` marked invalid, and the reason said right
    after it (the element its ``aria-describedby`` names); fails when either is missing."""
    tags = [
        t for t in re.findall(r"<(?:input|textarea|select)\b[^>]*>", text) if f'name="{name}"' in t
    ]
    invalid = [t for t in tags if 'aria-invalid="true"' in t]
    assert len(invalid) == 1, tags
    described = re.search(r'aria-describedby="([^"]*)"', invalid[0])
    assert described is not None, invalid[0]
    ident = described[1].split()[-1]
    after = text[text.index(invalid[0]) + len(invalid[0]) :]
    if invalid[0].startswith(("<textarea", "<select")):
        after = after.split("</textarea>" if "<textarea" in invalid[0] else "</select>", 1)[1]
    said = re.match(rf'\s*<span class="field-error" id="{ident}">([^<]*)</span>', after)
    assert said is not None, after[:300]
    return invalid[0], html.unescape(said[1])


def test_a_person_arriving_with_a_wrong_mobile_has_the_mobile_marked(world: World) -> None:
    admin = world.browser("alpha_admin")
    typed = {"first_name": "Léa", "last_name": "Roux", "title": "Avocate <b>", "mobile": "12"}
    answer = _post(admin, ACCOUNT + "/people", typed, ACCOUNT)
    assert answer.status_code == 422
    assert answer.headers["HX-Retarget"] == "closest form"
    assert answer.headers["HX-Reswap"] == "outerHTML"
    form = answer.text
    assert form.startswith("<form") and 'data-testid="arrive"' in form
    tag, reason = _marked(form, "mobile")
    assert 'value="12"' in tag and "autofocus" in tag
    assert reason.startswith("'12' n'est pas un numéro valable en FR"), "in the page's French"
    assert 'value="Léa"' in form and 'value="Roux"' in form, "what was typed is kept"
    assert 'value="Avocate &lt;b&gt;"' in form, "and escaped"
    assert form.count('aria-invalid="true"') == 1 and form.count("autofocus") == 1
    with world.runtime.unit() as session:
        assert "lea-roux" not in {p.key for p in list_people(session, "alpha")}, "nothing added"


def test_a_meeting_until_a_wrong_time_marks_that_time_in_that_tap(world: World) -> None:
    claire = world.browser("claire")
    before = claire.get(CLAIRE).text.split('data-testid="status">', 1)[1].split("</p>", 1)[0]
    answer = _post(claire, CLAIRE + "/status", {"choice": "meeting", "until": "25h"}, CLAIRE)
    assert answer.status_code == 422
    form = answer.text
    assert 'name="choice" value="meeting"' in form, "the form of the tap that was sent"
    tag, reason = _marked(form, "until")
    assert 'value="25h"' in tag
    assert reason == "'25h' n'est pas une heure ; écrivez-la 15:00"
    after = claire.get(CLAIRE).text.split('data-testid="status">', 1)[1].split("</p>", 1)[0]
    assert after == before, "her status is unchanged"


def test_a_wrong_line_of_a_caller_list_marks_the_list_and_names_the_line(world: World) -> None:
    admin = world.browser("alpha_admin")
    version = form_version(admin.get(ACCOUNT).text, 'id="list-vip"')
    typed = "06 99 88 77 66 = Maître X\n\nnot a number\n"
    answer = _post(
        admin, ACCOUNT + "/caller-lists/vip", {"entries": typed, "version": version}, ACCOUNT
    )
    assert answer.status_code == 422
    form = answer.text
    assert form.startswith('<form id="list-vip"')
    _, reason = _marked(form, "entries")
    assert reason.startswith("ligne 3 : 'not a number' n'est pas un numéro de téléphone")
    assert html.escape(typed, quote=False) in form, "the lines as typed"
    page = html.unescape(world.browser("claire").get(CLAIRE).text)
    assert "Maître Secretvip" in page and "Maître X" not in page, "the list is unchanged"


def test_the_operator_adding_a_secretary_with_a_wrong_language_has_it_marked(
    world: World,
) -> None:
    root = world.browser("root")
    answer = _post(root, "/operator/agents", {"name": "Zoé", "languages": "klingon"}, "/operator")
    assert answer.status_code == 422
    assert answer.headers["HX-Reselect"] == "form", "not the operator page's own hx-select"
    tag, reason = _marked(answer.text, "languages")
    assert 'value="klingon"' in tag and 'value="Zoé"' in answer.text
    assert reason == "'klingon' is not a language code (write fr, en, de…)", "in English"
    with world.runtime.unit() as session:
        assert "zoe" not in {a.key for a in list_agents(session)}


def test_a_policy_with_wrong_seconds_keeps_the_boxes_as_ticked(world: World) -> None:
    admin = world.browser("alpha_admin")
    page = ACCOUNT + "/scripts"
    version = form_version(admin.get(page).text, 'data-testid="policy-form"')
    with world.runtime.unit() as session:
        before = get_policy(session, "alpha")
    sent = {"treatments": "message", "block": "true", "max_ring_seconds": "vingt"}
    answer = _post(admin, ACCOUNT + "/employee-policy", {**sent, "version": version}, page)
    assert answer.status_code == 422
    _, reason = _marked(answer.text, "max_ring_seconds")
    assert reason == "'vingt' n'est pas un nombre de secondes"
    boxes = re.findall(r"<input[^>]*checkbox[^>]*>", answer.text)
    ticked = [b for b in boxes if " checked" in b]
    assert len(ticked) == 2 and 'value="message"' in ticked[0] and 'name="block"' in ticked[1]
    with world.runtime.unit() as session:
        assert get_policy(session, "alpha") == before, "the policy is unchanged"


def test_without_htmx_the_whole_page_comes_back_with_the_form_marked(world: World) -> None:
    admin = world.browser("alpha_admin")
    csrf = admin.cookies["accueil_csrf"]
    answer = admin.post(
        ACCOUNT + "/people",
        data={"csrf_token": csrf, "first_name": "Léa", "email": "nope"},
        headers={"Referer": "http://testserver" + ACCOUNT},
    )
    assert answer.status_code == 422 and answer.text.startswith("<!doctype html>")
    tag, reason = _marked(answer.text, "email")
    assert "autofocus" in tag and reason == "'nope' n'est pas une adresse e-mail"
    flash = answer.text.split('id="flash"', 1)[1].split("</div>", 1)[0]
    assert "Rien n&#x27;est enregistré : corrigez le champ signalé" in flash


def test_where_no_input_can_be_marked_the_message_names_the_field(world: World) -> None:
    admin = world.browser("alpha_admin")
    headers = {"X-CSRF-Token": admin.cookies["accueil_csrf"], "HX-Request": "true"}
    answer = admin.post(ACCOUNT + "/numbers", data={"number": "12"}, headers=headers)
    assert answer.status_code == 422 and answer.headers["HX-Retarget"] == "#flash"
    assert "champ 'number' : " in html.unescape(answer.text)


def test_a_page_that_cannot_be_made_again_leaves_the_refusal_said_above(world: World) -> None:
    admin = world.browser("alpha_admin")
    for page in (
        "/accounts/nowhere",
        "/api/v1/accounts",
        "http://elsewhere.example/accounts/alpha",
    ):
        answer = _post(admin, ACCOUNT + "/people", {"first_name": "X", "mobile": "12"}, page)
        assert answer.status_code == 422 and answer.headers["HX-Retarget"] == "#flash", page
        assert "aria-invalid" not in answer.text


def test_a_refusal_on_a_hidden_field_is_said_above_the_form_as_before(world: World) -> None:
    admin = world.browser("alpha_admin")
    answer = _post(
        admin, ACCOUNT + "/caller-lists/vip", {"entries": "+33600000000", "version": "7"}, ACCOUNT
    )
    assert answer.status_code == 412 and answer.headers["HX-Retarget"] == "#flash"
    assert "aria-invalid" not in answer.text


def test_mark_finds_the_form_by_where_it_posts_and_its_hidden_values() -> None:
    page = (
        '<div id="flash"></div>'
        '<form action="/a"><input type="hidden" name="k" value="1"><input name="x"></form>'
        '<form action="/a"><input type="hidden" name="k" value="2"><input name="x">'
        '<input type="checkbox" name="c" value="on" checked><textarea name="t">old</textarea>'
        "</form>"
    )
    posted = {"k": ["2"], "x": ["typed"], "t": ["\nnew & more"]}
    marked = mark(page, "/a", posted, [Refusal("x", "bad <x>")], "Not saved")
    assert marked is not None
    whole, form = marked
    assert form.startswith('<form action="/a"><input type="hidden" name="k" value="2">')
    assert '<input name="x" value="typed" aria-invalid="true" aria-describedby="x-refused" ' in form
    assert '<span class="field-error" id="x-refused">bad &lt;x&gt;</span>' in form
    assert "checked" not in form, "a box not sent was unticked"
    assert '<textarea name="t">\n\nnew &amp; more</textarea>' in form
    assert whole.startswith('<div id="flash"><div class="error flash-said" role="alert">')
    assert mark(page, "/b", posted, [Refusal("x", "bad")], "") is None, "no form posts there"
    assert mark(page, "/a", posted, [Refusal("k", "bad")], "") is None, "hidden: not marked"


def test_mark_gives_the_marked_form_exactly_as_it_is_in_the_marked_page() -> None:
    # the message area right before the form, a namesake after it, a refusal with no input:
    # text is put in just outside the form's tags and just inside them
    page = (
        '<main><div id="flash"><form action="/a"><input type="hidden" name="k" value="2">'
        '<select name="s"><option value="1" selected>1</option><option value="2">2</option>'
        '</select><textarea name="t">old</textarea><input name="x"></form></div>'
        '<form action="/a"><input type="hidden" name="k" value="3"><input name="x"></form></main>'
    )
    posted = {"k": ["2"], "s": ["2"], "t": ["new"], "x": ["typed"]}
    refused = [Refusal("t", "too long"), Refusal("nowhere", "wrong")]
    marked = mark(page, "/a", posted, refused, "Not saved")
    assert marked is not None
    whole, form = marked
    again = _Reader(whole).forms[0]  # the form found by reading the marked page anew
    assert form == whole[again.start : again.close]
    said = '<div class="error" role="alert"><p>wrong</p></div>'
    assert form.startswith(f'<form action="/a">{said}<input type="hidden" name="k" value="2">')
    assert form.endswith('<input name="x" value="typed"></form>') and whole.count(form) == 1
    assert '<option value="2" selected>' in form and 'id="t-refused">too long</span>' in form
    assert whole.index("flash-said") < whole.index(form)
