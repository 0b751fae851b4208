"""Events as the outbox keeps them: every kind comes back from its row as it was emitted."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any, get_type_hints

import pytest

from accueil.errors import InvalidInput
from accueil.services import events
from accueil.services.events import Event, event_from, event_names

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _sample(kind: type[Event]) -> Event:
    values: dict[str, Any] = {}
    for field in dataclasses.fields(kind):
        hint = get_type_hints(kind)[field.name]
        if "datetime" in str(hint):
            values[field.name] = AT + timedelta(minutes=len(values))
        elif hint is int or "int" in str(hint):
            values[field.name] = len(values)
        elif "tuple" in str(hint):
            values[field.name] = (f"{field.name}-one", f"{field.name}-two")
        else:
            values[field.name] = f"{field.name}-value"
    values["account"] = "martin"
    return kind(**values)


KINDS = [k for k in vars(events).values() if isinstance(k, type) and issubclass(k, Event)]


@pytest.mark.parametrize("kind", [k for k in KINDS if k is not Event], ids=lambda k: k.name)
def test_every_event_comes_back_from_its_outbox_payload(kind: type[Event]) -> None:
    emitted = _sample(kind)
    assert event_from(kind.name, emitted.payload()) == emitted


def test_event_names_are_unique_and_listed() -> None:
    assert len(event_names()) == len(KINDS) - 1


def test_an_unknown_event_name_is_refused_with_its_name() -> None:
    with pytest.raises(InvalidInput, match=r"'status\.exploded'"):
        event_from("status.exploded", {})
