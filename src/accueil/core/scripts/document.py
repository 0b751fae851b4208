"""The authored form of a script layer: YAML or JSON text, validated with pydantic.

A layer is what one author saves: the account's script, or a group's or a person's overrides
(only the parts they change). Parsing keeps the line of every value, so that any problem,
found here or later when the layers are merged, names the file, line and field.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from accueil.core.availability import State
from accueil.core.safe_yaml import Limits, load_yaml
from accueil.core.scripts.model import ActionKind, FieldType, Situation, Urgency
from accueil.errors import Problem, ValidationFailed, reason_of, says

MAX_SOURCE = 200_000  # characters; a script is a page or two, not a book
MAX_VALUES = 20_000  # values (keys, texts, items) once YAML aliases are expanded
LIMITS = Limits(max_chars=MAX_SOURCE, max_values=MAX_VALUES)
EXPECTED = says("a script (greetings, steps…)")
STEP_ID = r"^[a-z][a-z0-9_]{0,63}$"
Path = tuple[str | int, ...]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ChoiceDoc(_Doc):
    value: str
    label: str = ""


class WhenDoc(_Doc):
    answer: str | None = None
    equals: str | bool | None = None
    one_of: list[str] | None = Field(default=None, alias="in")
    is_set: bool | None = None
    available: bool | None = None
    state: list[State] | None = None  # a typo would silently never match
    situation: Situation | None = None
    between: str | None = Field(default=None, pattern=r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$")
    known_caller: bool | None = None

    @model_validator(mode="after")
    def _consistent(self) -> WhenDoc:
        about_answer = (self.equals, self.one_of, self.is_set)
        if any(x is not None for x in about_answer) and self.answer is None:
            raise ValueError(says("equals, in and is_set need 'answer: <field id>'"))
        if self.answer is not None and all(x is None for x in about_answer):
            raise ValueError(says("'answer' needs one of equals, in, is_set"))
        if not self.model_fields_set:
            raise ValueError(says("a condition needs at least one test"))
        if self.between:
            start, end = (_minute(t) for t in self.between.split("-"))
            if end <= start:
                raise ValueError(
                    says(
                        "between %(between)s: the end comes before the start", between=self.between
                    )
                )
        return self


def _minute(hhmm: str) -> int:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise ValueError(says("%(hhmm)s is not a time of day", hhmm=hhmm))
    return hours * 60 + minutes


class CaseDoc(_Doc):
    when: WhenDoc
    goto: str


class TargetDoc(_Doc):
    person: str | None = None
    group: str | None = None

    @model_validator(mode="after")
    def _one(self) -> TargetDoc:
        if (self.person is None) == (self.group is None):
            raise ValueError(says("transfer 'to' names exactly one of person or group"))
        return self


_KINDS = ("say", "ask", "branch", "action")
_ONLY = {
    "ask": {"type", "required", "label", "choices"},
    "branch": {"otherwise"},
    "action": {"to", "urgency", "urgent_if", "slot", "rota", "note"},
}


class StepDoc(_Doc):
    id: str = Field(pattern=STEP_ID)
    say: str | None = None
    ask: str | None = None
    type: FieldType = FieldType.TEXT
    required: bool = True
    label: str | None = None
    choices: list[ChoiceDoc | str] | None = None
    branch: list[CaseDoc] | None = None
    otherwise: str | None = None
    action: ActionKind | None = None
    to: TargetDoc | None = None
    urgency: Urgency | None = None
    urgent_if: str | None = None
    slot: str | None = None
    rota: str | None = None
    note: str | None = None
    next: str | None = None

    @property
    def kind(self) -> str:
        return next(k for k in _KINDS if getattr(self, k) is not None)

    @model_validator(mode="after")
    def _shape(self) -> StepDoc:
        kinds = [k for k in _KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(
                says(
                    "a step has exactly one of say, ask, branch, action (found %(kinds)s)",
                    kinds=kinds,
                )
            )
        kind = kinds[0]
        for other, names in _ONLY.items():
            stray = sorted(names & self.model_fields_set) if other != kind else []
            if stray:
                raise ValueError(
                    says(
                        "%(stray)s only go with '%(other)s', not '%(kind)s'",
                        stray=", ".join(stray),
                        other=other,
                        kind=kind,
                    )
                )
        if kind == "ask" and (self.type is FieldType.CHOICE) != bool(self.choices):
            raise ValueError(says("a choice question lists its 'choices', and only it does"))
        if kind in ("branch", "action") and self.next:
            raise ValueError(says("a %(kind)s step does not take 'next'", kind=kind))
        self._action_shape()
        return self

    def _action_shape(self) -> None:
        needs = {ActionKind.TRANSFER: "to", ActionKind.BOOK_CALLBACK: "slot"}
        if self.action in needs and getattr(self, needs[self.action]) is None:
            raise ValueError(
                says("'%(action)s' needs '%(needs)s'", action=self.action, needs=needs[self.action])
            )
        if self.action is not ActionKind.TRANSFER and self.to is not None:
            raise ValueError(says("'to' goes with action: transfer"))


class LayerDoc(_Doc):
    """One saved layer. Every part is optional: a person's layer holds only its overrides."""

    name: str = ""
    greetings: dict[str, dict[Situation, str]] = Field(default_factory=dict)
    start: str | None = None
    steps: list[StepDoc] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> LayerDoc:
        seen: set[str] = set()
        for step in self.steps:
            if step.id in seen:
                raise ValueError(says("step id '%(id)s' is used twice", id=step.id))
            seen.add(step.id)
        for language in self.greetings:
            if not re.match(r"^[a-z]{2}$", language):
                raise ValueError(
                    says(
                        "greetings: '%(language)s' is not a language code (fr, en, …)",
                        language=language,
                    )
                )
        return self


@dataclass(frozen=True)
class Layer:
    """A parsed layer with where each of its values sits in its file."""

    doc: LayerDoc
    file: str = "<script>"
    label: str = ""  # the version it is: "account:3", "group:compta:1", "person:dupont:5"
    places: dict[Path, tuple[int, int]] = field(default_factory=dict)  # path → (line, col)
    folded: frozenset[Path] = frozenset()  # texts written with ">": their lines are joined
    source: str = ""

    def place(self, path: Path) -> tuple[int | None, int | None]:
        """The 1-based line and column of the value at ``path`` (or of its nearest parent)."""
        for n in range(len(path), -1, -1):
            found = self.places.get(path[:n])
            if found is not None:
                return found
        return None, None

    def position(self, path: Path, line: int, column: int) -> tuple[int | None, int | None]:
        """The file's line and column of (line, column) inside the text at ``path``."""
        start, indent = self.place(path)
        if start is None or indent is None:
            return None, None
        if path not in self.folded:  # one line, or "|" where every line has the indent
            return start + line - 1, indent + column - 1
        # ">" joined the file's lines with spaces: walk them to find the one holding the column
        rows = self.source.splitlines()[start - 1 :]
        left = column - 1
        for offset, row in enumerate(rows):
            text = row.strip()
            if left <= len(text):
                return start + offset, indent + left
            left -= len(text) + 1
        return start, indent

    def problem(self, reason: str, path: Path) -> Problem:
        line, _ = self.place(path)
        return Problem(reason, file=self.file, line=line, field=dotted(path) or None)


def dotted(path: Path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def parse_layer(
    text: str, file: str = "<script>", *, label: str = "", fmt: Literal["yaml", "json"] = "yaml"
) -> Layer:
    """Read and validate one layer; raises ValidationFailed naming every problem found."""
    if len(text) > MAX_SOURCE:
        raise ValidationFailed(
            [
                Problem(
                    says("the script is longer than %(n)s characters", n=MAX_SOURCE),
                    file,
                )
            ]
        )
    data, places, folded = _load(text, file, fmt)
    if not isinstance(data, dict):
        raise ValidationFailed(
            [Problem(says("a script is a mapping (greetings, steps…)"), file, 1)]
        )
    try:
        doc = LayerDoc.model_validate(data)
    except ValidationError as exc:
        layer = Layer(LayerDoc(), file, label, places, folded, text)
        problems = [layer.problem(_reason(e), tuple(e["loc"])) for e in exc.errors()]
        raise ValidationFailed(problems) from None
    return Layer(doc, file, label, places, folded, text)


def _reason(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return says("unknown key '%(key)s'", key=error["loc"][-1])
    if error["type"] == "string_pattern_mismatch" and error["loc"][-1] == "id":
        return says("a step id is lower case letters, digits and _ (used as answers.<id>)")
    return reason_of(error)


_Places = dict[Path, tuple[int, int]]


def _load(text: str, file: str, fmt: str) -> tuple[Any, _Places, frozenset[Path]]:
    if fmt == "json":
        try:
            data = _json(text, file)
        except RecursionError:
            raise ValidationFailed(
                [Problem(says("the script is nested too deeply"), file)]
            ) from None
        try:  # where each value sits, when YAML reads the JSON too
            found = load_yaml(text, file, limits=LIMITS, starts=True)
        except ValidationFailed:
            return data, {}, frozenset()
        return data, found.starts, found.folded
    document = load_yaml(text, file, limits=LIMITS, starts=True, expected=EXPECTED)
    if document.duplicates:
        raise ValidationFailed(document.duplicates)
    return document.data, document.starts, document.folded


def _json(text: str, file: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            [Problem(says("not valid JSON: %(why)s", why=exc.msg), file, exc.lineno)]
        ) from None
