"""Users, roles and tokens through the API and the command line."""

from __future__ import annotations

from api_world import PASSWORD, World

from accueil.services import users
from accueil.store.db import session_factory, transaction


def test_no_token_or_a_bad_one_is_401(world: World) -> None:
    assert world.client().get("/api/v1/me").status_code == 401
    client = world.client()
    client.headers["Authorization"] = "Bearer acc_000000000000_nope"
    answer = client.get("/api/v1/me")
    assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"


def test_me_says_who_and_what(world: World) -> None:
    me = world.client("claire").get("/api/v1/me").json()
    assert (me["role"], me["account"], me["person"]) == ("employee", "alpha", "claire")


def test_a_revoked_token_stops_at_once_and_last_use_is_kept(world: World) -> None:
    root = world.client("root")
    made = root.post("/api/v1/users/claire/tokens", json={"label": "phone"})
    assert made.status_code == 201
    token, prefix = made.json()["token"], made.json()["info"]["prefix"]
    phone = world.client()
    phone.headers["Authorization"] = f"Bearer {token}"
    assert phone.get("/api/v1/me").status_code == 200
    listed = {t["prefix"]: t for t in root.get("/api/v1/tokens").json()["items"]}
    assert listed[prefix]["last_used_at"] is not None
    assert token not in root.get("/api/v1/tokens").text  # only the prefix is ever shown again
    assert root.delete(f"/api/v1/tokens/{prefix}").json()["revoked_at"] is not None
    assert phone.get("/api/v1/me").status_code == 401


def test_login_with_a_password_gives_a_token_and_is_rate_limited(world: World) -> None:
    client = world.client()
    good = client.post("/api/v1/login", json={"name": "claire", "password": PASSWORD})
    assert good.status_code == 201
    bad = client.post("/api/v1/login", json={"name": "claire", "password": "not it at all"})
    assert bad.status_code == 401 and bad.json()["detail"] == "wrong user name or password"
    codes = [
        client.post("/api/v1/login", json={"name": "claire", "password": "nope nope"}).status_code
        for _ in range(5)
    ]
    assert codes[-1] == 429


def test_only_an_operator_admin_manages_users(world: World) -> None:
    body = {"name": "zoe", "role": "employee", "account": "alpha", "person": "paul"}
    assert world.client("sup").post("/api/v1/users", json=body).status_code == 403
    assert world.client("alpha_admin").post("/api/v1/users", json=body).status_code == 403
    made = world.client("root").post("/api/v1/users", json=body)
    assert made.status_code == 201 and made.json()["person"] == "paul"


def test_a_user_of_a_client_needs_their_account(world: World) -> None:
    root = world.client("root")
    answer = root.post("/api/v1/users", json={"name": "x", "role": "client_admin"})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["path"] == "account"
    clash = root.post("/api/v1/users", json={"name": "claire", "role": "supervisor"})
    assert clash.status_code == 409


def test_an_agent_reads_nothing_of_accounts_not_offered(world: World) -> None:
    agent = world.client("agent")
    assert agent.get("/api/v1/accounts/alpha").status_code == 404
    assert agent.get("/api/v1/agents").status_code == 403


def test_a_deactivated_users_tokens_stop(world: World) -> None:
    assert world.client("root").delete("/api/v1/users/bruno").status_code == 204
    assert world.client("bruno").get("/api/v1/me").status_code == 401
    with transaction(session_factory(world.runtime.engine)) as session:
        assert not users.get_user(session, "bruno").active


def test_deactivating_takes_an_optional_if_match_and_refuses_a_stale_one(world: World) -> None:
    root = world.client("root")
    read = root.get("/api/v1/users/bruno")
    with transaction(session_factory(world.runtime.engine)) as session:
        users.set_password(session, "bruno", "a long new password")  # not in the user's ETag
    assert root.get("/api/v1/users/bruno").headers["etag"] == read.headers["etag"]
    with transaction(session_factory(world.runtime.engine)) as session:  # someone else's change
        users.deactivate_user(session, "bruno")
    assert root.get("/api/v1/users/bruno").headers["etag"] != read.headers["etag"]
    # bruno is inactive already: deactivating again is done, whatever If-Match says
    again = root.delete("/api/v1/users/bruno", headers={"If-Match": read.headers["etag"]})
    assert again.status_code == 204
    other = root.get("/api/v1/users/bravo_admin")
    stale = root.delete("/api/v1/users/bravo_admin", headers={"If-Match": '"stale"'})
    assert stale.status_code == 412 and stale.json()["current_etag"] == other.headers["etag"]
    assert stale.json()["errors"][0]["path"] == "header.If-Match"
    assert world.client("bravo_admin").get("/api/v1/me").status_code == 200, "nothing changed"
    done = root.delete("/api/v1/users/bravo_admin", headers={"If-Match": other.headers["etag"]})
    assert done.status_code == 204
    assert world.client("bravo_admin").get("/api/v1/me").status_code == 401
    assert root.delete("/api/v1/users/alpha_admin").status_code == 204, "without If-Match too"
    assert world.client("sup").delete("/api/v1/users/claire").status_code == 403


def test_revoking_takes_an_optional_if_match_that_use_does_not_make_stale(world: World) -> None:
    root = world.client("root")
    prefix = world.tokens["claire"].split("_")[1]
    read = root.get(f"/api/v1/tokens/{prefix}")
    assert read.status_code == 200 and read.json()["user"] == "claire"
    assert world.client("claire").get("/api/v1/me").status_code == 200  # used: last_used_at
    stale = root.delete(f"/api/v1/tokens/{prefix}", headers={"If-Match": '"stale"'})
    assert stale.status_code == 412 and stale.json()["current_etag"] == read.headers["etag"]
    assert world.client("claire").get("/api/v1/me").status_code == 200, "not revoked"
    revoked = root.delete(f"/api/v1/tokens/{prefix}", headers={"If-Match": read.headers["etag"]})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert world.client("claire").get("/api/v1/me").status_code == 401
    again = root.delete(f"/api/v1/tokens/{prefix}", headers={"If-Match": read.headers["etag"]})
    assert again.status_code == 200 and again.json() == revoked.json()
    assert root.get("/api/v1/tokens/nope").status_code == 404
    assert world.client("sup").get(f"/api/v1/tokens/{prefix}").status_code == 403
    assert world.client("alpha_admin").delete(f"/api/v1/tokens/{prefix}").status_code == 403
