"""The AsyncAPI document of the streams, beside the OpenAPI: served, whole (every reference
resolves, every WebSocket route has its channel), and complete — every message type the server's
code can send, read from the source, and every committed event is in it."""

from __future__ import annotations

import ast
import json
import typing
from pathlib import Path
from typing import Any

from api_world import World
from starlette.routing import WebSocketRoute

from accueil.api.asyncapi import REPLY_DID, document
from accueil.api.routes import agent_stream
from accueil.services.events import event_names

SRC = Path(__file__).resolve().parents[2] / "src" / "accueil"
# where the messages pushed on the streams are written
SENDERS = [
    *sorted((SRC / "switchboard").glob("*.py")),
    SRC / "api" / "routes" / "agent_stream.py",
    SRC / "api" / "routes" / "event_streams.py",
]


def _types_in_source(path: Path) -> set[str]:
    """Every string a dict literal of ``path`` gives its "type" key (both arms of an if)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Dict):
            continue
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "type":
                arms = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
                found |= {a.value for a in arms if isinstance(a, ast.Constant)}
    return found


def _documented(doc: dict[str, Any]) -> set[str]:
    """The message types the document names: each message's ``type`` const, and the ``did``
    of a reply."""
    names = set()
    for message in doc["components"]["messages"].values():
        kind = message["payload"].get("properties", {}).get("type", {})
        if "const" in kind:
            names.add(kind["const"])
    reply = doc["components"]["messages"]["reply"]["payload"]["properties"]["did"]
    return names | set(reply["enum"])


def _socket_routes(routes: list[Any]) -> list[WebSocketRoute]:
    """The WebSocket routes of an app, through its included routers."""
    found = []
    for route in routes:
        if isinstance(route, WebSocketRoute):
            found.append(route)
        inner = getattr(route, "routes", None) or getattr(
            getattr(route, "original_router", None), "routes", None
        )
        found += _socket_routes(inner or [])
    return found


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        assert part in node, f"{ref}: no {part!r}"
        node = node[part]
    return node


def test_the_document_is_served_beside_the_openapi(lite: World) -> None:
    client = lite.client()  # no token: documentation, as the OpenAPI
    answer = client.get("/api/v1/asyncapi.json")
    assert answer.status_code == 200
    doc = answer.json()
    assert doc["asyncapi"] == "3.0.0" and doc["info"]["title"] == "accueil streams"
    assert doc == json.loads(json.dumps(document()))


def test_every_reference_resolves_and_every_stream_has_its_channel(lite: World) -> None:
    doc = document()
    for ref in _refs(doc):
        _resolve(doc, ref)
    sockets = {r.path.removeprefix("/api/v1") for r in _socket_routes(lite.app.routes)}
    assert sockets, "the app has WebSocket routes"
    assert {c["address"] for c in doc["channels"].values()} == sockets
    for operation in doc["operations"].values():
        assert operation["action"] in {"send", "receive"} and operation["messages"]


def test_every_message_type_the_server_can_send_is_documented() -> None:
    in_source = set().union(*(_types_in_source(p) for p in SENDERS))
    assert {"offer", "revoked", "event", "line", "saved"} <= in_source, "the scan finds them"
    # the simple actions' replies say what was done by the action's own name
    simple = set(typing.get_args(agent_stream.Ready.model_fields["type"].annotation))
    missing = (in_source | simple) - _documented(document())
    assert not missing, f"sent by the server, not in the AsyncAPI document: {sorted(missing)}"
    assert set(REPLY_DID) <= _documented(document())


def test_every_committed_event_is_documented_with_its_payload() -> None:
    doc = document()
    event = doc["components"]["messages"]["event"]["payload"]["properties"]
    assert event["name"]["enum"] == event_names()
    for name in event_names():
        schema = doc["components"]["schemas"][f"event:{name}"]
        assert {"account", "at"} <= set(schema["properties"]), name


def test_what_clients_send_is_the_streams_own_models() -> None:
    doc = document()
    action = json.dumps(doc["components"]["messages"]["action"]["payload"])
    for kind in ("ready", "pause", "accept", "decline", "finish", "heartbeat", "wrapup_done"):
        assert f'"{kind}"' in action, kind
    subscribe = doc["components"]["messages"]["subscribe"]["payload"]
    assert set(subscribe["properties"]) >= {"type", "token", "cursor"}
