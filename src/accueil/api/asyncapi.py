"""The AsyncAPI 3.0 document of the WebSocket streams, served at ``/api/v1/asyncapi.json`` beside
the OpenAPI: the agents' stream, the supervisor's stream and the event stream, every message
each side may send, and every committed event with its payload.

Made from the code where the code says it: what clients send from the streams' pydantic models,
the events' payloads from their dataclasses (``services/events.py``). What the server pushes is
written here; ``tests/api/test_asyncapi.py`` reads the source for every message type the server
can send and fails when one is missing from this file.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter

from accueil import __version__
from accueil.api.routes import agent_stream, event_streams
from accueil.services.events import event_kinds

REF = "#/components/schemas/{model}"
_TEXT = {"type": "string"}
_INT = {"type": "integer"}
_ID = {"description": "the client's id of the message this answers (echoed)"}
_CURSOR = {"type": "integer", "description": "monotonic: resume from the last one received"}
_EVENT_CURSOR = {
    "type": "integer",
    "description": "the outbox id; resume from the last one received (on PostgreSQL ids may "
    "come out of order: keep the last, not the largest)",
}


def _obj(description: str, required: list[str], **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
    }


def _type(name: str) -> dict[str, Any]:
    return {"type": "string", "const": name}


# What the switchboard pushes to an agent's desk (``switchboard/board.py``) and answers.
REPLY_DID = {
    "ready": "ready for calls",
    "heartbeat": "a sign of life, noted",
    "wrapup_done": "wrap-up ended",
    "logout": "logged out (the socket closes)",
    "ok": "a pause taken",
    "accepted": "the offer is taken: the caller is bridged (``connected`` follows)",
    "declined": "the offer goes to the next agent",
    "saved": "the outcome is committed (record, message): ``record``, ``outcome``, ``message``",
}
AGENT_PUSHED: dict[str, dict[str, Any]] = {
    "logged_in": _obj(
        "the answer to login: the session, resumed or new, and the current cursor",
        ["type", "agent", "resumed", "cursor", "replay_whole"],
        type=_type("logged_in"), agent=_TEXT, resumed={"type": "boolean"}, cursor=_CURSOR,
        replay_whole={"type": "boolean", "description": "false: more was missed than is kept"},
    ),
    "offer": _obj(
        "a call offered as a lease: accept or decline with its token before it expires",
        ["type", "call", "token", "expires_in", "cursor"],
        type=_type("offer"), call=_TEXT, token=_INT, expires_in={"type": "number"}, ring=_INT,
        reason=_TEXT, enqueued_at={"type": ["string", "null"], "format": "date-time"},
        pop={"type": ["object", "null"], "description": "the screen pop (null: unreadable)"},
        cursor=_CURSOR,
    ),
    "revoked": _obj(
        "an offer taken back (lapsed, paused, lost connection); the call keeps its place",
        ["type", "call", "token", "cursor"],
        type=_type("revoked"), call=_TEXT, token=_INT, reason=_TEXT, cursor=_CURSOR,
    ),
    "connected": _obj(
        "the caller is bridged to the agent", ["type", "call", "cursor"],
        type=_type("connected"), call=_TEXT, cursor=_CURSOR,
    ),
    "wrapup": _obj(
        "the call ended: wrap-up for this long", ["type", "call", "seconds", "cursor"],
        type=_type("wrapup"), call=_TEXT, seconds={"type": "number"}, cursor=_CURSOR,
    ),
    "paused": _obj(
        "the switchboard paused the agent", ["type", "reason", "cursor"],
        type=_type("paused"), reason=_TEXT, cursor=_CURSOR,
    ),
}  # fmt: skip
COMMON_PUSHED: dict[str, dict[str, Any]] = {
    "reply": _obj(
        "an action done", ["type", "did"],
        type=_type("reply"), id=_ID, did={"enum": sorted(REPLY_DID), "description": "; ".join(
            f"{k}: {v}" for k, v in REPLY_DID.items()
        )},
    ),
    "error": _obj(
        "an action refused, the state unchanged; ``errors`` names each bad field by path",
        ["type", "code", "message"],
        type=_type("error"), id=_ID, code={"type": "string", "examples": [
            "refused", "invalid_input", "not_found", "unauthenticated", "forbidden", "closed",
            "unavailable",
        ]}, message=_TEXT,
        words=_obj(
            "the message's gettext template and values (``message`` is made of them), for a "
            "client to say it in its own language", ["template", "values"],
            template=_TEXT, values={"type": "object"},
        ),
        errors={"type": "array", "items": _obj("", ["path", "reason"], path=_TEXT, reason=_TEXT)},
    ),
}  # fmt: skip
STREAM_PUSHED: dict[str, dict[str, Any]] = {
    "subscribed": _obj(
        "the answer to subscribe: the events after ``cursor`` follow",
        ["type", "cursor"], type=_type("subscribed"), id=_ID, cursor=_EVENT_CURSOR,
    ),
    "event": {
        **_obj(
            "a committed event (after its transaction), in outbox order",
            ["type", "cursor", "name", "account", "payload"],
            type=_type("event"), cursor=_EVENT_CURSOR, name={"enum": []},
            account={"type": "string", "description": "the account's key; '' for the operator"},
            payload={"oneOf": []},
        ),
    },
    "line": _obj(
        "the line now, sent at once and whenever it changes (supervisor stream only)",
        ["type", "at", "waiting", "agents", "calls"],
        type=_type("line"), at={"type": "string", "format": "date-time"},
        waiting={"type": "array", "items": {"type": "object"}},
        agents={"type": "array", "items": {"type": "object"}},
        calls={"type": "array", "items": {"type": "object"}},
    ),
}  # fmt: skip


def pushed_types() -> set[str]:
    """Every ``type`` a server message may have, and every ``did`` of a reply."""
    return {*AGENT_PUSHED, *COMMON_PUSHED, *STREAM_PUSHED, *REPLY_DID}


@cache
def document() -> dict[str, Any]:
    """The AsyncAPI document (made once per process)."""
    schemas: dict[str, Any] = {}

    def schema(kind: Any) -> dict[str, Any]:
        found = TypeAdapter(kind).json_schema(ref_template=REF)
        schemas.update(found.pop("$defs", {}))
        return found

    kinds = event_kinds()
    for name, kind in kinds.items():
        schemas[f"event:{name}"] = {**schema(kind), "title": name}
    event = STREAM_PUSHED["event"]
    properties = {
        **event["properties"],
        "name": {"enum": list(kinds)},
        "payload": {"oneOf": [{"$ref": REF.format(model=f"event:{n}")} for n in kinds]},
    }
    pushed = {**STREAM_PUSHED, "event": {**event, "properties": properties}}
    messages: dict[str, Any] = {}

    def message(name: str, payload: dict[str, Any], summary: str = "") -> dict[str, str]:
        messages[name] = {"name": name, "summary": summary or payload.get("description", "")}
        messages[name]["payload"] = payload
        return {"$ref": f"#/components/messages/{name}"}

    agent_in = {
        "login": message("login", schema(agent_stream.Login), "first: sign in, resume by cursor"),
        "action": message("action", schema(agent_stream.ClientMessage), "the desk's actions"),
    }
    stream_in = {
        "subscribe": message("subscribe", schema(event_streams.Subscribe), "first: sign in"),
        "heartbeat": message("heartbeat", schema(event_streams.Heartbeat), "a sign of life"),
    }
    common = {k: message(k, v) for k, v in COMMON_PUSHED.items()}
    agent_out = {k: message(k, v) for k, v in AGENT_PUSHED.items()}
    stream_out = {k: message(k, v) for k, v in pushed.items()}
    events_out = {k: v for k, v in stream_out.items() if k != "line"}
    channels = {
        "agent": _channel("/agent/stream", agent_stream, {**agent_in, **common, **agent_out}),
        "supervisor": _channel(
            "/supervisor/stream", event_streams, {**stream_in, **common, **stream_out}
        ),
        "events": _channel("/events/stream", event_streams, {**stream_in, **common, **events_out}),
    }
    operations = {}
    for channel, inbound, outbound in [
        ("agent", agent_in, {**common, **agent_out}),
        ("supervisor", stream_in, {**common, **stream_out}),
        ("events", stream_in, {**common, **events_out}),
    ]:
        ref = {"$ref": f"#/channels/{channel}"}
        operations[f"{channel}.receive"] = {
            "action": "receive", "channel": ref,
            "messages": [{"$ref": f"#/channels/{channel}/messages/{k}"} for k in inbound],
        }  # fmt: skip
        operations[f"{channel}.send"] = {
            "action": "send", "channel": ref,
            "messages": [{"$ref": f"#/channels/{channel}/messages/{k}"} for k in outbound],
        }  # fmt: skip
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "accueil streams",
            "version": __version__,
            "description": "JSON text frames over WebSocket (docs/live.md). Sign in with an API "
            "token (Authorization: Bearer …, or token in the first message).",
        },
        "servers": {"accueil": {"host": "localhost:8080", "protocol": "ws", "pathname": "/api/v1"}},
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def _channel(address: str, module: Any, messages: dict[str, Any]) -> dict[str, Any]:
    return {
        "address": address,
        "description": (module.__doc__ or "").strip().split("\n\n")[0],
        "messages": messages,
    }
