"""Isolation, enumerated: every operation of the OpenAPI document is tried by users of account
alpha (client admin, employee, an agent offered nothing) against account bravo's data.

Each operation declares its scope (``x-accueil-scope``); an operation without one, or with a path
parameter or body this file has no sample for, fails the test, so a new endpoint cannot escape.
For account and person data the answer must be the 404 a missing account gets, never bravo's data
and never a 403 that confirms it exists; operator-level operations answer 403 or filter.
Nothing may change in the database.
"""

from __future__ import annotations

from typing import Any

from api_world import World
from sqlalchemy import Engine, MetaData, func, select

import accueil.store.models  # noqa: F401  (every table on the metadata)
from accueil.api.conventions import SCOPE_KEY
from accueil.store.tables import Base

ATTACKERS = ("alpha_admin", "claire", "agent")
# What must never appear in an answer to alpha's users: bravo's data.
SECRETS = ("Bravo Plomberie", "Secret", "Atelier", "+33622222222")
METHODS = ("get", "post", "put", "patch", "delete")

# Bravo's identifiers, by path parameter name; "zulu"s are for the never-existed comparison.
BRAVO = {
    "account": "bravo",
    "person": "bruno",
    "name": "bruno",
    "group": "atelier",
    "key": "VIP",
    "layer": "person:bruno",
    "call": "(bravo's call)",
    "message": "(bravo's message)",
    "gateway": "generic",
    "delivery": "1",
    "number": "+33150000000",
    "agent": "alice",
    "closure": "1",
    "delegation": "1",
    "version": "1",
}
NOWHERE = {
    "account": "zulu",
    "person": "nobody",
    "name": "nobody",
    "group": "nogroup",
    "key": "nokey",
    "layer": "person:nobody",
    "call": "999999",
    "message": "nomessage",
    "gateway": "generic",
    "delivery": "999999",
    "number": "+33170000000",
    "agent": "nobody",
    "closure": "999999",
    "delegation": "999999",
    "version": "999999",
}
# Required query parameters, by name.
QUERY = {"old": "1", "new": "2", "q": "bruno"}
RULES = {"rules": [{"name": "all to pool", "then": {"type": "message"}}]}
SCRIPT = {"source": "name: x\ngreetings: {fr: {office_hours: Bonjour}}\nsteps: []\n"}
# Valid bodies, so that the guard (not validation) is what answers.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/v1/login"): {"name": "bruno", "password": "wrong password"},
    ("post", "/api/v1/session"): {"name": "bruno", "password": "wrong password"},
    ("post", "/api/v1/users"): {"name": "mallory", "role": "client_admin", "account": "bravo"},
    ("post", "/api/v1/users/{name}/tokens"): {"label": "x"},
    ("put", "/api/v1/accounts/{account}/people/{person}/status"): {"state": "away"},
    ("post", "/api/v1/accounts/{account}/closures"): {
        "start": "2030-01-01T00:00:00+01:00",
        "end": "2030-01-02T00:00:00+01:00",
    },
    ("post", "/api/v1/accounts/{account}/people/{person}/delegations"): {
        "delegate": "bruno",
        "start": "2030-01-01T00:00:00+01:00",
    },
    ("post", "/api/v1/decide"): {"to": "01 50 00 00 00", "caller": "0612345678"},
    ("post", "/api/v1/screen-pop"): {"to": "01 50 00 00 00", "caller": "0612345678"},
    ("put", "/api/v1/accounts/{account}/rules"): RULES,
    ("post", "/api/v1/accounts/{account}/rules/check"): RULES,
    ("put", "/api/v1/accounts/{account}/groups/{group}/rules"): RULES,
    ("put", "/api/v1/accounts/{account}/people/{person}/rules"): RULES,
    ("put", "/api/v1/accounts/{account}/caller-lists/{key}"): {"entries": [{"number": "+33*"}]},
    ("put", "/api/v1/accounts/{account}/employee-policy"): {"mobile": False},
    ("put", "/api/v1/accounts/{account}/people/{person}/vip"): {
        "contacts": [{"number": "06 12 34 56 78", "name": "X"}]
    },
    ("post", "/api/v1/accounts/{account}/contacts"): {"number": "0612345678", "name": "X"},
    ("put", "/api/v1/accounts/{account}/rotas/{key}"): {
        "shifts": [{"hours": "mon-sun 00:00-24:00", "contacts": ["0612345678"]}]
    },
    ("put", "/api/v1/accounts/{account}/scripts/{layer}"): SCRIPT,
    ("put", "/api/v1/accounts/{account}/people/{person}/calendar/feed"): {
        "url": "https://calendar.example/bruno.ics"
    },
    ("post", "/api/v1/accounts/{account}/scripts/{layer}/rollback"): {"to_version": 1},
    ("post", "/api/v1/accounts/{account}/people"): {"first_name": "Mallory"},
    ("put", "/api/v1/accounts/{account}/people/{person}/group"): {"group": ""},
    ("post", "/api/v1/accounts/{account}/groups"): {"name": "Mallory's team"},
    ("post", "/api/v1/accounts/{account}/numbers"): {"number": "01 70 00 00 01"},
    ("put", "/api/v1/agents/{agent}"): {"site": "Mallory"},
    ("put", "/api/v1/accounts/{account}"): {"name": "Mallory"},
}


ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nEND:VCALENDAR\r\n"
IMPORT = b"people:\n  - {account: bravo, key: bruno, first_name: Mallory, last_name: X}\n"
# Multipart bodies (uploads), by operation.
FILES: dict[tuple[str, str], list[tuple[str, tuple[str, bytes, str]]]] = {
    ("put", "/api/v1/accounts/{account}/people/{person}/calendar/file"): [
        ("file", ("cal.ics", ICS, "text/calendar"))
    ],
    ("post", "/api/v1/imports"): [("files", ("people.yaml", IMPORT, "application/yaml"))],
}


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def _fill(path: str, values: dict[str, str], token_prefix: str) -> str:
    out = path
    for name, value in {**values, "prefix": token_prefix}.items():
        out = out.replace("{" + name + "}", value)
    assert "{" not in out, f"{path}: a path parameter has no isolation sample; add it here"
    return out


def _query(op: dict[str, Any], where: str) -> dict[str, str]:
    needed = [
        p["name"] for p in op.get("parameters", []) if p["in"] == "query" and p.get("required")
    ]
    missing = [n for n in needed if n not in QUERY]
    assert not missing, f"{where}: add a sample for the query parameters {missing}"
    return {n: QUERY[n] for n in needed}


def _counts(engine: Engine, skip: tuple[str, ...] = ()) -> dict[str, int]:
    meta: MetaData = Base.metadata
    with engine.connect() as conn:
        return {
            t.name: conn.scalar(select(func.count()).select_from(t)) or 0
            for t in meta.sorted_tables
            if t.name not in skip
        }


def test_every_operation_declares_a_scope(lite: World) -> None:
    spec = lite.client().get("/api/v1/openapi.json").json()
    missing = [f"{m.upper()} {p}" for m, p, op in _operations(spec) if SCOPE_KEY not in op]
    assert not missing, f"operations without {SCOPE_KEY}: {missing}"
    assert len(_operations(spec)) >= 20


def test_no_user_of_alpha_reaches_bravo(world: World) -> None:
    admin = world.client("root")
    spec = admin.get("/api/v1/openapi.json").json()
    bravo_token = admin.get("/api/v1/tokens", params={"user": "bruno"}).json()["items"][0]
    bravo_call = admin.get("/api/v1/accounts/bravo/calls").json()["items"][0]["id"]
    bravo_message = admin.get("/api/v1/accounts/bravo/messages").json()["items"][0]["id"]
    bravo = {**BRAVO, "call": str(bravo_call), "message": bravo_message}
    before = _counts(world.runtime.engine)
    tried = 0
    for method, path, op in _operations(spec):
        scope = op[SCOPE_KEY]
        if "requestBody" in op:
            known = (method, path) in BODIES or (method, path) in FILES
            assert known, f"{method.upper()} {path}: add a sample body"
        body = BODIES.get((method, path))
        files = FILES.get((method, path))
        for user in ATTACKERS:
            client = world.client(user)
            url = _fill(path, bravo, bravo_token["prefix"])
            params = _query(op, f"{method.upper()} {path}")
            answer = client.request(method.upper(), url, json=body, params=params, files=files)
            where = f"{user}: {method.upper()} {url} -> {answer.status_code} {answer.text[:200]}"
            for secret in SECRETS:
                assert secret not in answer.text, where
            assert answer.status_code != 500, where
            if scope == "lookup":
                assert answer.status_code == 404, where
                ghost_body = {**(body or {}), "to": "01 60 00 00 00"}
                ghost = client.request(method.upper(), url, json=ghost_body, params=params)
                assert ghost.status_code == 404 and ghost.json()["code"] == answer.json()["code"]
            if scope in {"account", "person"}:
                assert answer.status_code == 404, where
                ghost_url = _fill(path, NOWHERE, "x")
                ghost = client.request(
                    method.upper(), ghost_url, json=body, params=params, files=files
                )
                assert ghost.status_code == 404, f"{where}; a missing account: {ghost.status_code}"
                assert ghost.json()["code"] == answer.json()["code"], where
            elif scope == "operator":
                assert answer.status_code in {200, 403}, where
            tried += 1
    assert tried >= 3 * 20
    after = _counts(world.runtime.engine)
    assert after == before, "an attempt changed the database"


def test_an_employee_cannot_touch_a_colleague(lite: World) -> None:
    claire = lite.client("claire")
    spec = claire.get("/api/v1/openapi.json").json()
    mine_message = claire.get("/api/v1/accounts/alpha/people/claire/messages").json()["items"]
    cover = {"delegate": "paul", "start": "2030-01-01T00:00:00+01:00"}
    made = claire.post("/api/v1/accounts/alpha/people/claire/delegations", json=cover)
    assert made.status_code == 201, made.text
    mine_delegation = str(made.json()["id"])
    colleague = {
        "account": "alpha",
        "person": "paul",
        "name": "paul",
        "message": "any",
        "delegation": mine_delegation,
    }
    # reading her own calls is audited: the audit log grows, nothing else may
    before = _counts(lite.runtime.engine, skip=("audit_log",))
    for method, path, op in _operations(spec):
        if op[SCOPE_KEY] != "person":
            continue
        url = _fill(path, colleague, "x")
        params = _query(op, path)
        body, files = BODIES.get((method, path)), FILES.get((method, path))
        answer = claire.request(method.upper(), url, json=body, params=params, files=files)
        assert answer.status_code == 404, f"{method.upper()} {url}: {answer.status_code}"
        assert "Durand" not in answer.text
        own = {
            "account": "alpha",
            "person": "claire",
            "message": mine_message[0]["id"],
            "delegation": mine_delegation,
        }
        mine = _fill(path, own, "x")
        if method == "get":
            assert claire.get(mine, params=params).status_code != 404, mine  # let through
    assert _counts(lite.runtime.engine, skip=("audit_log",)) == before


def test_a_client_admin_sees_only_their_account_in_lists(lite: World) -> None:
    keys = [a["key"] for a in lite.client("alpha_admin").get("/api/v1/accounts").json()["items"]]
    assert keys == ["alpha"]
    all_keys = [a["key"] for a in lite.client("sup").get("/api/v1/accounts").json()["items"]]
    assert all_keys == ["alpha", "bravo"]
    assert lite.client("agent").get("/api/v1/accounts").json()["items"] == []
