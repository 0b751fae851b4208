"""A client admin's pages: people at a glance, an import checked line by line, rules and script
versions."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from web_world import NOW, SCRIPT, World, form_version

from accueil.services.script_layers import Owner
from accueil.services.scripts import save_script

ACCOUNT = "/accounts/alpha"
GOOD = b"account,key,first_name,last_name,group\nalpha,marc,Marc,Petit,\n"
BAD = (
    b"account,key,first_name,last_name,group\n"
    b"alpha,marc,Marc,Petit,\n"
    b"alpha,lea,Lea,Roux,compta\n"
    b"bravo,spy,Spy,Ware,\n"
)


def _upload(browser: TestClient, content: bytes, dry_run: bool) -> str:
    headers = {"X-CSRF-Token": browser.cookies["accueil_csrf"], "HX-Request": "true"}
    data = {"dry_run": "true"} if dry_run else {}
    files = {"files": ("people.csv", content, "text/csv")}
    answer = browser.post(ACCOUNT + "/import", data=data, files=files, headers=headers)
    assert answer.status_code == 200, answer.text
    return html.unescape(answer.text)


def test_the_people_and_what_each_is_doing_at_a_glance(world: World) -> None:
    claire = world.browser("claire")
    csrf = {"X-CSRF-Token": claire.cookies["accueil_csrf"]}
    claire.post(ACCOUNT + "/people/claire/status", data={"choice": "road"}, headers=csrf)
    page = world.browser("alpha_admin").get(ACCOUNT)
    assert page.status_code == 200
    row = page.text.split("Claire Fontaine", 1)[1].split("</tr>", 1)[0]
    assert "Absent·e" in row and "Sur la route" in row
    assert "+33140000001" in page.text and "Maître Secretvip" in page.text


def test_an_employee_does_not_see_the_account_pages(world: World) -> None:
    claire = world.browser("claire")
    for page in (ACCOUNT, ACCOUNT + "/import", ACCOUNT + "/scripts"):
        assert claire.get(page).status_code == 404, page


def test_an_import_with_mistakes_shows_each_by_line_and_writes_nothing(world: World) -> None:
    admin = world.browser("alpha_admin")
    for dry_run in (True, False):
        shown = _upload(admin, BAD, dry_run)
        assert "Rien n'a été importé" in shown
        rows = shown.split("<tbody>", 1)[1].split("</tr>")
        assert any("people.csv" in r and ">3<" in r and "compta" in r for r in rows), shown
        assert any(">4<" in r and "alpha" in r for r in rows), "the other account's line"
    assert "Marc" not in admin.get(ACCOUNT).text, "nothing was written"


def test_a_dry_run_says_what_would_change_then_the_import_does_it(world: World) -> None:
    admin = world.browser("alpha_admin")
    checked = _upload(admin, GOOD, dry_run=True)
    assert "personnes : 1 ajouté(s)" in checked, "said in the page's French"
    assert "Marc Petit" not in admin.get(ACCOUNT).text
    done = _upload(admin, GOOD, dry_run=False)
    assert "personnes : 1 ajouté(s)" in done
    assert "Marc Petit" in admin.get(ACCOUNT).text


def test_script_versions_and_the_changes_between_two(world: World) -> None:
    with world.runtime.unit() as session:
        changed = SCRIPT.replace("secrétariat de", "bureau de")
        save_script(session, "alpha", Owner("account"), changed, comment="shorter", now=NOW)
    admin = world.browser("alpha_admin")
    page = admin.get(ACCOUNT + "/scripts")
    assert page.status_code == 200 and "v2" in page.text and "shorter" in page.text
    changes = html.unescape(admin.get(ACCOUNT + "/scripts", params={"old": 1, "new": 2}).text)
    assert '-    office_hours: "{{ account.answer_name }}, secrétariat de' in changes
    assert '+    office_hours: "{{ account.answer_name }}, bureau de' in changes
    missing = admin.get(ACCOUNT + "/scripts", params={"old": 1, "new": 9})
    assert missing.status_code == 404


def test_the_admin_keeps_the_vip_list_and_a_wrong_line_is_named(world: World) -> None:
    admin = world.browser("alpha_admin")
    headers = {"X-CSRF-Token": admin.cookies["accueil_csrf"], "HX-Request": "true"}
    url = ACCOUNT + "/caller-lists/vip"
    version = form_version(admin.get(ACCOUNT).text, 'id="list-vip"')
    wrong = admin.post(
        url,
        data={"entries": "06 99 88 77 66 = Maître X\n\nnot a number\n", "version": version},
        headers=headers,
    )
    assert wrong.status_code == 422 and wrong.headers["HX-Retarget"] == "#flash"
    said = html.unescape(wrong.text)
    assert "1 problème trouvé ; rien n'a été modifié" in said, "said in the page's French"
    assert "ligne 3, champ 'entries' : 'not a number' n'est pas un numéro de téléphone" in said
    kept = world.browser("claire").get(ACCOUNT + "/people/claire").text
    assert "Maître Secretvip" in kept, "nothing changed"
    saved = admin.post(
        url,
        data={"entries": "06 99 88 77 66 = Maître X\n+4420*\n", "version": version},
        headers=headers,
    )
    assert saved.status_code == 200, saved.text
    assert "+33699887766 = Maître X" in html.unescape(saved.text)
    page = html.unescape(world.browser("claire").get(ACCOUNT + "/people/claire").text)
    assert "Maître X" in page and "+4420*" in page and "Secretvip" not in page
    stale = admin.post(url, data={"entries": "+33600000000", "version": version}, headers=headers)
    assert stale.status_code == 412, "a page that showed the list before that change"
    assert "Maître X" in html.unescape(world.browser("claire").get(ACCOUNT + "/people/claire").text)
