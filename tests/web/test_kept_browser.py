"""Taking a caller list and an on-call rota down from the account page, in Debian's Chromium:
asked first, then read under "Taken down" with its versions' history, and put back from there,
asked first too; a rota a rule uses is refused, said in French on the page. Screenshots at
desktop and phone widths, axe-checked (one path through the page: about 15 s, most of it axe's
four runs; putting back: about 5 s, two more runs)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from live_server import serving
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine
from test_pages_browser import (  # noqa: F401  (fixtures: the browser)
    DESKTOP,
    _both_widths,
    _signed_in,
    browser,
    need_chromium,
)
from web_world import NOW, build_world

from accueil.api import create_app
from accueil.api.runtime import Runtime
from accueil.api.settings import ApiSettings
from accueil.services.caller_lists import remove_caller_list
from accueil.services.rotas import remove_rota, set_rota
from accueil.services.rules import save_rules
from accueil.store.db import session_factory, transaction

NIGHT = {"key": "nuit", "name": "Nuits", "shifts": [{"contacts": ["06 11 22 33 44"]}]}
WEEKEND = {"key": "weekend", "name": "Week-end", "shifts": [{"contacts": ["06 55 66 77 88"]}]}
ON_CALL = {
    "account": "alpha",
    "rules": [{"name": "la nuit", "then": {"type": "on_call", "rota": "nuit"}}],
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    """The two-tenant world with two rotas of alpha's, one of them named by a rule."""
    from accueil.store.db import make_engine, migrate

    engine: Engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('kept') / 'accueil.db'}")
    migrate(engine)
    world = build_world(engine)
    with transaction(session_factory(engine)) as session:
        set_rota(session, "alpha", {**NIGHT, "name": "Nuit"}, now=NOW, saved_by="lea")
        set_rota(session, "alpha", NIGHT, now=NOW, saved_by="max")
        set_rota(session, "alpha", WEEKEND, now=NOW, saved_by="lea")
        save_rules(session, "alpha", ON_CALL, now=NOW)
    settings = ApiSettings(login_attempts_per_minute=1000)
    app = create_app(Runtime(engine, settings, clock=world.clock))
    with serving(app) as url:
        yield url, engine
    engine.dispose()


@pytest.fixture(scope="module")
def site(served: tuple[str, Engine]) -> str:
    return served[0]


def test_a_list_and_a_rota_are_taken_down_after_asking_and_kept(
    browser: Browser,  # noqa: F811
    site: str,
) -> None:
    page = _signed_in(browser, site, "alpha_admin", DESKTOP)
    night = page.get_by_test_id("rota-nuit")
    night.get_by_text("Historique des versions (2)").click()
    expect(night.get_by_test_id("history-rota-nuit")).to_contain_text("par lea")
    night.get_by_role("button", name="Retirer Nuits").click()
    expect(night).to_contain_text("Retirer l'astreinte Nuits ?")
    night.get_by_role("button", name="Oui, la retirer").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(
        "l'astreinte 'nuit' est encore nommée (le compte, règle 'la nuit'"
    )
    expect(page.get_by_test_id("removed")).to_contain_text("Rien n'a été retiré.")
    weekend = page.get_by_test_id("rota-weekend")
    weekend.get_by_role("button", name="Retirer Week-end").click()
    weekend.get_by_role("button", name="Oui, la retirer").click()
    removed = page.get_by_test_id("removed")
    expect(removed).to_contain_text("Astreinte Week-end")
    expect(removed).to_contain_text("Retiré le")
    expect(page.get_by_test_id("rota-weekend")).to_have_count(0)
    page.get_by_role("button", name="Retirer VIP").click()
    expect(page.get_by_test_id("remove-asked")).to_contain_text(
        "Retirer la liste d'appelants VIP ?"
    )
    _both_widths(page, "kept-asked")
    page.get_by_role("button", name="Oui, la retirer").click()
    expect(removed).to_contain_text("Liste d'appelants VIP")
    expect(removed).to_contain_text("Maître Secretvip")
    _both_widths(page, "kept-removed")
    page.context.close()


def test_a_list_and_a_rota_taken_down_are_put_back_after_asking(
    browser: Browser,  # noqa: F811
    served: tuple[str, Engine],
) -> None:
    url, engine = served
    with transaction(session_factory(engine)) as session:  # taken down (again: no change)
        remove_rota(session, "alpha", "weekend", by="lea", now=NOW)
        remove_caller_list(session, "alpha", "vip", by="lea", now=NOW)
    page = _signed_in(browser, url, "alpha_admin", DESKTOP)
    removed = page.get_by_test_id("removed")
    removed.get_by_role("button", name="La remettre Week-end").click()
    expect(page.get_by_test_id("restore-asked")).to_contain_text("Remettre l'astreinte Week-end ?")
    _both_widths(page, "kept-restore-asked")
    page.get_by_role("button", name="Oui, la remettre").click()
    expect(page.get_by_test_id("rota-weekend")).to_be_visible()
    expect(removed).not_to_contain_text("Astreinte Week-end")
    removed.get_by_role("button", name="La remettre VIP").click()
    expect(page.get_by_test_id("restore-asked")).to_contain_text(
        "Remettre la liste d'appelants VIP ?"
    )
    page.get_by_role("button", name="Oui, la remettre").click()
    expect(removed).not_to_contain_text("Liste d'appelants VIP")
    expect(page.get_by_test_id("rota-weekend")).to_contain_text("Week-end")
    page.context.close()
