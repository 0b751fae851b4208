"""The services' errors are said in the page's language (web/error_words.py): the English
message a service raised is found by its template, translated, its values put back; the API
keeps answering in English."""

from __future__ import annotations

import html
import re

from web_world import World

from accueil.errors import Problem
from accueil.web.error_words import TEMPLATES, said, where
from accueil.web.i18n import translator

FR, EN = translator("fr"), translator("en")
FIELD = re.compile(r"%\((\w+)\)s")
ACCOUNT = "/accounts/alpha"
BAD = (
    b"account,key,first_name,last_name,group\n"
    b"alpha,lea,Lea,Roux,compta\n"
    b"alpha,tom,Tom,Vert,\n"
    b"alpha,tom,Tom,Vert,\n"
)


def test_every_known_message_comes_back_in_french_with_its_values() -> None:
    """Each template, made into a message as a service would, is found again and said in French
    with the same values: the French keeps every value of the English."""
    for template in TEMPLATES:
        values = {name: f"«{name}-7»" for name in FIELD.findall(template)}
        english = template % values if values else template
        french = said(english, FR)
        assert french == (FR(template, **values) if values else FR(template)), template
        assert french != english, f"no French for {template!r}"
        assert said(english, EN) == english, "English pages show the message as it is"


def test_a_message_inside_a_message_is_said_too_and_an_unknown_one_is_kept() -> None:
    phone = "'12' is not a phone number (The string supplied is too short to be a phone number.)"
    assert said(phone, FR) == (
        "'12' n'est pas un numéro de téléphone "
        "(ce texte est trop court pour être un numéro de téléphone)"
    )
    assert said("a message the pages never met", FR) == "a message the pages never met"
    assert where(Problem("x", file="people.csv", line=3, column="group"), FR) == (
        "people.csv, ligne 3, colonne 'group'"
    )


def test_a_french_client_admin_reads_the_import_problems_in_french(world: World) -> None:
    admin = world.browser("alpha_admin")  # Cabinet Alpha answers in French: its admin too
    headers = {"X-CSRF-Token": admin.cookies["accueil_csrf"], "HX-Request": "true"}
    files = {"files": ("people.csv", BAD, "text/csv")}
    answer = admin.post(ACCOUNT + "/import", data={"dry_run": "true"}, files=files, headers=headers)
    shown = html.unescape(answer.text)
    assert "équipe inconnue 'compta' dans le compte 'alpha' (ajoutez-la aux équipes)" in shown
    assert "unknown group" not in shown
    assert "person 'tom' en double (déjà en people.csv:3)" in shown, shown


def test_the_same_error_in_english_on_an_english_page_and_from_the_api(world: World) -> None:
    admin = world.browser("alpha_admin")
    admin.cookies.set("accueil_lang", "en")
    try:
        headers = {"X-CSRF-Token": admin.cookies["accueil_csrf"], "HX-Request": "true"}
        files = {"files": ("people.csv", BAD, "text/csv")}
        answer = admin.post(
            ACCOUNT + "/import", data={"dry_run": "true"}, files=files, headers=headers
        )
        assert "unknown group 'compta' in account 'alpha'" in html.unescape(answer.text)
    finally:
        admin.cookies.delete("accueil_lang")


def test_the_operator_admins_wrong_training_is_said_in_french(world: World) -> None:
    root = world.browser("root")
    root.cookies.set("accueil_lang", "fr")
    try:
        page = html.unescape(root.get("/operator").text)
        version = page.split('hx-post="/operator/agents/alice"', 1)[1]
        version = version.split('name="version" value="', 1)[1].split('"', 1)[0]
        headers = {"X-CSRF-Token": root.cookies["accueil_csrf"], "HX-Request": "true"}
        data = {"site": "paris", "languages": "fr", "trainings": "alpha:7", "version": version}
        answer = root.post("/operator/agents/alice", data=data, headers=headers)
        shown = html.unescape(answer.text)
        assert answer.status_code == 422
        assert "7 est hors limites (1 à 3)" in shown, shown
        assert "out of range" not in shown
    finally:
        root.cookies.delete("accueil_lang")


def test_the_desk_says_the_streams_refusals_in_its_language(world: World) -> None:
    """desk.js asks /desk/said for an error the agents' stream sent in English."""
    sup = world.browser("sup")
    sup.cookies.set("accueil_lang", "fr")
    try:
        text = "the script is not finished: next question 'nom' (Qui est à l'appareil ?)"
        answer = sup.get("/desk/said", params={"text": text})
        assert answer.status_code == 200
        assert answer.text == (
            "le script n'est pas fini : question suivante 'nom' (Qui est à l'appareil ?)"
        )
        unknown = sup.get("/desk/said", params={"text": "something new"})
        assert unknown.text == "something new", "as it came"
    finally:
        sup.cookies.delete("accueil_lang")
    for user in ("claire", "alpha_admin"):
        assert world.browser(user).get("/desk/said", params={"text": "x"}).status_code == 404
