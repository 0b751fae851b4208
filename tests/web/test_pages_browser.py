"""The pages in a real browser: Debian's chromium driven by Playwright, against a live uvicorn
server on loopback. Few and fast: sign in, one tap, French and English, isolation. Screenshots
at phone and desktop widths go to var/screenshots/ (git-ignored) for a person to look at."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from live_server import serving
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import Engine
from web_world import PASSWORD, build_world

from accueil.api import create_app
from accueil.api.runtime import Runtime
from accueil.api.settings import ApiSettings

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
AXE = Axe()  # axe-core as the package ships it: nothing fetched
# a page's state may take more than Playwright's 5 s to show on a loaded CI machine (two
# cores, the suite's other worker beside): every browser test imports this module. Far above
# what it takes (an expect ends as soon as the state shows)
expect.set_options(timeout=30_000)


@pytest.fixture(autouse=True, scope="module")
def need_chromium() -> None:
    """Skip without Debian's chromium; fail on CI, where .ci/run installs it."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: scripts/install-chromium installs Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The two-tenant world served on loopback; cookies Secure as in production."""
    from accueil.store.db import make_engine, migrate

    engine: Engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('web') / 'accueil.db'}")
    migrate(engine)
    world = build_world(engine)
    settings = ApiSettings(login_attempts_per_minute=1000)  # cookie_secure: the default, True
    app = create_app(Runtime(engine, settings, clock=world.clock))
    with serving(app) as url:
        yield url
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


def _signed_in(browser: Browser, site: str, user: str, viewport: dict[str, int]) -> Page:
    page = browser.new_context(viewport=viewport, base_url=site).new_page()  # type: ignore[arg-type]
    page.goto("/")
    page.get_by_label("Nom d'utilisateur").or_(page.get_by_label("User name")).fill(user)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/sign-in'] button").click()
    return page


def _shot(page: Page, name: str) -> None:
    """The page as it looks (var/screenshots/), and checked by axe-core: no serious or critical
    accessibility violation (labels, contrast, roles, focusable names…)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    found = AXE.run(page).response["violations"]
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not bad, "\n".join(
        f"{name}: {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in bad
    )


def _both_widths(page: Page, name: str) -> None:
    """Screenshots (axe-checked) at desktop then phone width; the page is left at desktop."""
    page.set_viewport_size(DESKTOP)
    _shot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    _shot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def test_an_employee_signs_in_on_a_phone_and_sets_a_status_in_one_tap(
    browser: Browser, site: str
) -> None:
    page = _signed_in(browser, site, "claire", PHONE)
    expect(page).to_have_url(f"{site}/accounts/alpha/people/claire")
    status = page.get_by_test_id("status")
    expect(status).to_contain_text("Disponible")
    _shot(page, "employee-phone-fr")
    page.get_by_role("button", name="Sur la route").click()
    expect(status).to_contain_text("Sur la route")
    page.reload()
    expect(page.get_by_test_id("status")).to_contain_text("Sur la route")
    page.get_by_role("button", name="Disponible").click()
    expect(page.get_by_test_id("status")).to_contain_text("Disponible")


def test_the_same_page_in_english_after_the_switch(browser: Browser, site: str) -> None:
    page = _signed_in(browser, site, "claire", DESKTOP)
    expect(page.get_by_role("heading", name="En ce moment")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Right now")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Show me").click()
    expect(page.get_by_test_id("preview")).to_contain_text("Cabinet Alpha, bonjour")
    _shot(page, "employee-desktop-en")


def test_the_operator_admin_sees_the_pool_users_and_audit_log(browser: Browser, site: str) -> None:
    page = _signed_in(browser, site, "root", DESKTOP)
    page.get_by_role("link", name="Operator: secretaries").click()
    expect(page.get_by_test_id("agents")).to_contain_text("Alice")
    expect(page.get_by_role("link", name="Audit log", exact=True)).to_be_visible()
    _shot(page, "operator-desktop")
    page.set_viewport_size(PHONE)
    _shot(page, "operator-phone")
    page.context.close()


def test_another_accounts_employee_finds_nothing(browser: Browser, site: str) -> None:
    page = _signed_in(browser, site, "bruno", PHONE)
    expect(page.get_by_role("heading", name="Right now")).to_be_visible()
    answer = page.goto("/accounts/alpha/people/claire")
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    assert "Claire" not in page.content()


def test_a_client_admin_checks_an_import_and_sees_each_mistake_by_line(
    browser: Browser, site: str, tmp_path: Path
) -> None:
    page = _signed_in(browser, site, "alpha_admin", DESKTOP)
    _shot(page, "admin-people-desktop-fr")
    page.get_by_role("link", name="Import").click()
    people = tmp_path / "people.csv"
    people.write_text("account,key,first_name,last_name,group\nalpha,lea,Léa,Roux,compta\n")
    page.get_by_label("Fichiers").set_input_files(str(people))
    page.get_by_role("button", name="Envoyer").click()
    problems = page.get_by_test_id("import-problems")
    expect(problems).to_contain_text("compta")
    expect(problems.locator("tbody tr")).to_have_count(1)
    _shot(page, "admin-import-desktop-fr")


def test_the_desk_shows_the_answer_phrase_of_a_call(browser: Browser, site: str) -> None:
    page = _signed_in(browser, site, "sup", DESKTOP)
    expect(page.get_by_test_id("overall")).to_be_visible()
    _shot(page, "board-desktop")
    page.goto("/desk")
    _shot(page, "desk-staff-desktop")
    page.get_by_label("Dialled number").or_(page.get_by_label("Numéro composé")).fill("0140000001")
    page.locator("#caller").fill("+33611111111")
    page.locator("form[action='/desk/pop'] button").click()
    expect(page.get_by_test_id("answer")).to_have_text(
        "Cabinet Alpha, bonjour, secrétariat de Claire Fontaine."
    )
    _shot(page, "desk-desktop")


PAGES = {  # who: (path, name) of every page a person lands on, at both widths, checked by axe
    None: [("/sign-in", "sign-in")],
    "claire": [("/accounts/alpha/people/claire", "employee")],
    "alpha_admin": [
        ("/accounts/alpha", "admin-people"),
        ("/accounts/alpha/import", "admin-import"),
        ("/accounts/alpha/scripts", "admin-scripts"),
        ("/accounts/alpha/usage", "admin-usage"),
    ],
    "sup": [("/board", "board"), ("/desk", "desk-staff")],
    "root": [("/operator", "operator"), ("/operator/audit", "operator-audit")],
}


# one test per person (signed in once: a sign-in and its page cost more than a page's checks),
# so the two test processes share the pages
@pytest.mark.parametrize("user", list(PAGES), ids=lambda user: user or "signed-out")
def test_every_page_at_phone_and_desktop_widths_has_no_serious_accessibility_fault(
    browser: Browser, site: str, user: str | None
) -> None:
    if user is None:
        page = browser.new_context(viewport=DESKTOP, base_url=site).new_page()  # type: ignore[arg-type]
    else:
        page = _signed_in(browser, site, user, DESKTOP)
    for path, name in PAGES[user]:
        page.set_viewport_size(DESKTOP)
        page.goto(path)
        expect(page.locator("main")).to_be_visible()
        _shot(page, f"page-{name}-desktop")
        page.set_viewport_size(PHONE)
        _shot(page, f"page-{name}-phone")
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= PHONE["width"], f"{name}: {wide}px wide on a phone, it scrolls sideways"
    page.context.close()


def test_the_board_without_the_switchboard_says_so_calmly(browser: Browser, site: str) -> None:
    """This site runs no switchboard (a standby's case): the supervisor stream refuses the board,
    which says it does not update here rather than showing a connection lost."""
    page = _signed_in(browser, site, "sup", DESKTOP)
    page.goto("/board")
    expect(page.locator("#board")).to_have_attribute("data-link", "elsewhere")
    expect(page.get_by_test_id("elsewhere")).to_be_visible()
    expect(page.get_by_test_id("link")).to_be_hidden()
    page.context.close()
