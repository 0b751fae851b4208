"""What the account page keeps: caller lists and rotas with their versions; taking one down is
asked first, then kept and read under "Taken down" (teams too); refused, said in French, while
a rule in force names it; a page left open is refused; another account's admin finds nothing."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from web_world import NOW, World, form_version

from accueil.services import caller_lists as lists
from accueil.services import rotas
from accueil.services.caller_lists import get_caller_list, remove_caller_list
from accueil.services.groups import remove_group
from accueil.services.onboarding import load_directory
from accueil.services.rotas import get_rota, remove_rota, rota_record, set_rota
from accueil.services.rules import save_rules
from statements import sent

ACCOUNT = "/accounts/alpha"
NIGHT = {"key": "nuit", "name": "Nuits", "shifts": [{"contacts": ["06 11 22 33 44"]}]}
ON_CALL = {
    "account": "alpha",
    "rules": [{"name": "la nuit", "then": {"type": "on_call", "rota": "nuit"}}],
}

TEAM = {
    "groups": [{"account": "alpha", "key": "associes", "name": "Associés"}],
    "people": [{"account": "alpha", "key": "claire", "group": "associes"}],
}


def _post(browser: TestClient, path: str, data: dict[str, str]) -> tuple[int, str]:
    headers = {"X-CSRF-Token": browser.cookies["accueil_csrf"], "HX-Request": "true"}
    answer = browser.post(path, data=data, headers=headers)
    return answer.status_code, html.unescape(answer.text)


def _with_rota(world: World) -> None:
    with world.runtime.unit() as session:
        set_rota(session, "alpha", {**NIGHT, "name": "Nuit"}, now=NOW, saved_by="lea")
        set_rota(session, "alpha", NIGHT, now=NOW, saved_by="max")


def test_lists_and_rotas_show_their_versions_and_are_taken_down_after_asking(
    world: World,
) -> None:
    _with_rota(world)
    admin = world.browser("alpha_admin")
    page = html.unescape(admin.get(ACCOUNT).text)
    assert "Historique des versions (2)" in page and "Historique des versions (1)" in page
    assert "Version 1, enregistrée" in page and "par lea" in page and "par max" in page
    version = form_version(page, 'data-testid="rota-nuit"')
    status, asked = _post(admin, ACCOUNT + "/rotas/nuit/remove", {"version": version})
    assert status == 200 and "Retirer l'astreinte Nuits ?" in asked
    assert 'data-testid="rota-nuit"' in admin.get(ACCOUNT).text  # asking changes nothing
    answer = admin.post(
        ACCOUNT + "/rotas/nuit/remove",
        data={"version": version, "confirm": "yes"},
        headers={"X-CSRF-Token": admin.cookies["accueil_csrf"], "HX-Request": "true"},
    )
    assert answer.status_code == 204 and answer.headers["HX-Refresh"] == "true"
    version = form_version(page, 'id="list-vip"')
    _post(admin, ACCOUNT + "/caller-lists/vip/remove", {"version": version, "confirm": "yes"})
    with world.runtime.unit() as session:
        load_directory(session, TEAM, source="test", now=NOW)
        remove_group(session, "alpha", "associes", by="lea", now=NOW)
    page = html.unescape(admin.get(ACCOUNT).text)
    removed = page.split('data-testid="removed"', 1)[1]
    assert "Astreinte Nuits" in removed and "+33 6 11 22 33 44" in removed
    assert "Liste d'appelants VIP" in removed and "Maître Secretvip" in removed
    assert "Équipe Associés" in removed and "claire" in removed
    assert "Retiré le" in removed and "par alpha_admin" in removed and "par lea" in removed
    assert 'data-testid="rota-nuit"' not in page


def test_a_rota_a_rule_uses_is_refused_in_french_and_a_stale_page_too(world: World) -> None:
    _with_rota(world)
    with world.runtime.unit() as session:
        save_rules(session, "alpha", ON_CALL, now=NOW)
    admin = world.browser("alpha_admin")
    version = form_version(html.unescape(admin.get(ACCOUNT).text), 'data-testid="rota-nuit"')
    status, said = _post(
        admin, ACCOUNT + "/rotas/nuit/remove", {"version": version, "confirm": "yes"}
    )
    assert status == 409
    assert "l'astreinte 'nuit' est encore nommée (le compte, règle 'la nuit'" in said
    status, said = _post(
        admin, ACCOUNT + "/rotas/nuit/remove", {"version": "old", "confirm": "yes"}
    )
    assert status == 412 and "Quelqu'un a changé ceci" in said
    assert 'data-testid="rota-nuit"' in admin.get(ACCOUNT).text


def test_another_accounts_admin_removes_nothing(world: World) -> None:
    _with_rota(world)
    version = form_version(
        world.browser("alpha_admin").get(ACCOUNT).text, 'data-testid="rota-nuit"'
    )
    bravo = world.browser("bravo_admin")
    for path in (ACCOUNT + "/rotas/nuit/remove", ACCOUNT + "/caller-lists/vip/remove"):
        status, _ = _post(bravo, path, {"version": version, "confirm": "yes"})
        assert status == 404, path
    page = world.browser("alpha_admin").get(ACCOUNT).text
    assert 'data-testid="rota-nuit"' in page and "Maître Secretvip" in page.split("removed")[0]


def test_a_team_is_taken_down_after_asking_and_put_back_with_its_people(world: World) -> None:
    with world.runtime.unit() as session:
        load_directory(session, TEAM, source="test", now=NOW)
    admin = world.browser("alpha_admin")
    page = html.unescape(admin.get(ACCOUNT).text)
    version = form_version(page, 'data-testid="teams"')
    status, asked = _post(admin, ACCOUNT + "/groups/associes/remove", {"version": version})
    assert status == 200 and "Retirer l'équipe Associés ?" in asked
    _post(admin, ACCOUNT + "/groups/associes/remove", {"version": version, "confirm": "yes"})
    page = html.unescape(admin.get(ACCOUNT).text)
    removed = page.split('data-testid="removed"', 1)[1]
    assert "Équipe Associés" in removed and "Ses membres alors : claire" in removed
    assert "Associés" not in page.split('data-testid="teams"', 1)[1].split("</ul>", 1)[0]
    status, _ = _post(admin, ACCOUNT + "/groups/associes/restore", {"version": "old"})
    assert status == 412
    back = form_version(removed, "/groups/associes/restore")
    _post(admin, ACCOUNT + "/groups/associes/restore", {"version": back})
    page = html.unescape(admin.get(ACCOUNT).text)
    assert "Associés" in page.split('data-testid="teams"', 1)[1].split("</ul>", 1)[0]
    assert "Rien n'a été retiré." in page


def test_a_list_and_a_rota_taken_down_are_put_back_after_asking_as_their_next_version(
    world: World,
) -> None:
    _with_rota(world)
    with world.runtime.unit() as session:
        remove_rota(session, "alpha", "nuit", by="lea", now=NOW)
        remove_caller_list(session, "alpha", "vip", by="lea", now=NOW)
    admin = world.browser("alpha_admin")
    removed = html.unescape(admin.get(ACCOUNT).text).split('data-testid="removed"', 1)[1]
    rota = form_version(removed, "/rotas/nuit/restore")
    status, _ = _post(admin, ACCOUNT + "/rotas/nuit/restore", {"version": "old", "confirm": "yes"})
    assert status == 412
    status, asked = _post(admin, ACCOUNT + "/rotas/nuit/restore", {"version": rota})
    assert status == 200 and "Remettre l'astreinte Nuits ?" in asked
    assert 'data-testid="rota-nuit"' not in admin.get(ACCOUNT).text  # asking changes nothing
    _post(admin, ACCOUNT + "/rotas/nuit/restore", {"version": rota, "confirm": "yes"})
    listed = form_version(removed, "/caller-lists/vip/restore")
    status, asked = _post(admin, ACCOUNT + "/caller-lists/vip/restore", {"version": listed})
    assert "Remettre la liste d'appelants VIP ?" in asked
    _post(admin, ACCOUNT + "/caller-lists/vip/restore", {"version": listed, "confirm": "yes"})
    page = html.unescape(admin.get(ACCOUNT).text)
    assert 'data-testid="rota-nuit"' in page and "Rien n'a été retiré." in page
    with world.runtime.unit() as session:
        assert get_rota(session, "alpha", "nuit").name == "Nuits"  # in use, as it was
        again = rota_record(session, "alpha", "nuit")
        assert (again.version, again.saved_by) == (3, "alpha_admin")
        back = get_caller_list(session, "alpha", "vip")
    assert back.removed_at is None and back.saved_by == "alpha_admin" and back.entries


def test_another_accounts_admin_puts_nothing_back(world: World) -> None:
    _with_rota(world)
    with world.runtime.unit() as session:
        remove_rota(session, "alpha", "nuit", by="lea", now=NOW)
    bravo = world.browser("bravo_admin")
    for path in (ACCOUNT + "/rotas/nuit/restore", ACCOUNT + "/caller-lists/vip/restore"):
        status, _ = _post(bravo, path, {"version": "", "confirm": "yes"})
        assert status == 404, path
    with world.runtime.unit() as session:
        assert rota_record(session, "alpha", "nuit").removed_at is not None


def _lists_and_rotas(world: World, numbers: range) -> None:
    """A caller list and a rota for each of ``numbers``, each saved twice (two versions)."""
    with world.runtime.unit() as session:
        for i in numbers:
            for by in ("lea", "max"):
                entries = [f"+336100000{i:02}"]
                lists.save_caller_list(
                    session,
                    "alpha",
                    f"liste{i:02}",
                    entries,
                    now=NOW,
                    name=f"Liste {i}",
                    saved_by=by,
                )
                rota = {**NIGHT, "key": f"astreinte{i:02}", "name": f"Astreinte {i}"}
                set_rota(session, "alpha", rota, now=NOW, saved_by=by)


def test_the_account_page_reads_the_versions_of_20_lists_and_rotas_in_the_statements_of_2(
    both: World,
) -> None:
    world = both  # on SQLite and PostgreSQL
    admin = world.browser("alpha_admin")
    _lists_and_rotas(world, range(2))
    admin.get(ACCOUNT)  # what a first page reads once (the session's caches)
    with sent(world.runtime.engine) as few:
        assert admin.get(ACCOUNT).status_code == 200
    _lists_and_rotas(world, range(2, 20))
    with sent(world.runtime.engine) as many:
        shown = html.unescape(admin.get(ACCOUNT).text)
    for kept in ('data-testid="history-liste19"', 'data-testid="history-rota-astreinte19"'):
        assert "Historique des versions (2)" in shown.split(kept, 1)[1].split("</summary>")[0]
    assert len(many) == len(few)  # before: three more statements for each list and each rota
    with world.runtime.unit() as session:  # what is read at once is what each one's reading says
        in_use = lists.caller_lists(session, "alpha")
        each = {key: lists.caller_list_versions(session, "alpha", key) for key in in_use}
        assert lists.caller_lists_versions(session, "alpha") == each
        keys = sorted(rotas.account_rotas(session, "alpha"))
        each_rota = [rotas.rota_versions(session, "alpha", key) for key in keys]
        assert rotas.rotas_versions(session, "alpha") == each_rota and len(each_rota) == 20
