"""A caller list or an on-call rota taken down is put back through the API (SQLite and
PostgreSQL): ``POST …/caller-lists/{key}/restore``, ``POST …/rotas/{key}/restore`` with
If-Match (412 when stale, nothing changed), as it was, saved by the caller as its next version;
one in use is answered unchanged; another account's users, and a role that may not, find
nothing."""

from __future__ import annotations

from api_world import World

ALPHA = "/api/v1/accounts/alpha"
NIGHT = {"key": "nuit", "name": "Nuit", "shifts": [{"contacts": ["06 11 22 33 44"]}]}
VIP = {"entries": [{"number": "06 98 76 54 32", "label": "Maître Roy"}]}


def test_a_list_and_a_rota_taken_down_are_put_back_as_their_next_version(world: World) -> None:
    admin = world.client("alpha_admin")
    for path, body in ((f"{ALPHA}/caller-lists/VIP", VIP), (f"{ALPHA}/rotas/nuit", NIGHT)):
        assert world.client("root").put(path, json=body).status_code == 200
        gone = admin.delete(path)
        assert gone.status_code == 200 and gone.json()["removed_at"] is not None
        stale = admin.post(f"{path}/restore", headers={"If-Match": '"not-this-one"'})
        assert stale.status_code == 412 and admin.get(path).json()["removed_at"] is not None
        back = admin.post(f"{path}/restore", headers={"If-Match": gone.headers["etag"]})
        assert back.status_code == 200, back.text
        assert (back.json()["removed_at"], back.json()["version"]) == (None, 2)
        assert back.json()["saved_by"] == "alpha_admin"
        assert admin.post(f"{path}/restore").json() == back.json()  # in use: unchanged
    assert admin.get(f"{ALPHA}/caller-lists/VIP").json()["entries"][0]["label"] == "Maître Roy"
    assert admin.get(f"{ALPHA}/rotas/nuit").json()["shifts"][0]["contacts"] == ["+33611223344"]
    assert admin.get(f"{ALPHA}/removed-rotas").json()["items"] == []


def test_another_accounts_users_put_nothing_back(world: World) -> None:
    admin = world.client("alpha_admin")
    for path, body in ((f"{ALPHA}/caller-lists/VIP", VIP), (f"{ALPHA}/rotas/nuit", NIGHT)):
        assert admin.put(path, json=body).status_code == 200
        assert admin.delete(path).status_code == 200
        for user in ("claire", "agent", "bravo_admin", "bruno"):
            answer = world.client(user).post(f"{path}/restore")
            assert answer.status_code == 404, f"{user} {path}: {answer.status_code}"
        assert admin.get(path).json()["removed_at"] is not None
