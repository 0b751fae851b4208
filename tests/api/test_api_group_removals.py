"""Teams taken down through the API (SQLite and PostgreSQL): ``DELETE …/groups/{group}``
with If-Match (412 when stale, nothing changed), 409 naming each place while the team's own
rules name it; kept with who was in it, listed among the removed, put back with its people
(``POST …/restore``); another account's users, and a role that may not, find nothing."""

from __future__ import annotations

from api_world import World

ALPHA = "/api/v1/accounts/alpha"
TEAM = f"{ALPHA}/groups/associes"
RULES = {"rules": [{"name": "partners", "then": {"type": "message"}}]}


def test_a_team_is_taken_down_with_if_match_kept_and_put_back(world: World) -> None:
    admin = world.client("alpha_admin")
    read = admin.get(TEAM)
    assert read.status_code == 200 and read.json()["members"] == ["claire"]
    assert admin.put(f"{TEAM}/rules", json=RULES).status_code == 200
    used = admin.delete(TEAM, headers={"If-Match": read.headers["etag"]})
    assert used.status_code == 409, used.text
    assert "the rules of group 'associes' (version 1, 1 in force)" in used.json()["detail"]
    assert admin.put(f"{TEAM}/rules", json={"rules": []}).status_code == 200
    stale = admin.delete(TEAM, headers={"If-Match": '"not-this-one"'})
    assert stale.status_code == 412 and admin.get(TEAM).json()["removed_at"] is None
    gone = admin.delete(TEAM, headers={"If-Match": read.headers["etag"]})
    assert gone.status_code == 200, gone.text
    assert (gone.json()["removed_by"], gone.json()["members"]) == ("alpha_admin", ["claire"])
    assert admin.get(f"{ALPHA}/people/claire").json()["group"] == ""
    assert [g["key"] for g in admin.get(f"{ALPHA}/groups").json()["items"]] == []
    assert admin.get(TEAM).json() == gone.json()  # kept, with who was in it
    assert admin.delete(TEAM).json() == gone.json()  # again: the removal, unchanged
    removed = admin.get(f"{ALPHA}/removed-groups").json()["items"]
    assert [g["key"] for g in removed] == ["associes"]
    assert admin.put(f"{TEAM}/rules", json=RULES).status_code == 422  # no such team now
    back = admin.post(f"{TEAM}/restore", headers={"If-Match": gone.headers["etag"]})
    assert back.status_code == 200, back.text
    assert (back.json()["removed_at"], back.json()["members"]) == (None, ["claire"])
    assert admin.get(f"{ALPHA}/people/claire").json()["group"] == "associes"
    assert admin.get(f"{ALPHA}/removed-groups").json()["items"] == []


def test_another_accounts_users_find_no_team_to_take_down(world: World) -> None:
    for user in ("claire", "agent", "bravo_admin", "bruno"):
        for answer in (world.client(user).delete(TEAM), world.client(user).post(f"{TEAM}/restore")):
            assert answer.status_code == 404, f"{user}: {answer.status_code}"
    assert world.client("alpha_admin").get(TEAM).json()["removed_at"] is None
    assert world.client("alpha_admin").delete(f"{ALPHA}/groups/atelier").status_code == 404
