# ruff: noqa: F811  (the fixtures imported from test_pages_browser are the tests' arguments)
"""The employee's own VIP list and rules in Debian's Chromium, on a phone: she keeps her list,
writes a rule for it, and the preview says what happens when Maman calls; a rule beyond the
policy his company set meanwhile is refused, said by the input it is about (marked, focused);
the client admin's policy form.
Screenshots at phone and desktop widths, each checked by axe-core (test_pages_browser._shot)."""

from __future__ import annotations

from playwright.sync_api import Browser, expect
from test_pages_browser import (  # noqa: F401  (fixtures: the browser, the served world)
    DESKTOP,
    PHONE,
    _both_widths,
    _signed_in,
    browser,
    need_chromium,
    site,
)


def test_an_employee_keeps_her_vip_list_and_rule_and_previews_a_call(
    browser: Browser, site: str
) -> None:
    page = _signed_in(browser, site, "claire", PHONE)
    expect(page.get_by_role("heading", name="Ma liste VIP")).to_be_visible()
    page.locator("#my-vip-contacts").fill("06 98 76 54 32 = Maman\n+44 20 7946 0958 = Top client")
    page.get_by_role("button", name="Enregistrer ma liste VIP").click()
    expect(page.locator("#my-vip .saved")).to_contain_text("version 1")
    expect(page.locator("#my-vip-contacts")).to_have_value(
        "+33698765432 = Maman\n+442079460958 = Top client\n"
    )
    rules = page.locator("#my-rules")
    rules.get_by_label("Nom").last.fill("Ma famille sur mon portable")
    rules.get_by_label("Quand").last.select_option(label="l'appelant est dans ma liste VIP")
    rules.get_by_label("Alors").last.select_option(label="transférer l'appel sur mon portable")
    rules.get_by_label("Sonnerie (secondes)").last.fill("25")
    page.get_by_role("button", name="Enregistrer mes règles").click()
    expect(page.locator("#my-rules .saved")).to_contain_text("version 1")
    expect(rules.locator("fieldset")).to_have_count(2)  # the rule, and a blank one to add
    page.locator("#preview-caller").fill("+33698765432")
    page.get_by_role("button", name="Voir").click()
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("Maman (+33698765432)")
    expect(preview).to_contain_text("Ma famille sur mon portable")
    expect(preview).to_contain_text("+33 6 12 34 56 78")  # her mobile rings
    rules.get_by_label("Quand").last.select_option(label="je suis en réunion ou occupé·e")
    rules.get_by_label("Alors").last.select_option(label="prendre un message")
    rules.get_by_label("Nom").last.fill("En réunion")
    rules.get_by_label("Nom").last.press("Enter")  # Enter saves (not "Move up")
    expect(page.locator("#my-rules .saved")).to_contain_text("version 2")
    page.get_by_role("button", name="Monter la règle 2").click()
    expect(rules.get_by_label("Nom").first).to_have_value("En réunion")
    page.get_by_role("button", name="Enregistrer mes règles").click()
    expect(page.locator("#my-rules .saved")).to_contain_text("version 3")
    expect(rules.get_by_label("Nom").first).to_have_value("En réunion")
    _both_widths(page, "employee-own-rules")
    page.context.close()


def test_the_policy_set_meanwhile_refuses_her_rule_and_says_why(
    browser: Browser, site: str
) -> None:
    bruno = _signed_in(browser, site, "bruno", PHONE)
    expect(bruno.get_by_role("heading", name="My rules")).to_be_visible()
    admin = _signed_in(browser, site, "bravo_admin", DESKTOP)
    admin.goto("/accounts/bravo/scripts")
    form = admin.get_by_test_id("policy-form")
    form.get_by_label("block callers").uncheck()
    form.get_by_label("Longest ringing of their phones, in seconds (empty: no limit)").fill("30")
    form.get_by_role("button", name="Save the policy").click()
    expect(admin.locator("#policy .saved")).to_contain_text("version 1")
    _both_widths(admin, "admin-employee-policy")
    admin.context.close()
    rules = bruno.locator("#my-rules")
    rules.get_by_label("Name").last.fill("No cold calls")
    rules.get_by_label("When").last.select_option(label="always")
    rules.get_by_label("Then").last.select_option(label="refuse the call (block)")
    bruno.get_by_role("button", name="Save my rules").click()
    then = bruno.locator("#rule-0-then")  # the input it is about: marked, said, focused
    expect(then).to_be_focused()
    expect(then).to_have_attribute("aria-invalid", "true")
    expect(then).to_have_accessible_description("your company does not let you block callers")
    expect(then).to_have_value("reject")
    expect(bruno.get_by_test_id("rules-refused")).to_contain_text(
        "Not saved: your company does not allow this."
    )
    expect(rules.get_by_label("Name").first).to_have_value("No cold calls")  # what he wrote
    _both_widths(bruno, "employee-rule-refused")
    bruno.reload()
    expect(bruno.get_by_test_id("policy-said")).to_contain_text("block callers — no")
    bruno.context.close()
