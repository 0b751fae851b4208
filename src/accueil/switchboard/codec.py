"""The journal's format: versioned JSON of the switchboard's own types, never pickle.

Every journal row and snapshot is one JSON document::

    {"format": "accueil.switchboard", "version": 1, "body": …}

A value of the body is plain JSON for ``None``, booleans, integers, finite floats, strings
and lists, or an object with one ``$`` key that says what it is:

- ``{"$o": "AgentReady", "f": {"at": 3.5, "agent": "alice"}}``: an instance of a known class,
  its fields (dataclasses) or attributes (the engine's slot classes) by name;
- ``{"$p": "Answer", "v": {…}}``: a treatment (a pydantic model), as its JSON;
- ``{"$e": "Stage", "v": "waiting"}``: an enum member, by value;
- ``{"$t": […]}``, ``{"$s": […]}``, ``{"$fs": […]}``, ``{"$q": […]}``: a tuple, a set, a
  frozenset, a deque; ``{"$d": [k, v, k, v, …]}``, ``{"$od": […]}``: a dict, an ordered dict
  (keys of any type); ``{"$l": […], "#": 2}``: a list reached twice;
- ``{"$dt": "2026-11-30T09:00:00+00:00"}``, ``{"$td": 1.5}``, ``{"$f": "inf"}``: a datetime, a
  duration in seconds, a float JSON cannot write;
- ``{"$c": "AgentReady"}``: a known class itself (the engine's handlers are keyed by class);
- ``{"$m": [value, "name"]}``: a method of a known instance (the engine's timers call one);
- ``{"$r": 4}``: the value marked ``"#": 4`` (one object reached twice: the engine's records
  point at each other).

Only the classes of ``KNOWN`` (the switchboard's inputs, the engine's state, the telephony's
events, the directory's and the rules' values they hold) are ever made, by name, without
running their ``__init__``; nothing is imported or called by what a row says. A row that is
not this format, an unknown name, a field a class no longer has: ``JournalFormatError`` with
the reason. A field a newer release added to a dataclass (with a default) is filled with its
default when an older journal is read, so a new release reads an old journal.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import math
import types
from collections import OrderedDict, deque
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, cast

from pydantic import BaseModel

from accueil.core import decision, rules

FORMAT = "accueil.switchboard"
VERSION = 1
# the modules whose classes a journal may hold: the inputs, the engine's state, the
# telephony's events, the directory's and the rules' values a live call keeps
_ROUTING = (
    "config engine events familiarity groups guard holding line matching patience pool records"
)
_MODULES = (
    *(
        f"accueil.core.routing.{name}"
        for name in f"{_ROUTING} rings strategies teams timers".split()
    ),
    "accueil.switchboard.calls",
    "accueil.switchboard.inputs",
    "accueil.telephony.port",
    "accueil.core.directory",
    "accueil.core.hours",
    "accueil.core.treatments",
)
_MORE: tuple[type, ...] = (decision.Decision, decision.RingTarget, rules.Scope)


class JournalFormatError(Exception):
    """A journal row or snapshot that this release cannot read, and why."""


def _collect() -> dict[str, type]:
    found: dict[str, type] = {}
    for name in _MODULES:
        for value in vars(importlib.import_module(name)).values():
            if isinstance(value, type) and value.__module__ == name:
                found[value.__name__] = value
    for cls in _MORE:
        found[cls.__name__] = cls
    return found


KNOWN = _collect()
_NAMES = {cls: name for name, cls in KNOWN.items()}


def register(cls: type) -> type:
    """Add a class of the switchboard's state that lives outside the modules above."""
    if cls.__name__ in KNOWN and KNOWN[cls.__name__] is not cls:
        raise ValueError(f"two journal types named {cls.__name__}")
    KNOWN[cls.__name__] = cls
    _NAMES[cls] = cls.__name__
    return cls


def dumps(value: object) -> bytes:
    """``value`` as one journal document."""
    return json.dumps(
        {"format": FORMAT, "version": VERSION, "body": _Encoder(value).encode(value)},
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode()


def loads(data: bytes) -> Any:
    """The value of one journal document; ``JournalFormatError`` when it is not one."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise JournalFormatError(f"not JSON ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise JournalFormatError(f"not an {FORMAT} document")
    version = document.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise JournalFormatError(
            f"format version {version!r}: this release reads up to {VERSION} (a newer one wrote it)"
        )
    try:
        return _Decoder().decode(document.get("body"))
    except JournalFormatError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        raise JournalFormatError(f"malformed body: {exc}") from None


def _name(cls: type) -> str:
    name = _NAMES.get(cls)
    if name is None:
        raise TypeError(f"{cls.__module__}.{cls.__qualname__} is not a journal type")
    return name


def _attributes(value: object) -> dict[str, Any]:
    """An instance's state: its dataclass fields, or its slots and ``__dict__``."""
    if dataclasses.is_dataclass(value):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    found: dict[str, Any] = {}
    for cls in type(value).__mro__:
        for slot in vars(cls).get("__slots__", ()):
            if slot != "__dict__" and hasattr(value, slot):
                found[slot] = getattr(value, slot)
    found.update(getattr(value, "__dict__", {}))
    return found


_SHAREABLE = (list, dict, set, deque)  # mutable: the identity matters when reached twice
_SCALARS = (type(None), bool, int, float, str, datetime, timedelta, Enum)
# immutable values met again (a kept slice's account, a rule's treatment): their encoding, made
# once, by id (the value is held here, so its id stays its own); cleared when full
_KEPT: dict[int, tuple[object, Any]] = {}
_KEEP_AT_MOST = 4096


def _immutable(value: object) -> bool:
    """Whether ``value`` can never change: scalars, enums, tuples and frozensets of such,
    frozen dataclasses and frozen pydantic models made of such."""
    if isinstance(value, _SCALARS):
        return True
    if type(value) in (tuple, frozenset):
        return all(_immutable(v) for v in value)  # type: ignore[attr-defined]
    if isinstance(value, BaseModel):
        return bool(value.model_config.get("frozen"))
    params = getattr(type(value), "__dataclass_params__", None)
    return (
        params is not None
        and params.frozen
        and all(_immutable(getattr(value, f.name)) for f in dataclasses.fields(value))  # type: ignore[arg-type]
    )


def _keep(value: object, encoded: Any) -> None:
    if len(_KEPT) >= _KEEP_AT_MOST:
        _KEPT.clear()
    _KEPT[id(value)] = (value, encoded)


def _kept(value: object) -> Any:
    found = _KEPT.get(id(value))
    return found[1] if found is not None and found[0] is value else None


class _Encoder:
    def __init__(self, root: object) -> None:
        self._seen: dict[int, int] = {}
        self._count(root)
        self._shared = {key for key, n in self._seen.items() if n > 1}
        self._marks: dict[int, int] = {}
        self._refs = 0  # references written ("$r"): an encoding with one is this document's
        self._keep: list[object] = []  # holds what was marked, so its id stays its own

    def _count(self, value: object) -> None:
        stack = [value]
        while stack:
            item = stack.pop()
            if not isinstance(item, _SHAREABLE) and not _is_instance(item):
                if isinstance(item, tuple | frozenset):
                    stack.extend(item)
                elif isinstance(item, types.MethodType):
                    stack.append(item.__self__)
                continue
            key = id(item)
            self._seen[key] = self._seen.get(key, 0) + 1
            if self._seen[key] > 1:
                continue
            if isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, list | set | deque):
                stack.extend(item)
            elif not isinstance(item, BaseModel) and _kept(item) is None:
                stack.extend(_attributes(item).values())  # (immutable, kept: nothing shared)

    def encode(self, value: object) -> Any:
        if isinstance(value, Enum):
            return {"$e": _name(type(value)), "v": value.value}
        if value is None or isinstance(value, bool | int | str):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"$f": repr(value)}
        if isinstance(value, datetime):
            return {"$dt": value.isoformat()}
        if isinstance(value, timedelta):
            return {"$td": value.total_seconds()}
        if isinstance(value, type):
            return {"$c": _name(value)}
        if isinstance(value, types.MethodType):
            return {"$m": [self.encode(value.__self__), value.__func__.__name__]}
        if isinstance(value, BaseModel):
            return {"$p": _name(type(value)), "v": self._model(value)}
        if isinstance(value, tuple) and not _is_instance(value):
            return {"$t": [self.encode(v) for v in value]}
        if isinstance(value, frozenset):
            return {"$fs": [self.encode(v) for v in value]}
        key = id(value)
        if key in self._marks:
            self._refs += 1
            return {"$r": self._marks[key]}
        mark: dict[str, Any] = {}
        if key in self._shared:
            self._marks[key] = len(self._marks) + 1
            self._keep.append(value)
            mark = {"#": self._marks[key]}
        if isinstance(value, list):
            return (
                {"$l": [self.encode(v) for v in value], **mark}
                if mark
                else [self.encode(v) for v in value]
            )
        if isinstance(value, dict):
            kind = "$od" if isinstance(value, OrderedDict) else "$d"
            flat = [self.encode(x) for pair in value.items() for x in pair]
            return {kind: flat, **mark}
        if isinstance(value, set):
            return {"$s": [self.encode(v) for v in value], **mark}
        if isinstance(value, deque):
            return {"$q": [self.encode(v) for v in value], "max": value.maxlen, **mark}
        if _is_instance(value):
            return {"$o": _name(type(value)), "f": self._fields(value), **mark}
        raise TypeError(f"{type(value).__qualname__} is not a journal type")

    def _fields(self, value: object) -> dict[str, Any]:
        """An instance's fields encoded; an immutable one's made once and kept (not when it
        holds a mark or a reference: those are this document's own)."""
        kept = _kept(value)
        if kept is not None:
            return cast(dict[str, Any], kept)
        before = (len(self._marks), self._refs)
        fields = {k: self.encode(v) for k, v in _attributes(value).items()}
        if (len(self._marks), self._refs) == before and _immutable(value):
            _keep(value, fields)
        return fields

    @staticmethod
    def _model(value: BaseModel) -> Any:
        kept = _kept(value)
        if kept is None:
            kept = value.model_dump(mode="json")
            if value.model_config.get("frozen"):
                _keep(value, kept)
        return kept


def _is_instance(value: object) -> bool:
    return type(value) in _NAMES and not isinstance(value, Enum | BaseModel)


class _Decoder:
    def __init__(self) -> None:
        self._marks: dict[int, Any] = {}

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, bool | int | float | str):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict):
            raise JournalFormatError(f"unexpected value {node!r}")
        if "$r" in node:
            return self._marks[int(node["$r"])]
        if "$o" in node:
            return self._instance(node)
        if "$l" in node:
            return self._filled(node, [], lambda v: v.extend(self.decode(x) for x in node["$l"]))
        if "$d" in node or "$od" in node:
            made: dict[Any, Any] = {} if "$d" in node else OrderedDict()
            return self._filled(
                node, made, lambda v: self._pairs(v, node["$d"] if "$d" in node else node["$od"])
            )
        if "$s" in node:
            return self._filled(node, set(), lambda v: v.update(self.decode(x) for x in node["$s"]))
        if "$q" in node:
            queue: deque[Any] = deque(maxlen=node.get("max"))
            return self._filled(node, queue, lambda v: v.extend(self.decode(x) for x in node["$q"]))
        if "$t" in node:
            return tuple(self.decode(v) for v in node["$t"])
        if "$fs" in node:
            return frozenset(self.decode(v) for v in node["$fs"])
        if "$e" in node:
            return _known(node["$e"], Enum)(node["v"])
        if "$f" in node:
            if node["$f"] not in ("inf", "-inf", "nan"):
                raise JournalFormatError(f"not a float: {node['$f']!r}")
            return float(node["$f"])
        if "$dt" in node:
            return datetime.fromisoformat(node["$dt"])
        if "$td" in node:
            return timedelta(seconds=float(node["$td"]))
        if "$c" in node:
            return _known(node["$c"], object)
        if "$p" in node:
            return _known(node["$p"], BaseModel).model_validate(node["v"])
        if "$m" in node:
            return self._method(node["$m"])
        raise JournalFormatError(f"unknown form {sorted(node)!r}")

    def _filled(self, node: dict[str, Any], made: Any, fill: Any) -> Any:
        if "#" in node:
            self._marks[int(node["#"])] = made
        fill(made)
        return made

    def _pairs(self, made: dict[Any, Any], flat: list[Any]) -> None:
        if len(flat) % 2:
            raise JournalFormatError("a dict with a key and no value")
        for i in range(0, len(flat), 2):
            made[self.decode(flat[i])] = self.decode(flat[i + 1])

    def _instance(self, node: dict[str, Any]) -> Any:
        cls: type = _known(node["$o"], object)
        made: Any = object.__new__(cls)
        if "#" in node:
            self._marks[int(node["#"])] = made
        given = {k: self.decode(v) for k, v in node["f"].items()}
        if dataclasses.is_dataclass(cls):
            given = _with_defaults(cls, given)
        for attribute, value in given.items():
            object.__setattr__(made, attribute, value)
        return made

    def _method(self, pair: list[Any]) -> Any:
        owner, name = self.decode(pair[0]), str(pair[1])
        found = next((vars(c)[name] for c in type(owner).__mro__ if name in vars(c)), None)
        if name.startswith("__") or not isinstance(found, types.FunctionType):
            raise JournalFormatError(f"{type(owner).__name__} has no method {name!r}")
        return getattr(owner, name)


def _known(name: object, kind: type) -> Any:
    cls = KNOWN.get(str(name))
    if cls is None or not issubclass(cls, kind):
        raise JournalFormatError(f"unknown type {name!r} (written by another release?)")
    return cls


def _with_defaults(cls: type, given: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``cls`` from ``given``; a field an older release did not write takes its
    default; one this release does not have, or a required one missing, is an error."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    extra = set(given) - set(fields)
    if extra:
        raise JournalFormatError(f"{cls.__name__} has no field {sorted(extra)[0]!r}")
    for name, field in fields.items():
        if name in given:
            continue
        if field.default is not dataclasses.MISSING:
            given[name] = field.default
        elif field.default_factory is not dataclasses.MISSING:
            given[name] = field.default_factory()
        else:
            raise JournalFormatError(f"{cls.__name__} without its field {name!r}")
    return given
