"""The operator admin's page changes things: a secretary's site, languages and trainings, an
account's tier and target, new ones of each; users and API tokens (shown once, revoked at
once); the audit log per account, page by page. For anyone else none of it exists (404)."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from web_world import World, form_version

from accueil.core.directory import Tier
from accueil.core.hours import WeeklyHours
from accueil.services.audit import AuditEntry, read_audit, record
from accueil.services.directory import get_account, list_agents

NOW_TOKEN = re.compile(r"<code>(acc_[^<]+)</code>")


def _post(browser: TestClient, url: str, data: dict[str, str]) -> tuple[int, str]:
    headers = {"X-CSRF-Token": browser.cookies["accueil_csrf"], "HX-Request": "true"}
    answer = browser.post(url, data=data, headers=headers)
    return answer.status_code, html.unescape(answer.text)


def test_a_secretarys_site_languages_and_trainings_are_changed(world: World) -> None:
    root = world.browser("root")
    version = form_version(root.get("/operator").text, 'id="agent-alice"')
    data = {"site": "paris", "languages": "fr, en", "trainings": "alpha:3, bravo:1"}
    status, shown = _post(root, "/operator/agents/alice", {**data, "version": version})
    assert status == 200 and "Alice is saved." in shown
    with world.runtime.unit() as session:
        alice = list_agents(session, "alice")[0]
    assert (alice.site, alice.languages) == ("paris", ("fr", "en"))
    assert {(t.account, t.level) for t in alice.trainings} == {("alpha", 3), ("bravo", 1)}
    stale = _post(root, "/operator/agents/alice", {**data, "site": "lyon", "version": version})
    assert stale[0] == 412, "a page from before that change"
    now = form_version(shown, 'id="agent-alice"')
    wrong = _post(root, "/operator/agents/alice", {**data, "trainings": "alpha:7", "version": now})
    assert wrong[0] == 422 and "out of range" in wrong[1], "the import's check, named"


def test_new_secretary_and_account_and_an_accounts_tier(world: World) -> None:
    root = world.browser("root")
    assert _post(root, "/operator/agents", {"name": "Bob Martin", "site": "home"})[0] == 200
    status, shown = _post(root, "/operator/accounts", {"name": "Charlie SA", "languages": "fr"})
    assert status == 200 and "Charlie SA is a new account." in shown and "Bob Martin" in shown
    version = form_version(shown, 'id="account-alpha"')
    data = {"answer_name": "Cabinet Alpha, bonjour", "tier": "premium", "target_seconds": "15"}
    status, _ = _post(
        root, "/operator/accounts/alpha", {**data, "languages": "fr", "version": version}
    )
    assert status == 200
    with world.runtime.unit() as session:
        alpha = get_account(session, "alpha")
        charlie = get_account(session, "charlie-sa")
    assert (alpha.tier, alpha.target_seconds) == (Tier.PREMIUM, 15)
    assert charlie.answer_name == "Charlie SA"


def test_a_token_is_shown_once_works_and_stops_when_revoked(world: World) -> None:
    root = world.browser("root")
    status, shown = _post(root, "/operator/users", {"name": "crm", "role": "supervisor"})
    assert status == 200 and "crm may sign in." in shown
    status, shown = _post(root, "/operator/users/crm/tokens", {"label": "CRM sync"})
    token = NOW_TOKEN.findall(shown)[0]
    assert "copy it now" in shown and token not in root.get("/operator").text, "shown once"
    api = TestClient(world.app)
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/accounts", headers=bearer).status_code == 200
    prefix = token.split("_")[1]
    status, shown = _post(root, f"/operator/tokens/{prefix}/revoke", {})
    assert status == 200 and f"The token {prefix} is revoked." in shown
    assert api.get("/api/v1/accounts", headers=bearer).status_code == 401


def test_the_audit_log_per_account_and_page_by_page(world: World) -> None:
    with world.runtime.unit() as session:
        for n in range(60):
            account = "alpha" if n % 2 else "bravo"
            entry = AuditEntry(world.clock.now(), account, "x", "supervisor", f"OP {n}", "/")
            record(session, entry)
    root = world.browser("root")
    first = html.unescape(root.get("/operator/audit", params={"account": "alpha"}).text)
    assert "OP 59" in first and "OP 58" not in first and "OP 1<" in first
    assert 'data-testid="older"' not in first, "30 rows: one page"
    every = root.get("/operator/audit").text
    assert every.count("<tr>") == 51 and "OP 10<" in every and "OP 9<" not in every
    older = every.split('data-testid="older"')[0].rsplit('href="', 1)[1].split('"')[0]
    rest = html.unescape(root.get(html.unescape(older)).text)
    assert "OP 9<" in rest and "OP 10<" not in rest


def test_only_the_operator_admin_has_these_pages(world: World) -> None:
    for user in ("sup", "alpha_admin", "claire"):
        browser = world.browser(user)
        assert browser.get("/operator").status_code == 404
        assert browser.get("/operator/audit").status_code == 404
        assert _post(browser, "/operator/users/sup/tokens", {"label": "x"})[0] == 404
        assert _post(browser, "/operator/users/sup/password", {"password": "x" * 12})[0] == 404
        assert _post(browser, "/operator/agents/alice", {"sip_uri": "sip:x@y.example"})[0] == 404
    with world.runtime.unit() as session:
        assert list_agents(session, "alice")[0].sip_uri == "", "nothing changed"


def test_a_secretarys_sip_address_is_set_checked_and_cleared(world: World) -> None:
    root = world.browser("root")
    version = form_version(root.get("/operator").text, 'id="agent-alice"')
    data = {"site": "lyon", "languages": "fr", "trainings": "alpha:2"}
    wrong = _post(root, "/operator/agents/alice", {**data, "sip_uri": "alice", "version": version})
    assert wrong[0] == 422 and "'alice' is not a SIP address" in wrong[1] and "sip_uri" in wrong[1]
    status, shown = _post(
        root,
        "/operator/agents/alice",
        {**data, "sip_uri": "sip:alice@pool.example", "version": version},
    )
    assert status == 200 and 'value="sip:alice@pool.example"' in shown
    with world.runtime.unit() as session:
        assert list_agents(session, "alice")[0].sip_uri == "sip:alice@pool.example"
    stale = _post(root, "/operator/agents/alice", {**data, "sip_uri": "", "version": version})
    assert stale[0] == 412
    now = form_version(shown, 'id="agent-alice"')
    assert _post(root, "/operator/agents/alice", {**data, "sip_uri": "", "version": now})[0] == 200
    with world.runtime.unit() as session:
        assert list_agents(session, "alice")[0].sip_uri == "", "empty: none"
        rows = read_audit(session, None, user="root")
    assert any(r.operation == "POST /operator/agents/{agent}" for r in rows), "audited"


def test_an_accounts_zone_country_hours_and_colour_are_changed_whole_or_not_at_all(
    world: World,
) -> None:
    root = world.browser("root")
    version = form_version(root.get("/operator").text, 'id="account-bravo"')
    data = {
        "answer_name": "Bravo Plumbing", "tier": "standard", "target_seconds": "20",
        "languages": "en", "timezone": "Europe/London", "country": "GB",
        "business_hours": "mon-fri 08:00-17:00; sat 09:00-12:00", "colour": "#aa3300",
    }  # fmt: skip
    wrong = _post(
        root, "/operator/accounts/bravo", {**data, "timezone": "Mars/Olympus", "version": version}
    )
    assert wrong[0] == 422 and "'Mars/Olympus' is not a time zone" in wrong[1]
    bad_hours = _post(
        root, "/operator/accounts/bravo", {**data, "business_hours": "9h-18h", "version": version}
    )
    assert bad_hours[0] == 422 and "bad hours" in bad_hours[1]
    with world.runtime.unit() as session:
        assert get_account(session, "bravo").colour != "#aa3300", "nothing written"
    status, shown = _post(root, "/operator/accounts/bravo", {**data, "version": version})
    assert status == 200 and "Bravo Plumbing is saved." in shown
    with world.runtime.unit() as session:
        bravo = get_account(session, "bravo")
    assert (bravo.timezone, bravo.country, bravo.colour) == ("Europe/London", "GB", "#aa3300")
    assert bravo.business_hours == WeeklyHours.parse("mon-fri 08:00-17:00; sat 09:00-12:00")
    assert 'value="mon-fri 08:00-17:00; sat 09:00-12:00"' in shown, "shown as written"
    assert (
        _post(root, "/operator/accounts/bravo", {**data, "colour": "#000000", "version": version})[
            0
        ]
        == 412
    )


def test_a_users_new_password_signs_them_out_elsewhere(world: World) -> None:
    root = world.browser("root")
    bob = world.browser("bravo_admin")
    assert bob.get("/accounts/bravo").status_code == 200
    version = form_version(root.get("/operator").text, 'id="user-bravo_admin"')
    short = _post(
        root, "/operator/users/bravo_admin/password", {"password": "short", "version": version}
    )
    assert short[0] == 422 and "a password is at least 10 characters" in short[1]
    assert bob.get("/accounts/bravo").status_code == 200, "nothing changed"
    stale = _post(
        root, "/operator/users/bravo_admin/password", {"password": "x" * 12, "version": "0"}
    )
    assert stale[0] == 412
    status, shown = _post(
        root,
        "/operator/users/bravo_admin/password",
        {"password": "a new long one", "version": version},
    )
    assert status == 200 and "bravo_admin has a new password." in shown
    assert bob.get("/accounts/bravo").status_code == 303, "signed out: to the sign-in page"
    again = TestClient(world.app, follow_redirects=False)
    answer = again.post("/sign-in", data={"name": "bravo_admin", "password": "a new long one"})
    assert answer.status_code == 303
    assert root.get("/operator").status_code == 200, "the admin's own session goes on"
    world.signed_in.pop("bravo_admin")


def test_an_accounts_subdivision_and_notes_are_changed_checked_and_audited(
    world: World,
) -> None:
    root = world.browser("root")
    page = root.get("/operator").text
    version = form_version(page, 'id="account-bravo"')
    assert 'name="subdivision"' in page and 'name="notes"' in page
    data = {
        "answer_name": "Bravo Plomberie", "tier": "standard", "target_seconds": "20",
        "languages": "fr", "timezone": "Europe/Paris", "country": "FR",
        "business_hours": "mon-fri 08:00-17:00", "colour": "#aa3300",
        "subdivision": "57", "notes": "Ne jamais donner le portable du patron.\nVouvoyer.",
    }  # fmt: skip
    wrong = _post(
        root, "/operator/accounts/bravo", {**data, "subdivision": "99", "version": version}
    )
    assert wrong[0] == 422 and "'99' is not a subdivision of FR" in wrong[1]
    assert "subdivision" in wrong[1]
    with world.runtime.unit() as session:
        assert get_account(session, "bravo").subdivision == "", "nothing written"
    status, shown = _post(root, "/operator/accounts/bravo", {**data, "version": version})
    assert status == 200 and " is saved." in shown
    with world.runtime.unit() as session:
        bravo = get_account(session, "bravo")
        rows = read_audit(session, "bravo", user="root")
    assert (bravo.subdivision, bravo.notes) == ("57", data["notes"])
    assert 'value="57"' in shown and "Vouvoyer.</textarea>" in shown
    assert any(r.operation == "POST /operator/accounts/{account}" for r in rows), "audited"
    stale = _post(root, "/operator/accounts/bravo", {**data, "notes": "", "version": version})
    assert stale[0] == 412
    with world.runtime.unit() as session:
        assert get_account(session, "bravo").notes == data["notes"], "nothing written"
    # emptied: no subdivision, no notes
    version = form_version(shown, 'id="account-bravo"')
    emptied = {**data, "subdivision": "", "notes": "", "version": version}
    assert _post(root, "/operator/accounts/bravo", emptied)[0] == 200
    with world.runtime.unit() as session:
        bravo = get_account(session, "bravo")
    assert (bravo.subdivision, bravo.notes) == ("", "")
    # for anyone but the operator admin the form does not exist
    for user in ("sup", "bravo_admin", "claire"):
        other = world.browser(user)
        answer = _post(other, "/operator/accounts/bravo", {**data, "version": version})
        assert answer[0] == 404, user
