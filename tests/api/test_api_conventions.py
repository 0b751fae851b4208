"""The API's conventions: problem details with field paths, cursor pages, ETag/If-Match,
Idempotency-Key, times with offsets, E.164 numbers, body limits, security headers."""

from __future__ import annotations

from api_world import World, build_world
from sqlalchemy import Engine

from accueil.api.conventions import encode_cursor
from accueil.api.settings import ApiSettings

STATUS = "/api/v1/accounts/alpha/people/claire/status"


def test_malformed_json_is_a_problem_with_a_path(lite: World) -> None:
    answer = lite.client("claire").put(
        STATUS, content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["code"] == "invalid_request" and problem["status"] == 422
    assert problem["errors"][0]["path"].startswith("body")


def test_unknown_fields_and_wrong_types_name_the_field(lite: World) -> None:
    answer = lite.client("claire").put(STATUS, json={"state": "nap", "colour": "red"})
    assert answer.status_code == 422
    paths = {e["path"] for e in answer.json()["errors"]}
    assert paths == {"body.state", "body.colour"}
    history = lite.client("claire").get(STATUS + "/history").json()["items"]
    assert history == []  # nothing was written


def test_a_service_refusal_is_a_problem_too(lite: World) -> None:
    answer = lite.client("claire").put(
        STATUS, json={"state": "away", "until": "2001-01-01T10:00:00+01:00"}
    )
    assert answer.status_code == 422
    assert "already past" in answer.json()["detail"]
    assert [e["path"] for e in answer.json()["errors"]] == ["until"]  # where, not only why
    history = lite.client("claire").get(STATUS + "/history").json()["items"]
    assert history == []  # nothing was written


def test_stale_if_match_is_412_with_the_current_version(lite: World) -> None:
    admin, claire = lite.client("alpha_admin"), lite.client("claire")
    first = claire.get(STATUS)
    etag = first.headers["etag"]
    changed = admin.put(STATUS, json={"state": "meeting"}, headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    stale = claire.put(STATUS, json={"state": "away"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == changed.headers["etag"]
    assert claire.get(STATUS).json()["state"] == "meeting"  # the stale edit changed nothing


def test_times_are_read_in_the_account_zone_and_returned_with_offsets(lite: World) -> None:
    answer = lite.client("claire").put(STATUS, json={"state": "away", "until": "2031-07-01T18:30"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["until"] in {"2031-07-01T16:30:00Z", "2031-07-01T16:30:00+00:00"}


def test_idempotency_key_replays_a_create_once(lite: World) -> None:
    admin = lite.client("alpha_admin")
    body = {"start": "2031-08-01T00:00:00+02:00", "end": "2031-08-15T00:00:00+02:00"}
    key = {"Idempotency-Key": "closure-august"}
    url = "/api/v1/accounts/alpha/closures"
    first = admin.post(url, json=body, headers=key)
    again = admin.post(url, json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true"
    assert first.json() == again.json()
    assert len(admin.get(url).json()["items"]) == 1
    other = admin.post(url, json={**body, "reason": "other"}, headers=key)
    assert other.status_code == 409
    assert other.json()["errors"][0]["path"] == "header.Idempotency-Key"


def test_lists_page_with_a_cursor(lite: World) -> None:
    admin = lite.client("root")
    first = admin.get("/api/v1/users", params={"limit": 3}).json()
    names = [u["name"] for u in first["items"]]
    while first["next_cursor"]:
        first = admin.get("/api/v1/users", params={"limit": 3, "cursor": first["next_cursor"]})
        first = first.json()
        names += [u["name"] for u in first["items"]]
    assert names == sorted(names) and len(names) == 7 and len(set(names)) == 7
    bad = admin.get("/api/v1/users", params={"cursor": "!!"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "query.cursor"


def test_numbers_typed_nationally_come_back_in_e164(lite: World) -> None:
    numbers = lite.client("alpha_admin").get("/api/v1/accounts/alpha/numbers").json()["items"]
    assert {n["e164"] for n in numbers} == {"+33140000000", "+33140000001"}
    person = lite.client("claire").get("/api/v1/accounts/alpha/people/claire").json()
    assert person["devices"][0]["address"] == "+33612345678"


def test_oversize_body_is_413_and_changes_nothing(sqlite_engine: Engine) -> None:
    world = build_world(sqlite_engine, ApiSettings(max_body_bytes=200))
    claire = world.client("claire")
    answer = claire.put(STATUS, json={"state": "away", "note": "x" * 400})
    assert answer.status_code == 413
    assert answer.json()["code"] == "body_too_large"
    assert claire.get(STATUS + "/history").json()["items"] == []


def test_every_answer_carries_security_headers(lite: World) -> None:
    answer = lite.client().get("/healthz")
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert "access-control-allow-origin" not in answer.headers


def test_the_openapi_document_is_served_and_browsable(lite: World) -> None:
    client = lite.client()
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert "/api/v1/accounts/{account}/people/{person}/availability" in spec["paths"]
    assert "swagger" in client.get("/docs").text.lower()


def test_readiness_checks_the_schema(lite: World) -> None:
    answer = lite.client().get("/readyz")
    assert answer.status_code == 200 and answer.json()["status"] == "ready"


def test_a_status_history_comes_in_cursor_pages_newest_first(world: World) -> None:
    admin = world.client("alpha_admin")
    path = "/api/v1/accounts/alpha/people/claire/status"
    for note in ("one", "two", "three", "four", "five"):
        assert admin.put(path, json={"state": "meeting", "note": note}).status_code == 200
    notes, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = admin.get(f"{path}/history", params=params).json()
        assert len(page["items"]) <= 2
        notes += [s["note"] for s in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert notes == ["five", "four", "three", "two", "one"]
    bad = admin.get(f"{path}/history", params={"cursor": encode_cursor("x")})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "query.cursor"


def test_a_number_that_is_not_one_is_refused_naming_its_field(lite: World) -> None:
    admin = lite.client("alpha_admin")
    before = admin.get("/api/v1/accounts/alpha/contacts").json()["items"]
    contact = admin.post("/api/v1/accounts/alpha/contacts", json={"number": "abc", "name": "X"})
    assert contact.status_code == 422, contact.text
    assert [e["path"] for e in contact.json()["errors"]] == ["number"]
    assert admin.get("/api/v1/accounts/alpha/contacts").json()["items"] == before  # unchanged
    decided = admin.post("/api/v1/decide", json={"to": "nonsense"})
    assert decided.status_code == 422, decided.text
    assert [e["path"] for e in decided.json()["errors"]] == ["to"]
