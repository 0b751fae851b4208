"""Who covers for a person who is not available, and how to reach them, wherever a secretary or
an admin reads what the person is doing: the screen pop of the desk, the account page, the
API's availability; on the person's own page, who covers for them; never to another account's
users, and nothing for a person nobody covers."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from web_world import NOW, World

from accueil.core.availability import State
from accueil.services.availability import add_delegation, set_status
from accueil.services.onboarding import load_directory

CLAIRES_LINE = {"to": "01 40 00 00 01", "caller": "+33611111111"}
AVAILABILITY = "/api/v1/accounts/alpha/people/claire/availability"
ASK_EN = "Ask Paul Durand (delegate): mobile +33 6 98 76 54 32, paul@alpha.example"
ASK_FR = "S'adresser à Paul Durand (remplaçant·e) : mobile +33 6 98 76 54 32, paul@alpha.example"
PAUL = {
    "account": "alpha",
    "key": "paul",
    "first_name": "Paul",
    "last_name": "Durand",
    "mobile": "06 98 76 54 32",
    "email": "paul@alpha.example",
}


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _delegate_line(page: str) -> str:
    """The text of the first element marked as the delegate, '' when there is none."""
    if 'data-testid="delegate"' not in page:
        return ""
    rest = page.split('data-testid="delegate">', 1)[1]
    return _text(rest.split("</p>", 1)[0].split("</span>\n", 1)[0])


@pytest.fixture
def covered(world: World) -> World:
    """Claire is out of the office until Thursday; Paul (his mobile and email known) covers."""
    return _covering(world)


def _covering(world: World) -> World:
    """``world`` with Claire out of the office and Paul covering (as ``covered``)."""
    with world.runtime.unit() as session:
        load_directory(session, {"people": [PAUL]}, source="test", now=NOW)
        until = NOW + timedelta(days=2)
        set_status(session, "alpha", "claire", State.OUT_OF_OFFICE, until=until, now=NOW)
        add_delegation(session, "alpha", "claire", "paul", start=NOW - timedelta(hours=1), now=NOW)
    return world


def test_the_screen_pop_says_whom_to_ask_and_how_to_reach_them(covered: World) -> None:
    sup = covered.browser("sup")
    english = sup.get("/desk/pop", params=CLAIRES_LINE, headers={"Accept-Language": "en"})
    assert english.status_code == 200, english.text
    assert _delegate_line(english.text) == ASK_EN
    sup.cookies.set("accueil_lang", "fr")
    french = sup.get("/desk/pop", params=CLAIRES_LINE)
    assert _delegate_line(french.text) == ASK_FR


def test_the_account_page_says_whom_to_ask_beside_what_the_person_is_doing(
    covered: World,
) -> None:
    page = covered.browser("alpha_admin").get("/accounts/alpha")
    assert page.status_code == 200
    row = page.text.split('id="person-claire"', 1)[1].split("</tr>", 1)[0]
    assert "s'adresser à Paul Durand (remplaçant·e) : mobile +33 6 98 76 54 32" in _text(row)
    paul = page.text.split('id="person-paul"', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="delegate"' not in paul, "Paul is available: no one to ask instead"


def test_the_persons_own_page_says_who_covers_for_them_not_whom_to_ask(both: World) -> None:
    covered = _covering(both)  # on SQLite and PostgreSQL
    claire = covered.browser("claire")
    own = "/accounts/alpha/people/claire"
    claire.cookies.set("accueil_lang", "en")  # she speaks French: English, asked for
    english = claire.get(own)
    assert english.status_code == 200, english.text
    assert _delegate_line(english.text) == "— Paul Durand covers for you"
    claire.cookies.set("accueil_lang", "fr")
    french = claire.get(own).text
    assert _delegate_line(french) == "— Paul Durand vous remplace"
    for page in (english.text, french):
        assert "(delegate)" not in page and "remplaçant·e" not in page
    csrf = {"X-CSRF-Token": claire.cookies["accueil_csrf"], "HX-Request": "true"}
    tapped = claire.post(own + "/status", data={"choice": "road"}, headers=csrf)
    assert tapped.status_code == 200, tapped.text  # the card one tap swaps in says it alike
    assert _delegate_line(tapped.text) == "— Paul Durand vous remplace"
    sup = covered.browser("sup")  # the secretary's pop and the account page: whom to ask
    assert _delegate_line(sup.get("/desk/pop", params=CLAIRES_LINE).text) == ASK_EN
    page = covered.browser("alpha_admin").get("/accounts/alpha").text
    row = page.split('id="person-claire"', 1)[1].split("</tr>", 1)[0]
    assert "— " + ASK_FR[0].lower() + ASK_FR[1:] in _text(row) and "vous remplace" not in row


def test_the_apis_availability_names_the_delegate_and_how_to_reach_them(covered: World) -> None:
    answer = covered.browser("alpha_admin").get(AVAILABILITY)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["state"] == "out_of_office"
    delegate = found["delegate"]
    assert (delegate["delegate"], delegate["delegate_name"]) == ("paul", "Paul Durand")
    assert delegate["reach"] == ["mobile +33 6 98 76 54 32", "paul@alpha.example"]


def test_another_accounts_users_see_nothing_of_the_delegate(covered: World) -> None:
    for user in ("bravo_admin", "bruno"):
        browser = covered.browser(user)
        for url in ("/accounts/alpha", AVAILABILITY):
            answer = browser.get(url)
            assert answer.status_code == 404, (user, url)
            assert "Paul" not in answer.text and "98 76 54 32" not in answer.text
        assert browser.get("/desk/pop", params=CLAIRES_LINE).status_code == 404
    own = covered.browser("bravo_admin").get("/accounts/bravo")
    assert (
        own.status_code == 200
        and "Paul" not in own.text
        and 'data-testid="delegate"' not in own.text
    )


def test_a_person_nobody_covers_shows_as_before(world: World) -> None:
    with world.runtime.unit() as session:
        load_directory(session, {"people": [PAUL]}, source="test", now=NOW)
        set_status(
            session, "alpha", "claire", State.MEETING, until=NOW + timedelta(hours=1), now=NOW
        )
    pop = world.browser("sup").get("/desk/pop", params=CLAIRES_LINE)
    assert pop.status_code == 200 and 'data-testid="delegate"' not in pop.text
    assert "Paul" not in _text(pop.text.split('class="pop-person"', 1)[1].split("</section>")[0])
    page = world.browser("alpha_admin").get("/accounts/alpha").text
    row = page.split('id="person-claire"', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="delegate"' not in row and "Paul" not in _text(row)
    assert world.browser("alpha_admin").get(AVAILABILITY).json()["delegate"] is None
