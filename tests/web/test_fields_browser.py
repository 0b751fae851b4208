# ruff: noqa: F811  (the fixtures imported from test_pages_browser are the tests' arguments)
"""A form refused for a field, in Debian's Chromium: the reason is said by the field, which is
marked for assistive technology and has the focus, whatever field Enter was pressed in; what was
typed is still there; the page passes axe-core's checks (test_pages_browser._shot)."""

from __future__ import annotations

from playwright.sync_api import Browser, expect
from test_pages_browser import (  # noqa: F401  (fixtures: the browser, the served world)
    DESKTOP,
    _both_widths,
    _signed_in,
    browser,
    need_chromium,
    site,
)


def test_the_focus_lands_on_the_refused_field_with_its_reason_beside_it(
    browser: Browser, site: str
) -> None:
    page = _signed_in(browser, site, "alpha_admin", DESKTOP)
    page.goto("/accounts/alpha")
    arrive = page.get_by_test_id("arrive")
    arrive.get_by_label("Prénom").fill("Léa")
    arrive.get_by_label("Nom", exact=True).fill("Roux")
    arrive.get_by_label("Portable").fill("12")
    arrive.get_by_label("Prénom").press("Enter")  # sent from another field than the wrong one
    mobile = page.locator("#mobile")
    expect(mobile).to_be_focused()
    expect(mobile).to_have_attribute("aria-invalid", "true")
    expect(mobile).to_have_attribute("aria-describedby", "mobile-refused")
    expect(page.locator("#mobile-refused")).to_contain_text("'12' n'est pas un numéro valable")
    expect(mobile).to_have_accessible_description(
        "'12' n'est pas un numéro valable en FR (vérifiez les chiffres, ou écrivez-le au format "
        "international +CC…)"
    )
    expect(page.locator("#flash")).to_contain_text("Rien n'est enregistré")
    expect(arrive.get_by_label("Prénom")).to_have_value("Léa")
    expect(arrive.get_by_label("Nom", exact=True)).to_have_value("Roux")
    expect(page.get_by_test_id("people")).not_to_contain_text("Léa Roux")
    _both_widths(page, "field-refused")
    mobile.fill("06 22 33 44 55")
    mobile.press("Enter")
    expect(page.locator("#flash")).to_contain_text("Léa Roux arrivé·e.")
    expect(page.locator("#mobile")).not_to_have_attribute("aria-invalid", "true")
    page.context.close()
