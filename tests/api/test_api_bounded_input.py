"""Input the store cannot hold is refused at the edge, naming its field, on both stores: whole
numbers past their column (INTEGER: 32 bits on PostgreSQL; BIGINT: 64), times outside the
years accueil works with or written as seconds, and text with a NUL or a lone surrogate
(PostgreSQL refuses a NUL even in a lookup: a 500 there and a pass on SQLite, before).
Each kind was found by schemathesis or its neighbour (``test_api_schemathesis.py``)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest
from api_world import World

from accueil.core.storable import BIGINT_MAX, INTEGER_MAX

ALPHA = "/api/v1/accounts/alpha"
CLAIRE = ALPHA + "/people/claire"
STATUS = CLAIRE + "/status"
TOO_BIG = INTEGER_MAX + 1


def _inputs(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every schema a request gives, by where: parameters, and bodies walked to their leaves."""
    found: list[tuple[str, dict[str, Any]]] = []
    parts = doc["components"]["schemas"]

    def walk(schema: dict[str, Any], where: str, seen: frozenset[str]) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                walk(parts[name], where, seen | {name})
            return
        found.append((where, schema))
        for many in ("anyOf", "oneOf", "allOf"):
            for each in schema.get(many, []):
                walk(each, where, seen)
        for name, inner in schema.get("properties", {}).items():
            walk(inner, f"{where}.{name}", seen)
        for inner in (schema.get("items"), schema.get("additionalProperties")):
            if isinstance(inner, dict):
                walk(inner, f"{where}[]", seen)

    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            for p in op.get("parameters", []):
                walk(p["schema"], f"{method.upper()} {path} {p['in']}.{p['name']}", frozenset())
            for content in op.get("requestBody", {}).get("content", {}).values():
                walk(content.get("schema", {}), f"{method.upper()} {path} body", frozenset())
    return found


def test_every_whole_number_and_time_a_request_gives_is_bounded_in_the_document(
    lite: World,
) -> None:
    """The guard for routes to come: an integer input without a ``maximum`` the store holds,
    or a time read by pydantic alone (seconds since 1970, year 9999), is named here."""
    inputs = _inputs(lite.app.openapi())
    unbounded = [
        where
        for where, schema in inputs
        if schema.get("type") == "integer"
        and not schema.get("maximum", BIGINT_MAX + 1) <= BIGINT_MAX
    ]
    assert unbounded == []
    assert [w for w, s in inputs if s.get("format") == "date-time"]  # the walk reaches them


def test_every_time_in_a_query_refuses_seconds_and_year_9999(lite: World) -> None:
    """Each date-time query parameter of the document, sent as seconds since 1970 and as a year
    pydantic reads but the day arithmetic cannot hold: a 422 naming it (``times.Instant``)."""
    filled = defaultdict(lambda: "x", account="alpha", person="claire", layer="account")
    root = lite.client("root")
    checked = 0
    for path, operations in lite.app.openapi()["paths"].items():
        for p in operations.get("get", {}).get("parameters", []):
            if p["in"] != "query" or "date-time" not in str(p["schema"]):
                continue
            url = path.format_map(filled)
            for written in ("1733011200", "9999-12-31T23:59:59-12:00"):
                answer = root.get(url, params={p["name"]: written})
                assert f"query.{p['name']}" in _paths(answer), (url, written)
            checked += 1
    assert checked >= 5


def _paths(answer: Any) -> set[str]:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    return {e["path"] for e in answer.json()["errors"]}


def _sent(world: World, method: str, url: str, body: object) -> Any:
    """``body`` as JSON text as sent on the wire (a lone surrogate as its ``\\ud800`` escape)."""
    headers = {"Content-Type": "application/json"}
    return world.client("root").request(method, url, content=json.dumps(body), headers=headers)


@pytest.mark.parametrize(
    ("method", "url", "path"),
    [
        ("GET", f"{CLAIRE}/delegations/{TOO_BIG}", "path.delegation"),
        ("DELETE", f"{CLAIRE}/delegations/{TOO_BIG}", "path.delegation"),
        ("GET", f"{ALPHA}/closures/{TOO_BIG}", "path.closure"),
        ("DELETE", f"{ALPHA}/closures/{TOO_BIG}", "path.closure"),
        ("GET", f"{ALPHA}/caller-lists/vip/versions/{TOO_BIG}", "path.version"),
        ("GET", f"{ALPHA}/calls/{TOO_BIG}", "path.call"),
        ("GET", f"{ALPHA}/calls/0", "path.call"),
        ("POST", f"{ALPHA}/deliveries/{BIGINT_MAX + 1}/retry", "path.delivery"),
        ("GET", f"{ALPHA}/scripts/account/diff?old=1&new={TOO_BIG}", "query.new"),
    ],
)
def test_a_whole_number_past_its_column_is_a_422_naming_it(
    world: World, method: str, url: str, path: str
) -> None:
    assert path in _paths(world.client("root").request(method, url))


def test_a_number_in_a_body_past_its_column_is_a_422_naming_it(world: World) -> None:
    rollback = _sent(world, "POST", f"{ALPHA}/scripts/account/rollback", {"to_version": TOO_BIG})
    assert "body.to_version" in _paths(rollback)
    level = _sent(world, "PUT", "/api/v1/agents/alice", {"trainings": {"alpha": 10**30}})
    assert "body.trainings.alpha" in _paths(level)
    agents = world.client("root").get("/api/v1/agents").json()["items"]
    assert agents[0]["trainings"] == [{"account": "alpha", "level": 2}]  # unchanged


@pytest.mark.parametrize(
    "written",
    ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "1733011200", "1e10"],
)
def test_a_time_outside_the_years_or_in_seconds_is_a_422_naming_it(
    lite: World, written: str
) -> None:
    root = lite.client("root")
    assert _paths(root.get(CLAIRE + "/availability", params={"at": written})) == {"query.at"}
    assert _paths(root.get(ALPHA + "/calls", params={"since": written})) == {"query.since"}
    assert _paths(root.get("/api/v1/search", params={"q": "x", "at": written})) == {"query.at"}
    assert _paths(root.put(STATUS, json={"state": "away", "until": written})) == {"body.until"}
    assert root.get(STATUS).json()["state"] == "auto"  # nothing was written
    closure = {"start": written, "end": "2031-01-02T00:00:00Z", "reason": "x"}
    assert _paths(root.post(ALPHA + "/closures", json=closure)) == {"body.start"}


def test_a_day_outside_the_years_is_a_422_naming_it(lite: World) -> None:
    answer = lite.client("root").get(ALPHA + "/usage", params={"from": "0001-01-01"})
    assert _paths(answer) == {"query.from"}


@pytest.mark.parametrize("bad", ["a\x00b", "a\ud800b"], ids=["nul", "surrogate"])
def test_text_no_store_can_keep_in_a_body_is_a_422_naming_the_field(world: World, bad: str) -> None:
    note = _sent(world, "PUT", STATUS, {"state": "away", "note": bad})
    assert _paths(note) == {"body.note"}
    # pydantic's own words for a surrogate in a string field; ours for a NUL and in documents
    assert "cannot be kept" in note.text or "unicode" in note.text
    assert world.client("root").get(STATUS).json()["state"] == "auto"  # nothing was written
    delegate = _sent(world, "POST", CLAIRE + "/delegations", {"delegate": bad, "start": "2031"})
    assert "body.delegate" in _paths(delegate)
    person = {"first_name": "Zoé", "last_name": "Roy", "languages": ["fr", bad]}
    arrival = _sent(world, "POST", ALPHA + "/people", person)
    assert _paths(arrival) == {"body.languages"}
    if "\x00" in bad:  # the item named
        assert arrival.json()["errors"][0]["reason"].startswith("languages[1]: ")
    people = world.client("root").get(ALPHA + "/people").json()["items"]
    assert "Zoé" not in {p["first_name"] for p in people}


def test_a_nul_in_a_path_or_query_parameter_is_a_422_naming_it(world: World) -> None:
    root = world.client("root")
    assert _paths(root.get("/api/v1/accounts/al%00pha/people")) == {"path.account"}
    assert _paths(root.get(ALPHA + "/people", params={"q": "cl\x00"})) == {"query.q"}
    assert _paths(root.get("/api/v1/search", params={"q": "\x00"})) == {"query.q"}


def test_a_query_parameter_given_twice_is_a_422_naming_it(lite: World) -> None:
    answer = lite.client("root").get("/api/v1/audit?user=root&user=claire")
    assert _paths(answer) == {"query.user"}


def test_a_key_with_spaces_around_it_is_a_422_naming_the_field(world: World) -> None:
    root = world.client("root")
    person = {"first_name": "Zoé", "last_name": "Roy", "key": " zoe "}
    arrival = root.post(ALPHA + "/people", json=person)
    assert _paths(arrival) == {"body.key"} and "write 'zoe'" in arrival.text
    delegate = root.post(CLAIRE + "/delegations", json={"delegate": "paul ", "start": "2031"})
    assert "body.delegate" in _paths(delegate)
    number = root.post(ALPHA + "/numbers", json={"number": "01 40 00 00 09", "person": " claire"})
    assert _paths(number) == {"body.person"}
    people = root.get(ALPHA + "/people").json()["items"]
    assert "zoe" not in {p["key"] for p in people}  # nothing was written


def test_a_period_that_ends_before_it_starts_names_its_end(lite: World) -> None:
    root = lite.client("root")
    closure = {"start": "2031-01-02T00:00:00Z", "end": "2031-01-01T00:00:00Z"}
    assert _paths(root.post(ALPHA + "/closures", json=closure)) == {"end"}
    cover = {"delegate": "paul", "start": "2031-01-02T00:00", "end": "2031-01-01T00:00"}
    assert _paths(root.post(CLAIRE + "/delegations", json=cover)) == {"end"}


def test_a_delegate_who_is_not_a_colleague_is_named(lite: World) -> None:
    root = lite.client("root")
    before = root.get(CLAIRE + "/delegations").json()["items"]
    answer = root.post(
        CLAIRE + "/delegations", json={"delegate": "nobody", "start": "2031-01-01T00:00"}
    )
    assert answer.status_code == 404, answer.text
    assert [e["path"] for e in answer.json()["errors"]] == ["delegate"]
    assert root.get(CLAIRE + "/delegations").json()["items"] == before  # nothing was written
