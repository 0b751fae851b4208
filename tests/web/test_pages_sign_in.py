"""Signing in on the pages, the front page per role, the language, and what every page carries."""

from __future__ import annotations

from web_world import PASSWORD, World


def test_signing_in_leads_each_role_to_its_page(world: World) -> None:
    homes = {
        "claire": "/accounts/alpha/people/claire",
        "alpha_admin": "/accounts/alpha",
        "sup": "/board",
        "root": "/board",
    }
    for user, home in homes.items():
        answer = world.browser(user).get("/")
        assert (answer.status_code, answer.headers["location"]) == (303, home), user


def test_a_wrong_password_says_so_on_the_form_and_signs_nobody_in(world: World) -> None:
    browser = world.browser()
    answer = browser.post("/sign-in", data={"name": "claire", "password": "not it at all"})
    assert answer.status_code == 401
    assert "Wrong user name or password." in answer.text
    assert "accueil_session" not in browser.cookies
    assert browser.get("/").headers["location"] == "/sign-in?next=/"


def test_a_page_without_a_session_sends_the_browser_to_sign_in_and_back(world: World) -> None:
    browser = world.browser()
    page = "/accounts/alpha/people/claire"
    answer = browser.get(page)
    assert (answer.status_code, answer.headers["location"]) == (303, f"/sign-in?next={page}")
    back = browser.post("/sign-in", data={"name": "claire", "password": PASSWORD, "next": page})
    assert back.headers["location"] == page
    elsewhere = browser.post(
        "/sign-in", data={"name": "claire", "password": PASSWORD, "next": "//evil.example/"}
    )
    assert elsewhere.headers["location"] == "/", "never sent to another site"


def test_the_pages_session_is_the_apis_session(world: World) -> None:
    browser = world.browser("claire")
    assert browser.get("/api/v1/me").json()["name"] == "claire"


def test_signing_out_ends_the_session(world: World) -> None:
    browser = world.browser("claire")
    csrf = browser.cookies["accueil_csrf"]
    assert browser.post("/sign-out", data={"csrf_token": csrf}).status_code == 303
    assert browser.get("/").status_code == 303
    assert browser.get("/api/v1/me").status_code == 401


def test_french_for_the_french_account_english_for_the_other_and_a_switch(world: World) -> None:
    claire = world.browser("claire")
    assert "En ce moment" in claire.get("/accounts/alpha/people/claire").text
    bruno = world.browser("bruno")
    page = bruno.get("/accounts/bravo/people/bruno")
    assert "Right now" in page.text and '<html lang="en">' in page.text
    switched = bruno.post("/language", data={"lang": "fr", "next": "/accounts/bravo/people/bruno"})
    assert switched.headers["location"] == "/accounts/bravo/people/bruno"
    assert "En ce moment" in bruno.get("/accounts/bravo/people/bruno").text


def test_the_sign_in_page_follows_the_browsers_language(world: World) -> None:
    browser = world.browser()
    assert "Se connecter" in browser.get("/sign-in", headers={"Accept-Language": "fr-FR"}).text
    assert "Sign in" in browser.get("/sign-in", headers={"Accept-Language": "de, en;q=0.5"}).text


def test_pages_ship_htmx_and_forbid_inline_scripts(world: World) -> None:
    browser = world.browser()
    page = browser.get("/sign-in")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    htmx = browser.get("/static/htmx.min.js")
    assert htmx.status_code == 200 and htmx.text.startswith("var htmx=")
    assert "Zero-Clause BSD" in browser.get("/static/htmx.LICENSE.txt").text
