"""The audit log: every change (and every read of personal data) leaves a row in the same
transaction; operator admins read all of it, a client admin their own account's."""

from __future__ import annotations

from api_world import World

STATUS = "/api/v1/accounts/alpha/people/claire/status"


def test_a_change_leaves_who_what_when_and_from_where(world: World) -> None:
    admin = world.client("alpha_admin")
    done = admin.put(STATUS, json={"state": "away", "note": "x"})
    assert done.status_code == 200
    rows = world.client("root").get("/api/v1/audit").json()["items"]
    row = rows[0]
    assert row["user"] == "alpha_admin" and row["role"] == "client_admin"
    assert row["account"] == "alpha"
    assert row["operation"] == "PUT /api/v1/accounts/{account}/people/{person}/status"
    assert row["target"] == STATUS
    assert row["request_id"] == done.headers["x-request-id"]
    assert row["client"] == "testclient" and row["at"]


def test_a_refused_change_leaves_no_row_and_reads_leave_none(world: World) -> None:
    admin = world.client("alpha_admin")
    assert admin.put(STATUS, json={"state": "napping"}).status_code == 422
    assert admin.put(STATUS, json={"state": "away"}, headers={"If-Match": '"0"'}).status_code == 412
    assert admin.get(STATUS).status_code == 200
    assert world.client("root").get("/api/v1/audit").json()["items"] == []


def test_reading_call_records_is_audited(world: World) -> None:
    assert (
        world.client("claire").get("/api/v1/accounts/alpha/people/claire/calls").status_code == 200
    )
    row = world.client("root").get("/api/v1/audit").json()["items"][0]
    assert row["user"] == "claire"
    assert row["operation"] == "GET /api/v1/accounts/{account}/people/{person}/calls"


def test_a_client_admin_reads_only_their_accounts_rows(world: World) -> None:
    world.client("alpha_admin").put(STATUS, json={"state": "away"})
    world.client("bravo_admin").put(
        "/api/v1/accounts/bravo/people/bruno/status", json={"state": "away"}
    )
    # a screen pop reads the caller's history: audited under the account the number leads to
    pop = {"to": "01 40 00 00 01", "caller": "06 11 11 11 11"}
    assert world.client("sup").post("/api/v1/screen-pop", json=pop).status_code == 200
    mine = world.client("alpha_admin").get("/api/v1/accounts/alpha/audit").json()["items"]
    assert [r["user"] for r in mine] == ["sup", "alpha_admin"]
    assert world.client("alpha_admin").get("/api/v1/audit").status_code == 403
    assert world.client("sup").get("/api/v1/accounts/alpha/audit").status_code == 403
    assert world.client("claire").get("/api/v1/accounts/alpha/audit").status_code == 404
    only = world.client("root").get("/api/v1/audit", params={"account": "bravo"}).json()
    assert [r["user"] for r in only["items"]] == ["bravo_admin"]


def test_the_audit_log_comes_in_pages(world: World) -> None:
    admin = world.client("alpha_admin")
    for state in ("away", "meeting", "available"):
        admin.put(STATUS, json={"state": state})
    root = world.client("root")
    first = root.get("/api/v1/audit", params={"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = root.get("/api/v1/audit", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    ids = [r["id"] for r in first["items"] + rest["items"]]
    assert len(ids) == 3 and ids == sorted(ids, reverse=True) and rest["next_cursor"] is None
