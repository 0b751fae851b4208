"""The messages taken for an employee, on their page: open (the read is recorded), acknowledge."""

from __future__ import annotations

import html
from dataclasses import replace

from web_world import MESSAGE, NOW, World

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
