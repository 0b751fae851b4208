"""A client admin edits the account's script on its page (preview of the draft, save, bring an
older version back, a stale save refused) and reads the usage per month (with its CSV)."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from web_world import NOW, SCRIPT, World, form_version

from accueil.services.calls import CallRecord, record_call
from accueil.services.script_layers import Owner
from accueil.services.scripts import versions

SCRIPTS = "/accounts/alpha/scripts"
CHANGED = SCRIPT.replace("secrétariat de", "bureau de")


def _post(browser: TestClient, url: str, data: dict[str, str]) -> tuple[int, str, str]:
    headers = {"X-CSRF-Token": browser.cookies["accueil_csrf"], "HX-Request": "true"}
    answer = browser.post(url, data=data, headers=headers)
    return answer.status_code, html.unescape(answer.text), answer.headers.get("HX-Redirect", "")


def _sources(world: World) -> list[str]:
    with world.runtime.unit() as session:
        return [v.source for v in versions(session, "alpha", Owner("account"))]


def test_a_draft_is_previewed_for_a_person_then_saved_and_shown_with_its_changes(
    world: World,
) -> None:
    admin = world.browser("alpha_admin")
    version = form_version(admin.get(SCRIPTS).text, 'data-testid="script-editor"')
    status, shown, _ = _post(admin, SCRIPTS + "/preview", {"source": CHANGED, "person": "claire"})
    assert status == 200 and "Cabinet Alpha, bonjour, bureau de Claire Fontaine." in shown
    assert "Qui est à l'appareil ?" in shown and len(_sources(world)) == 1, "nothing saved"
    data = {"source": CHANGED, "comment": "plus court", "version": version}
    status, _, target = _post(admin, SCRIPTS, data)
    assert status == 204 and target == SCRIPTS + "?saved=2&old=1&new=2"
    page = html.unescape(admin.get(target).text)
    assert "La version 2 est enregistrée" in page and "plus court" in page
    assert '<span class="add">+    office_hours: "{{ account.answer_name }}, bureau de' in page


def test_a_broken_draft_is_refused_with_its_reason_and_nothing_saved(world: World) -> None:
    admin = world.browser("alpha_admin")
    version = form_version(admin.get(SCRIPTS).text, 'data-testid="script-editor"')
    broken = "steps:\n  - {id: a, action: nowhere}\n"
    status, shown, _ = _post(admin, SCRIPTS, {"source": broken, "version": version})
    assert status == 422 and "account, ligne 2" in shown and "take_message" in shown
    assert "la valeur doit être 'patch_through'" in shown, "pydantic's words, in French"
    assert len(_sources(world)) == 1


def test_an_older_version_is_brought_back_and_a_stale_save_is_refused(world: World) -> None:
    admin = world.browser("alpha_admin")
    first = form_version(admin.get(SCRIPTS).text, 'data-testid="script-editor"')
    assert _post(admin, SCRIPTS, {"source": CHANGED, "version": first})[0] == 204
    status, shown, _ = _post(admin, SCRIPTS, {"source": "name: x\n", "version": first})
    assert status == 412 and "Quelqu'un a changé ceci" in shown
    latest = form_version(admin.get(SCRIPTS).text, 'data-testid="script-editor"')
    status, _, target = _post(admin, SCRIPTS + "/rollback", {"to_version": "1", "version": latest})
    assert status == 204 and "saved=3" in target
    assert _sources(world) == [SCRIPT, CHANGED, SCRIPT], "every version kept"


def test_the_usage_per_month_and_its_csv(world: World) -> None:
    with world.runtime.unit() as session:
        call = CallRecord("+33600000001", "+33140000000", NOW, agent="alice", waited=5.0)
        record_call(session, "alpha", call)
    admin = world.browser("alpha_admin")
    page = html.unescape(admin.get("/accounts/alpha/usage").text)
    row = page.split("Décembre 2026", 1)[1].split("</tr>", 1)[0]
    assert ">2<" in row and ">1<" in row, row  # two calls answered, one message
    assert "Novembre 2026" in page and "Janvier 2026" in page
    csv = admin.get("/accounts/alpha/usage.csv", params={"year": 2026})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == "account,period,calls_answered,minutes,unmeasured,messages"
    assert csv.text.splitlines()[-1].startswith("alpha,2026-12,2,")
    assert world.browser("claire").get("/accounts/alpha/usage").status_code == 404
