"""Taking things down through the API (SQLite and PostgreSQL): a closure, a delegation, a known
contact and a calendar are removed with ``DELETE``, ``If-Match`` on their ETag (412 when stale,
nothing changed), kept with who and when, audited; the next decision no longer uses them;
removing twice answers the removal; another account's users, and a role that may not, find
nothing (404, as for a row that never existed)."""

from __future__ import annotations

from typing import Any

from api_world import World

ALPHA = "/api/v1/accounts/alpha"
CLAIRE = f"{ALPHA}/people/claire"
CLOSURE = {"start": "2031-07-01T00:00:00", "end": "2031-07-02T00:00:00", "reason": "séminaire"}
CALL = {"to": "01 40 00 00 01", "caller": "06 98 76 54 32", "at": "2031-07-01T10:00"}
RULES = {
    "rules": [
        {"name": "closed", "when": {"account_open": False}, "then": {"type": "message"}},
        {"name": "known", "when": {"caller_known": True}, "then": {"type": "reject"}},
    ]
}


def _made(world: World, user: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = world.client(user).post(path, json=body)
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


def _rule(world: World) -> str:
    answer = world.client("alpha_admin").post("/api/v1/decide", json=CALL)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["decision"]["rule"])


def _audited(world: World, operation: str) -> list[dict[str, Any]]:
    rows = world.client("root").get("/api/v1/audit", params={"limit": 500}).json()["items"]
    return [r for r in rows if r["operation"] == operation]


def test_a_closure_removed_with_if_match_opens_the_account_at_the_next_decision(
    world: World,
) -> None:
    admin = world.client("alpha_admin")
    assert admin.put(f"{ALPHA}/rules", json=RULES).status_code == 200
    made = _made(world, "alpha_admin", f"{ALPHA}/closures", CLOSURE)
    assert made["removed_at"] is None and made["removed_by"] == ""
    assert _rule(world) == "closed"
    path = f"{ALPHA}/closures/{made['id']}"
    read = admin.get(path)
    stale = admin.delete(path, headers={"If-Match": '"not-this-one"'})
    assert stale.status_code == 412 and stale.json()["current_etag"] == read.headers["etag"]
    assert stale.json()["errors"][0]["path"] == "header.If-Match"
    assert _rule(world) == "closed"  # nothing changed
    gone = admin.delete(path, headers={"If-Match": read.headers["etag"]})
    assert gone.status_code == 200, gone.text
    assert gone.json()["removed_by"] == "alpha_admin" and gone.json()["removed_at"]
    assert _rule(world) == "fallback"
    assert admin.get(f"{ALPHA}/closures").json()["items"] == []
    assert admin.get(path).json() == gone.json()  # kept, with who and when
    again = admin.delete(path, headers={"If-Match": read.headers["etag"]})
    assert again.status_code == 200 and again.json() == gone.json()
    assert len(_audited(world, "DELETE /api/v1/accounts/{account}/closures/{closure}")) == 2


def test_a_known_contact_removed_is_unknown_at_the_next_decision(world: World) -> None:
    admin = world.client("alpha_admin")
    assert admin.put(f"{ALPHA}/rules", json=RULES).status_code == 200
    made = _made(
        world, "alpha_admin", f"{ALPHA}/contacts", {"number": "06 98 76 54 32", "name": "Dupont"}
    )
    assert made["e164"] == "+33698765432"
    assert _rule(world) == "known"
    path = f"{ALPHA}/contacts/0698765432"  # as typed
    gone = admin.delete(path, headers={"If-Match": admin.get(path).headers["etag"]})
    assert gone.status_code == 200, gone.text
    assert (gone.json()["name"], gone.json()["removed_by"]) == ("Dupont", "alpha_admin")
    assert _rule(world) == "fallback"
    assert admin.get(f"{ALPHA}/contacts").json()["items"] == []
    assert admin.delete(path).json() == gone.json()  # without If-Match too: the same answer
    assert admin.delete(f"{ALPHA}/contacts/0611223344").status_code == 404


def test_an_employee_removes_their_own_delegation_and_no_one_elses(world: World) -> None:
    claire = world.client("claire")
    cover = {"delegate": "paul", "start": "2031-01-01T00:00:00"}
    made = _made(world, "claire", f"{CLAIRE}/delegations", cover)
    listed = claire.get(f"{CLAIRE}/delegations").json()["items"]
    assert [d["id"] for d in listed] == [made["id"]] and listed[0]["delegate_name"] == "Paul Durand"
    path = f"{CLAIRE}/delegations/{made['id']}"
    # paul's path with claire's delegation; another account's admin; an agent: nothing there
    assert claire.delete(f"{ALPHA}/people/paul/delegations/{made['id']}").status_code == 404
    assert world.client("bravo_admin").delete(path).status_code == 404
    assert world.client("agent").delete(path).status_code == 404
    assert world.client("bruno").delete(path).status_code == 404
    assert claire.get(f"{CLAIRE}/delegations").json()["items"] == listed
    gone = claire.delete(path, headers={"If-Match": claire.get(path).headers["etag"]})
    assert gone.status_code == 200 and gone.json()["removed_by"] == "claire"
    assert claire.get(f"{CLAIRE}/delegations").json()["items"] == []


def test_a_role_that_may_not_change_the_account_finds_nothing_to_remove(world: World) -> None:
    closure = _made(world, "alpha_admin", f"{ALPHA}/closures", CLOSURE)
    contact = _made(
        world, "alpha_admin", f"{ALPHA}/contacts", {"number": "0698765432", "name": "D"}
    )
    bravo = _made(world, "bravo_admin", "/api/v1/accounts/bravo/closures", CLOSURE)
    paths = [f"{ALPHA}/closures/{closure['id']}", f"{ALPHA}/contacts/{contact['e164']}"]
    for user in ("claire", "agent", "bravo_admin", "bruno"):
        for path in paths:
            answer = world.client(user).delete(path)
            assert answer.status_code == 404, f"{user} {path}: {answer.status_code}"
    # alpha's admin, with bravo's closure's id under alpha: not theirs, not found
    assert world.client("alpha_admin").delete(f"{ALPHA}/closures/{bravo['id']}").status_code == 404
    assert (
        world.client("bravo_admin")
        .get(f"/api/v1/accounts/bravo/closures/{bravo['id']}")
        .json()["removed_at"]
        is None
    )
    for path in paths:
        assert world.client("alpha_admin").get(path).json()["removed_at"] is None


def test_a_calendar_removed_is_none_and_stale_if_match_is_refused(world: World) -> None:
    claire = world.client("claire")
    feed = {"url": "https://calendar.example/claire.ics"}
    first = claire.put(f"{CLAIRE}/calendar/feed", json=feed)
    assert first.status_code == 200 and first.json()["source"] == "feed"
    second = claire.put(f"{CLAIRE}/calendar/feed", json={"url": "https://calendar.example/2.ics"})
    stale = claire.delete(f"{CLAIRE}/calendar", headers={"If-Match": first.headers["etag"]})
    assert stale.status_code == 412
    assert claire.get(f"{CLAIRE}/calendar").json()["source"] == "feed"
    assert world.client("bruno").delete(f"{CLAIRE}/calendar").status_code == 404
    gone = claire.delete(f"{CLAIRE}/calendar", headers={"If-Match": second.headers["etag"]})
    assert gone.status_code == 200 and gone.json()["source"] == "none"
    assert claire.get(f"{CLAIRE}/calendar").json()["source"] == "none"
    assert claire.delete(f"{CLAIRE}/calendar").json()["source"] == "none"


VIP_RULES = {
    "rules": [
        {"name": "vip", "when": {"caller_in_list": "VIP"}, "then": {"type": "reject"}},
    ]
}
NIGHT = {"shifts": [{"hours": "mon-sun 00:00-24:00", "contacts": ["06 11 22 33 44"]}]}
ON_CALL_SCRIPT = """name: x
greetings: {fr: {office_hours: Bonjour}}
steps:
  - id: garde
    action: dispatch_on_call
    rota: nuit
"""
ON_CALL = {"rules": [{"name": "night", "then": {"type": "on_call", "rota": "nuit"}}]}


def test_a_caller_list_a_rule_uses_is_kept_until_the_rule_goes_then_taken_down(
    world: World,
) -> None:
    admin = world.client("alpha_admin")
    path = f"{ALPHA}/caller-lists/VIP"
    assert admin.put(path, json={"entries": [{"number": "06 98 76 54 32"}]}).status_code == 200
    assert admin.put(f"{ALPHA}/rules", json=VIP_RULES).status_code == 200
    assert _rule(world) == "vip"
    used = admin.delete(path)
    assert used.status_code == 409, used.text
    assert "account, rule 'vip' (rules[0].when.caller_in_list)" in used.json()["detail"]
    assert admin.get(path).json()["removed_at"] is None and _rule(world) == "vip"
    assert admin.put(f"{ALPHA}/rules", json=RULES).status_code == 200
    read = admin.get(path)
    stale = admin.delete(path, headers={"If-Match": '"not-this-one"'})
    assert stale.status_code == 412 and admin.get(path).json()["removed_at"] is None
    gone = admin.delete(path, headers={"If-Match": read.headers["etag"]})
    assert gone.status_code == 200, gone.text
    assert gone.json()["removed_by"] == "alpha_admin" and gone.json()["version"] == 1
    assert admin.get(f"{ALPHA}/caller-lists").json()["items"] == []
    assert admin.get(path).json() == gone.json()  # kept, with who and when
    assert admin.get(f"{path}/versions/1").status_code == 200
    assert admin.put(f"{ALPHA}/rules", json=VIP_RULES).status_code == 422  # no such list now
    assert admin.delete(path).json() == gone.json()
    assert (
        len(_audited(world, "DELETE /api/v1/accounts/{account}/caller-lists/{key}")) == 2
    )  # a refusal leaves none


def test_a_rota_taken_down_is_kept_and_a_rule_cannot_name_it(world: World) -> None:
    admin = world.client("alpha_admin")
    path = f"{ALPHA}/rotas/nuit"
    made = admin.put(path, json=NIGHT)
    assert made.status_code == 200 and made.json()["removed_at"] is None
    assert admin.put(f"{ALPHA}/rules", json=ON_CALL).status_code == 200
    used = admin.delete(path)
    assert used.status_code == 409 and "rule 'night' (rules[0].then.rota)" in used.json()["detail"]
    assert admin.put(f"{ALPHA}/rules", json=RULES).status_code == 200
    gone = admin.delete(path, headers={"If-Match": admin.get(path).headers["etag"]})
    assert gone.status_code == 200 and gone.json()["removed_by"] == "alpha_admin"
    assert gone.json()["shifts"][0]["contacts"] == ["+33611223344"]
    assert admin.get(f"{ALPHA}/rotas").json()["items"] == []
    assert admin.put(f"{ALPHA}/rules", json=ON_CALL).status_code == 422
    back = admin.put(path, json=NIGHT, headers={"If-Match": gone.headers["etag"]})
    assert back.status_code == 200 and back.json()["removed_at"] is None


def test_another_accounts_users_find_no_list_or_rota_to_remove(world: World) -> None:
    admin = world.client("alpha_admin")
    assert admin.put(f"{ALPHA}/caller-lists/VIP", json={"entries": []}).status_code == 200
    assert admin.put(f"{ALPHA}/rotas/nuit", json=NIGHT).status_code == 200
    for user in ("claire", "agent", "bravo_admin", "bruno"):
        for path in (f"{ALPHA}/caller-lists/VIP", f"{ALPHA}/rotas/nuit"):
            answer = world.client(user).delete(path)
            assert answer.status_code == 404, f"{user} {path}: {answer.status_code}"
    assert admin.get(f"{ALPHA}/caller-lists/VIP").json()["removed_at"] is None
    assert admin.get(f"{ALPHA}/rotas/nuit").json()["removed_at"] is None


def test_a_rota_keeps_every_version_and_a_script_step_keeps_it_in_use(
    world: World,
) -> None:
    admin = world.client("alpha_admin")
    path = f"{ALPHA}/rotas/nuit"
    first = admin.put(path, json={**NIGHT, "name": "Nuit"})
    assert (first.json()["version"], first.json()["saved_by"]) == (1, "alpha_admin")
    stale = admin.put(path, json=NIGHT, headers={"If-Match": '"not-this-one"'})
    assert stale.status_code == 412
    again = {"If-Match": first.headers["etag"]}
    second = admin.put(path, json={**NIGHT, "name": "Nuits"}, headers=again)
    assert second.status_code == 200 and second.json()["version"] == 2
    versions = admin.get(f"{path}/versions").json()["items"]
    assert [(v["version"], v["name"]) for v in versions] == [(2, "Nuits"), (1, "Nuit")]
    assert admin.get(f"{path}/versions/1").json()["name"] == "Nuit"
    assert admin.get(f"{path}/versions/3").status_code == 404
    script = f"{ALPHA}/scripts/account"
    assert admin.put(script, json={"source": ON_CALL_SCRIPT}).status_code == 200
    used = admin.delete(path)
    assert used.status_code == 409, used.text
    assert "the account's script (version 1), step 'garde' (steps[0].rota)" in used.json()["detail"]
    assert admin.get(f"{ALPHA}/removed-rotas").json()["items"] == []
    message = ON_CALL_SCRIPT.replace("dispatch_on_call\n    rota: nuit", "take_message")
    assert admin.put(script, json={"source": message}).status_code == 200
    gone = admin.delete(path, headers={"If-Match": admin.get(path).headers["etag"]})
    assert gone.status_code == 200 and gone.json()["version"] == 2
    removed = admin.get(f"{ALPHA}/removed-rotas").json()["items"]
    assert [(r["key"], r["removed_by"]) for r in removed] == [("nuit", "alpha_admin")]
    assert admin.get(f"{path}/versions/1").json()["removed_by"] == "alpha_admin"  # kept
