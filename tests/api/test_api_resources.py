"""Rules, caller lists, contacts, rotas and scripts through the API."""

from __future__ import annotations

from api_world import World

ALPHA = "/api/v1/accounts/alpha"
POOL = {"name": "all to pool", "then": {"type": "message"}}
SCRIPT = """name: Alpha
greetings:
  fr:
    office_hours: "{{ account.answer_name }}, bonjour."
    after_hours: "{{ account.answer_name }}, le cabinet est fermé."
steps:
  - id: nom
    ask: Votre nom ?
    label: Nom
  - id: noter
    action: take_message
    note: C'est noté.
"""


def test_rules_are_checked_saved_as_versions_and_guarded_by_etag(world: World) -> None:
    admin = world.client("alpha_admin")
    empty = admin.get(f"{ALPHA}/people/claire/rules")
    assert empty.json()["version"] == 0
    saved = admin.put(
        f"{ALPHA}/people/claire/rules",
        json={"rules": [POOL]},
        headers={"If-Match": empty.headers["etag"]},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 1 and saved.json()["saved_by"] == "alpha_admin"
    stale = admin.put(
        f"{ALPHA}/people/claire/rules",
        json={"rules": []},
        headers={"If-Match": empty.headers["etag"]},
    )
    assert stale.status_code == 412
    versions = admin.get(f"{ALPHA}/people/claire/rules/versions").json()["items"]
    assert [v["version"] for v in versions] == [1]


def test_a_bad_rule_names_its_path_and_saves_nothing(world: World) -> None:
    admin = world.client("alpha_admin")
    bad = {
        "rules": [
            POOL,
            {"name": "vip", "when": {"caller_in_list": "nolist"}, "then": {"type": "message"}},
        ]
    }
    answer = admin.put(f"{ALPHA}/rules", json=bad)
    assert answer.status_code == 422
    assert any("rules[1]" in e["path"] for e in answer.json()["errors"]), answer.json()
    assert admin.get(f"{ALPHA}/rules").json()["version"] == 0
    assert admin.post(f"{ALPHA}/rules/check", json={"rules": [POOL]}).json()["valid"] is True


def test_an_employee_keeps_their_own_rules_but_not_the_accounts(world: World) -> None:
    claire = world.client("claire")
    assert claire.put(f"{ALPHA}/people/claire/rules", json={"rules": [POOL]}).status_code == 200
    assert claire.put(f"{ALPHA}/rules", json={"rules": [POOL]}).status_code == 404


def test_caller_lists_take_numbers_as_typed_and_name_the_bad_entry(world: World) -> None:
    admin = world.client("alpha_admin")
    made = admin.put(
        f"{ALPHA}/caller-lists/VIP",
        json={"name": "VIP", "entries": [{"number": "06 98 76 54 32", "label": "Mme Roux"}]},
    )
    assert made.status_code == 200, made.text
    assert made.json()["entries"] == [{"pattern": "+33698765432", "label": "Mme Roux"}]
    bad = admin.put(
        f"{ALPHA}/caller-lists/VIP",
        json={"entries": [{"number": "0612345678"}, {"number": "not a number"}]},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "entries[1]"
    assert admin.get(f"{ALPHA}/caller-lists/VIP").json()["entries"][0]["label"] == "Mme Roux"
    assert admin.get(f"{ALPHA}/caller-lists/nope").status_code == 404


def test_contacts_and_rotas(world: World) -> None:
    admin = world.client("alpha_admin")
    made = admin.post(f"{ALPHA}/contacts", json={"number": "01 23 45 67 89", "name": "Dupont SA"})
    assert made.status_code == 201 and made.json()["e164"] == "+33123456789"
    assert admin.get(f"{ALPHA}/contacts").json()["items"][0]["name"] == "Dupont SA"
    rota = {
        "name": "Astreinte",
        "shifts": [{"hours": "mon-sun 00:00-24:00", "contacts": ["06 11 22 33 44"]}],
    }
    put = admin.put(f"{ALPHA}/rotas/astreinte", json=rota)
    assert put.status_code == 200, put.text
    assert put.json()["shifts"][0]["contacts"] == ["+33611223344"]
    bad = admin.put(f"{ALPHA}/rotas/astreinte", json={"shifts": [{"contacts": ["zzz"]}]})
    assert bad.status_code == 422 and "shifts[0].contacts[0]" in bad.json()["errors"][0]["path"]


def test_scripts_versions_diff_rollback_and_preview(world: World) -> None:
    admin = world.client("alpha_admin")
    first = admin.put(f"{ALPHA}/scripts/account", json={"source": SCRIPT})
    assert first.status_code == 200, first.text
    second = admin.put(
        f"{ALPHA}/scripts/account",
        json={"source": SCRIPT.replace("Votre nom ?", "Qui est à l'appareil ?")},
        headers={"If-Match": first.headers["etag"]},
    )
    assert second.json()["version"] == 2
    diff = admin.get(f"{ALPHA}/scripts/account/diff", params={"old": 1, "new": 2}).json()
    assert "+    ask: Qui est à l'appareil ?" in diff["diff"]
    back = admin.post(f"{ALPHA}/scripts/account/rollback", json={"to_version": 1})
    assert back.status_code == 201 and back.json()["version"] == 3
    assert [
        v["version"] for v in admin.get(f"{ALPHA}/scripts/account/versions").json()["items"]
    ] == [
        1,
        2,
        3,
    ]
    broken = admin.put(f"{ALPHA}/scripts/account", json={"source": "greetings: 3"})
    assert broken.status_code == 422 and broken.json()["errors"]
    shown = world.client("claire").get(
        f"{ALPHA}/people/claire/script-preview",
        params={"at": "2031-07-01T10:00", "caller": "06 98 76 54 32"},
    )
    assert shown.status_code == 200, shown.text
    assert shown.json()["greeting"] == "Cabinet Alpha, bonjour, bonjour."
    late = world.client("claire").get(
        f"{ALPHA}/people/claire/script-preview", params={"at": "2031-07-01T22:00"}
    )
    assert late.json()["greeting"] == "Cabinet Alpha, bonjour, le cabinet est fermé."
    assert admin.get(f"{ALPHA}/scripts/elsewhere").status_code == 404


def test_a_script_rollback_is_an_edit_with_if_match_and_a_create_with_idempotency_key(
    world: World,
) -> None:
    admin, layer = world.client("alpha_admin"), f"{ALPHA}/scripts/account"
    first = admin.put(layer, json={"source": SCRIPT})
    second = admin.put(layer, json={"source": SCRIPT.replace("Votre nom ?", "Et vous ?")})
    assert (first.status_code, second.status_code) == (200, 200)
    stale = admin.post(f"{layer}/rollback", json={"to_version": 1},
                       headers={"If-Match": first.headers["etag"]})  # fmt: skip
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == second.headers["etag"]
    assert [v["version"] for v in admin.get(f"{layer}/versions").json()["items"]] == [1, 2]
    key = {"Idempotency-Key": "rollback-1", "If-Match": second.headers["etag"]}
    back = admin.post(f"{layer}/rollback", json={"to_version": 1}, headers=key)
    assert back.status_code == 201 and back.json()["version"] == 3
    assert back.headers["etag"] == admin.get(layer).headers["etag"]
    again = admin.post(f"{layer}/rollback", json={"to_version": 1}, headers=key)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == back.json()
    other = admin.post(f"{layer}/rollback", json={"to_version": 2}, headers=key)
    assert other.status_code == 409
    assert [v["version"] for v in admin.get(f"{layer}/versions").json()["items"]] == [1, 2, 3]


def test_decide_says_what_happens_and_why(world: World) -> None:
    claire = world.client("claire")
    body = {"to": "01 40 00 00 01", "caller": "+33698765432", "at": "2031-07-01T14:10"}
    answer = claire.post("/api/v1/decide", json=body)
    assert answer.status_code == 200, answer.text
    decision = answer.json()["decision"]
    assert decision["person"] == "claire" and decision["explanation"]
    assert answer.json()["at"] == "2031-07-01T14:10:00+02:00"  # read in the account zone
    night = claire.post("/api/v1/decide", json={**body, "at": "2031-07-01T23:00:00+02:00"})
    assert night.json()["decision"]["availability"]["state"] == "off_duty"
    switchboard = claire.post("/api/v1/decide", json={**body, "to": "01 40 00 00 00"})
    assert switchboard.status_code == 404  # an employee reaches only their own calls
    bad = claire.post("/api/v1/decide", json={**body, "to": "12"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_number"


def test_screen_pop_for_an_operator(world: World) -> None:
    sup = world.client("sup")
    answer = sup.post("/api/v1/screen-pop", json={"to": "01 40 00 00 01", "caller": "0698765432"})
    assert answer.status_code == 200, answer.text
    pop = answer.json()["pop"]
    assert pop["account"]["key"] == "alpha" and pop["person"]["key"] == "claire"


def test_histories_come_in_cursor_pages_in_their_order(world: World) -> None:
    """Script versions oldest first, rule versions newest first: pages of two, each once."""
    admin, layer = world.client("alpha_admin"), f"{ALPHA}/scripts/account"
    for ask in ("Votre nom ?", "Et vous ?", "Qui ?", "Pardon ?", "Encore ?"):
        assert admin.put(layer, json={"source": SCRIPT.replace("Votre nom ?", ask)}).is_success
        assert admin.put(
            f"{ALPHA}/rules", json={"rules": [{"name": ask, "then": {"type": "message"}}]}
        ).is_success

    def pages(path: str) -> list[int]:
        seen, cursor = [], None
        while True:
            params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = admin.get(path, params=params).json()
            assert len(page["items"]) <= 2
            seen += [v["version"] for v in page["items"]]
            if (cursor := page["next_cursor"]) is None:
                return seen

    assert pages(f"{layer}/versions") == [1, 2, 3, 4, 5]
    assert pages(f"{ALPHA}/rules/versions") == [5, 4, 3, 2, 1]
    bad = admin.get(f"{layer}/versions", params={"cursor": "not-ours"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "query.cursor"


def test_a_caller_list_saved_again_keeps_its_earlier_versions(world: World) -> None:
    admin = world.client("alpha_admin")
    path = f"{ALPHA}/caller-lists/VIP"
    first = admin.put(path, json={"entries": [{"number": "06 98 76 54 32"}]})
    assert first.json()["version"] == 1 and first.json()["saved_by"] == "alpha_admin"
    second = admin.put(
        path, json={"entries": [{"number": "+44 20*"}]}, headers={"If-Match": first.headers["etag"]}
    )
    assert second.status_code == 200 and second.json()["version"] == 2
    stale = admin.put(path, json={"entries": []}, headers={"If-Match": first.headers["etag"]})
    assert stale.status_code == 412 and stale.json()["current_etag"] == second.headers["etag"]
    history = admin.get(f"{path}/versions").json()["items"]
    assert [v["version"] for v in history] == [2, 1]
    kept = admin.get(f"{path}/versions/1").json()
    assert kept["entries"] == [{"pattern": "+33698765432", "label": ""}]
    assert admin.get(path).json() == second.json()
    assert admin.get(f"{path}/versions/3").status_code == 404
    for user in ("bravo_admin", "bruno"):
        assert world.client(user).get(f"{path}/versions").status_code == 404
        assert world.client(user).get(f"{path}/versions/1").status_code == 404
