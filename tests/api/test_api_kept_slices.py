"""Decisions and screen pops are made on the dialled number's slice kept by the API
(``Runtime.slices``), checked on every request against its account's routing version: a rule
saved through the API, or by another process on the same database, shows at the very next
request (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from api_world import World

from accueil.services.rules import save_rules
from accueil.store.db import make_engine, session_factory, transaction

CLAIRE = "/api/v1/accounts/alpha/people/claire"
CALL = {"to": "01 40 00 00 01", "caller": "06 98 76 54 32", "at": "2031-07-01T14:10"}


def _always(name: str, treatment: str) -> list[dict[str, object]]:
    return [{"name": name, "then": {"type": treatment}}]


def _rule(world: World, path: str) -> str:
    answer = world.client("alpha_admin").post(path, json=CALL)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    return str(found["decision"]["rule"] if "decision" in found else found["pop"]["rule"])


def test_a_rule_saved_through_the_api_shows_at_the_next_decision_and_pop(world: World) -> None:
    assert _rule(world, "/api/v1/decide") == _rule(world, "/api/v1/screen-pop") == "fallback"
    admin = world.client("alpha_admin")
    saved = admin.put(f"{CLAIRE}/rules", json={"rules": _always("all to messages", "message")})
    assert saved.status_code == 200, saved.text
    assert _rule(world, "/api/v1/decide") == "all to messages"
    assert _rule(world, "/api/v1/screen-pop") == "all to messages"
    assert world.runtime.slices.reads == 2  # read again once, after the change; kept otherwise


def test_a_rule_saved_by_another_process_shows_at_the_next_decision(world: World) -> None:
    assert _rule(world, "/api/v1/decide") == "fallback"
    url = world.runtime.engine.url.render_as_string(hide_password=False)
    other = make_engine(url)  # the command line, another worker: not this app's caches
    with transaction(session_factory(other)) as session:
        document = {
            "account": "alpha",
            "person": "claire",
            "rules": _always("elsewhere", "message"),
        }
        save_rules(session, "alpha", document, now=datetime.now(UTC), saved_by="cli")
    other.dispose()
    assert _rule(world, "/api/v1/decide") == "elsewhere"
    assert _rule(world, "/api/v1/screen-pop") == "elsewhere"


def test_a_slice_read_by_a_refused_request_serves_the_next_one(world: World) -> None:
    # bravo's admin may not reach alpha's number: 404, the transaction rolled back after the
    # slice was read and kept; the next request, allowed, is answered from it
    refused = world.client("bravo_admin").post("/api/v1/screen-pop", json=CALL)
    assert refused.status_code == 404
    assert _rule(world, "/api/v1/screen-pop") == _rule(world, "/api/v1/decide") == "fallback"
    assert world.runtime.slices.reads == 1
