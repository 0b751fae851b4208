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


def test_a_client_admin_previews_saves_and_brings_back_a_script(
    browser: Browser, site: str
) -> None:
    page = _signed_in(browser, site, "alpha_admin", DESKTOP)
    page.get_by_role("link", name="Règles et script").click()
    source = page.get_by_label("Le script (YAML)")
    source.fill(source.input_value().replace("secrétariat de", "bureau de"))
    page.get_by_label("Pour").select_option(label="Claire Fontaine")
    page.get_by_role("button", name="Aperçu").click()
    expect(page.get_by_test_id("script-preview")).to_contain_text(
        "Cabinet Alpha, bonjour, bureau de Claire Fontaine."
    )
    page.get_by_label("Ce qui change").fill("plus court")
    page.get_by_role("button", name="Enregistrer comme nouvelle version").click()
    expect(page.get_by_test_id("saved")).to_contain_text("La version 2 est enregistrée")
    expect(page.get_by_test_id("script-diff")).to_contain_text("bureau de")
    _both_widths(page, "admin-scripts-edited")
    page.get_by_role("button", name="Rétablir v1").click()
    expect(page.get_by_test_id("saved")).to_contain_text("La version 3 est enregistrée")
    expect(page.get_by_test_id("script-versions")).to_contain_text("rollback to version 1")
    page.context.close()


def test_a_client_admin_reads_the_usage_per_month_and_downloads_it(
    browser: Browser, site: str
) -> None:
    page = _signed_in(browser, site, "alpha_admin", DESKTOP)
    page.get_by_role("link", name="Consommation").click()
    expect(page.get_by_test_id("usage")).to_contain_text("Décembre 2026")
    expect(page.get_by_test_id("usage-total")).to_contain_text("Appels répondus")
    _both_widths(page, "admin-usage")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger (CSV)").click()
    assert download.value.suggested_filename == "usage-alpha-2026.csv"
    page.context.close()


def test_the_supervisor_sees_the_day_against_the_target(browser: Browser, site: str) -> None:
    page = _signed_in(browser, site, "sup", DESKTOP)
    chart = page.get_by_test_id("chart")
    expect(chart.get_by_role("img")).to_be_visible()
    expect(chart).to_contain_text("10h")
    chart.get_by_text("The figures per quarter of an hour").click()
    expect(page.get_by_test_id("chart-table")).to_contain_text("100 %")
    expect(page.get_by_test_id("chart-table")).to_contain_text("10:00–10:15")
    _both_widths(page, "board-chart")
    page.context.close()


def test_the_operator_admin_trains_a_secretary_and_makes_then_revokes_a_token(
    browser: Browser, site: str
) -> None:
    page = _signed_in(browser, site, "root", DESKTOP)
    page.goto("/operator")
    page.get_by_text("Change Alice").click()
    page.get_by_label("Languages (fr, en…)").first.fill("fr, en")
    page.locator("#trainings-alice").fill("alpha:3, bravo:1")
    page.locator("#trainings-alice").press("Enter")
    expect(page.get_by_test_id("done")).to_have_text("Alice is saved.")
    expect(page.get_by_test_id("agents")).to_contain_text("Bravo Plumbing (1)")
    page.get_by_text("Change Bravo Plumbing").click()
    page.locator("#zone-bravo").fill("Europe/Lodnon")
    page.locator("#zone-bravo").press("Enter")
    # said by the field, which is marked and focused (test_fields_browser.py)
    expect(page.locator("#zone-bravo")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#zone-bravo")).to_have_attribute("aria-describedby", "zone-bravo-refused")
    expect(page.locator("#zone-bravo-refused")).to_contain_text(
        "'Europe/Lodnon' is not a time zone"
    )
    expect(page.locator("#flash")).to_contain_text("Not saved: correct the marked field")
    _both_widths(page, "operator-account-refused")
    page.locator("#zone-bravo").fill("Europe/London")
    page.locator("#hours-bravo").fill("mon-fri 08:00-17:00")
    page.locator("#hours-bravo").press("Enter")
    expect(page.get_by_test_id("done")).to_have_text("Bravo Plumbing is saved.")
    page.get_by_text("Token, password… bravo_admin").click()
    page.locator("#label-bravo_admin").fill("Bravo CRM")
    page.get_by_role("button", name="Make a token").click()
    token = page.get_by_test_id("new-token")
    expect(token).to_contain_text("copy it now, it will not be shown again")
    _both_widths(page, "operator-token-once")
    prefix = token.locator("code").inner_text().split("_")[1]
    page.get_by_role("button", name=f"Revoke {prefix}").click()
    expect(page.get_by_test_id("done")).to_have_text(f"The token {prefix} is revoked.")
    expect(page.get_by_test_id("users")).to_contain_text("revoked")
    page.get_by_role("link", name="Audit log").first.click()
    page.get_by_label("Account", exact=True).select_option(label="The operator's own (users, pool)")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("audit")).to_contain_text("POST /operator/tokens/{prefix}/revoke")
    _both_widths(page, "operator-audit")
    page.context.close()


def test_another_accounts_admin_finds_none_of_the_admin_pages(browser: Browser, site: str) -> None:
    page = _signed_in(browser, site, "bravo_admin", DESKTOP)
    expect(page.get_by_test_id("people")).to_contain_text("Bruno Secret")
    for path in (
        "/accounts/alpha",
        "/accounts/alpha/scripts",
        "/accounts/alpha/usage",
        "/operator",
    ):
        answer = page.goto(path)
        assert answer is not None and answer.status == 404, path
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
        assert "Claire" not in page.content() and "Cabinet Alpha" not in page.content()
    page.context.close()
