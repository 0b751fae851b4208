# ruff: noqa: F811  (the fixtures imported from test_pages_browser are the tests' arguments)
"""The client admin's and the operator admin's pages that change things, in Debian's Chromium:
the main path of each, a change from a page left open while someone else changed the same
thing (refused, said on the page), another account's admin finding nothing. Screenshots at
desktop and phone widths, each checked by axe-core (test_pages_browser._shot)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect
from test_pages_browser import (  # noqa: F401  (fixtures: the browser, the served world)
    DESKTOP,
    PHONE,
    _both_widths,
    _shot,
    _signed_in,
    browser,
    need_chromium,
    site,
)


def test_a_client_admin_adds_moves_and_archives_people_with_the_keyboard(
    browser: Browser, site: str
) -> None:
    page = _signed_in(browser, site, "alpha_admin", DESKTOP)
    people = page.get_by_test_id("people")
    page.get_by_label("Nouvelle équipe").fill("Contentieux")
    page.keyboard.press("Enter")
    expect(page.locator("#flash")).to_contain_text("L'équipe Contentieux est ajoutée.")
    page.get_by_label("Prénom").fill("Léa")
    page.get_by_label("Nom", exact=True).fill("Roux")
    page.get_by_label("Fonction").fill("Avocate")
    page.locator("#arrive-team").select_option(label="Contentieux")
    page.get_by_label("Portable").fill("06 22 33 44 55")
    page.get_by_label("Portable").press("Enter")
    expect(page.locator("#flash")).to_contain_text("Léa Roux arrivé·e.")
    expect(people).to_contain_text("Léa Roux")
    team = page.get_by_label("Équipe de Paul Durand")
    team.focus()
    team.select_option(label="Contentieux")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#flash")).to_contain_text("Paul Durand a changé d'équipe.")
    page.get_by_role("button", name="Part Paul Durand").press("Enter")
    expect(page.get_by_test_id("left")).to_contain_text("Paul Durand")
    expect(people).not_to_contain_text("Paul Durand")
    _both_widths(page, "admin-people-edited")
    page.get_by_role("button", name="Revient Paul Durand").click()
    expect(people).to_contain_text("Paul Durand")
    page.context.close()


def test_a_change_from_a_page_left_open_is_refused_and_said(browser: Browser, site: str) -> None:
    first = _signed_in(browser, site, "alpha_admin", DESKTOP)
    second = _signed_in(browser, site, "alpha_admin", PHONE)
    for page, entry in ((first, "06 11 11 11 11 = Me Blanc"), (second, "06 22 22 22 22 = Me Noir")):
        page.get_by_test_id("list-vip").fill(entry)
        page.get_by_role("button", name="Enregistrer la liste").click()
    expect(first.get_by_test_id("list-vip")).to_have_value(re.compile("Me Blanc"))
    alert = second.get_by_role("alert")
    expect(alert).to_contain_text("Quelqu'un a changé ceci depuis que vous avez ouvert la page")
    _shot(second, "admin-stale-edit-phone")
    second.reload()
    expect(second.get_by_test_id("list-vip")).to_have_value(re.compile("Me Blanc"))
    first.context.close()
    second.context.close()


def test_another_accounts_admin_finds_none_of_the_admin_pages(browser: Browser, site: str) -> None:
    page = _signed_in(browser, site, "bravo_admin", DESKTOP)
    expect(page.get_by_test_id("people")).to_contain_text("Bruno Secret")
    for path in ("/accounts/alpha", "/accounts/alpha/scripts", "/accounts/alpha/import"):
        answer = page.goto(path)
        assert answer is not None and answer.status == 404, path
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
        assert "Claire" not in page.content() and "Cabinet Alpha" not in page.content()
    page.context.close()
