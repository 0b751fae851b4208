"""The directory changed over the API, one thing at a time: people arrive, leave, come back and
change team; teams and numbers are added, numbers released; the operator's secretaries and
accounts added and changed. Bad input names its field and writes nothing."""

from __future__ import annotations

from api_world import World

ALPHA = "/api/v1/accounts/alpha"


def test_a_person_arrives_changes_team_leaves_and_comes_back(world: World) -> None:
    admin = world.client("alpha_admin")
    made = admin.post(
        f"{ALPHA}/people",
        json={
            "first_name": "Léa",
            "last_name": "Roux",
            "mobile": "06 55 44 33 22",
            "group": "associes",
        },
    )
    assert made.status_code == 201, made.text
    assert (made.json()["key"], made.json()["group"]) == ("lea-roux", "associes")
    assert "+33655443322" in [d["address"] for d in made.json()["devices"]]
    lea = f"{ALPHA}/people/lea-roux"
    etag = admin.get(lea).headers["etag"]
    moved = admin.put(f"{lea}/group", json={"group": ""}, headers={"If-Match": etag})
    assert moved.status_code == 200 and moved.json()["group"] == ""
    stale = admin.post(f"{lea}/leave", headers={"If-Match": etag})
    assert stale.status_code == 412 and stale.json()["current_etag"] == moved.headers["etag"]
    gone = admin.post(f"{lea}/leave", headers={"If-Match": moved.headers["etag"]})
    assert gone.status_code == 200 and gone.json()["active"] is False
    current = [p["key"] for p in admin.get(f"{ALPHA}/people").json()["items"]]
    assert "lea-roux" not in current
    archived = admin.get(f"{ALPHA}/people", params={"archived": True}).json()["items"]
    assert "lea-roux" in [p["key"] for p in archived], "archived, never deleted"
    assert admin.post(f"{lea}/leave").status_code == 404  # no current person of that key
    back = admin.post(f"{lea}/come-back")
    assert back.status_code == 200 and back.json()["active"] is True
    assert admin.post(f"{lea}/come-back").status_code == 409  # she has not left
    taken = admin.post(f"{ALPHA}/people", json={"key": "lea-roux", "first_name": "Autre"})
    assert taken.status_code == 409 and taken.json()["errors"][0]["path"] == "key"


def test_bad_people_and_numbers_name_their_field_and_write_nothing(world: World) -> None:
    admin = world.client("alpha_admin")
    before = admin.get(f"{ALPHA}/people").json()["items"]
    nameless = admin.post(f"{ALPHA}/people", json={"title": "Sans nom"})
    assert nameless.status_code == 422 and nameless.json()["errors"][0]["path"] == "first_name"
    unknown = admin.post(f"{ALPHA}/people", json={"first_name": "X", "shoe_size": 42})
    assert unknown.status_code == 422 and "shoe_size" in unknown.json()["errors"][0]["path"]
    bad_mobile = admin.post(f"{ALPHA}/people", json={"first_name": "X", "mobile": "call me"})
    assert bad_mobile.status_code == 422 and bad_mobile.json()["errors"][0]["path"] == "mobile"
    bad_number = admin.post(f"{ALPHA}/numbers", json={"number": "not a number"})
    assert bad_number.status_code == 422 and bad_number.json()["errors"][0]["path"] == "number"
    bravos = admin.post(f"{ALPHA}/numbers", json={"number": "01 50 00 00 00"})
    assert bravos.status_code == 409 and "bravo" not in bravos.text.lower()
    assert admin.get(f"{ALPHA}/people").json()["items"] == before


def test_teams_and_numbers_added_once_per_idempotency_key_and_numbers_released(
    world: World,
) -> None:
    admin = world.client("alpha_admin")
    key = {"Idempotency-Key": "team-1"}
    team = admin.post(f"{ALPHA}/groups", json={"name": "Comptabilité"}, headers=key)
    assert team.status_code == 201 and team.json() == {
        "key": "comptabilite",
        "name": "Comptabilité",
    }
    again = admin.post(f"{ALPHA}/groups", json={"name": "Comptabilité"}, headers=key)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert admin.post(f"{ALPHA}/groups", json={"name": "Comptabilité"}).status_code == 409
    line = admin.post(f"{ALPHA}/numbers", json={"number": "01 40 00 00 09", "person": "paul"})
    assert line.status_code == 201
    assert line.json() == {
        "e164": "+33140000009",
        "account": "alpha",
        "person": "paul",
        "label": "",
    }
    found = admin.post("/api/v1/decide", json={"to": "01 40 00 00 09"}).json()["decision"]
    assert found["person"] == "paul", "the new number leads to paul at once"
    released = admin.delete(f"{ALPHA}/numbers/01 40 00 00 09")
    assert released.status_code == 200 and released.json()["e164"] == "+33140000009"
    assert admin.post("/api/v1/decide", json={"to": "01 40 00 00 09"}).status_code == 404
    again = admin.delete(f"{ALPHA}/numbers/+33140000009")  # the release, unchanged
    assert again.status_code == 200 and again.json() == released.json()
    assert admin.delete(f"{ALPHA}/numbers/+33140000077").status_code == 404


def test_the_operator_adds_and_changes_secretaries_and_accounts(world: World) -> None:
    root = world.client("root")
    made = root.put(
        "/api/v1/agents/zoe",
        json={"name": "Zoé", "site": "Lyon", "languages": ["fr", "en"], "trainings": {"alpha": 2}},
    )
    assert made.status_code == 200, made.text
    assert (made.json()["site"], made.json()["trainings"]) == (
        "Lyon",
        [{"account": "alpha", "level": 2}],
    )
    moved = root.put("/api/v1/agents/zoe", json={"site": "Nantes"}).json()
    assert (moved["site"], moved["languages"]) == ("Nantes", ["fr", "en"]), "only what is sent"
    bad = root.put("/api/v1/agents/zoe", json={"trainings": {"alpha": 9}})
    assert bad.status_code == 422 and bad.json()["errors"]
    assert root.put("/api/v1/agents/zoe", json={"trainings": "x"}).status_code == 422
    account = root.put("/api/v1/accounts/charlie", json={"name": "Charlie SARL"})
    assert account.status_code == 200 and account.json()["name"] == "Charlie SARL"
    zone = root.put("/api/v1/accounts/charlie", json={"timezone": "Mars/Olympus"})
    assert zone.status_code == 422 and zone.json()["errors"]
    assert root.get("/api/v1/accounts/charlie").json()["timezone"] == "Europe/Paris"
    for user in ("alpha_admin", "claire", "agent"):
        client = world.client(user)
        assert client.put("/api/v1/agents/zoe", json={"site": "X"}).status_code == 403
        assert client.put("/api/v1/accounts/alpha", json={"name": "X"}).status_code == 403


def test_the_operators_edits_take_if_match(world: World) -> None:
    root = world.client("root")
    first = root.put("/api/v1/agents/zoe", json={"name": "Zoé", "site": "Lyon"})
    second = root.put("/api/v1/agents/zoe", json={"site": "Nantes"},
                      headers={"If-Match": first.headers["etag"]})  # fmt: skip
    assert second.status_code == 200
    stale = root.put("/api/v1/agents/zoe", json={"site": "Brest"},
                     headers={"If-Match": first.headers["etag"]})  # fmt: skip
    assert stale.status_code == 412 and stale.json()["current_etag"] == second.headers["etag"]
    card = root.get("/api/v1/accounts/alpha")
    changed = root.put("/api/v1/accounts/alpha", json={"business_hours": "mon-fri 08:00-19:00"},
                       headers={"If-Match": card.headers["etag"]})  # fmt: skip
    assert changed.status_code == 200 and changed.headers["etag"] != card.headers["etag"]
    again = root.put("/api/v1/accounts/alpha", json={"name": "Autre"},
                     headers={"If-Match": card.headers["etag"]})  # fmt: skip
    assert again.status_code == 412
    assert root.get("/api/v1/accounts/alpha").json()["name"] == "Cabinet Alpha"


def test_the_operator_sets_and_clears_an_accounts_subdivision_and_notes(world: World) -> None:
    root = world.client("root")
    before = root.get("/api/v1/accounts/alpha")
    wrong = root.put("/api/v1/accounts/alpha", json={"subdivision": "99"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["path"] == "subdivision"
    assert "'99' is not a subdivision of FR" in wrong.json()["errors"][0]["reason"]
    body = {"subdivision": "57", "notes": "Vouvoyer."}
    saved = root.put(
        "/api/v1/accounts/alpha", json=body, headers={"If-Match": before.headers["etag"]}
    )
    assert saved.status_code == 200, saved.text
    assert (saved.json()["subdivision"], saved.json()["notes"]) == ("57", "Vouvoyer.")
    stale = root.put(
        "/api/v1/accounts/alpha", json={"notes": ""}, headers={"If-Match": before.headers["etag"]}
    )
    assert stale.status_code == 412 and root.get("/api/v1/accounts/alpha").json()["notes"]
    cleared = root.put("/api/v1/accounts/alpha", json={"subdivision": "", "notes": ""}).json()
    assert (cleared["subdivision"], cleared["notes"]) == ("", "")
    assert world.client("alpha_admin").put("/api/v1/accounts/alpha", json=body).status_code == 403
