"""Numbers released through the API (SQLite and PostgreSQL): ``DELETE …/numbers/{number}``
keeps the number with what it led to, who and when, read in ``GET …/removed-numbers`` (each
release, in order, a page at a time; ``?number=`` for one number's); the number can be given
again. Another account's users, and a role that may not, release and read nothing."""

from __future__ import annotations

from api_world import World

ALPHA = "/api/v1/accounts/alpha"
BRAVO = "/api/v1/accounts/bravo"


def test_a_released_number_is_read_among_the_removed_and_given_again(world: World) -> None:
    admin = world.client("alpha_admin")
    gone = admin.delete(f"{ALPHA}/numbers/01 40 00 00 01")
    assert gone.status_code == 200, gone.text
    assert {k: gone.json()[k] for k in ("e164", "person", "removed_by")} == {
        "e164": "+33140000001",
        "person": "claire",
        "removed_by": "alpha_admin",
    }
    assert admin.post("/api/v1/decide", json={"to": "01 40 00 00 01"}).status_code == 404
    assert admin.get(f"{ALPHA}/removed-numbers").json()["items"] == [gone.json()]
    given = admin.post(f"{ALPHA}/numbers", json={"number": "01 40 00 00 01", "person": "paul"})
    assert given.status_code == 201, given.text
    assert admin.delete(f"{ALPHA}/numbers/+33140000000").status_code == 200
    assert admin.delete(f"{ALPHA}/numbers/+33140000001").json()["person"] == "paul"
    first = admin.get(f"{ALPHA}/removed-numbers", params={"limit": 2})
    assert [n["e164"] for n in first.json()["items"]] == ["+33140000001", "+33140000000"]
    cursor = first.json()["next_cursor"]
    rest = admin.get(f"{ALPHA}/removed-numbers", params={"limit": 2, "cursor": cursor}).json()
    assert [(n["e164"], n["person"]) for n in rest["items"]] == [("+33140000001", "paul")]
    assert rest["next_cursor"] is None
    one = admin.get(f"{ALPHA}/removed-numbers", params={"number": "01 40 00 00 01"}).json()
    assert [n["person"] for n in one["items"]] == ["claire", "paul"]
    wrong = admin.get(f"{ALPHA}/removed-numbers", params={"number": "12"})
    assert wrong.status_code == 422 and "query.number" in wrong.text, wrong.text


def test_another_accounts_users_release_and_read_no_number(world: World) -> None:
    assert world.client("bravo_admin").delete(f"{BRAVO}/numbers/01 50 00 00 00").status_code == 200
    for user in ("claire", "agent", "bravo_admin", "bruno"):
        answer = world.client(user).delete(f"{ALPHA}/numbers/01 40 00 00 01")
        assert answer.status_code == 404, f"{user}: {answer.status_code}"
    for user in ("alpha_admin", "claire", "agent"):
        answer = world.client(user).get(f"{BRAVO}/removed-numbers")
        assert answer.status_code == 404 and "+33150000000" not in answer.text, user
    admin = world.client("alpha_admin")
    assert admin.get(f"{ALPHA}/removed-numbers").json()["items"] == []  # bravo's is bravo's
    assert "+33140000001" in [n["e164"] for n in admin.get(f"{ALPHA}/numbers").json()["items"]]
