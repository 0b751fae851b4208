"""The messages taken for an employee, on their page: open (the read is recorded), acknowledge."""

from __future__ import annotations

import html
from dataclasses import replace

from web_world import MESSAGE, NOW, World

from accueil.services.audit import read_audit
from accueil.services.messages import history, take_message

PAGE = "/accounts/alpha/people/claire"


def _post(world: World, user: str, url: str) -> object:
    browser = world.browser(user)
    headers = {"X-CSRF-Token": browser.cookies["accueil_csrf"], "HX-Request": "true"}
    return browser.post(url, headers=headers)


def test_an_employee_opens_a_message_then_acknowledges_it(world: World) -> None:
    page = html.unescape(world.browser("claire").get(PAGE).text)
    assert "Maître Dubois" in page and "Urgent" in page
    assert "Audience demain 9 h" not in page, "closed until opened"
    opened = _post(world, "claire", f"{PAGE}/messages/{world.message}/read")
    assert opened.status_code == 200 and "Audience demain 9 h" in opened.text
    done = _post(world, "claire", f"{PAGE}/messages/{world.message}/acknowledge")
    assert done.status_code == 200 and "Pris en compte" in done.text
    with world.runtime.unit() as session:
        kinds = [(e.kind, e.actor) for e in history(session, "alpha", world.message)]
    assert ("read", "claire") in kinds and ("acknowledged", "claire") in kinds


def test_another_persons_message_does_not_exist_on_my_page(world: World) -> None:
    with world.runtime.unit() as session:
        pauls = take_message(session, "alpha", replace(MESSAGE, person="paul"), now=NOW).uid
    assert "Paul" not in world.browser("claire").get(PAGE).text
    for url in (
        f"{PAGE}/messages/{pauls}/read",
        f"/accounts/alpha/people/paul/messages/{pauls}/read",
    ):
        answer = _post(world, "claire", url)
        assert answer.status_code == 404, url
    with world.runtime.unit() as session:
        assert [e.kind for e in history(session, "alpha", pauls)].count("read") == 0


def test_reading_personal_data_on_a_page_leaves_an_audit_row(world: World) -> None:
    """Her messages on the employee's page, a caller's last calls on the desk's pop: each read
    is audited like the API's reads of personal data, under the account it belongs to."""
    assert world.browser("claire").get(PAGE).status_code == 200
    pop = world.browser("sup").get(
        "/desk/pop", params={"to": "01 40 00 00 01", "caller": "+33611111111"}
    )
    assert pop.status_code == 200, pop.text
    nowhere = world.browser("sup").get("/desk/pop", params={"to": "01 99 99 99 99"})
    assert nowhere.status_code == 404
    with world.runtime.unit() as session:
        claire = read_audit(session, "alpha", user="claire")
        sup = read_audit(session, "alpha", user="sup")
        everything = read_audit(session, None)
    assert [(r.operation, r.target) for r in claire] == [
        ("GET /accounts/{account}/people/{person}", PAGE)
    ]
    assert [r.operation for r in sup] == ["GET /desk/pop"]
    assert not [r for r in everything if r.operation == "GET /desk/pop" and r.account != "alpha"]
