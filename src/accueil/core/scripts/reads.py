"""What a script's greeting and first walk read of a call, so that they are rendered once for
every call that reads the same.

A screen pop shows the script's greeting and its walk up to the first question. Both follow
from the script and a few facts of the call: the template variables its templates name (found
by Liquid's own analysis: a template reads nothing else), and what its branches test
(availability, situation, the local time, a known caller). ``Reads.key`` is those facts for
one call: two calls with the same key get the same greeting and walk.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from accueil.core.scripts.context import ScriptContext
from accueil.core.scripts.model import Script
from accueil.core.scripts.templates import variable_paths

Key = tuple[object, ...]


@dataclass(frozen=True)
class Reads:
    """The template variables a script names (paths from the root; a root alone: all of
    it), and the call's facts its branches test."""

    paths: frozenset[tuple[str, ...]]
    available: bool = False
    states: bool = False
    situation: bool = False
    between: bool = False
    known_caller: bool = False

    def key(self, context: ScriptContext, words: Mapping[str, object]) -> Key:
        """What this call gives of what the script reads (``words``: ``variables(context)``)."""
        return (
            tuple(_value(words, path) for path in sorted(self.paths)),
            context.available if self.available else None,
            context.availability.state if self.states and context.availability else None,
            context.situation if self.situation else None,
            context.local_minute if self.between else None,
            bool(context.caller.name) if self.known_caller else None,
        )


def reads_of(script: Script) -> Reads:
    """What ``script``'s templates and branches read (every greeting, step and note)."""
    paths: set[tuple[str, ...]] = set()
    for source in _templates(script):
        paths |= variable_paths(source)
    tests = [case.when for step in script.steps for case in step.cases]
    return Reads(
        frozenset(p for p in paths if p[0] != "answers"),  # no answer yet in a pop
        available=any(t.available is not None for t in tests),
        states=any(t.states for t in tests),
        situation=any(t.situation is not None for t in tests),
        between=any(t.between is not None for t in tests),
        known_caller=any(t.known_caller is not None for t in tests),
    )


def _templates(script: Script) -> Iterator[str]:
    for by_situation in script.greetings.values():
        yield from by_situation.values()
    for step in script.steps:
        if step.text:
            yield step.text
        if step.action is not None and step.action.note:
            yield step.action.note


def _value(words: Mapping[str, object], path: tuple[str, ...]) -> object:
    found: object = words
    for segment in path:
        if not isinstance(found, Mapping) or segment not in found:
            return None
        found = found[segment]
    return _frozen(found)


def _frozen(value: object) -> object:
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value
