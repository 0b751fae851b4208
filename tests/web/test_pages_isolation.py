"""Every page, tried by the users of another account: nothing of alpha shows, the answer is 404
(the same as for an account that never existed). A page with no case here fails the test, so a
new page cannot skip the check."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from web_world import SCRIPT, SECRET_VIP, World

from accueil.web.render import PageRoute

# path -> (method, form data) for the pages that show or change an account's data
CASES: dict[str, tuple[str, dict[str, str]]] = {
    "/accounts/{account}/people/{person}": ("GET", {}),
    "/accounts/{account}/people/{person}/status": ("POST", {"choice": "road"}),
    "/accounts/{account}/people/{person}/preview": ("GET", {}),
    "/accounts/{account}/people/{person}/greeting": (
        "POST",
        {"lang": "fr", "situation": "office_hours", "text": "Hello"},
    ),
    "/accounts/{account}/people/{person}/greeting/remove": (
        "POST",
        {"lang": "en", "situation": "office_hours", "confirm": "yes"},
    ),
    "/accounts/{account}/people/{person}/vip": ("POST", {"contacts": "0612345678", "version": "0"}),
    "/accounts/{account}/people/{person}/rules": (
        "POST",
        {
            "kind": "form",
            "name": "x",
            "when": "always",
            "then": "message",
            "seconds": "20",
            "fallback": "message",
            "version": "0",
        },
    ),
    "/accounts/{account}/employee-policy": ("POST", {"treatments": "message", "version": "0"}),
    "/accounts/{account}": ("GET", {}),
    "/accounts/{account}/import": ("GET", {}),
    "/accounts/{account}/scripts": ("GET", {}),
    "/accounts/{account}/people/{person}/messages/{uid}/read": ("POST", {}),
    "/accounts/{account}/people/{person}/messages/{uid}/acknowledge": ("POST", {}),
    "/accounts/{account}/caller-lists/{key}": ("POST", {"entries": "+33600000000"}),
    "/accounts/{account}/caller-lists/{key}/remove": ("POST", {"version": "", "confirm": "yes"}),
    "/accounts/{account}/rotas/{key}/remove": ("POST", {"version": "", "confirm": "yes"}),
    "/accounts/{account}/groups/{group}/remove": ("POST", {"version": "", "confirm": "yes"}),
    "/accounts/{account}/groups/{group}/restore": ("POST", {"version": ""}),
    "/accounts/{account}/caller-lists/{key}/restore": ("POST", {"version": "", "confirm": "yes"}),
    "/accounts/{account}/rotas/{key}/restore": ("POST", {"version": "", "confirm": "yes"}),
    "/accounts/{account}/people": ("POST", {"first_name": "Spy"}),
    "/accounts/{account}/people/{person}/leave": ("POST", {}),
    "/accounts/{account}/people/{person}/return": ("POST", {}),
    "/accounts/{account}/people/{person}/team": ("POST", {"group": ""}),
    "/accounts/{account}/groups": ("POST", {"name": "Spies"}),
    "/accounts/{account}/numbers": ("POST", {"number": "01 40 00 00 09"}),
    "/accounts/{account}/numbers/{e164}/release": ("POST", {}),
    "/accounts/{account}/scripts/preview": ("POST", {"source": SCRIPT, "person": "claire"}),
    "/accounts/{account}/scripts/rollback": ("POST", {"to_version": "1"}),
    "/accounts/{account}/usage": ("GET", {}),
    "/accounts/{account}/usage.csv": ("GET", {}),
    "/board": ("GET", {}),
    "/board/now": ("GET", {}),
    "/board/chart": ("GET", {}),
    "/board/figures": ("GET", {}),
    "/board/dead/{account}/{delivery}/retry": ("POST", {}),
    "/operator": ("GET", {}),
    "/operator/audit": ("GET", {"account": "alpha"}),
    "/operator/agents": ("POST", {"name": "Spy"}),
    "/operator/agents/{agent}": ("POST", {"site": "x", "languages": "fr"}),
    "/operator/accounts": ("POST", {"name": "Spy"}),
    "/operator/accounts/{account}": ("POST", {"answer_name": "x"}),
    "/operator/users": ("POST", {"name": "spy", "role": "operator_admin"}),
    "/operator/users/{name}/deactivate": ("POST", {}),
    "/operator/users/{name}/tokens": ("POST", {}),
    "/operator/users/{name}/password": ("POST", {"password": "x" * 12}),
    "/operator/tokens/{prefix}/revoke": ("POST", {}),
    "/desk": ("GET", {}),
    "/desk/said": ("GET", {"words": '{"template": "x", "values": {}}'}),
    "/desk/pop": ("GET", {"to": "01 40 00 00 01", "caller": "+33611111111"}),
    "/desk/calls/{call}/script": ("POST", {"a.nom": "X"}),
    "/desk/search": ("GET", {"q": "Claire"}),
}
# the same path as a page of CASES, another method
SAME_PATH = [("/accounts/{account}/scripts", ("POST", {"source": SCRIPT}))]
UPLOAD = "/accounts/{account}/import"  # POST, multipart: tried on its own below
# pages that show no tenant's data, or only the viewer's own
OPEN = {"/", "/sign-in", "/sign-out", "/language"}
ALPHA = {"account": "alpha", "person": "claire"}
LEAKS = ("Claire", "Fontaine", "Cabinet Alpha", SECRET_VIP, "+33140000001", "Dubois")


def _page_routes(routes: list[Any]) -> list[APIRoute]:
    """The pages' routes, through the included routers (FastAPI keeps those as they were)."""
    found = []
    for route in routes:
        if isinstance(route, PageRoute):
            found.append(route)
        inner = getattr(getattr(route, "original_router", None), "routes", None)
        found += _page_routes(inner or [])
    return found


def test_every_page_has_an_isolation_case(world: World) -> None:
    paths = {r.path for r in _page_routes(world.app.routes)}
    assert {"/sign-in", "/accounts/{account}", "/board"} <= paths, "the pages are found"
    assert paths - OPEN - set(CASES) - {UPLOAD} == set(), "add the new pages to CASES"


@pytest.mark.parametrize("user", ["bruno", "bravo_admin"])
def test_another_accounts_user_gets_404_and_sees_nothing(world: World, user: str) -> None:
    browser = world.browser(user)
    headers = {"X-CSRF-Token": browser.cookies["accueil_csrf"]}
    for path, (method, data) in [*CASES.items(), *SAME_PATH]:
        url = path.format(
            **ALPHA,
            uid=world.message,
            key="vip",
            group="associes",
            call="call-1",
            delivery=1,
            e164="+33140000000",
            agent="alice",
            name="alpha_admin",
            prefix="abc",
        )
        form, query = (data, None) if method == "POST" else (None, data)
        answer = browser.request(method, url, data=form, params=query, headers=headers)
        assert answer.status_code == 404, (user, url, answer.status_code)
        assert not [leak for leak in LEAKS if leak in answer.text], (user, url)
    files = {"files": ("people.csv", b"account,key,first_name,last_name\nalpha,x,X,Y\n")}
    upload = browser.post(UPLOAD.format(**ALPHA), files=files, headers=headers)
    assert upload.status_code == 404, (user, upload.status_code)
    own = world.browser("claire").get("/accounts/alpha/people/claire")
    assert "Absent" not in own.text.split('data-testid="status">')[1][:200], "nothing changed"
